"""The rollout as a pure state machine: every rule of a rollout, and no I/O.

A driver runs it in a loop::

    state = begin(plan, now=..., token_seed=..., previous=...)
    while not isinstance(command := decide(plan, state), Finish):
        result = await execute(client, plan, command)  # effects.py: the only I/O
        state = apply(plan, state, command, result, now=...)

:func:`decide` says what to do next from the plan and the state alone;
:func:`apply` folds what a command returned into the next state. Neither
reads a clock, draws a random number or touches the network: times come in
as ``now``, client tokens are derived from the state's seed, the stage and
the attempt, and results are data. So a driver that saves the state before
each command and replays :func:`decide` after a crash re-issues exactly the
command it may have been running, with the same client token: the service
answers with the job it already made, never a second one. The same holds
for a durable-execution engine (DBOS, Temporal) that replays the loop.

The rules, all here and nowhere else:

* a stage creates its job, then watches it; the watch stops at the first
  poll where the plan's early-abort rule holds, and the job is then
  cancelled and watched to its end (an aborted job always ends
  ``Canceled``: if it ends otherwise, the cancel came too late and the job
  ended on its own, and the report says so);
* a job still running at its deadline (``stage_timeout`` after it was
  created) is cancelled and watched to its end, and the rollout stops as
  timed out; a deadline that passed while no process ran is found on the
  next watch's first look, the same way;
* robots whose failure is transient are tried again, after a backoff (a new
  job if the job failed, a sync if it succeeded); robots the rollout's own
  cancel stopped are never retried nor counted as failed;
* a stage that succeeded bakes, then asks the plan's gate;
* a stage that failed, was aborted, refused or timed out stops the rollout,
  which then (if the plan says so) deploys each changed fleet's previous
  version back, newest stage first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Literal

import attrs

from .._enums import DeploymentStatus, FailureCode
from .._errors import ValidationError
from .._models import DeploymentApplicationConfig, DeploymentConfig
from .._waiting.events import JobState
from .gates import GateResult
from .plan import AbortRule, RolloutPlan
from .report import Attempt, AttemptKind, RolloutReport, StageReport, StageStatus

__all__ = [
    "AskGate",
    "CancelJob",
    "Cancelled",
    "Command",
    "CreateJob",
    "Finish",
    "GateAnswered",
    "JobCreated",
    "Result",
    "RolloutState",
    "SyncJob",
    "WaitUntil",
    "WatchEnded",
    "WatchJob",
    "Waited",
    "abort_counts",
    "apply",
    "begin",
    "client_token",
    "decide",
]

NOTHING_TO_ROLL_BACK = "nothing to roll back to: the fleet had no successful deployment"

Previous = tuple[DeploymentApplicationConfig, ...] | None


def _codes(value: Mapping[str, FailureCode | None]) -> Mapping[str, FailureCode | None]:
    from types import MappingProxyType

    return MappingProxyType(dict(value))


def _arns(value: Sequence[str]) -> tuple[str, ...]:
    return tuple(value)


# -- the state ---------------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class RolloutState:
    """Everything a rollout is: its report, and what is needed to decide its next command."""

    plan: str
    """The plan's digest: a state is only ever continued with the plan it was made for."""
    seed: str
    """Where the client tokens come from (with the stage and the attempt): chosen once, at the start."""
    report: RolloutReport
    stopping: bool = False
    """The rollout stopped: it finishes what the stopping stage's job does, then rolls back."""
    outcome: Literal["stopped", "timed_out"] = "stopped"
    """How the rollout ends once stopped (``timed_out``: a job outlived its deadline)."""
    wait_until: datetime | None = None
    """When the bake or the retry backoff under way ends."""


# -- commands ----------------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class CreateJob:
    """Create a deployment job on the stage's fleet, with the client token the core chose."""

    stage: int
    fleet: str
    configs: tuple[DeploymentApplicationConfig, ...]
    """What to deploy: the plan's version, or (a rollback) what the fleet ran before."""
    deployment_config: DeploymentConfig | None
    client_token: str
    kind: Literal["deploy", "retry", "rollback"]
    type: Literal["create_job"] = "create_job"


@attrs.frozen(kw_only=True)
class SyncJob:
    """Sync the fleet (redeploy its last successful deployment to the robots not in sync)."""

    stage: int
    fleet: str
    client_token: str
    type: Literal["sync_job"] = "sync_job"


