"""Watching deployments: the cadence of the robots in flight against the plain backoff, on the same jobs.

Against the emulator at speed 1 (its timeline as the service's: robots take
tens of seconds, the download most of it, and report the time remaining in
it), ``ROUNDS`` rounds each start one deployment on each of 21 fleets of
1, 2, 3, 5, 8, 13 and 20 robots, every job with a concurrency limit (25, 34
or 50% of the fleet, so most fleets deploy in waves), every other one with a
pre-launch file and one in four with a post-launch file; about one robot in
twelve fails (while validating, downloading or launching, by the emulator's
fault tags). Each job is watched twice at the same time, through two
clients so that no call is shared:

* ``backoff``: the Smithy backoff alone (2 s doubling to 30 s, with
  jitter), as ``watch_deployment_job`` was, and as the waits still poll;
* ``forecast``: ``watch_deployment_job`` as it is, which polls every
  ``max_delay / k**0.6`` while *k* robots are in flight (before any started,
  the share the service starts first; see ``_waiting/forecast.py``).

Both see the same timelines (same jobs, same emulator seed), so the
difference is the schedule's alone. Time is virtual: when every watch is
asleep the emulator's clock jumps to the next wake-up, so a round of
deployments that lasts minutes runs in seconds, and a poll's time is the
emulator's. Measured:

* calls per watched job: DescribeDeploymentJob calls each schedule made
  (each client's own, as its hub counted them; their sum is checked against
  the emulator's count);
* the notice of each robot's end: from its ``deploymentFinishTime`` (on the
  emulator's clock) to the poll that first saw it ended. Median and worst
  over every robot of every round, and the 90th percentile; the failed
  robots' median apart (issue 20), and by failure code.
* by fleet size, each schedule's polls per job (each watch's own count) and
  median notice: the cadence spends its calls where robots are many, so a
  small fleet is polled less often than under the backoff and sees its ends
  later, and a large one the other way round.

The default delays (2 s, 30 s); the jitter of both schedules comes from
random generators seeded alike.

**What a checkpoint costs.** A job on a fleet of ``CHECKPOINT_ROBOTS`` (1,000)
robots is followed to its end as ``watch JOB --events --checkpoint F`` does it
(``deployment_events(...).polls()``, the checkpoint written atomically with
its fsyncs after each poll's events), and the same deployment (a second
emulator seeded alike) without the writes: ``CHECKPOINT_PAIRS`` (6) pairs,
each side first in turn, medians compared. Time
is the emulator's, moved by the watch's own sleeps (a manual clock), so the
wall time is the work of following the job (its describes, decoding, the
events, the writes), not the deployment's duration; CPU is the watching
thread's (the emulator runs on a thread of its own). Writes are counted
against the polls made.

Run: ``python -m bench.bench_watch`` (or ``python -m bench watch``);
``BENCH_WATCH_ROUNDS`` sets the rounds (20, about 25 s), ``BENCH_WATCH_PARTS``
which parts run (``forecast,checkpoint``).
"""

from __future__ import annotations

import heapq
import itertools
import os
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anyio
import anyio.lowlevel

from bench._common import Report
from robomaker_deploy import (
    DeploymentApplicationConfig,
    DeploymentClient,
    DescribedDeploymentJob,
    LaunchConfig,
    RobotStatus,
    WaitClock,
    WaitPolicy,
)
from robomaker_deploy._documents import write_atomic
from robomaker_deploy._waiting.watch import DeploymentWatch, Watch
from robomaker_deploy.emulator import TAG_FAIL_STEP, Emulator
from robomaker_deploy.emulator._seeding import app_configs, seed_application, seed_fleet

ROUNDS = int(os.environ.get("BENCH_WATCH_ROUNDS", "20"))
PARTS = set(os.environ.get("BENCH_WATCH_PARTS", "forecast,checkpoint").split(","))
CHECKPOINT_ROBOTS = int(os.environ.get("BENCH_WATCH_ROBOTS", "1000"))
CHECKPOINT_PAIRS = int(os.environ.get("BENCH_WATCH_PAIRS", "6"))
SIZES = (1, 2, 3, 5, 8, 13, 20)
CONCURRENCY = (25, 34, 50)
MIN_DELAY, MAX_DELAY = 2.0, 30.0
SCHEDULES = ("backoff", "forecast")
# The steps a faulty robot fails at, and how often (per robot, seeded): about one in twelve.
FAULTS = (("Validating", 0.03), ("DownloadingExtracting", 0.03), ("Launching", 0.02))


