"""Cancelling waiters and prefetching listings at random moments leaves nothing behind (issue 8).

Nothing left means: the waiters' hub is idle (no registration, flight, pass or task), the client has
no background task, the event loop has no task the test did not have before, and closing the client
releases every connection (``filterwarnings = error`` turns an unclosed one into a failure).
"""

from __future__ import annotations

import gc
import random
from contextlib import aclosing
from typing import Any

import anyio
import pytest

from robomaker_deploy import DeploymentStatus, DeploymentWatch, DescribedDeploymentJob
from robomaker_deploy.emulator import Emulator
from robomaker_deploy.emulator._seeding import seed_application, seed_fleets, seed_jobs, seed_running_jobs
from tests.support.clocks import until
from tests.support.leaks import other_tasks, settle

FAST: dict[str, Any] = {"min_delay": 0.02, "max_delay": 0.2, "timeout": 120.0}


async def _drain(snapshots: DeploymentWatch) -> DescribedDeploymentJob:
    last = None
    async with aclosing(snapshots):
        async for snapshot in snapshots:
            last = snapshot
    assert last is not None
    return last


async def _cancel_at_random(
    emu: Emulator, *, waiters: int, jobs: int, listed: int, seed: int
) -> dict[str, int]:
    rng = random.Random(seed)
    seeded = seed_jobs(emu, listed, prefix="old")
    app = seed_application(emu)
    before = other_tasks()
    async with emu.client() as client:
        arns = seed_running_jobs(emu, app, seed_fleets(emu, jobs, prefix="cancel"), prefix="c")
        finished: list[tuple[str, DescribedDeploymentJob]] = []
        cancelled = 0
        listings: list[list[str]] = []
        listings_cancelled = 0

        async def wait(index: int, arn: str, cancel_after: float | None) -> None:
            nonlocal cancelled
            kind = index % 3
            with anyio.CancelScope() as scope:
                if cancel_after is not None:
                    scope.deadline = anyio.current_time() + cancel_after
                if kind == 0:
                    job = await client.wait_for_deployment_job(arn, **FAST)
                elif kind == 1:
                    job = await client.wait_until_deployment_succeeded(arn, **FAST)
                else:
                    job = await _drain(client.watch_deployment_job(arn, **FAST))
                finished.append((arn, job))
            if scope.cancelled_caught:
                cancelled += 1

        async def listing(cancel_after: float | None) -> None:
            nonlocal listings_cancelled
            with anyio.CancelScope() as scope:
                if cancel_after is not None:
                    scope.deadline = anyio.current_time() + cancel_after
                # Slow consumer: the prefetch of the next page is in flight most of the time.
                items = []
                async for job in client.list_deployment_jobs(page_size=100, prefetch=1):
                    items.append(job.arn)
                    if len(items) % 50 == 0:
                        await anyio.sleep(0.01)
                listings.append(items)
            if scope.cancelled_caught:
                listings_cancelled += 1

        deadlines = [rng.uniform(0, 1.0) if rng.random() < 0.5 else None for _ in range(waiters)]
        doomed = sum(deadline is not None for deadline in deadlines)

        async def end_the_jobs_once_the_doomed_are_cancelled() -> None:
            # On the manual clock no job ends before then: every doomed waiter meets its deadline.
            await until(lambda: cancelled == doomed)
            emu.advance_clock(3600)

        async with anyio.create_task_group() as group:
            for index, deadline in enumerate(deadlines):
                group.start_soon(wait, index, arns[index % jobs], deadline)
            for index in range(6):
                group.start_soon(listing, rng.uniform(0, 0.5) if index % 2 else None)
            group.start_soon(end_the_jobs_once_the_doomed_are_cancelled)
        await settle(client)
        truth = {arn: await client.describe_deployment_job(arn) for arn in arns}
    gc.collect()  # an unclosed connection or session would warn (an error here) when collected
    assert other_tasks() <= before
    # The others were unaffected: every waiter not cancelled returned its job, ended.
    assert cancelled == doomed > waiters // 4
    assert len(finished) + cancelled == waiters
    for arn, job in finished:
        assert job.arn == arn
        assert job.status is DeploymentStatus.SUCCEEDED
        assert job.robot_deployment_summary == truth[arn].robot_deployment_summary
    # The listings not cancelled each returned every job once.
    assert listings_cancelled > 0
    assert len(listings) + listings_cancelled == 6
    for items in listings:
        assert len(items) == len(set(items)) == listed + jobs
        assert set(items) == set(seeded) | set(arns)
    return {
        "waiters_cancelled": cancelled,
        "finished": len(finished),
        "listings_cancelled": listings_cancelled,
    }


@pytest.mark.robomaker_emulator(speed=20, seed=2, clock="manual")
@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.asyncio
async def test_cancelling_at_random_leaves_nothing_behind(robomaker_emulator: Emulator, seed: int) -> None:
    figures = await _cancel_at_random(robomaker_emulator, waiters=500, jobs=100, listed=2000, seed=seed)
    print(f"\ncancellation: {figures}")


@pytest.mark.soak
@pytest.mark.robomaker_emulator(speed=20, seed=2, clock="manual")
@pytest.mark.parametrize("seed", range(10))
@pytest.mark.asyncio
async def test_cancelling_at_random_leaves_nothing_behind_soak(
    robomaker_emulator: Emulator, seed: int
) -> None:
    await _cancel_at_random(robomaker_emulator, waiters=2000, jobs=400, listed=5000, seed=seed)