@attrs.frozen(kw_only=True)
class WatchJob:
    """Follow a job until it ends, its deadline passes, or (``abort`` given) the early-abort rule holds."""

    stage: int
    job_arn: str
    fleet: str
    """The stage's fleet: a job of another fleet is refused (an edited or foreign checkpoint)."""
    deadline: datetime
    rollback: bool
    abort: AbortRule | None
    """The rule to check after each poll (``None``: watch to the end)."""
    type: Literal["watch_job"] = "watch_job"


@attrs.frozen(kw_only=True)
class CancelJob:
    """Cancel a job (the early-abort rule held, or its deadline passed)."""

    stage: int
    job_arn: str
    fleet: str
    rollback: bool
    type: Literal["cancel_job"] = "cancel_job"


@attrs.frozen(kw_only=True)
class WaitUntil:
    """Sleep until a time: a stage's bake, or the backoff before a retry."""

    stage: int
    until: datetime
    why: Literal["bake", "backoff"]
    type: Literal["wait_until"] = "wait_until"


@attrs.frozen(kw_only=True)
class AskGate:
    """Ask the plan's gate whether the rollout goes on after this stage."""

    stage: int
    report: StageReport
    """The stage as the gate is given it."""
    type: Literal["ask_gate"] = "ask_gate"


@attrs.frozen(kw_only=True)
class Finish:
    """Nothing left to do: the rollout ended with this report."""

    report: RolloutReport
    type: Literal["finish"] = "finish"


Command = CreateJob | SyncJob | WatchJob | CancelJob | WaitUntil | AskGate | Finish
"""What :func:`decide` returns: one step for a driver to run (``Finish`` ends the loop)."""


# -- results -----------------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class JobCreated:
    """``CreateJob`` or ``SyncJob`` ran: the job the service made (or had made for the same token)."""

    arn: str
    fleet: str
    type: Literal["job_created"] = "job_created"


@attrs.frozen(kw_only=True)
class WatchEnded:
    """How a watch ended, in a few numbers and the robots' ARNs by outcome: never a whole snapshot."""

    status: DeploymentStatus
    """The job's status when the watch ended (not final when aborted or timed out)."""
    succeeded: tuple[str, ...] = attrs.field(default=(), converter=_arns)
    """Robots in sync."""
    failed: Mapping[str, FailureCode | None] = attrs.field(factory=dict, converter=_codes)
    """Robots that failed on their own, with their failure codes."""
    cancelled: tuple[str, ...] = attrs.field(default=(), converter=_arns)
    """Robots a cancel stopped (``RobotDeploymentAborted`` in a ``Canceled`` job)."""
    aborted_by_rule: bool = False
    """The watch stopped because the early-abort rule held; the job still runs."""
    finished: int = 0
    """With ``aborted_by_rule``: robots finished at that poll."""
    failed_count: int = 0
    """With ``aborted_by_rule``: robots failed at that poll."""
    timed_out: bool = False
    """The deadline passed with the job still running."""
    type: Literal["watch_ended"] = "watch_ended"


@attrs.frozen(kw_only=True)
class Cancelled:
    """``CancelJob`` ran."""

    type: Literal["cancelled"] = "cancelled"


@attrs.frozen(kw_only=True)
class Waited:
    """``WaitUntil`` ran to its time."""

    type: Literal["waited"] = "waited"


@attrs.frozen(kw_only=True)
class GateAnswered:
    """``AskGate`` ran: what the gate said."""

    result: GateResult
    type: Literal["gate_answered"] = "gate_answered"


Result = JobCreated | WatchEnded | Cancelled | Waited | GateAnswered
"""What running a command returned, as data for :func:`apply`."""


# -- pure helpers ------------------------------------------------------------------------------------------


def client_token(seed: str, stage: int, attempt: int | str) -> str:
    """The client request token of a stage's attempt (or ``"rollback"``): the same on every replay."""
    digest = hashlib.sha256(f"{seed}/{stage}/{attempt}".encode()).hexdigest()
    return f"rollout-{digest[:40]}"  # the service allows 64 characters of [a-zA-Z0-9_-=]


def abort_counts(rule: AbortRule, state: JobState) -> tuple[int, int] | None:
    """``(finished, failed)`` robots if ``rule`` holds for the job as ``state`` says, else ``None``."""
    finished = failed = 0
    for robot in state.robots.values():
        if robot.status.is_terminal:
            finished += 1
            failed += robot.status.is_failed
    return (finished, failed) if rule.holds(finished, failed) else None


def _after(now: datetime, seconds: float) -> datetime:
    """``now`` plus ``seconds``, or the latest time there is (a plan may hold any finite number)."""
    latest = datetime.max.replace(tzinfo=timezone.utc)
    if seconds >= (latest - now).total_seconds():
        return latest
    return now + timedelta(seconds=seconds)


