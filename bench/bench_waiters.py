"""Waiting on 500 deployments at once: shared waiters against one describe loop per job.

Against the emulator (on its own thread, so the server does not share the
client's event loop), 500 fleets of one or two robots each get a deployment
at the same moment, and each is waited on three ways, one after the other,
on fresh deployments of the same fleets:

* ``naive``: the botocore-style waiter, one DescribeDeploymentJob loop per
  job with a fixed delay (``min_delay``, so it answers as fast as the
  shared waiters' first polls do);
* ``backoff`` (only with ``BENCH_WAITERS_BACKOFF=1``, ~40 s more): this
  SDK's waiters with sharing turned off (one describe per poll per waiter,
  Smithy backoff from ``min_delay`` to ``max_delay``), to tell what the
  backoff saves from what the sharing saves;
* ``fixed``: the shared waiters with a listing pass every ``min_delay``
  while any waiter polls (``Passes.quiet_backoff = 1``, the default before
  issue 20's point 3): the p95 the others are held to;
* ``shared``: ``client.wait_for_deployment_job`` as it is: the passes back
  off while they see no job leave, up to ``quiet_backoff`` (2) times
  ``min_delay``, and go back to ``min_delay`` when one does;
* ``paced``: the same with the passes backing off up to ``max_delay``:
  the calls this saves, against how late an end is then noticed.

For each, the calls the emulator counted (DescribeDeploymentJob and
ListDeploymentJobs) while the waiters ran, and the time from each job's end
(its last robot's finish time, on the emulator's clock, which is the wall
clock) to its waiter's return: worst and median. The shared waiters' floor
is one describe per job: each wait returns the job with its robots, which
only DescribeDeploymentJob gives, so every job costs that call at its end
however little the polling before it costs. Delays are the SDK's
defaults (2 s, 30 s) divided by the emulator's speed, so that the ratios are
those of a real deployment.

At speed 2 each deployment lasts 13-33 s, so each way takes about 35 s.
The emulator and the client serve about 500 requests a second on one
machine, which is about what the naive waiters ask for here (500 jobs / 1 s);
with more jobs or a shorter delay they would be capped by that throughput
rather than by their own schedule, and the comparison would flatter nobody.

Run: ``python -m bench.bench_waiters`` (or ``python -m bench``).
"""

from __future__ import annotations

import bisect
import math
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio

from bench._common import Report
from robomaker_deploy import (
    DeploymentApplicationConfig,
    DeploymentClient,
    DeploymentJob,
    DescribedDeploymentJob,
    LaunchConfig,
)
from robomaker_deploy._wire.model import page_limit
from robomaker_deploy.emulator import Emulator
from robomaker_deploy.emulator._seeding import seed_application, seed_fleet

JOBS = int(os.environ.get("BENCH_WAITERS_JOBS", "500"))  # fewer for a quick check
SPEED = 2.0
MIN_DELAY = 2.0 / SPEED
MAX_DELAY = 30.0 / SPEED
WAITED = ("DescribeDeploymentJob", "ListDeploymentJobs")


def _setup(emu: Emulator) -> tuple[list[str], DeploymentApplicationConfig]:
    """An application version and JOBS fleets of one or two robots, made in process (fast)."""
    application, version = seed_application(emu, "bench-waiters")
    config = DeploymentApplicationConfig(
        application=application,
        application_version=version,
        launch_config=LaunchConfig(package_name="pkg", launch_file="app.launch"),
    )
    fleets = [seed_fleet(emu, f"bench-{index}", robot_tags=[{}] * (1 + index % 2)) for index in range(JOBS)]
    return fleets, config


async def _deploy_all(
    client: DeploymentClient, fleets: list[str], config: DeploymentApplicationConfig
) -> list[DeploymentJob]:
    jobs: list[DeploymentJob | None] = [None] * len(fleets)
    limiter = anyio.CapacityLimiter(50)

    async def one(index: int) -> None:
        async with limiter:
            jobs[index] = await client.create_deployment_job(
                fleet=fleets[index], application_configs=[config]
            )

    async with anyio.create_task_group() as group:
        for index in range(len(fleets)):
            group.start_soon(one, index)
    return [job for job in jobs if job is not None]