class VirtualTime:
    """The emulator's clock, moved forward to the next wake-up whenever every watcher sleeps."""

    def __init__(self, emu: Emulator, watchers: int) -> None:
        self._emu = emu
        self._awake = watchers  # all counted from the start, so none jumps the clock before the rest began
        self._sleepers: list[tuple[float, int, anyio.Event]] = []
        self._order = itertools.count()

    def now(self) -> float:
        return self._emu.now()

    async def sleep(self, seconds: float) -> None:
        event = anyio.Event()
        heapq.heappush(self._sleepers, (self.now() + seconds, next(self._order), event))
        self._awake -= 1
        try:
            self._advance()
            await event.wait()
        finally:
            self._awake += 1

    @contextmanager
    def watcher(self) -> Iterator[None]:
        """One of the watchers, counted out when it ends."""
        try:
            yield
        finally:
            self._awake -= 1
            self._advance()

    def _advance(self) -> None:
        if self._awake > 0 or not self._sleepers:
            return
        wake = self._sleepers[0][0]
        ahead = wake - self.now()
        if ahead > 0:
            self._emu.advance_clock(ahead)
        while self._sleepers and self._sleepers[0][0] <= wake:
            heapq.heappop(self._sleepers)[2].set()


def _jobs(emu: Emulator, rng: random.Random, label: str) -> list[str]:
    """One deployment on each of 21 fresh fleets (sizes and settings as the module says)."""
    app = seed_application(emu, f"watch-{label}")
    arns = []
    for index in range(3 * len(SIZES)):
        size = SIZES[index % len(SIZES)]
        tags = []
        for _ in range(size):
            draw, tag = rng.random(), {}
            for step, share in FAULTS:
                if draw < share:
                    tag = {TAG_FAIL_STEP: step}
                    break
                draw -= share
            tags.append(tag)
        fleet = seed_fleet(emu, f"watch-{label}-{index}", robot_tags=tags)
        configs = app_configs(app)
        if index % 2 == 0:
            configs[0]["launchConfig"]["preLaunchFile"] = "pre.sh"
        if index % 4 == 1:
            configs[0]["launchConfig"]["postLaunchFile"] = "post.sh"
        job = emu.call(
            "CreateDeploymentJob",
            {
                "fleet": fleet,
                "clientRequestToken": f"watch-{label}-{index}",
                "deploymentApplicationConfigs": configs,
                "deploymentConfig": {"concurrentDeploymentPercentage": CONCURRENCY[index % 3]},
            },
        )
        arns.append(str(job["arn"]))
    return arns


async def _watch(
    client: DeploymentClient, arn: str, policy: WaitPolicy, forecast: bool, time: VirtualTime
) -> tuple[int, list[tuple[float, bool, str]]]:
    """Watch one job to its end: its polls, and each robot's notice, whether it failed, and its code."""
    notices: dict[str, tuple[float, bool, str]] = {}
    final: DescribedDeploymentJob | None = None
    watch = Watch(client._poller(), arn, policy, forecast=forecast)
    with time.watcher():
        async for snapshot in DeploymentWatch(watch):
            seen = time.now()
            for robot in snapshot.robot_deployment_summary:
                finish = robot.deployment_finish_time
                if robot.status.is_terminal and finish is not None and robot.arn not in notices:
                    failed = robot.status is not RobotStatus.IN_SYNC
                    code = str(robot.failure_code) if failed else ""
                    notices[robot.arn] = (seen - finish.timestamp(), failed, code)
            final = snapshot
    assert final is not None and final.status.is_terminal
    return watch.polls, list(notices.values())


async def _round(seed: int) -> dict[str, dict[str, Any]]:
    async with Emulator(speed=1.0, seed=seed) as emu:
        arns = _jobs(emu, random.Random(seed), str(seed))
        time = VirtualTime(emu, watchers=len(SCHEDULES) * len(arns))
        out: dict[str, dict[str, Any]] = {}
        before = emu.stats()["calls"].get("DescribeDeploymentJob", 0)
        async with emu.client() as backoff, emu.client() as forecast:
            clients = {"backoff": backoff, "forecast": forecast}
            results: dict[str, list[tuple[int, int, list[tuple[float, bool, str]]]]] = {
                name: [] for name in SCHEDULES
            }

            async def one(name: str, index: int, arn: str, jitter: random.Random) -> None:
                clock = WaitClock(sleep=time.sleep, now=time.now, random=jitter.uniform)
                policy = WaitPolicy(timeout=None, min_delay=MIN_DELAY, max_delay=MAX_DELAY, clock=clock)
                polls, notices = await _watch(clients[name], arn, policy, name == "forecast", time)
                results[name].append((SIZES[index % len(SIZES)], polls, notices))

            async with anyio.create_task_group() as group:
                for name in SCHEDULES:
                    jitter = random.Random(seed * 1000 + 7)  # the same draws for both schedules
                    for index, arn in enumerate(arns):
                        group.start_soon(one, name, index, arn, jitter)
            for name, client in clients.items():
                out[name] = {
                    "calls": client._poller().stats.describes,
                    "jobs": len(arns),
                    "notices": [n for _, _, job in results[name] for n in job],
                    "by_size": [(size, polls, [n for n, _, _ in job]) for size, polls, job in results[name]],
                }
        counted = emu.stats()["calls"].get("DescribeDeploymentJob", 0) - before
        assert counted == sum(r["calls"] for r in out.values()), (counted, out)
        return out


