"""Rollouts: what the rollout and its checkpoint cost over the deployment itself, and how they share polling.

1. One stage of 1,000 robots, against the emulator in a process of its own
   (so its CPU is not ours), three ways on fresh deployments of the same
   fleet, taken in turn ``REPEAT`` times (medians; drift on a busy machine
   hits each way alike):

   * ``wait``: ``create_deployment_job`` and ``wait_for_deployment_job``,
     no checkpoint: the deployment and nothing else;
   * ``rollout``: ``client.rollout(plan, checkpoint=...).result()``: the plan
     checked against the service, the fleet's current version read, the job
     created and awaited, the state written once per command;
   * ``events``: ``create_deployment_job`` and the job's
     ``deployment_events(...).polls()`` read to the end, no checkpoint: what
     following 1,000 robots costs by itself;
   * ``rollout+events``: the rollout, reading its events (``async for``), so
     the job is followed robot by robot (a describe per poll) and the
     checkpoint is also written once per poll.

   Wall and CPU time (this process's) of each, as ratios to ``wait`` (and
   ``rollout+events`` to ``events``: what the rollout and its checkpoint add
   to following the robots), paired: the median of each round's ratio; and
   the checkpoint writes of each rollout against its commands plus polls.
2. 50 single-stage rollouts of one or two robots each, at once, in one
   process (one client), against 50 ``wait_for_deployment_job`` waiters on
   fresh jobs of the same fleets: the polling calls (DescribeDeploymentJob
   and ListDeploymentJobs while the jobs run) the emulator counted. A
   rollout also checks its plan and reads its fleet's version before it
   deploys (DescribeRobotApplication, DescribeFleet, one ListDeploymentJobs
   page of the fleet): those are counted apart, measured by the same checks
   run alone, and not taken as polling.

Run: ``python -m bench rollout`` (or ``python -m bench.bench_rollout``).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio

from bench._common import Report, emulator_process, seeded_state, typed_client
from robomaker_deploy import (
    DeploymentApplicationConfig,
    DeploymentClient,
    LaunchConfig,
    RolloutPlan,
    Stage,
)
from robomaker_deploy._rollout.effects import prepare
from robomaker_deploy._rollout.embedded import Runner
from robomaker_deploy._rollout.handle import Rollout
from robomaker_deploy.emulator import Emulator
from robomaker_deploy.emulator._seeding import seed_application, seed_fleet

ROBOTS = int(os.environ.get("BENCH_ROLLOUT_ROBOTS", "1000"))
REPEAT = int(os.environ.get("BENCH_ROLLOUT_REPEAT", "5"))
SPEED = 20.0
ROLLOUTS = 50
SHARED_SPEED = 2.0
POLLING = ("DescribeDeploymentJob", "ListDeploymentJobs")


def _config(application: str, version: str) -> DeploymentApplicationConfig:
    return DeploymentApplicationConfig(
        application=application,
        application_version=version,
        launch_config=LaunchConfig(package_name="pkg", launch_file="app.launch"),
    )


def _runner(
    client: DeploymentClient, plan: RolloutPlan, checkpoint: Path, delays: dict[str, float]
) -> Runner:
    # The Runner behind client.rollout, built here to read its counters afterwards.
    return Runner(client, plan, checkpoint=checkpoint, **delays)


async def _measure(call: Callable[[], Awaitable[Any]]) -> tuple[float, float, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = await call()
    return time.perf_counter() - wall, time.process_time() - cpu, out


async def big_stage(report: Report | None) -> None:
    """Part 1: a 1,000-robot stage three ways (see the module docs)."""
    found: dict[str, Any] = {}

    def seed(emu: Emulator) -> None:
        found["app"] = seed_application(emu, "bench-rollout")
        found["fleet"] = seed_fleet(emu, "big", robot_tags=[{}] * ROBOTS)

    delays = {"min_delay": 2.0 / SPEED, "max_delay": 30.0 / SPEED}
    samples: dict[str, list[tuple[float, float]]] = {
        "wait": [],
        "rollout": [],
        "events": [],
        "rollout+events": [],
    }
    counts: dict[str, list[tuple[int, int, int]]] = {"rollout": [], "rollout+events": []}
    with (
        seeded_state(seed) as state,
        emulator_process(state, speed=SPEED) as url,
        tempfile.TemporaryDirectory() as tmp,
    ):
        config = _config(*found["app"])
        plan = RolloutPlan(application_configs=[config], stages=[Stage(fleet=found["fleet"])])
        async with typed_client(url) as client:

            async def wait() -> None:
                job = await client.create_deployment_job(fleet=found["fleet"], application_configs=[config])
                await client.wait_for_deployment_job(
                    job, min_delay=delays["min_delay"], max_delay=delays["max_delay"]
                )

            async def follow() -> None:
                job = await client.create_deployment_job(fleet=found["fleet"], application_configs=[config])
                low, high = delays["min_delay"], delays["max_delay"]
                async for _ in client.deployment_events(job, min_delay=low, max_delay=high).polls():
                    pass

            async def rollout(events: bool, number: int) -> Runner:
                runner = _runner(client, plan, Path(tmp) / f"r{number}-{events}.json", delays)
                handle = Rollout(runner)
                if events:
                    async for _ in handle:
                        pass
                finished = await handle.result()
                assert finished.succeeded, finished.reason
                return runner

            # Warm the client (its first calls load the service model) so that no way pays for it.
            await client.describe_fleet(found["fleet"])
            async for _ in client.list_deployment_jobs(fleet_name="big"):
                pass
            for number in range(REPEAT):
                wall, cpu, _ = await _measure(wait)
                samples["wait"].append((wall, cpu))
                wall, cpu, _ = await _measure(follow)
                samples["events"].append((wall, cpu))
                for events in (False, True):
                    name = "rollout+events" if events else "rollout"
                    wall, cpu, runner = await _measure(lambda e=events, n=number: rollout(e, n))  # type: ignore[misc]
                    samples[name].append((wall, cpu))
                    assert runner.file is not None
                    counts[name].append((runner.file.writes, runner.commands + 1, runner.polls))
    base_wall = statistics.median(w for w, _ in samples["wait"])
    base_cpu = statistics.median(c for _, c in samples["wait"])
    print(f"rollout: one stage of {ROBOTS} robots, emulator speed {SPEED:g}x, {REPEAT} runs each (medians)")
    for name, runs in samples.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        extra = ""
        if name in counts:
            writes, commands, polls = counts[name][-1]
            extra = f"  writes {writes} (commands {commands} + polls {polls} = {commands + polls})"
        line = f"wall {wall:6.2f} s ({wall / base_wall:4.2f}x)  cpu {cpu:6.2f} s ({cpu / base_cpu:4.2f}x)"
        print(f"  {name:15} {line}{extra}")
    events_cpu = statistics.median(c for _, c in samples["events"])
    events_wall = statistics.median(w for w, _ in samples["events"])

    def paired(name: str, anchor: str, which: int) -> tuple[float, list[float]]:
        # The median of each round's ratio: both ways of a round ran under the same load.
        ratios = [a[which] / b[which] for a, b in zip(samples[name], samples[anchor], strict=True)]
        return statistics.median(ratios), ratios

    for name, anchor in (("rollout", "wait"), ("rollout+events", "wait"), ("rollout+events", "events")):
        for which, what in ((0, "wall"), (1, "cpu")):
            ratio, ratios = paired(name, anchor, which)
            spread = ", ".join(f"{r:.2f}" for r in ratios)
            print(f"  {name} / {anchor}, {what}: paired median {ratio:.2f} (rounds: {spread})")
    if report is None:
        return
    for name in ("rollout", "rollout+events"):
        wall = statistics.median(w for w, _ in samples[name])
        cpu = statistics.median(c for _, c in samples[name])
        label = "with checkpoint" + (", events read" if name.endswith("events") else "")
        anchors = [("wait", "wait_for_deployment_job", base_wall, base_cpu, "<= 1.3")]
        if name == "rollout+events":
            anchors.append(("events", "deployment_events", events_wall, events_cpu, "~1"))
        for anchor, title, anchor_wall, anchor_cpu, target in anchors:
            wall_ratio, _ = paired(name, anchor, 0)
            cpu_ratio, _ = paired(name, anchor, 1)
            report.ratio(
                f"{ROBOTS}-robot stage {label}: wall", wall, title, anchor_wall, target, "s", ratio=wall_ratio
            )
            report.ratio(
                f"{ROBOTS}-robot stage {label}: CPU", cpu, title, anchor_cpu, target, "s", ratio=cpu_ratio
            )
        writes, commands, polls = max(counts[name], key=lambda c: c[0] / (c[1] + c[2]))
        report.ratio(
            f"{ROBOTS}-robot stage {label}: checkpoint writes",
            writes,
            "commands + polls",
            commands + polls,
            "<= 1",
            "writes",
        )


async def many_rollouts(report: Report | None) -> None:
    """Part 2: 50 rollouts at once against 50 shared waiters (see the module docs)."""
    with Emulator(speed=SHARED_SPEED, seed=11).run_in_background() as emu:
        app = seed_application(emu, "bench-many")
        fleets = [seed_fleet(emu, f"many-{n}", robot_tags=[{}] * (1 + n % 2)) for n in range(ROLLOUTS)]
        config = _config(*app)
        low, high = 2.0 / SHARED_SPEED, 30.0 / SHARED_SPEED
        plans = [RolloutPlan(application_configs=[config], stages=[Stage(fleet=fleet)]) for fleet in fleets]

        def calls() -> dict[str, int]:
            return dict(emu.stats()["calls"])

        def spent(before: dict[str, int]) -> dict[str, int]:
            after = calls()
            return {op: after.get(op, 0) - before.get(op, 0) for op in after}

        async with emu.client() as client:
            before = calls()
            async with anyio.create_task_group() as group:
                for plan in plans:
                    group.start_soon(prepare, client, plan)
            checks = spent(before)

            before = calls()
            async with anyio.create_task_group() as group:
                for plan in plans:
                    group.start_soon(lambda p=plan: client.rollout(p, min_delay=low, max_delay=high).result())  # type: ignore[misc]
            rollouts = spent(before)

            before = calls()

            async def waited(fleet: str) -> None:
                job = await client.create_deployment_job(fleet=fleet, application_configs=[config])
                await client.wait_for_deployment_job(job, min_delay=low, max_delay=high)

            async with anyio.create_task_group() as group:
                for fleet in fleets:
                    group.start_soon(waited, fleet)
            waiters = spent(before)

    polled = sum(rollouts.get(op, 0) - checks.get(op, 0) for op in POLLING)
    base = sum(waiters.get(op, 0) for op in POLLING)
    print(f"rollout: {ROLLOUTS} single-stage rollouts at once vs as many waiters, speed {SHARED_SPEED:g}x")
    print(f"  rollouts: {rollouts}")
    print(f"  their checks alone: {checks}")
    print(f"  waiters: {waiters}")
    print(f"  polling calls: rollouts {polled}, waiters {base} ({polled / base:.2f}x)")
    if report is not None:
        report.ratio(
            f"polling calls of {ROLLOUTS} rollouts at once",
            polled,
            f"{ROLLOUTS} shared waiters",
            base,
            "<= 1.3",
            "calls",
        )


async def main(report: Report | None = None) -> None:
    """Both parts, rows into ``report``."""
    await big_stage(report)
    await many_rollouts(report)


if __name__ == "__main__":
    anyio.run(main)