async def _naive_wait(client: DeploymentClient, job: DeploymentJob) -> DescribedDeploymentJob:
    """botocore's waiter model: describe, check the acceptors, sleep a fixed delay, again."""
    while True:
        current = await client.describe_deployment_job(job)
        if current.status.is_terminal:
            return current
        await anyio.sleep(MIN_DELAY)


def _ended_at(job: DescribedDeploymentJob) -> float:
    finishes = [r.deployment_finish_time for r in job.robot_deployment_summary if r.deployment_finish_time]
    return max(finishes).timestamp() if finishes else time.time()


async def _run(
    emu: Emulator,
    client: DeploymentClient,
    fleets: list[str],
    config: DeploymentApplicationConfig,
    wait: Callable[[DeploymentJob], Awaitable[DescribedDeploymentJob]],
) -> dict[str, Any]:
    jobs = await _deploy_all(client, fleets, config)
    before = emu.stats()["calls"]
    latencies: list[float] = []
    ends: list[float] = []
    started = time.monotonic()

    async def one(job: DeploymentJob) -> None:
        final = await wait(job)
        ended = _ended_at(final)
        ends.append(ended)
        latencies.append(max(0.0, time.time() - ended))

    async with anyio.create_task_group() as group:
        for job in jobs:
            group.start_soon(one, job)
    after = emu.stats()["calls"]
    per_op = {op: after.get(op, 0) - before.get(op, 0) for op in WAITED}
    return {
        "calls": sum(per_op.values()),
        "per_op": per_op,
        "worst": max(latencies),
        "median": statistics.median(latencies),
        "p95": statistics.quantiles(latencies, n=20)[-1],
        "seconds": time.monotonic() - started,
        "jobs": len(latencies),
        "ends": ends,
    }


def least_listing_calls(ends: list[float], within: float, page: int, share: float = 0.95) -> int:
    """The fewest listing requests with which any schedule of passes sees ``share`` of the ``ends`` within
    ``within`` seconds of each: a lower bound for the shared waiters, computed from the run's real ends.

    The schedule is an oracle's: it knows every end in advance, so it walks no pass before the first
    one or while nothing ends, and each pass costs only the pages the jobs still running fill (one
    status, ``page`` jobs a page, at least one request). A pass at ``t`` sees the ends in
    ``[t - within, t]``; up to ``1 - share`` of the jobs may go unseen in time. Every choice is
    generous to the oracle (no describe or walk time counted in ``within``, no other status walked), so
    a real schedule with the same p95 costs at least this much. The best schedule puts each pass as
    late as the first end it must see allows (later is never dearer: fewer jobs run), so the search is
    a dynamic programme over (the first end not yet seen, the misses left).
    """
    ordered = sorted(ends)
    count = len(ordered)
    misses = int((1.0 - share) * count)

    def cost(at: float) -> int:
        running = count - bisect.bisect_right(ordered, at)
        return max(1, math.ceil(running / page))

    # best[i][m]: the least requests to see ends i.. with m misses allowed.
    best = [[0] * (misses + 1) for _ in range(count + 1)]
    for index in range(count - 1, -1, -1):
        at = ordered[index] + within
        after = bisect.bisect_right(ordered, at)
        walk = cost(at)
        for left in range(misses + 1):
            value = walk + best[after][left]
            if left:
                value = min(value, best[index + 1][left - 1])
            best[index][left] = value
    return best[0][misses]


