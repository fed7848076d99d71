"""Rollouts against the emulator: every policy, every bad plan, and cancellation on asyncio and trio."""

from __future__ import annotations

import itertools
import json
import os
from contextlib import aclosing
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import anyio
import attrs
import pytest
import trio

from robomaker_deploy import (
    AbortRule,
    Architecture,
    DeploymentClient,
    DeploymentConfig,
    DeploymentStatus,
    DescribedDeploymentJob,
    FailureCode,
    GatePassed,
    GateRefused,
    RetryPolicy,
    RobotDeploymentStep,
    RobotSucceeded,
    RolledBack,
    RolloutFinished,
    RolloutPlan,
    Stage,
    StageAborted,
    StageEvent,
    StageFinished,
    StageReport,
    StageRetried,
    StageStarted,
    ValidationError,
)
from robomaker_deploy._documents import load, write_atomic
from robomaker_deploy._rollout import CheckpointInUseError, core, effects, embedded
from robomaker_deploy.emulator import TAG_FAIL_STEP, TAG_FAILURE_CODE, Emulator
from tests.support.world import make_application, make_fleet

FAST: dict[str, Any] = {"min_delay": 0.01, "max_delay": 0.05}
PRE_LAUNCH = {TAG_FAIL_STEP: RobotDeploymentStep.EXECUTING_PRE_LAUNCH.value}
#: Fails for a reason a retry may fix (the taxonomy calls GreengrassDeploymentFailed retryable).
TRANSIENT = {
    TAG_FAIL_STEP: RobotDeploymentStep.LAUNCHING.value,
    TAG_FAILURE_CODE: "GreengrassDeploymentFailed",
}

pytestmark = pytest.mark.robomaker_emulator(speed=300)


# Every rollout test runs on asyncio and on trio (tests/conftest.py): the emulator on its own thread,
# under the names the tests use.
@pytest.fixture
def robomaker_emulator(robomaker_emulator_background: Emulator) -> Emulator:
    """The test's emulator, on its own thread so that either backend can call it."""
    return robomaker_emulator_background


@pytest.fixture
async def client(any_client: DeploymentClient) -> DeploymentClient:
    """A client on it, opened on the test's backend."""
    return any_client


async def _site(client: DeploymentClient, tags: list[dict[str, str]], *, name: str) -> tuple[str, list[str]]:
    fleet, robots = await make_fleet(client, name, tags)
    return fleet.arn, [r.arn for r in robots]


async def _version(client: DeploymentClient, name: str = "app") -> tuple[str, str]:
    _, version = await make_application(client, name=name, architectures=[Architecture.X86_64])
    return version.arn, version.version


def _plan(version: tuple[str, str], fleets: list[str], **policies: Any) -> RolloutPlan:
    from robomaker_deploy import DeploymentApplicationConfig, LaunchConfig

    config = DeploymentApplicationConfig(
        application=version[0],
        application_version=version[1],
        launch_config=LaunchConfig(package_name="pkg", launch_file="app.launch", pre_launch_file="pre.sh"),
    )
    return RolloutPlan(application_configs=[config], stages=[Stage(fleet=f) for f in fleets], **policies)


async def _previous_version(client: DeploymentClient, fleets: list[str]) -> tuple[str, str]:
    """Deploy version 1 everywhere first, so that a rollout of version 2 has something to roll back to."""
    app = await _version(client, "prev")
    report = await client.rollout(_plan(app, fleets), **FAST).result()
    assert report.succeeded
    return app