def _retries(stage: StageReport) -> int:
    return sum(1 for a in stage.attempts if a.kind in ("retry", "sync"))


def _retry_kind(plan: RolloutPlan, stage: StageReport) -> Literal["retry", "sync"] | None:
    """How the failed robots of the stage's last, ended attempt are tried again, or ``None``."""
    attempt = stage.attempts[-1] if stage.attempts else None
    if attempt is None or attempt.status is None or attempt.aborted or attempt.timed_out:
        return None
    if not attempt.retryable or _retries(stage) >= plan.retry.attempts:
        return None
    # A sync deploys a fleet's last *successful* deployment to the robots not in sync: right only
    # when this attempt's job succeeded; otherwise only a new job deploys the new version.
    return "sync" if attempt.status is DeploymentStatus.SUCCEEDED else "retry"


# -- begin, decide, apply ----------------------------------------------------------------------------------


def begin(plan: RolloutPlan, *, now: datetime, token_seed: str, previous: Sequence[Previous]) -> RolloutState:
    """The state of a rollout about to start; ``previous``: what each stage's fleet ran before it."""
    if not plan.stages:
        raise ValidationError("stages", "()", "must list at least one stage (a rollout of nothing)")
    if len(previous) != len(plan.stages):
        raise ValueError(f"previous: {len(previous)} entries for {len(plan.stages)} stages")
    stages = tuple(
        StageReport(fleet=stage.fleet, name=stage.name, previous=before)
        for stage, before in zip(plan.stages, previous, strict=True)
    )
    report = RolloutReport(stages=stages, started_at=now)
    return RolloutState(plan=plan.digest, seed=token_seed, report=report)


def decide(plan: RolloutPlan, state: RolloutState) -> Command:
    """The next command of the rollout: what to run now, or :class:`Finish` with the report."""
    if state.plan != plan.digest:
        raise ValidationError(
            "plan",
            "<plan>",
            "is not the plan this rollout state was made for (its digest differs): continue it with"
            " its own plan, or start another rollout",
        )
    if state.report.status != "running":
        return Finish(report=state.report)
    command = _next(plan, state)
    if command is None:  # pragma: no cover - apply() ends the report when nothing is left
        raise AssertionError("a running rollout with nothing to do")
    return command


def _next(plan: RolloutPlan, state: RolloutState) -> Command | None:
    """The next command of a running rollout, or ``None`` when it is over."""
    stages = state.report.stages
    if not state.stopping:
        for index, stage in enumerate(stages):
            if stage.status != "succeeded":
                return _stage_next(plan, state, index)
        return None
    # Stopped: first the stopping stage's job (its cancel and its end), then the rollbacks.
    for index, stage in enumerate(stages):
        last = stage.attempts[-1] if stage.attempts else None
        if last is not None and last.status is None:
            return _follow(plan, index, stage, last, rollback=False)
    if plan.rollback:
        for index in reversed(range(len(stages))):
            stage = stages[index]
            if not stage.changed or stage.previous is None:
                continue
            if stage.rollback is None:
                return CreateJob(
                    stage=index,
                    fleet=stage.fleet,
                    configs=stage.previous,
                    deployment_config=None,
                    client_token=client_token(state.seed, index, "rollback"),
                    kind="rollback",
                )
            if stage.rollback.status is None:
                return _follow(plan, index, stage, stage.rollback, rollback=True)
    return None


def _stage_next(plan: RolloutPlan, state: RolloutState, index: int) -> Command:
    stage = state.report.stages[index]
    last = stage.attempts[-1] if stage.attempts else None
    if last is None:
        return _create(plan, state, index, "deploy")
    if last.status is None:
        return _follow(plan, index, stage, last, rollback=False)
    kind = _retry_kind(plan, stage)
    if kind is not None:
        if state.wait_until is not None:
            return WaitUntil(stage=index, until=state.wait_until, why="backoff")
        return _create(plan, state, index, kind)
    if not stage.baked:
        assert state.wait_until is not None
        return WaitUntil(stage=index, until=state.wait_until, why="bake")
    return AskGate(stage=index, report=stage)


def _create(
    plan: RolloutPlan, state: RolloutState, index: int, kind: Literal["deploy", "retry", "sync"]
) -> CreateJob | SyncJob:
    stage = plan.stages[index]
    token = client_token(state.seed, index, len(state.report.stages[index].attempts))
    if kind == "sync":
        return SyncJob(stage=index, fleet=stage.fleet, client_token=token)
    return CreateJob(
        stage=index,
        fleet=stage.fleet,
        configs=plan.application_configs,
        deployment_config=stage.deployment_config,
        client_token=token,
        kind=kind,
    )


