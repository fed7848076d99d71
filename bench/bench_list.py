"""Listing 10,000 jobs: the SDK's pager vs raw aiobotocore's paginator, prefetch, and memory."""

from __future__ import annotations

import time
import tracemalloc

import anyio

from robomaker_deploy.emulator._seeding import seed_jobs

from ._common import Report, emulator_process, raw_client, seeded_state, typed_client

JOBS = 10_000
PAGE = 200
#: What a consumer that does real work spends on each page in the "slow consumer" figure.
WORK_PER_PAGE = 0.02


async def _raw_items(url: str) -> int:
    count = 0
    async with raw_client(url) as raw:
        paginator = raw.get_paginator("list_deployment_jobs")
        async for page in paginator.paginate(PaginationConfig={"PageSize": PAGE}):
            count += len(page["deploymentJobs"])
    return count


async def _typed_items(url: str, prefetch: int, work: float = 0.0) -> int:
    count = 0
    async with typed_client(url) as client:
        async for page in client.list_deployment_jobs(page_size=PAGE, prefetch=prefetch).pages():
            count += len(page.items)
            if work:
                await anyio.sleep(work)
    return count


async def _raw_slow(url: str, work: float) -> int:
    count = 0
    async with raw_client(url) as raw:
        paginator = raw.get_paginator("list_deployment_jobs")
        async for page in paginator.paginate(PaginationConfig={"PageSize": PAGE}):
            count += len(page["deploymentJobs"])
            await anyio.sleep(work)
    return count


async def _peak(url: str, limit: int) -> int:
    """Peak traced memory while the pager walks ``limit`` jobs and drops them."""
    async with typed_client(url) as client:
        tracemalloc.start()
        async for _ in client.list_deployment_jobs(page_size=PAGE, max_items=limit):
            pass
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


async def _seconds(run: object) -> float:
    began = time.perf_counter()
    await run  # type: ignore[misc]
    return time.perf_counter() - began


async def main(report: Report, rounds: int = 3) -> None:
    """Run the listing benchmarks and add their rows to ``report``."""
    print(f"list: seeding {JOBS:,} jobs ...", flush=True)
    with seeded_state(lambda emulator: seed_jobs(emulator, JOBS)) as state, emulator_process(state) as url:
        raw_times, typed_times = [], []
        for _ in range(rounds):
            raw_times.append(await _seconds(_raw_items(url)))
            typed_times.append(await _seconds(_typed_items(url, prefetch=1)))
        raw_rate = JOBS / sorted(raw_times)[rounds // 2]
        typed_rate = JOBS / sorted(typed_times)[rounds // 2]
        report.ratio(
            f"list {JOBS:,} jobs, items/s (pager)",
            typed_rate,
            "raw paginator",
            raw_rate,
            ">= 1",
            unit="items/s",
        )

        pages = JOBS // PAGE
        slow_off = await _seconds(_typed_items(url, prefetch=0, work=WORK_PER_PAGE))
        slow_on = await _seconds(_typed_items(url, prefetch=1, work=WORK_PER_PAGE))
        slow_raw = await _seconds(_raw_slow(url, WORK_PER_PAGE))
        report.ratio(
            f"list with {WORK_PER_PAGE * 1000:.0f} ms of work per page, prefetch on",
            slow_on * 1000,
            "prefetch off",
            slow_off * 1000,
            "< 1",
        )
        report.ratio(
            f"list with {WORK_PER_PAGE * 1000:.0f} ms of work per page, prefetch on",
            slow_on * 1000,
            "raw paginator",
            slow_raw * 1000,
            "< 1",
        )
        print(f"  ({pages} pages; the consumer alone waits {pages * WORK_PER_PAGE:.2f} s)")

        small = await _peak(url, 1_000)
        large = await _peak(url, JOBS)
        report.ratio(
            f"peak memory listing {JOBS:,} jobs",
            large / 1024,
            "listing 1,000 jobs",
            small / 1024,
            "~1 (flat)",
            unit="KiB",
        )