@pytest.mark.anyio
async def test_a_three_stage_rollout_goes_through(client: DeploymentClient, tmp_path: Path) -> None:
    version = await _version(client)
    fleets = [(await _site(client, [{}] * n, name=f"s{n}"))[0] for n in (1, 2, 3)]
    seen_gates: list[str] = []

    async def gate(stage: StageReport) -> bool:
        seen_gates.append(stage.name)
        return True

    checkpoint = tmp_path / "rollout.json"
    rollout = client.rollout(_plan(version, fleets), checkpoint=checkpoint, gate=gate, **FAST)
    events = [event async for event in rollout]
    report = await rollout.result()
    assert isinstance(events[-1], RolloutFinished) and events[-1].report == report
    assert report.succeeded and report.reason is None
    assert [s.status for s in report.stages] == ["succeeded"] * 3
    assert seen_gates == ["s1", "s2", "s3"]
    assert sum(isinstance(e, GatePassed) for e in events) == 3
    assert len(report.robots_updated) == 6 and not report.robots_failed
    document = json.loads(checkpoint.read_text())
    assert document["schema"] == "robomaker-deploy/rollout/2"
    assert document["state"]["report"]["status"] == "succeeded"
    # Started again with the same checkpoint, a finished rollout just reports.
    again = await client.rollout(_plan(version, fleets), checkpoint=checkpoint, **FAST).result()
    assert again == report


@pytest.mark.anyio
async def test_a_refused_gate_stops_and_rolls_back_newest_first(client: DeploymentClient) -> None:
    fleets = [(await _site(client, [{}, {}], name=f"g{i}"))[0] for i in range(3)]
    before = await _previous_version(client, fleets)
    version = await _version(client, "next")

    async def gate(stage: StageReport) -> bool:
        return stage.name != "g1"

    rollout = client.rollout(_plan(version, fleets), gate=gate, **FAST)
    events = [event async for event in rollout]
    report = await rollout.result()
    assert report.status == "stopped" and "gate refused" in (report.reason or "")
    assert [s.status for s in report.stages] == ["succeeded", "refused", "pending"]
    assert any(isinstance(e, GateRefused) for e in events)
    rolled = [e.stage for e in events if isinstance(e, RolledBack)]
    assert rolled == [1, 0]  # newest stage first; the third was never touched
    for index in (0, 1):
        attempt = report.stages[index].rollback
        assert attempt is not None and attempt.status is DeploymentStatus.SUCCEEDED
        job = await client.describe_deployment_job(attempt.job or "")
        assert job.deployment_application_configs[0].application_version == before[1]
        assert job.deployment_application_configs[0].application == before[0]
    assert len(report.robots_rolled_back) == 4


@pytest.mark.anyio
async def test_early_abort_cancels_before_the_service_threshold(client: DeploymentClient) -> None:
    # Robots deploy one at a time; the first two fail at once, so the rule holds after two.
    fleet, _ = await _site(client, [PRE_LAUNCH, PRE_LAUNCH, {}, {}, {}, {}], name="abort")
    version = await _version(client)
    plan = _plan(version, [fleet], abort=AbortRule(min_finished=2, max_failed_percent=50), rollback=False)
    plan = attrs_evolve_stage(plan, DeploymentConfig(concurrent_deployment_percentage=10))
    rollout = client.rollout(plan, **FAST)
    events = [event async for event in rollout]
    report = await rollout.result()
    (aborted,) = [e for e in events if isinstance(e, StageAborted)]
    assert aborted.finished >= 2 and aborted.failed >= 2
    assert report.status == "stopped" and report.stages[0].status == "aborted"
    attempt = report.stages[0].attempts[0]
    # An aborted job always ends Canceled (the rollout waits for its cancel to land), and the robots
    # the cancel stopped are reported as cancelled by the abort, not as failed.
    assert attempt.aborted and attempt.status is DeploymentStatus.CANCELED
    assert len(attempt.failed) == 2 and all(
        code is FailureCode.PRE_LAUNCH_FILE_FAILURE for code in attempt.failed.values()
    )
    assert len(attempt.cancelled) == 4 and not set(attempt.cancelled) & set(attempt.failed)
    assert report.robots_cancelled == set(attempt.cancelled) and len(report.robots_failed) == 2
    note = report.stages[0].note or ""
    assert "early-abort rule held" in note and "cancelled its job" in note and "on its own" not in note