def _follow(
    plan: RolloutPlan, index: int, stage: StageReport, attempt: Attempt, *, rollback: bool
) -> CancelJob | WatchJob:
    """What a job that has not ended needs: its cancel (after an abort or a timeout), else a watch."""
    assert attempt.job is not None and attempt.deadline is not None
    stopping = attempt.aborted or attempt.timed_out
    if stopping and attempt.cancelled_at is None:
        return CancelJob(stage=index, job_arn=attempt.job, fleet=stage.fleet, rollback=rollback)
    return WatchJob(
        stage=index,
        job_arn=attempt.job,
        fleet=stage.fleet,
        deadline=attempt.deadline,
        rollback=rollback,
        abort=None if rollback or stopping else plan.abort,
    )


def apply(
    plan: RolloutPlan, state: RolloutState, command: Command, result: Result, *, now: datetime
) -> RolloutState:
    """The state after ``command`` returned ``result`` at ``now``."""
    if isinstance(command, (CreateJob, SyncJob)) and isinstance(result, JobCreated):
        state = _created(plan, state, command, result, now)
    elif isinstance(command, WatchJob) and isinstance(result, WatchEnded):
        state = _watched(plan, state, command, result, now)
    elif isinstance(command, CancelJob) and isinstance(result, Cancelled):
        state = _cancelled(plan, state, command, now)
    elif isinstance(command, WaitUntil) and isinstance(result, Waited):
        state = attrs.evolve(state, wait_until=None)
        if command.why == "bake":
            state = _change_stage(state, command.stage, baked=True)
    elif isinstance(command, AskGate) and isinstance(result, GateAnswered):
        state = _change_stage(state, command.stage, gate=result.result)
        if not result.result.passed:
            note = _gate_note(result.result)
            state = _stop(plan, state, command.stage, "refused", note)
    else:
        raise TypeError(f"{type(result).__name__} is not a result of {type(command).__name__}")
    return _settle(plan, state, now)


def _gate_note(result: GateResult) -> str:
    words = {
        "refused": "the gate refused",
        "timed_out": "the gate timed out",
        "killed": "the gate was killed",
        "could_not_run": "the gate could not run",
        "passed": "the gate passed",
    }
    note = words[result.verdict]
    if result.verdict == "refused" and result.exit_code is not None:
        note += f" (exit status {result.exit_code})"
    if result.verdict == "killed" and result.signal is not None:
        note += f" (signal {result.signal})"
    if result.detail:
        note += f": {result.detail}"
    return note


def _change_stage(state: RolloutState, index: int, **changes: object) -> RolloutState:
    stages = list(state.report.stages)
    stages[index] = attrs.evolve(stages[index], **changes)  # type: ignore[arg-type]
    return attrs.evolve(state, report=attrs.evolve(state.report, stages=tuple(stages)))


def _change_attempt(state: RolloutState, index: int, rollback: bool, attempt: Attempt) -> RolloutState:
    stage = state.report.stages[index]
    if rollback:
        return _change_stage(state, index, rollback=attempt)
    return _change_stage(state, index, attempts=(*stage.attempts[:-1], attempt))


def _attempt_of(state: RolloutState, index: int, job: str, rollback: bool) -> Attempt:
    stage = state.report.stages[index]
    attempt = stage.rollback if rollback else (stage.attempts[-1] if stage.attempts else None)
    if attempt is None or attempt.job != job:
        raise ValueError(f"stage {index + 1} has no running job {job}: a result applied to another state")
    return attempt


def _created(
    plan: RolloutPlan, state: RolloutState, command: CreateJob | SyncJob, result: JobCreated, now: datetime
) -> RolloutState:
    kind: AttemptKind = "sync" if isinstance(command, SyncJob) else command.kind
    attempt = Attempt(
        kind=kind,
        token=command.client_token,
        job=result.arn,
        started_at=now,
        deadline=_after(now, plan.stage_timeout),
    )
    if kind == "rollback":
        return _change_stage(state, command.stage, rollback=attempt)
    stage = state.report.stages[command.stage]
    return _change_stage(state, command.stage, attempts=(*stage.attempts, attempt), status="running")


def _cancelled(plan: RolloutPlan, state: RolloutState, command: CancelJob, now: datetime) -> RolloutState:
    rollback = command.rollback
    attempt = _attempt_of(state, command.stage, command.job_arn, rollback)
    # The job gets stage_timeout again to show the cancel landed, then is left as it stands.
    changed = attrs.evolve(attempt, cancelled_at=now, deadline=_after(now, plan.stage_timeout))
    return _change_attempt(state, command.stage, rollback, changed)


