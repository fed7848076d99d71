"""Pagers over HTTP against the emulator: order, filters, resume, re-iteration, prefetch, faults."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import anyio
import anyio.lowlevel
import pytest
from typing_extensions import assert_type

from robomaker_deploy import (
    ClientConfig,
    DeploymentClient,
    DeploymentJob,
    DeploymentStatus,
    Fleet,
    InternalServerError,
    Page,
    Pager,
    PaginationLoopError,
    ValidationError,
)
from robomaker_deploy.emulator import Emulator
from robomaker_deploy.emulator._seeding import seed_jobs
from tests.support.clocks import until

pytestmark = pytest.mark.asyncio


async def test_thousands_of_jobs_newest_first(robomaker_emulator: Emulator, client: DeploymentClient) -> None:
    arns = seed_jobs(robomaker_emulator, 2500)
    seen = []
    async for job in client.list_deployment_jobs(page_size=200):
        assert_type(job, DeploymentJob)
        seen.append(job.arn)
    assert seen == arns[::-1]
    # 13 pages of at most 200, each fetched once.
    assert robomaker_emulator.stats()["calls"]["ListDeploymentJobs"] == 13


@pytest.mark.parametrize("page_size", [1, 7, 200])
async def test_page_size_edges(
    robomaker_emulator: Emulator, client: DeploymentClient, page_size: int
) -> None:
    arns = seed_jobs(robomaker_emulator, 30)
    pager = client.list_deployment_jobs(page_size=page_size)
    pages = [page async for page in pager.pages()]
    assert all(len(page.items) <= page_size for page in pages)
    assert [job.arn for page in pages for job in page.items] == arns[::-1]
    assert pages[-1].next_token is None
    assert all(page.next_token is not None for page in pages[:-1])


async def test_every_filter(robomaker_emulator: Emulator, client: DeploymentClient) -> None:
    arns = seed_jobs(robomaker_emulator, 60, kinds=("Succeeded", "Failed", "Canceled"))
    newest_first = arns[::-1]
    by_kind = {kind: newest_first[i::3] for i, kind in enumerate(("Canceled", "Failed", "Succeeded"))}
    for status in (DeploymentStatus.SUCCEEDED, DeploymentStatus.FAILED, DeploymentStatus.CANCELED):
        jobs = await client.list_deployment_jobs(status=status, page_size=7).collect()
        assert [j.arn for j in jobs] == by_kind[status.value]
        assert {j.status for j in jobs} == {status}
    both = await client.list_deployment_jobs(
        status={"Failed", DeploymentStatus.CANCELED}, page_size=4
    ).collect()
    assert [j.arn for j in both] == [
        a for a in newest_first if a in set(by_kind["Failed"] + by_kind["Canceled"])
    ]
    assert len({j.arn for j in both}) == len(both)
    by_fleet = await client.list_deployment_jobs(fleet_name="s-Failed").collect()
    assert [j.arn for j in by_fleet] == by_kind["Failed"]
    fleets = await client.list_fleets(name="s-Canceled").collect()
    assert_type(fleets, list[Fleet])
    assert [f.name for f in fleets] == ["s-Canceled"]
    robots = await client.list_robots(fleet_name="s-Failed").collect()
    assert [r.name for r in robots] == ["s-Failed-r0"]


async def test_resume_in_the_middle_of_a_page(robomaker_emulator: Emulator, client: DeploymentClient) -> None:
    arns = seed_jobs(robomaker_emulator, 45)[::-1]
    pager = client.list_deployment_jobs(page_size=10)
    first = []
    async for job in pager:
        first.append(job.arn)
        if len(first) == 13:
            break
    token = pager.resume_token
    assert token is not None
    rest = await client.list_deployment_jobs(page_size=10, starting_token=token).collect()
    assert first + [j.arn for j in rest] == arns


async def test_resume_a_merged_listing(robomaker_emulator: Emulator, client: DeploymentClient) -> None:
    arns = seed_jobs(robomaker_emulator, 40, kinds=("Succeeded", "Failed"))[::-1]
    statuses = {DeploymentStatus.SUCCEEDED, DeploymentStatus.FAILED}
    pager = client.list_deployment_jobs(status=statuses, page_size=3, max_items=11)
    first = [j.arn for j in await pager.collect()]
    assert len(first) == 11
    assert pager.resume_token is not None
    rest = await client.list_deployment_jobs(status=statuses, starting_token=pager.resume_token).collect()
    assert first + [j.arn for j in rest] == arns
    with pytest.raises(ValidationError):
        client.list_deployment_jobs(status="Failed", starting_token=pager.resume_token)


async def test_iterating_twice_starts_over(robomaker_emulator: Emulator, client: DeploymentClient) -> None:
    seed_jobs(robomaker_emulator, 25)
    pager = client.list_deployment_jobs(page_size=10)
    once = [j.arn async for j in pager]
    twice = [j.arn async for j in pager]
    assert once == twice
    assert len(once) == 25
    assert pager.resume_token is None


async def test_max_items_and_resume_token_after_every_page(
    robomaker_emulator: Emulator, client: DeploymentClient
) -> None:
    seed_jobs(robomaker_emulator, 25)
    pager = client.list_deployment_jobs(page_size=10, max_items=15)
    pages = [page async for page in pager.pages()]
    assert [len(p.items) for p in pages] == [10, 5]
    assert all(page.next_token is not None for page in pages)
    rest = await client.list_deployment_jobs(starting_token=pager.resume_token).collect()
    assert len(rest) == 10


async def test_throttling_mid_listing_is_retried_not_restarted(
    robomaker_emulator: Emulator, client: DeploymentClient
) -> None:
    arns = seed_jobs(robomaker_emulator, 300)
    robomaker_emulator.set_faults(throttle=0.5, operations=["ListDeploymentJobs"], seed=7)
    seen = [job.arn async for job in client.list_deployment_jobs(page_size=20)]
    assert seen == arns[::-1]
    stats = robomaker_emulator.stats()
    throttled = stats["faults"]["throttle"]["ListDeploymentJobs"]
    assert throttled > 0
    # Every page was fetched once successfully; the extra calls are exactly the throttled ones.
    assert stats["calls"]["ListDeploymentJobs"] == 15 + throttled


async def test_cancelling_the_consumer_cancels_the_prefetch(robomaker_emulator_background: Emulator) -> None:
    # The emulator runs on its own thread here, so the only tasks on this loop are the test's and the SDK's.
    emulator = robomaker_emulator_background
    seed_jobs(emulator, 50)
    emulator.set_faults(latency_ms=300, operations=["ListDeploymentJobs"])
    async with emulator.client() as client:
        before = len(anyio.get_running_tasks())
        pager = client.list_deployment_jobs(page_size=5)
        with anyio.CancelScope() as consumer:
            async for _ in pager:
                # Once the next page's request has arrived (each takes 300 ms), the consumer leaves.
                await until(lambda: emulator.stats()["calls"]["ListDeploymentJobs"] >= 2)
                consumer.cancel()
                await anyio.lowlevel.checkpoint()
        # The cancelled prefetch unwinds, and then nothing of the pager is left running.
        await until(lambda: len(anyio.get_running_tasks()) == before)
        assert pager.resume_token is not None
    # The client closed without waiting on a stray fetch and without warnings (filterwarnings=error).


def _past(count: Callable[[], int], mark: int) -> bool:
    return count() > mark


async def test_prefetch_overlaps_the_consumer(robomaker_emulator: Emulator, client: DeploymentClient) -> None:
    seed_jobs(robomaker_emulator, 20)
    robomaker_emulator.set_faults(latency_ms=100, operations=["ListDeploymentJobs"])

    def requested() -> int:
        return int(robomaker_emulator.stats()["calls"].get("ListDeploymentJobs", 0))

    before = requested()
    ahead = []
    index = 0
    async for page in client.list_deployment_jobs(page_size=5).pages():
        index += 1  # pages handed to the consumer so far
        if page.next_token is not None:
            # The consumer holds page `index` and has not asked for the next: the pager has (one
            # page ahead, no more). Without a prefetch the request never comes, and `until` fails.
            await until(partial(_past, requested, before + index), within=10)
            ahead.append(requested() - before - index)
    assert index == 4
    assert ahead == [1, 1, 1]


async def test_prefetch_zero_fetches_on_demand(
    robomaker_emulator: Emulator, client: DeploymentClient
) -> None:
    seed_jobs(robomaker_emulator, 20)
    pager = client.list_deployment_jobs(page_size=5, prefetch=0)
    async for _ in pager.pages():
        await anyio.sleep(0.05)
        # Nothing was fetched ahead of the consumer.
        assert robomaker_emulator.stats()["calls"]["ListDeploymentJobs"] == 1
        break


async def test_a_repeated_token_stops_the_listing() -> None:
    calls = []

    async def looping(token: str | None, size: int | None) -> Page[int]:
        calls.append(token)
        return Page(items=(len(calls),), next_token="same")

    pager = Pager([looping])
    with pytest.raises(PaginationLoopError):
        [item async for item in pager]
    assert calls == [None, "same"]


async def test_bad_arguments_fail_at_the_call_site() -> None:
    client = DeploymentClient(region_name="us-east-1")
    for kwargs in ({"page_size": 0}, {"page_size": 201}, {"max_items": 0}, {"prefetch": -1}):
        with pytest.raises(ValidationError):
            client.list_deployment_jobs(**kwargs)  # type: ignore[call-overload]
    with pytest.raises(ValidationError):
        client.list_deployment_jobs(starting_token="rmd1.garbage!")


async def test_closed_client_refuses_to_list() -> None:
    client = DeploymentClient(region_name="us-east-1")
    with pytest.raises(RuntimeError, match="async with"):
        await client.list_fleets().collect()


async def test_retries_give_up_with_a_resume_token(robomaker_emulator: Emulator) -> None:
    seed_jobs(robomaker_emulator, 30)
    config = ClientConfig(max_attempts=2, backoff_base=0.001)
    async with robomaker_emulator.client(config=config) as client:
        pager = client.list_deployment_jobs(page_size=10)
        got: list[DeploymentJob] = []

        async def consume() -> None:
            async for job in pager:
                got.append(job)
                if len(got) == 10:
                    robomaker_emulator.set_faults(internal_error=1.0, operations=["ListDeploymentJobs"])

        with pytest.raises(InternalServerError):
            await consume()
        robomaker_emulator.set_faults()
        rest = await client.list_deployment_jobs(page_size=10, starting_token=pager.resume_token).collect()
        assert len(got) + len(rest) == 30


async def test_a_listing_outliving_its_client_says_so(robomaker_emulator: Emulator) -> None:
    seed_jobs(robomaker_emulator, 30)
    async with robomaker_emulator.client() as client:
        pages = client.list_deployment_jobs(page_size=10).pages()
        first = await pages.__anext__()  # the second page is now being prefetched
        assert len(first.items) == 10
    with pytest.raises(RuntimeError, match="client"):
        await pages.__anext__()