def attrs_evolve_stage(plan: RolloutPlan, config: DeploymentConfig) -> RolloutPlan:
    import attrs

    return attrs.evolve(plan, stages=[attrs.evolve(s, deployment_config=config) for s in plan.stages])


@pytest.mark.anyio
async def test_transient_failures_are_retried_and_the_others_never(client: DeploymentClient) -> None:
    flaky, _ = await _site(client, [{}, TRANSIENT], name="flaky")
    broken, _ = await _site(client, [{}, PRE_LAUNCH], name="broken")
    version = await _version(client)
    retry = RetryPolicy(attempts=2, backoff=0.01)
    report = await client.rollout(_plan(version, [flaky], retry=retry, rollback=False), **FAST).result()
    # The tag fails the robot every time: both retries are spent, each a new job for the fleet.
    stage = report.stages[0]
    assert [a.kind for a in stage.attempts] == ["deploy", "retry", "retry"]
    assert len(stage.retried) == 1 and stage.status == "failed"
    rollout = client.rollout(_plan(version, [broken], retry=retry, rollback=False), **FAST)
    events = [event async for event in rollout]
    report = await rollout.result()
    assert [a.kind for a in report.stages[0].attempts] == ["deploy"]  # PreLaunchFileFailure: never retried
    assert not any(isinstance(e, StageRetried) for e in events)


