"""The rollout core, crashed at every step: random plans against simulated fleets in memory, no emulator.

A driver here runs ``begin``/``decide``/``apply`` against a simulated
service (robots whose outcomes and durations come from a seed, a clock that
moves only when a watch or a wait does) and saves the state as JSON after
each step, exactly as a driver must. It is then stopped at every command
boundary (the state saved, the command not run) and inside every command
(the command ran, its result was lost), resumed from the saved JSON, and
must make the same jobs (one per client token) and the same report as an
uninterrupted run; and any command run twice must change nothing.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta, timezone

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from robomaker_deploy import (
    AbortRule,
    DeploymentApplicationConfig,
    DeploymentStatus,
    FailureCode,
    LaunchConfig,
    RetryPolicy,
    RobotStatus,
    RolloutPlan,
    RolloutReport,
    Stage,
    StageReport,
    ValidationError,
)
from robomaker_deploy._documents import dump, load
from robomaker_deploy._rollout import core
from robomaker_deploy._rollout.gates import CallableGate, GateResult
from robomaker_deploy._waiting.events import JobState, RobotState

EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)
SCHEMA = "test/rollout-state"
TRANSIENT = FailureCode.GREENGRASS_DEPLOYMENT_FAILED  # retryable
PERMANENT = FailureCode.PRE_LAUNCH_FILE_FAILURE


def _config(version: str) -> DeploymentApplicationConfig:
    return DeploymentApplicationConfig(
        application="arn:aws:robomaker:us-east-1:1:robot-application/app/1",
        application_version=version,
        launch_config=LaunchConfig(package_name="p", launch_file="l", environment_variables={"K": "secret"}),
    )


async def _never_called(stage: StageReport) -> bool:  # the simulated service answers gates itself
    raise AssertionError("the simulated driver answers gates")


@attrs.define
class Job:
    arn: str
    fleet: str
    token: str
    kind: str
    created: float
    robots: dict[str, tuple[float, FailureCode | None]]
    """Each robot: when it finishes (seconds after creation) and its failure code (``None``: in sync)."""
    cancelled_at: float | None = None


class Service:
    """Fleets of robots whose outcomes come from a seed; a clock that only watches and waits move."""

    def __init__(self, seed: int, fleets: dict[str, int]) -> None:
        self.seed = seed
        self.fleets = fleets
        self.jobs: dict[str, Job] = {}  # by client token: the service's idempotency
        self.clock = 0.0
        self.calls = 0

    def now(self) -> datetime:
        return EPOCH + timedelta(seconds=self.clock)

    def _draw(self, *parts: object) -> random.Random:
        return random.Random(hashlib.sha256(repr((self.seed, *parts)).encode()).digest())

    def create(self, fleet: str, token: str, kind: str) -> core.JobCreated:
        if token not in self.jobs:
            robots = {}
            for number in range(self.fleets[fleet]):
                draw = self._draw(token, number)
                roll = draw.random()
                code = None if kind == "rollback" or roll < 0.6 else (TRANSIENT if roll < 0.85 else PERMANENT)
                robots[f"{fleet}/robot-{number}"] = (draw.uniform(1, 15), code)
            arn = f"job-{len(self.jobs)}"
            self.jobs[token] = Job(arn, fleet, token, kind, self.clock, robots)
        job = self.jobs[token]
        return core.JobCreated(arn=job.arn, fleet=job.fleet)

    def job(self, arn: str) -> Job:
        (job,) = [job for job in self.jobs.values() if job.arn == arn]
        return job

    def _end(self, job: Job) -> float:
        return job.created + max(t for t, _ in job.robots.values())

    def status(self, job: Job, at: float) -> DeploymentStatus:
        if job.cancelled_at is not None and job.cancelled_at < self._end(job) and at >= job.cancelled_at:
            return DeploymentStatus.CANCELED
        if at < self._end(job):
            return DeploymentStatus.IN_PROGRESS
        failed = sum(code is not None for _, code in job.robots.values())
        return DeploymentStatus.FAILED if failed * 2 > len(job.robots) else DeploymentStatus.SUCCEEDED

    def watch(self, command: core.WatchJob) -> core.WatchEnded:
        job = self.job(command.job_arn)
        assert job.fleet == command.fleet
        deadline = (command.deadline - EPOCH).total_seconds()
        order = sorted(job.robots.items(), key=lambda item: item[1][0])
        seen: dict[str, RobotState] = {}
        for arn, (after, code) in order:  # a poll at each robot's end
            at = job.created + after
            if at > deadline or (job.cancelled_at is not None and at >= job.cancelled_at):
                break
            if at >= self.clock:
                self.clock = at
            seen[arn] = RobotState(RobotStatus.IN_SYNC if code is None else RobotStatus.FAILED)
            status = self.status(job, at)
            if command.abort is not None and not status.is_terminal:
                counts = core.abort_counts(command.abort, JobState(status=status, robots=seen))
                if counts is not None:
                    return core.WatchEnded(
                        status=status, aborted_by_rule=True, finished=counts[0], failed_count=counts[1]
                    )
        end = self._end(job) if job.cancelled_at is None else min(self._end(job), job.cancelled_at)
        if end > deadline:
            self.clock = max(self.clock, deadline)
            return core.WatchEnded(status=self.status(job, deadline), timed_out=True)
        self.clock = max(self.clock, end)
        return self._summary(job)

    def _summary(self, job: Job) -> core.WatchEnded:
        status = self.status(job, self.clock)
        succeeded, failed, cancelled = [], {}, []
        for arn, (after, code) in sorted(job.robots.items()):
            if status is DeploymentStatus.CANCELED and job.created + after >= (job.cancelled_at or 0):
                cancelled.append(arn)
            elif code is None:
                succeeded.append(arn)
            else:
                failed[arn] = code
        return core.WatchEnded(status=status, succeeded=succeeded, failed=failed, cancelled=cancelled)

    def execute(self, plan: RolloutPlan, command: core.Command) -> core.Result:
        self.calls += 1
        if isinstance(command, core.CreateJob):
            return self.create(command.fleet, command.client_token, command.kind)
        if isinstance(command, core.SyncJob):
            return self.create(command.fleet, command.client_token, "sync")
        if isinstance(command, core.WatchJob):
            return self.watch(command)
        if isinstance(command, core.CancelJob):
            job = self.job(command.job_arn)
            if job.cancelled_at is None and not self.status(job, self.clock).is_terminal:
                job.cancelled_at = self.clock + 2  # the cancel lands a little later: the job may end first
            return core.Cancelled()
        if isinstance(command, core.WaitUntil):
            self.clock = max(self.clock, (command.until - EPOCH).total_seconds())
            return core.Waited()
        if isinstance(command, core.AskGate):
            passed = self._draw("gate", command.stage).random() < 0.8
            return core.GateAnswered(result=GateResult(verdict="passed" if passed else "refused"))
        raise AssertionError(command)


class Crash(Exception):
    """The driver died."""


def run(
    plan: RolloutPlan,
    service: Service,
    *,
    crashes: frozenset[tuple[int, str]] = frozenset(),
    twice: bool = False,
) -> tuple[RolloutReport, int]:
    """Run the rollout to its end; at each ``(step, "boundary"|"inside")`` in ``crashes``, die and resume.

    The only thing that survives a crash is the JSON saved after ``begin`` and after each ``apply``.
    """
    saved = dump(core.begin(plan, now=service.now(), token_seed="seed", previous=_previous(plan)), SCHEMA)
    step = 0
    while True:
        state = load(saved, core.RolloutState, SCHEMA, what="saved")  # (re)started from what was saved
        try:
            while True:
                command = core.decide(plan, state)
                if isinstance(command, core.Finish):
                    return command.report, step
                step += 1
                if (step, "boundary") in crashes:
                    raise Crash
                result = service.execute(plan, command)
                if twice:
                    assert service.execute(plan, command) == result or isinstance(command, core.WaitUntil)
                if (step, "inside") in crashes:
                    raise Crash
                state = core.apply(plan, state, command, result, now=service.now())
                saved = dump(state, SCHEMA)
        except Crash:
            continue


def _previous(plan: RolloutPlan) -> list[tuple[DeploymentApplicationConfig, ...] | None]:
    return [(_config("1"),) if index % 2 == 0 else None for index in range(len(plan.stages))]


@st.composite
def worlds(draw: st.DrawFn) -> tuple[RolloutPlan, dict[str, int], int]:
    count = draw(st.integers(1, 4))
    fleets = {
        f"arn:aws:robomaker:us-east-1:1:deployment-fleet/f{n}/1": draw(st.integers(1, 6))
        for n in range(count)
    }
    stages = [Stage(fleet=fleet, bake=draw(st.sampled_from([0.0, 5.0]))) for fleet in fleets]
    abort = draw(
        st.none()
        | st.builds(
            AbortRule, min_finished=st.integers(1, 3), max_failed_percent=st.sampled_from([0, 20, 50])
        )
    )
    plan = RolloutPlan(
        application_configs=[_config("2")],
        stages=stages,
        abort=abort,
        retry=RetryPolicy(attempts=draw(st.integers(0, 2)), backoff=draw(st.sampled_from([0.0, 3.0]))),
        rollback=draw(st.booleans()),
        stage_timeout=draw(st.sampled_from([10.0, 3600.0, 3600.0])),
        gate=draw(st.sampled_from([None, CallableGate(func=_never_called)])),
    )
    return plan, fleets, draw(st.integers(0, 2**32))


def _jobs(service: Service) -> list[tuple[str, str, str, float | None]]:
    return sorted((job.fleet, job.token, job.kind, job.cancelled_at) for job in service.jobs.values())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_stopped_at_any_step_and_resumed_it_makes_the_same_jobs_and_report(
    world: tuple[RolloutPlan, dict[str, int], int],
) -> None:
    plan, fleets, seed = world
    steady = Service(seed, fleets)
    report, steps = run(plan, steady)
    assert report.status in ("succeeded", "stopped", "timed_out")
    for step in range(1, steps + 1):
        for where in ("boundary", "inside"):
            crashed = Service(seed, fleets)
            again, _ = run(plan, crashed, crashes=frozenset({(step, where)}))
            assert again == report, (step, where)
            assert _jobs(crashed) == _jobs(steady), (step, where)
    # Several crashes in one run, and every command run twice.
    crashed = Service(seed, fleets)
    many = frozenset((step, "inside" if step % 2 else "boundary") for step in range(1, steps + 1, 3))
    assert run(plan, crashed, crashes=many, twice=True)[0] == report
    assert _jobs(crashed) == _jobs(steady)


@settings(max_examples=60, deadline=None)
@given(worlds())
def test_the_report_follows_the_rules(world: tuple[RolloutPlan, dict[str, int], int]) -> None:
    plan, fleets, seed = world
    service = Service(seed, fleets)
    report, _ = run(plan, service)
    stopped = [s for s in report.stages if s.status not in ("pending", "running", "succeeded")]
    assert (report.status == "succeeded") == (not stopped)
    assert len(stopped) <= 1
    for stage in report.stages:
        for attempt in stage.attempts:
            # Robots the rollout's own cancel stopped are never failed ones, and an aborted job's
            # status says whether the cancel landed.
            assert not set(attempt.cancelled) & set(attempt.failed)
            if attempt.aborted and attempt.status is DeploymentStatus.CANCELED:
                assert stage.status == "aborted" and "early-abort rule held" in (stage.note or "")
            if attempt.aborted and attempt.status is DeploymentStatus.FAILED:
                assert stage.status == "failed" and "on its own" in (stage.note or "")
        if stage.status == "timed_out":
            assert report.status == "timed_out"
        rolled = stage.rollback is not None
        assert rolled == (
            plan.rollback and report.status != "succeeded" and stage.changed and stage.previous is not None
        )
    tokens = [job.token for job in service.jobs.values()]
    assert len(tokens) == len(set(tokens))


def test_a_plan_with_no_stages_is_refused_not_reported_succeeded() -> None:
    with pytest.raises(ValidationError, match="at least one stage"):
        RolloutPlan(application_configs=[_config("2")], stages=[])
    # The core does not rely on the plan's checks: a plan emptied behind their back is refused too.
    plan = RolloutPlan(application_configs=[_config("2")], stages=[Stage(fleet="arn:x:deployment-fleet/f/1")])
    object.__setattr__(plan, "stages", ())
    with pytest.raises(ValidationError, match="at least one stage"):
        core.begin(plan, now=EPOCH, token_seed="s", previous=[])


def test_a_stage_whose_deadline_passed_while_nobody_watched_times_out_and_rolls_back() -> None:
    fleet = "arn:aws:robomaker:us-east-1:1:deployment-fleet/f0/1"
    plan = RolloutPlan(application_configs=[_config("2")], stages=[Stage(fleet=fleet)], stage_timeout=60)
    state = core.begin(plan, now=EPOCH, token_seed="s", previous=[(_config("1"),)])
    create = core.decide(plan, state)
    assert isinstance(create, core.CreateJob) and create.kind == "deploy"
    state = core.apply(plan, state, create, core.JobCreated(arn="job-1", fleet=fleet), now=EPOCH)
    watch = core.decide(plan, state)
    assert isinstance(watch, core.WatchJob) and watch.deadline == EPOCH + timedelta(seconds=60)
    # The process was down past the deadline; the watch's one look finds the job still running.
    late = EPOCH + timedelta(hours=5)
    ended = core.WatchEnded(status=DeploymentStatus.IN_PROGRESS, timed_out=True)
    state = core.apply(plan, state, watch, ended, now=late)
    assert state.report.stages[0].status == "timed_out" and state.stopping
    cancel = core.decide(plan, state)
    assert isinstance(cancel, core.CancelJob) and cancel.job_arn == "job-1"
    state = core.apply(plan, state, cancel, core.Cancelled(), now=late)
    watch = core.decide(plan, state)
    assert isinstance(watch, core.WatchJob) and watch.abort is None and watch.deadline > late
    gone = core.WatchEnded(status=DeploymentStatus.CANCELED, cancelled=["r1"])
    state = core.apply(plan, state, watch, gone, now=late)
    rollback = core.decide(plan, state)
    assert isinstance(rollback, core.CreateJob) and rollback.kind == "rollback"
    assert rollback.configs == (_config("1"),)
    state = core.apply(plan, state, rollback, core.JobCreated(arn="job-2", fleet=fleet), now=late)
    watch = core.decide(plan, state)
    done = core.WatchEnded(status=DeploymentStatus.SUCCEEDED, succeeded=["r1"])
    state = core.apply(plan, state, watch, done, now=late)
    final = core.decide(plan, state)
    assert isinstance(final, core.Finish)
    assert final.report.status == "timed_out" and "stage timeout" in (final.report.reason or "")
    assert final.report.robots_rolled_back == {"r1"} and final.report.robots_cancelled == {"r1"}
    assert not final.report.robots_failed


def test_tokens_depend_only_on_the_seed_the_stage_and_the_attempt() -> None:
    assert core.client_token("s", 0, 1) == core.client_token("s", 0, 1)
    assert (
        len({core.client_token("s", 0, 0), core.client_token("s", 0, 1), core.client_token("s", 1, 0)}) == 3
    )
    token = core.client_token("s", 3, "rollback")
    assert len(token) <= 64 and token.replace("-", "").isalnum()


def test_commands_and_state_are_readable_json() -> None:
    fleet = "arn:aws:robomaker:us-east-1:1:deployment-fleet/f0/1"
    stage = Stage(fleet=fleet, bake=1)
    object.__setattr__(stage, "bake", 1e308)  # past the plan's checks: the core must not overflow anyway
    plan = RolloutPlan(application_configs=[_config("2")], stages=[stage])
    state = core.begin(plan, now=EPOCH, token_seed="s", previous=[None])
    command = core.decide(plan, state)
    text = dump(command, "test/command")
    assert '"type": "create_job"' in text and '"client_token": "rollout-' in text
    assert load(text, core.CreateJob, "test/command", what="c") == command
    state = core.apply(plan, state, command, core.JobCreated(arn="j", fleet=fleet), now=EPOCH)
    watch = core.decide(plan, state)
    state = core.apply(plan, state, watch, core.WatchEnded(status=DeploymentStatus.SUCCEEDED), now=EPOCH)
    bake = core.decide(plan, state)  # a bake of 1e308 s waits until the end of time, never overflows
    assert isinstance(bake, core.WaitUntil) and bake.until.year == 9999
    assert load(dump(state, SCHEMA), core.RolloutState, SCHEMA, what="s") == state