def _figures(notices: list[float]) -> dict[str, float]:
    ordered = sorted(notices)
    return {
        "robots": len(ordered),
        "median": statistics.median(ordered),
        "p90": ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))],
        "worst": ordered[-1],
    }


async def _follow(
    client: DeploymentClient,
    emu: Emulator,
    fleet: str,
    configs: list[DeploymentApplicationConfig],
    checkpoint: Path | None,
) -> dict[str, float]:
    """Deploy to ``fleet`` and follow the job's events to its end, saving after each poll if asked."""
    job = await client.create_deployment_job(fleet=fleet, application_configs=configs)

    async def sleep(seconds: float) -> None:
        emu.advance_clock(seconds)  # the watch's sleep moves the deployment on, and takes no time
        await anyio.lowlevel.checkpoint()

    clock = WaitClock(sleep=sleep, now=emu.now, random=lambda low, high: (low + high) / 2)
    writes = 0
    events = 0
    wall, cpu = time.perf_counter(), time.thread_time()
    stream = client.deployment_events(
        job, min_delay=MIN_DELAY, max_delay=MAX_DELAY, timeout=None, clock=clock
    )
    async for poll in stream.polls():
        events += len(poll.events)
        if checkpoint is not None:
            write_atomic(checkpoint, poll.checkpoint.to_json())
            writes += 1
    return {
        "wall": time.perf_counter() - wall,
        "cpu": time.thread_time() - cpu,
        "writes": writes,
        "polls": stream.checkpoint().polls,
        "events": events,
    }


async def checkpoint_cost(report: Report | None = None) -> None:
    """Follow a 1,000-robot job with and without a checkpoint per poll; compare wall and CPU time."""
    print(f"checkpoint: a job of {CHECKPOINT_ROBOTS} robots followed as events, with and without")
    print(f"  a checkpoint written per poll; {CHECKPOINT_PAIRS} pair(s), alternating; virtual time")
    runs: dict[str, list[dict[str, float]]] = {"without": [], "with": []}
    # Two emulators seeded alike: the n-th job on each has the same timeline, so each pair follows
    # the same deployment, once with the writes and once without (in turn first, against warm-up).
    with (
        tempfile.TemporaryDirectory() as folder,
        Emulator(speed=1, clock="manual", seed=7).run_in_background() as plain,
        Emulator(speed=1, clock="manual", seed=7).run_in_background() as saved,
    ):
        targets = {}
        for name, emu in (("without", plain), ("with", saved)):
            application, version = seed_application(emu, "bench-checkpoint")
            launch = LaunchConfig(package_name="pkg", launch_file="app.launch")
            configs = [
                DeploymentApplicationConfig(
                    application=application, application_version=version, launch_config=launch
                )
            ]
            targets[name] = (
                emu,
                seed_fleet(emu, "bench-checkpoint", robot_tags=[{}] * CHECKPOINT_ROBOTS),
                configs,
            )
        async with plain.client() as without, saved.client() as with_:
            clients = {"without": without, "with": with_}
            for index in range(CHECKPOINT_PAIRS):
                for name in ("without", "with") if index % 2 == 0 else ("with", "without"):
                    emu, fleet, configs = targets[name]
                    path = Path(folder) / f"watch-{index}.json" if name == "with" else None
                    runs[name].append(await _follow(clients[name], emu, fleet, configs, path))
    figures = {
        name: {
            key: statistics.median(run[key] for run in each)
            for key in ("wall", "cpu", "writes", "polls", "events")
        }
        for name, each in runs.items()
    }
    for name, f in figures.items():
        print(
            f"  {name:8} wall {f['wall']:6.2f} s  cpu {f['cpu']:6.2f} s  polls {f['polls']:4.0f}"
            f"  writes {f['writes']:4.0f}  events {f['events']:5.0f}"
        )
    worst_writes = max(run["writes"] - run["polls"] for run in runs["with"])
    print(f"  writes - polls, worst run: {worst_writes:.0f} (at most 1)")
    if report is not None:
        new, old = figures["with"], figures["without"]
        for key, label in (("wall", "wall"), ("cpu", "CPU")):
            report.ratio(
                f"{CHECKPOINT_ROBOTS}-robot job followed as events, checkpoint per poll, {label}",
                new[key],
                "without a checkpoint",
                old[key],
                "<= 1.2",
                unit="s",
            )
        report.ratio(
            f"{CHECKPOINT_ROBOTS}-robot job followed as events, checkpoint writes",
            new["writes"],
            "polls + 1",
            new["polls"] + 1,
            "<= 1",
            unit="writes",
        )


