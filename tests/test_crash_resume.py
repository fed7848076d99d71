"""Killed with SIGKILL at random moments and started again, an event consumer and a rollout lose nothing.

Both run as processes of their own against an emulator in a third process,
with a state file, exactly as in production: the only thing that survives a
kill is what they wrote to disk (the checkpoint) and what the service did.
Those processes run on the test's anyio backend, asyncio or trio.

* An event consumer that saves its stream's checkpoint after each event is
  killed at 10 or more moments while a deployment runs; the events it
  delivered are those an uninterrupted consumer of the same job delivered,
  but for the one event being handled at each kill, which may come twice.
  The emulator's clock is manual: it moves only once both consumers have
  seen the job where it stands, so both see the same snapshots.
* A three-stage rollout (a retry and a rollback included) is killed at 20
  moments, its restarts reading its events or not in turn; the jobs the
  service made and the final report are those of an uninterrupted run of the
  same rollout: no job created twice, no stage skipped, no robot left behind.
  The uninterrupted run runs alongside, in a world built the same way in an
  emulator process of its own.
"""

from __future__ import annotations

import contextlib
import json
import random
import signal
import subprocess
import sys
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import anyio
import pytest
from anyio.abc import Process

from robomaker_deploy import (
    Architecture,
    DeploymentApplicationConfig,
    DeploymentClient,
    DeploymentConfig,
    LaunchConfig,
    RobotDeploymentStep,
    WaitCheckpoint,
)
from robomaker_deploy._waiting.events import state_of
from robomaker_deploy.emulator import TAG_FAIL_STEP, TAG_FAILURE_CODE
from robomaker_deploy.emulator._process import emulator_process
from tests.support.processes import first_line
from tests.support.world import make_application, make_fleet, process_client

ROOT = Path(__file__).resolve().parent.parent
PRE_LAUNCH = RobotDeploymentStep.EXECUTING_PRE_LAUNCH.value

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


async def _start(module: str, *args: str, stdout: int = subprocess.DEVNULL) -> Process:
    # Its errors go to the test's stderr (shown when the test fails); it prints nothing else, or
    # (stdout=PIPE) the one line _ready reads.
    return await anyio.open_process(
        [sys.executable, "-m", module, *args], cwd=ROOT, stdout=stdout, stderr=None
    )


async def _ready(process: Process) -> None:
    """Wait for ``process`` to print its ``ready`` line (or to end first)."""
    with anyio.fail_after(120):
        line = await first_line(process)
    if line.endswith(b"\n"):
        assert line == b"ready\n", line


async def _kill(process: Process) -> None:
    if process.returncode is None:
        process.send_signal(signal.SIGKILL)
    await process.wait()


def _name(arn: str) -> str:
    """A robot's name, from its ARN (``...:robot/NAME/MILLIS``): the same in both runs."""
    return arn.split(":")[-1].split("/")[1]


# -- the event consumer --------------------------------------------------------------------------------