async def main(report: Report | None = None) -> None:
    """Run the ways of waiting, print their call counts and latencies, and add the ratios to ``report``."""
    print(f"waiters: {JOBS} concurrent deployments, emulator speed {SPEED:g}x,")
    print(f"  delays {MIN_DELAY:g}-{MAX_DELAY:g} s (the defaults 2-30 s at that speed);")
    print(f"  naive: fixed {MIN_DELAY:g} s")
    with Emulator(speed=SPEED, seed=5).run_in_background() as emu:
        fleets, config = _setup(emu)
        async with emu.client() as client:

            async def naive(job: DeploymentJob) -> DescribedDeploymentJob:
                return await _naive_wait(client, job)

            async def sdk(job: DeploymentJob) -> DescribedDeploymentJob:
                return await client.wait_for_deployment_job(job, min_delay=MIN_DELAY, max_delay=MAX_DELAY)

            results: dict[str, dict[str, Any]] = {}
            results["naive"] = await _run(emu, client, fleets, config, naive)
            hub = client._poller()
            if os.environ.get("BENCH_WAITERS_BACKOFF"):  # ~40 s more
                hub.list_threshold = 10**9  # sharing off: every poll is its own describe
                results["backoff"] = await _run(emu, client, fleets, config, sdk)
                hub.list_threshold = 8
            passes = hub.passes
            default = passes.quiet_backoff
            passes.quiet_backoff = 1.0  # a pass every min_delay while anyone polls
            results["fixed"] = await _run(emu, client, fleets, config, sdk)
            passes.quiet_backoff = default
            before = hub.stats
            results["shared"] = await _run(emu, client, fleets, config, sdk)
            after = hub.stats
            passes.quiet_backoff = math.inf  # passes backing off up to max_delay
            results["paced"] = await _run(emu, client, fleets, config, sdk)
            passes.quiet_backoff = default

    base = results["naive"]["calls"]
    header = (
        ("calls", 7),
        ("describe", 9),
        ("list", 6),
        ("vs naive", 9),
        ("worst", 8),
        ("p95", 8),
        ("median", 8),
        ("wall", 6),
    )
    print("  " + " " * 8 + "".join(f" {name:>{width}}" for name, width in header))
    for name, r in results.items():
        print(
            f"  {name:8} {r['calls']:7d} {r['per_op']['DescribeDeploymentJob']:9d} "
            f"{r['per_op']['ListDeploymentJobs']:6d} {r['calls'] / base:9.3f} "
            f"{r['worst']:7.2f}s {r['p95']:7.2f}s {r['median']:7.2f}s {r['seconds']:5.1f}s"
        )
    shared = results["shared"]
    lists = shared["per_op"]["ListDeploymentJobs"]
    walks = after.passes - before.passes
    print(
        f"  shared: {walks} listing passes ({lists / max(1, walks):.1f} requests each), "
        f"{after.early_wakes - before.early_wakes} early wakes; end-to-return worst {shared['worst']:.2f} s "
        f"vs max poll interval {MAX_DELAY:g} s"
    )
    print(
        f"  floor: one describe per job, {shared['jobs']} calls = {shared['jobs'] / base:.3f} of naive; "
        f"shared is {shared['calls'] / shared['jobs']:.2f} calls per job"
    )
    # What the floor plus the least listing any schedule needs for fixed's p95 would cost, on this run's ends.
    p95 = results["fixed"]["p95"]
    bound = least_listing_calls(shared["ends"], p95, page_limit("ListDeploymentJobs"))
    print(
        f"  oracle: {bound} listing calls at least to see 95% of these ends within fixed's p95 ({p95:.2f} s),"
        f" knowing them in advance: {(shared['jobs'] + bound) / shared['jobs']:.3f}x the floor"
    )
    if report is not None:
        report.ratio(  # a bound, not the SDK's: how close to the floor listing passes can get at all
            f"calls to wait on {JOBS} jobs, an oracle's passes with fixed's p95",
            shared["jobs"] + bound,
            "one describe per job (the floor)",
            shared["jobs"],
            "reported",
            unit="calls",
        )
        report.ratio(
            f"calls to wait on {JOBS} jobs, shared waiters",
            shared["calls"],
            "a describe loop per job",
            base,
            "<= 0.03",
            unit="calls",
        )
        for way, named in (
            ("shared", "shared waiters"),
            ("fixed", "a pass every min_delay"),
            ("paced", "passes backing off to max_delay"),
        ):
            report.ratio(
                f"calls to wait on {JOBS} jobs, {named}",
                results[way]["calls"],
                "one describe per job (the floor)",
                results[way]["jobs"],
                "<= 1.05",
                unit="calls",
            )
        fixed, paced = results["fixed"], results["paced"]
        report.ratio(
            "p95 job-end-to-return, shared waiters",
            shared["p95"],
            "a pass every min_delay",
            fixed["p95"],
            "<= 1",
            unit="s",
        )
        report.ratio(
            "p95 job-end-to-return, passes backing off to max_delay",
            paced["p95"],
            "a pass every min_delay",
            fixed["p95"],
            "<= 1",
            unit="s",
        )
        report.ratio(
            "worst job-end-to-return, shared waiters",
            shared["worst"],
            "max poll interval",
            MAX_DELAY,
            "<= 1",
            unit="s",
        )


if __name__ == "__main__":
    anyio.run(main)