@pytest.mark.anyio
async def test_every_checkpoint_written_is_one_a_resumed_run_continues_from_as_if_uninterrupted(
    client: DeploymentClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A crash can land between any two writes, so each write must hold whole steps: a stage that
    # stopped the rollout holds the reason with it, and the end of a bake or a backoff is cleared only
    # in the write that records what it waited for (cleared alone, a resumed run would wait it again).
    written: list[dict[str, Any]] = []

    def recording(path: str | os.PathLike[str], text: str) -> None:
        written.append(json.loads(text))
        write_atomic(path, text)

    monkeypatch.setattr(embedded, "write_atomic", recording)
    flaky, _ = await _site(client, [{}, TRANSIENT], name="bake-flaky")
    steady, _ = await _site(client, [{}], name="bake-steady")
    version = await _version(client)
    plan = attrs.evolve(
        _plan(version, [steady, flaky], retry=RetryPolicy(attempts=1, backoff=0.01), rollback=False),
        stages=[Stage(fleet=steady, bake=0.01), Stage(fleet=flaky)],
    )
    report = await client.rollout(plan, checkpoint=tmp_path / "c.json", **FAST).result()
    assert [s.status for s in report.stages] == ["succeeded", "failed"]
    assert [a.kind for a in report.stages[1].attempts] == ["deploy", "retry"]
    documents = [json.dumps(document) for document in written]
    saved = [load(text, embedded.RolloutCheckpoint, embedded.SCHEMA, what="c.json") for text in documents]
    states = [document["state"] for document in written]
    for state in states:
        stages = state["report"]["stages"]
        if any(s["status"] not in ("pending", "running", "succeeded") for s in stages):
            assert state["report"]["reason"] and state["stopping"], state
    waits_ended = 0
    for (before, after), checkpoint in zip(itertools.pairwise(states), saved[1:], strict=True):
        if before["wait_until"] is not None and after["wait_until"] is None:
            # The end of a wait is written with what it waited for: the bake done, or (a backoff)
            # the state from which the retry is what comes next, never the wait again.
            waits_ended += 1
            stages = zip(before["report"]["stages"], after["report"]["stages"], strict=True)
            baked = any(not b["baked"] and a["baked"] for b, a in stages)
            following = core.decide(plan, checkpoint.state)
            assert baked or (isinstance(following, core.CreateJob) and following.kind == "retry"), after
    assert waits_ended == 2  # the bake of the first stage and the backoff of the second


@pytest.mark.anyio
@pytest.mark.robomaker_emulator(clock="manual")  # the busy fleet's job must still be running when checked
async def test_a_bad_plan_is_refused_before_anything_starts_with_every_problem(
    robomaker_emulator: Emulator, client: DeploymentClient
) -> None:
    good, _ = await _site(client, [{}], name="good")
    empty, _ = await _site(client, [], name="empty")
    arm, _ = await make_fleet(client, "arm", [{}], architectures=[Architecture.ARM64], robot_prefix="armbot")
    busy, _ = await _site(client, [{}], name="busy")
    version = await _version(client)
    await client.create_deployment_job(
        fleet=busy, application_configs=_plan(version, [busy]).application_configs
    )
    missing = good.replace("/good/", "/nothere/")
    plan = _plan(version, [good, good, empty, arm.arn, busy, missing])
    calls = dict(robomaker_emulator.stats()["calls"])
    with pytest.raises(ValidationError) as caught:
        await client.rollout(plan, **FAST).result()
    problems = "\n".join(caught.value.problems)
    assert "appears 2 times" in problems
    assert "has no robots" in problems
    assert "armbot-0 (ARM64)" in problems and "MissingRobotApplicationArchitecture" in problems
    assert "has a deployment running" in problems
    assert "no such fleet" in problems
    after = robomaker_emulator.stats()["calls"]
    assert after.get("CreateDeploymentJob", 0) == calls.get("CreateDeploymentJob", 0)  # nothing started
    latest = _plan((version[0], "$LATEST"), [good])
    with pytest.raises(ValidationError) as caught:
        await client.rollout(latest, **FAST).result()
    assert any("$LATEST" in p for p in caught.value.problems)
    unknown = _plan((version[0], "99"), [good])
    with pytest.raises(ValidationError) as caught:
        await client.rollout(unknown, **FAST).result()
    assert any("no such version" in p for p in caught.value.problems)


#: The rollouts below stay on their first stage: on the manual clock, its job never moves.
STILL = pytest.mark.robomaker_emulator(clock="manual")


@pytest.mark.anyio
@STILL
async def test_cancelling_the_rollout_task_keeps_its_checkpoint(
    client: DeploymentClient, tmp_path: Path
) -> None:
    slow, _ = await _site(client, [{}], name="slow")
    version = await _version(client)
    checkpoint = tmp_path / "c.json"
    plan = _plan(version, [slow])
    with anyio.move_on_after(0.3):
        await client.rollout(plan, checkpoint=checkpoint, **FAST).result()
    saved = json.loads(checkpoint.read_text())
    (stage,) = saved["state"]["report"]["stages"]
    assert stage["status"] == "running" and stage["attempts"][0]["job"]
    job = await client.describe_deployment_job(stage["attempts"][0]["job"])
    await client.cancel_deployment_job(job)


@STILL
def test_cancelling_the_rollout_task_on_trio(robomaker_emulator_background: Emulator, tmp_path: Path) -> None:
    emulator = robomaker_emulator_background

    async def main() -> None:
        async with emulator.client() as client:
            slow, _ = await _site(client, [{}], name="slow-trio")
            version = await _version(client, "trio-app")
            checkpoint = tmp_path / "t.json"
            with trio.move_on_after(0.3) as scope:
                await client.rollout(_plan(version, [slow]), checkpoint=checkpoint, **FAST).result()
            assert scope.cancelled_caught
            saved = json.loads(checkpoint.read_text())
            assert saved["state"]["report"]["status"] == "running"

    trio.run(main)


@pytest.mark.anyio
@STILL
async def test_a_second_process_on_the_checkpoint_is_refused_naming_the_file_and_the_holder(
    client: DeploymentClient, tmp_path: Path
) -> None:
    fleet, _ = await _site(client, [{}], name="locked")
    version = await _version(client)
    checkpoint = tmp_path / "c.json"
    holder = embedded.CheckpointFile(checkpoint)
    holder.acquire()  # another open file description: flock refuses it as it would another process
    try:
        with pytest.raises(CheckpointInUseError) as caught:
            await client.rollout(_plan(version, [fleet]), checkpoint=checkpoint, **FAST).result()
        assert str(checkpoint) in str(caught.value) and f"process {os.getpid()}" in str(caught.value)
        assert caught.value.pid == os.getpid()
        jobs = [job async for job in client.list_deployment_jobs(fleet_name="locked")]
        assert not jobs and not checkpoint.exists()  # refused before anything was read or sent
    finally:
        holder.release()


def test_a_checkpoint_reached_through_a_symbolic_link_takes_the_same_lock(tmp_path: Path) -> None:
    real = tmp_path / "c.json"
    link = tmp_path / "link.json"
    link.symlink_to(real.name)
    holder = embedded.CheckpointFile(real)
    holder.acquire()
    try:
        with pytest.raises(CheckpointInUseError):
            embedded.CheckpointFile(link).acquire()
    finally:
        holder.release()
    # A write through the link goes to the file it names, and the link stays a link.
    plan = _plan(
        ("arn:aws:robomaker:us-east-1:123456789012:robot-application/app/1", "1"),
        ["arn:aws:robomaker:us-east-1:123456789012:deployment-fleet/f/1"],
    )
    state = core.begin(
        plan,
        now=datetime(2026, 1, 1, tzinfo=timezone.utc),
        token_seed="s",
        previous=[None],
    )
    embedded.CheckpointFile(link).save(state, None)
    assert link.is_symlink() and real.is_file()
    assert embedded.CheckpointFile(real).load() == embedded.CheckpointFile(link).load()


async def _started(client: DeploymentClient, plan: RolloutPlan, checkpoint: Path) -> dict[str, Any]:
    """Run ``plan`` until its first job exists (on the manual clock it never ends), then stop it there."""
    rollout = client.rollout(plan, checkpoint=checkpoint, **FAST)
    async with rollout:
        async for event in rollout:
            if isinstance(event, StageStarted):
                break
    saved: dict[str, Any] = json.loads(await anyio.Path(checkpoint).read_text())
    return saved


@pytest.mark.anyio
@STILL
async def test_a_checkpoint_holding_another_fleets_job_is_refused(
    client: DeploymentClient, tmp_path: Path
) -> None:
    mine, _ = await _site(client, [{}], name="mine")
    theirs, _ = await _site(client, [{}], name="theirs")
    version = await _version(client)
    plan = _plan(version, [mine])
    checkpoint = tmp_path / "c.json"
    saved = await _started(client, plan, checkpoint)
    other = await client.create_deployment_job(fleet=theirs, application_configs=plan.application_configs)
    saved["state"]["report"]["stages"][0]["attempts"][0]["job"] = other.arn
    checkpoint.write_text(json.dumps(saved))
    with pytest.raises(ValidationError) as caught:
        await client.rollout(plan, checkpoint=checkpoint, **FAST).result()
    assert "is a job of fleet" in str(caught.value) and other.arn in str(caught.value)
    assert str(checkpoint) in str(caught.value)


@pytest.mark.anyio
@STILL
async def test_a_stage_whose_deadline_passed_while_no_process_ran_times_out_and_rolls_back(
    robomaker_emulator: Emulator, client: DeploymentClient, tmp_path: Path
) -> None:
    fleet, robots = await _site(client, [{}, {}], name="late")
    before = await _version(client, "before")
    first = await client.create_deployment_job(
        fleet=fleet, application_configs=_plan(before, [fleet]).application_configs
    )
    robomaker_emulator.advance_clock(3600)  # version 1 everywhere: something to roll back to
    assert (await client.describe_deployment_job(first)).status is DeploymentStatus.SUCCEEDED
    plan = _plan(await _version(client, "after"), [fleet], stage_timeout=1)
    checkpoint = tmp_path / "c.json"
    saved = await _started(client, plan, checkpoint)
    job = saved["state"]["report"]["stages"][0]["attempts"][0]["job"]
    await anyio.sleep(1.1)  # no process runs the rollout past the stage's deadline
    rollout = client.rollout(plan, checkpoint=checkpoint, **FAST)
    events = [event async for event in rollout]
    report = await rollout.result()
    assert report.status == "timed_out" and "stage timeout" in (report.reason or "")
    stage = report.stages[0]
    assert stage.status == "timed_out" and stage.attempts[0].timed_out
    assert stage.attempts[0].status is DeploymentStatus.CANCELED  # cancelled, not left running
    assert (await client.describe_deployment_job(job)).status is DeploymentStatus.CANCELED
    assert stage.rollback is not None and stage.rollback.job is not None
    assert any(isinstance(e, RolledBack) for e in events)
    rollback = await client.describe_deployment_job(stage.rollback.job)
    assert rollback.deployment_application_configs[0].application_version == before[1]
    assert set(stage.attempts[0].cancelled) == set(robots) and not report.robots_failed


def test_a_checkpoint_that_grows_after_its_size_was_read_is_refused_at_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The size is read, then the bytes: a file that grew in between is read up to the cap, no further.
    checkpoint = tmp_path / "c.json"
    checkpoint.write_bytes(b" " * 1000)
    real = os.fstat
    monkeypatch.setattr(embedded, "MAX_CHECKPOINT_BYTES", 100)
    monkeypatch.setattr(os, "fstat", lambda fd: os.stat_result((*real(fd)[:6], 10, *real(fd)[7:])))
    with pytest.raises(ValidationError, match=r"<101 bytes>.*larger than a rollout checkpoint may be"):
        embedded.CheckpointFile(checkpoint).load()


@pytest.mark.anyio
@STILL
async def test_a_checkpoint_too_big_or_too_deep_is_refused_and_one_written_is_owner_only(
    client: DeploymentClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fleet, _ = await _site(client, [{}], name="files")
    plan = _plan(await _version(client), [fleet])
    checkpoint = tmp_path / "c.json"
    await _started(client, plan, checkpoint)
    assert checkpoint.stat().st_mode & 0o777 == 0o600  # it holds the launch config's environment
    monkeypatch.setattr(embedded, "MAX_CHECKPOINT_BYTES", 100)
    with pytest.raises(ValidationError, match="larger than a rollout checkpoint may be"):
        await client.rollout(plan, checkpoint=checkpoint, **FAST).result()
    monkeypatch.undo()
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ValidationError, match="nested too deeply"):
        await client.rollout(plan, checkpoint=deep, **FAST).result()


@pytest.mark.anyio
@pytest.mark.robomaker_emulator(speed=300)
async def test_checkpoint_writes_are_at_most_one_per_command_and_one_per_poll(
    client: DeploymentClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fleet, _ = await _site(client, [{}] * 20, name="writes")
    plan = _plan(await _version(client), [fleet])
    polls = 0
    original = effects.watch

    async def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal polls
        async with aclosing(original(*args, **kwargs)) as items:  # closed with the wrapper (trio warns)
            async for item in items:
                polls += not isinstance(item, core.WatchEnded)
                yield item

    monkeypatch.setattr(embedded, "watch", counting)
    rollout = client.rollout(plan, checkpoint=tmp_path / "c.json", **FAST)
    events = [event async for event in rollout]
    runner = rollout._runner
    assert runner.file is not None
    # 1 write before the first command; then one per command (its result) and one per poll.
    assert runner.file.writes == 1 + runner.commands + polls
    assert polls < sum(not isinstance(e, (StageEvent, RolloutFinished)) for e in events)  # not per event


def test_a_rollout_with_an_abort_and_a_checkpoint_on_trio(
    robomaker_emulator_background: Emulator, tmp_path: Path
) -> None:
    # The embedded driver, its lock and its effects are anyio-only: the same rollout runs on trio.
    emulator = robomaker_emulator_background

    async def main() -> None:
        async with emulator.client() as client:
            fleet, _ = await _site(client, [PRE_LAUNCH, PRE_LAUNCH, {}, {}, {}, {}], name="trio-abort")
            version = await _version(client, "trio-abort-app")
            plan = _plan(version, [fleet], abort=AbortRule(min_finished=2, max_failed_percent=50))
            plan = attrs_evolve_stage(plan, DeploymentConfig(concurrent_deployment_percentage=10))
            checkpoint = tmp_path / "trio.json"
            rollout = client.rollout(plan, checkpoint=checkpoint, **FAST)
            events = [event async for event in rollout]
            report = await rollout.result()
            assert any(isinstance(e, StageAborted) for e in events)
            attempt = report.stages[0].attempts[0]
            assert report.stages[0].status == "aborted" and attempt.status is DeploymentStatus.CANCELED
            assert len(attempt.failed) == 2 and len(attempt.cancelled) == 4
            saved = json.loads(checkpoint.read_text())
            assert saved["state"]["report"]["status"] == "stopped"

    trio.run(main)


@pytest.mark.anyio
async def test_each_effect_run_twice_against_the_service_changes_nothing(client: DeploymentClient) -> None:
    # What the property test assumes of the simulated service, checked on the emulator: a driver that
    # crashed after a command ran, before its result was saved, runs it again, harmlessly.
    fleet, robots = await _site(client, [{}, {}], name="twice")
    plan = _plan(await _version(client), [fleet])
    previous = await effects.prepare(client, plan)
    state = core.begin(plan, now=_now(), token_seed="twice", previous=previous)
    seen: list[str] = []
    while not isinstance(command := core.decide(plan, state), core.Finish):
        seen.append(type(command).__name__)
        first = await effects.execute(client, plan, command, min_delay=0.01, max_delay=0.05)
        again = await effects.execute(client, plan, command, min_delay=0.01, max_delay=0.05)
        assert again == first, command
        state = core.apply(plan, state, command, first, now=_now())
    assert seen == ["CreateJob", "WatchJob"] and command.report.succeeded
    jobs = [job async for job in client.list_deployment_jobs(fleet_name="twice")]
    assert len(jobs) == 1  # the create, sent twice with its token, made one job
    assert command.report.robots_updated == set(robots)


def _now() -> datetime:
    return datetime.now(timezone.utc)


@pytest.mark.anyio
@STILL
async def test_a_robot_that_ended_before_the_stage_timed_out_is_told_once(
    robomaker_emulator: Emulator, client: DeploymentClient
) -> None:
    # One slot for two robots: the first ends, the second runs on (the manual clock stops there)
    # until the stage's real-time deadline cancels the job, whose watch then goes on from the first.
    fleet, robots = await _site(client, [{}, {}], name="halfway")
    plan = attrs_evolve_stage(
        _plan(await _version(client), [fleet], stage_timeout=3, rollback=False),
        DeploymentConfig(concurrent_deployment_percentage=50),
    )
    rollout = client.rollout(plan, **FAST)
    events: list[object] = []
    async with rollout:
        async for event in rollout:
            events.append(event)
            if isinstance(event, StageStarted):
                job = event.attempt.job
                assert job is not None
                while not _any_robot_ended(await client.describe_deployment_job(job)):
                    robomaker_emulator.advance_clock(0.1)
    report = await rollout.result()
    assert report.status == "timed_out" and report.stages[0].attempts[0].timed_out
    succeeded = [e for e in events if isinstance(e, RobotSucceeded)]
    assert len(succeeded) == 1, [(type(e).__name__, getattr(e, "arn", "")) for e in events]
    finished = next(i for i, e in enumerate(events) if isinstance(e, StageFinished))
    assert events.index(succeeded[0]) < finished  # seen by the watch the deadline stopped
    assert succeeded[0].arn in robots and set(report.stages[0].attempts[0].cancelled) == set(robots) - {
        succeeded[0].arn
    }


def _any_robot_ended(job: DescribedDeploymentJob) -> bool:
    return any(robot.status.is_terminal for robot in job.robot_deployment_summary)