async def _advance(url: str, seconds: float) -> None:
    """Move the emulator's manual clock, through its admin route."""
    request = urllib.request.Request(
        f"{url}/_emulator/clock",
        data=json.dumps({"advance_seconds": seconds}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    await anyio.to_thread.run_sync(lambda: urllib.request.urlopen(request, timeout=10).read())


async def _caught_up(saved: Path, expected: dict[str, Any]) -> bool:
    path = anyio.Path(saved)
    if not await path.exists():
        return False
    state = WaitCheckpoint.from_json(await path.read_text()).state
    seen = {arn: (s.status, s.step) for arn, s in state.robots.items()}
    return {"status": state.status, "robots": seen} == expected


def _without_repeats(lines: list[str], kills: int) -> list[str]:
    """``lines`` with each line that repeats the one before it dropped; there are at most ``kills``."""
    kept = [line for index, line in enumerate(lines) if index == 0 or line != lines[index - 1]]
    assert len(lines) - len(kept) <= kills, "more events came twice than there were kills"
    return kept


async def test_an_event_consumer_killed_at_random_delivers_what_an_uninterrupted_one_does(
    tmp_path: Path, anyio_backend: str
) -> None:
    rng = random.Random(1234)
    args = ("--clock", "manual", "--seed", "7", "--state-file", str(tmp_path / "emulator.sqlite"))
    with emulator_process(*args) as (_, url):
        async with process_client(url) as client:
            _, version = await make_application(client, name="app", architectures=[Architecture.X86_64])
            fleet, _ = await make_fleet(client, "site", [{}, {TAG_FAIL_STEP: PRE_LAUNCH}, {}, {}])
            job = await client.create_deployment_job(
                fleet=fleet,
                application_configs=[
                    DeploymentApplicationConfig(
                        application=version.arn,
                        application_version=version.version,
                        launch_config=LaunchConfig(
                            package_name="p", launch_file="l", pre_launch_file="pre.sh"
                        ),
                    )
                ],
                deployment_config=DeploymentConfig(concurrent_deployment_percentage=50),
            )
            files = {who: (tmp_path / f"{who}.log", tmp_path / f"{who}.json") for who in ("steady", "victim")}

            async def consumer(who: str) -> Process:
                log, saved = files[who]
                return await _start(
                    "tests.support.events_consumer", url, job.arn, str(log), str(saved), anyio_backend
                )

            consumers: dict[str, Process] = {}
            kills = 0
            try:
                for who in files:
                    consumers[who] = await consumer(who)
                while True:
                    now = await client.describe_deployment_job(job)
                    state = state_of(now)
                    expected = {
                        "status": state.status,
                        "robots": {arn: (s.status, s.step) for arn, s in state.robots.items()},
                    }
                    # Kill the victim at a random moment of its handling of this snapshot.
                    if not now.status.is_terminal and rng.random() < 0.5:
                        await anyio.sleep(rng.uniform(0.0, 0.06))
                        await _kill(consumers["victim"])
                        kills += 1
                    with anyio.fail_after(60):  # a broken consumer must not hang the suite
                        while True:
                            if consumers["victim"].returncode is not None and not now.status.is_terminal:
                                consumers["victim"] = await consumer("victim")
                            if all([await _caught_up(saved, expected) for _, saved in files.values()]):
                                break
                            await anyio.sleep(0.01)
                    if now.status.is_terminal:
                        break
                    await _advance(url, 4.0)
                for process in consumers.values():
                    with anyio.fail_after(60):
                        await process.wait()
            finally:
                with anyio.CancelScope(shield=True):  # reaped on every way out, a cancellation too
                    for process in consumers.values():
                        await _kill(process)
    steady = files["steady"][0].read_text().splitlines()
    victim = files["victim"][0].read_text().splitlines()
    assert kills >= 10, f"only {kills} kills: the deployment ended too soon for the test to mean much"
    assert steady[-1].startswith("JobEnded Failed")
    assert _without_repeats(victim, kills) == steady


# -- the rollout ---------------------------------------------------------------------------------------

PLAN = """
rollback = true

[application]
arn = "{app}"
version = "{version}"
package = "p"
launch_file = "l.launch"
pre_launch_file = "pre.sh"

[[stages]]
fleet = "{canary}"
bake = 0.3

[[stages]]
fleet = "{site_a}"
bake = 0.3
concurrency = 50

[[stages]]
fleet = "{site_b}"

[retry]
attempts = 1
backoff = 0.3
"""


async def _jobs_since(
    client: DeploymentClient, fleets: Sequence[str], seen: set[str]
) -> dict[str, list[str]]:
    """Per fleet, the jobs not in ``seen`` (oldest first) as version and status; adds them to ``seen``."""
    made: dict[str, list[str]] = {}
    for fleet in fleets:
        name = fleet.split("/")[1]
        jobs = [job async for job in client.list_deployment_jobs(fleet_name=name) if job.arn not in seen]
        seen.update(job.arn for job in jobs)
        made[name] = [
            f"{job.deployment_application_configs[0].application_version} {job.status.value}"
            for job in reversed(jobs)
        ]
    return made


async def _deployed(client: DeploymentClient, app: str, version: str, fleets: Sequence[str]) -> None:
    """Each fleet runs ``version`` (without the pre-launch script that fails), so a rollback has a target.

    The fleets are deployed all at once, as a rollout's stages are not: this is only the world before it.
    """
    old = DeploymentApplicationConfig(
        application=app,
        application_version=version,
        launch_config=LaunchConfig(package_name="p", launch_file="l.launch"),
    )
    running = [await client.create_deployment_job(fleet=fleet, application_configs=[old]) for fleet in fleets]
    async with anyio.create_task_group() as group:
        for job in running:
            group.start_soon(client.wait_until_deployment_succeeded, job)


async def _three_fleets(client: DeploymentClient, plan: Path) -> tuple[list[str], set[str]]:
    """The world of :data:`PLAN`, written to ``plan``: a canary and two sites running version 1, one
    robot of the last failing with a retryable code. Returns the fleets and the jobs made so far."""
    failing = {TAG_FAIL_STEP: PRE_LAUNCH, TAG_FAILURE_CODE: "GreengrassDeploymentFailed"}  # retryable
    app, today = await make_application(client, name="app", architectures=[Architecture.X86_64])
    new = await client.create_robot_application_version(app)
    fleets = [
        (await make_fleet(client, name, tags))[0].arn
        for name, tags in (("canary", [{}]), ("site-a", [{}, {}]), ("site-b", [{}, failing]))
    ]
    assert today.version is not None and new.version is not None
    await _deployed(client, app.arn, today.version, fleets)
    seen: set[str] = set()
    await _jobs_since(client, fleets, seen)
    names = dict(zip(("canary", "site_a", "site_b"), fleets, strict=True))
    await anyio.Path(plan).write_text(PLAN.format(app=app.arn, version=new.version, **names))
    return fleets, seen


#: A run of a rollout: its report as JSON, the jobs it made per fleet (:func:`_jobs_since`), its kills.
Run = tuple[dict[str, Any], dict[str, list[str]], int]


@contextlib.asynccontextmanager
async def _three_fleet_world(
    folder: Path, *, speed: int
) -> AsyncIterator[tuple[str, DeploymentClient, list[str], set[str]]]:
    """A world of ``folder``'s own: an emulator process at ``speed`` with :func:`_three_fleets` built in
    it (the plan written to ``folder/plan.toml``). Its URL, a client on it, the fleets, the jobs so far.

    Built twice the same way, it is the same world twice, but for ARNs and times: an uninterrupted run
    and a killed one of the same rollout run side by side, each in its own, and compare as if run in turn.
    """
    await anyio.Path(folder).mkdir()
    with emulator_process("--speed", str(speed), "--state-file", str(folder / "emulator.sqlite")) as (_, url):
        async with process_client(url) as client:
            fleets, seen = await _three_fleets(client, folder / "plan.toml")
            yield url, client, fleets, seen


async def _side_by_side(**runs: Callable[[], Awaitable[Run]]) -> dict[str, Run]:
    """Each of ``runs`` at once (one task group); their results by name."""
    done: dict[str, Run] = {}

    async def one(name: str, run: Callable[[], Awaitable[Run]]) -> None:
        done[name] = await run()

    async with anyio.create_task_group() as group:
        for name, run in runs.items():
            group.start_soon(one, name, run)
    return done


def _normal(report: dict[str, Any]) -> dict[str, Any]:
    """The report without what differs between two runs: ARNs, tokens and times."""

    def attempt(a: dict[str, Any] | None) -> Any:
        if a is None:
            return None
        return {
            "kind": a["kind"],
            "status": a["status"],
            "succeeded": sorted(_name(arn) for arn in a["succeeded"]),
            "failed": sorted((_name(arn), code) for arn, code in a["failed"].items()),
            "aborted": a["aborted"],
        }

    return {
        "status": report["status"],
        "reason": report["reason"],
        "stages": [
            {
                "name": s["name"],
                "status": s["status"],
                "attempts": [attempt(a) for a in s["attempts"]],
                "baked": s["baked"],
                "gate": s["gate"],
                "rollback": attempt(s["rollback"]),
                "note": s["note"],
            }
            for s in report["stages"]
        ],
    }


async def _rollout_run(folder: Path, backend: str, rng: random.Random | None) -> Run:
    """:data:`PLAN`'s rollout in a world of its own, run to its end by ``tests.support.rollout_runner``;
    with ``rng``, killed at 20 random moments first and started again each time, its restarts reading
    its events or not in turn (each resumes what the other left)."""
    kills = 0
    async with _three_fleet_world(folder, speed=20) as (url, client, fleets, seen):
        report = folder / "report.json"
        args = (url, str(folder / "plan.toml"), str(folder / "checkpoint.json"), str(report), backend)
        starts = 0
        while True:
            events = ("events",) if rng is not None and starts % 2 else ()
            starts += 1
            runner = await _start("tests.support.rollout_runner", *args, *events, stdout=subprocess.PIPE)
            try:
                if rng is not None and kills < 20:
                    # From the moment the runner says it is ready, so that the kill lands in the
                    # rollout (loading its checkpoint, running a command, saving a poll), not in the
                    # interpreter's start, which alone takes about a second. Each start gets at most
                    # 0.35 s of the rollout, so that it outlasts the 20 kills (about 30 would fit).
                    await _ready(runner)
                    await anyio.sleep(rng.uniform(0.0, 0.35))
                    if runner.returncode is None:
                        await _kill(runner)
                        kills += 1
                        continue
                with anyio.fail_after(300):
                    assert await runner.wait() == 0
                break
            finally:
                with anyio.CancelScope(shield=True):  # reaped even when the other run failed
                    await _kill(runner)
        return json.loads(report.read_text()), await _jobs_since(client, fleets, seen), kills


async def test_a_rollout_killed_at_random_finishes_as_an_uninterrupted_one(
    tmp_path: Path, anyio_backend: str
) -> None:
    runs = await _side_by_side(
        steady=partial(_rollout_run, tmp_path / "steady", anyio_backend, None),
        killed=partial(_rollout_run, tmp_path / "killed", anyio_backend, random.Random(99)),
    )
    steady, killed = runs["steady"], runs["killed"]
    assert killed[2] == 20, killed[2]
    assert steady[0]["status"] == "stopped" and steady[0]["stages"][2]["status"] == "failed"
    assert [len(a) for a in steady[1].values()] == [2, 2, 3]  # deploy (+ retry) and rollback per fleet
    assert _normal(killed[0]) == _normal(steady[0])
    assert killed[1] == steady[1]  # the same jobs, none twice