async def main(report: Report | None = None) -> None:
    """Run the parts (``BENCH_WATCH_PARTS``) and add their ratios to ``report``."""
    if "forecast" in PARTS:
        await forecast_against_backoff(report)
    if "checkpoint" in PARTS:
        await checkpoint_cost(report)


async def forecast_against_backoff(report: Report | None = None) -> None:
    """Run the rounds, print both schedules' calls and notices, and add the ratios to ``report``."""
    sizes = ", ".join(map(str, SIZES))
    print(f"watch: {ROUNDS} round(s) of {3 * len(SIZES)} jobs on fleets of {sizes} robots,")
    concurrency = "/".join(map(str, CONCURRENCY))
    print(
        f"  concurrency {concurrency}%, delays {MIN_DELAY:g}-{MAX_DELAY:g} s, emulator speed 1, virtual time"
    )
    totals: dict[str, dict[str, Any]] = {
        name: {"calls": 0, "jobs": 0, "notices": [], "by_size": []} for name in SCHEDULES
    }
    for seed in range(1, ROUNDS + 1):
        for name, result in (await _round(seed)).items():
            for key in totals[name]:
                totals[name][key] += result[key]
    print("  notice of a robot's end (s):  median    p90  worst")
    figures: dict[str, dict[str, float]] = {}
    for name, total in totals.items():
        every = [notice for notice, _, _ in total["notices"]]
        failed = [notice for notice, failed, _ in total["notices"] if failed]
        figures[name] = {
            **_figures(every),
            "per_job": total["calls"] / total["jobs"],
            "failed_median": _figures(failed)["median"] if failed else float("nan"),
        }
        print(f"  {name}: {figures[name]['per_job']:.2f} calls per job")
        for label, chosen in (
            ("every robot", every),
            ("robots that succeeded", [notice for notice, failed, _ in total["notices"] if not failed]),
            ("robots that failed", [notice for notice, failed, _ in total["notices"] if failed]),
        ):
            if chosen:
                f = _figures(chosen)
                print(f"    {label:26} {f['robots']:5d} {f['median']:6.2f} {f['p90']:6.2f} {f['worst']:6.2f}")
        # Where failures happen decides how late a schedule sees them: by the step (its failure code).
        for code in sorted({code for _, failed, code in total["notices"] if failed}):
            f = _figures([notice for notice, _, each in total["notices"] if each == code])
            print(f"      {code:32} {f['robots']:5d} {f['median']:6.2f} {f['p90']:6.2f} {f['worst']:6.2f}")
    print("  by fleet size: polls per job and median notice (s), backoff / forecast")
    for size in SIZES:
        cells = []
        for name in SCHEDULES:
            jobs = [(polls, notices) for each, polls, notices in totals[name]["by_size"] if each == size]
            polls = statistics.mean(polls for polls, _ in jobs)
            cells.append((polls, statistics.median(n for _, notices in jobs for n in notices)))
        (old_polls, old_notice), (new_polls, new_notice) = cells
        polls = f"{old_polls:5.1f} / {new_polls:5.1f} polls"
        print(f"    {size:3d} robots  {polls}  {old_notice:5.2f} / {new_notice:5.2f} s")
    if report is not None:
        new, old = figures["forecast"], figures["backoff"]
        report.ratio(
            "calls per watched job, forecast schedule",
            new["per_job"],
            "today's backoff",
            old["per_job"],
            "<= 0.7",
            unit="calls",
        )
        for statistic, figure in (
            ("median", "median notice of a robot's end, forecast"),
            ("failed_median", "median notice of a failed robot, forecast"),
            ("worst", "worst notice of a robot's end, forecast"),
        ):
            report.ratio(figure, new[statistic], "today's backoff", old[statistic], "<= 1", unit="s")


if __name__ == "__main__":
    anyio.run(main, Report())  # the report prints each ratio as it is added