def _watched(
    plan: RolloutPlan, state: RolloutState, command: WatchJob, result: WatchEnded, now: datetime
) -> RolloutState:
    index, rollback = command.stage, command.rollback
    attempt = _attempt_of(state, index, command.job_arn, rollback)
    running = not result.status.is_terminal
    if running and result.aborted_by_rule:
        changed = attrs.evolve(
            attempt, aborted=True, abort_finished=result.finished, abort_failed=result.failed_count
        )
        return _change_attempt(state, index, rollback, changed)
    if running and result.timed_out and attempt.cancelled_at is None:
        state = _change_attempt(state, index, rollback, attrs.evolve(attempt, timed_out=True))
        if rollback:
            return state
        note = (
            f"its job was still {result.status} after the stage timeout of {plan.stage_timeout:g}s,"
            " so the rollout cancelled it"
        )
        return _stop(plan, state, index, "timed_out", note, outcome="timed_out")
    # The job ended (or, after the cancel, outlived the cancel's deadline too: it is left as it is).
    ended = attrs.evolve(
        attempt,
        status=result.status,
        ended_at=now,
        succeeded=result.succeeded,
        failed=result.failed,
        cancelled=result.cancelled,
    )
    state = _change_attempt(state, index, rollback, ended)
    if rollback or ended.timed_out:
        return state
    if ended.aborted:
        held = f"{ended.abort_failed} of the first {ended.abort_finished} robot(s) failed"
        if result.status is DeploymentStatus.CANCELED:
            note = f"the early-abort rule held ({held}), so the rollout cancelled its job"
            return _stop(plan, state, index, "aborted", note)
        if result.status is DeploymentStatus.FAILED:
            note = f"its job failed on its own before the early abort's cancel landed ({held})"
            return _stop(plan, state, index, "failed", note)
        if result.status.is_terminal:
            note = (
                f"the early-abort rule held ({held}); its job ended {result.status} before the cancel landed"
            )
        else:  # the watch after the cancel reached its deadline too: the job is left as it is
            note = f"the early-abort rule held ({held}); its job was still {result.status} after the cancel"
        return _stop(plan, state, index, "aborted", note)
    if _retry_kind(plan, state.report.stages[index]) is not None:
        delay = plan.retry.delay(_retries(state.report.stages[index]) + 1)
        return attrs.evolve(state, wait_until=_after(now, delay) if delay > 0 else None)
    if result.status is DeploymentStatus.SUCCEEDED:
        bake = plan.stages[index].bake
        if bake > 0:
            return attrs.evolve(state, wait_until=_after(now, bake))
        return _change_stage(state, index, baked=True)
    failed = len(ended.failed)
    note = f"its job ended {result.status} on its own ({failed} robot(s) failed)"
    return _stop(plan, state, index, "failed", note)


def _stop(
    plan: RolloutPlan,
    state: RolloutState,
    index: int,
    status: StageStatus,
    note: str,
    *,
    outcome: Literal["stopped", "timed_out"] = "stopped",
) -> RolloutState:
    """Stop the rollout at stage ``index``: how it ended and why, in one change of the state."""
    name = state.report.stages[index].name
    state = _change_stage(state, index, status=status, note=note)
    # A refusal's note names the gate ("the gate refused..."); other notes say what the job did.
    said = "" if status == "refused" else f" {status.replace('_', ' ')}"
    reason = f"stage {index + 1} ({name}){said}: {note}"
    if plan.rollback:
        for number, stage in enumerate(state.report.stages):
            if stage.changed and stage.previous is None:
                said = NOTHING_TO_ROLL_BACK if stage.note is None else f"{stage.note}; {NOTHING_TO_ROLL_BACK}"
                state = _change_stage(state, number, note=said)
    report = attrs.evolve(state.report, reason=reason)
    return attrs.evolve(state, report=report, stopping=True, outcome=outcome, wait_until=None)


def _settle(plan: RolloutPlan, state: RolloutState, now: datetime) -> RolloutState:
    """Take the steps that need no command: a stage done, the rollout over."""
    if state.report.status != "running":
        return state
    if not state.stopping:
        for index, stage in enumerate(state.report.stages):
            if stage.status == "running" and stage.baked:
                if plan.gate is None or (stage.gate is not None and stage.gate.passed):
                    state = _change_stage(state, index, status="succeeded")
    if _next(plan, state) is not None:
        return state
    status = state.outcome if state.stopping else "succeeded"
    return attrs.evolve(state, report=attrs.evolve(state.report, status=status, ended_at=now))
