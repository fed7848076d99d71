"""Running a rollout: stage after stage, with its policies, and a checkpoint that makes a crash lose nothing.

The rollout's state is its report plus what is needed to resume (the event
stream's checkpoint of the job being watched, and when a bake or a backoff
ends). It is written, as a JSON document, before every call that changes
something, with the client request token that call will use; and after
every call, with what it returned. Killed at any moment and started again
with the same checkpoint, a rollout re-sends the call it may have been
making with the same token (the service answers with the job it already
made, never a second one), resumes the watch where it was, and finishes as
if nothing had happened.

The order of a stage: create its job, watch it (cancelling it when the
early-abort rule holds), retry transient failures with backoff, bake, ask
the gate. When a stage fails, is aborted or refused, the rollout stops and,
if the plan says so, deploys back each changed fleet's previous version,
newest stage first.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import anyio
import attrs

from .._documents import dump, load, write_atomic
from .._enums import DeploymentStatus, RobotStatus
from .._errors import ValidationError, WaiterTimeoutError
from .._models import DeploymentApplicationConfig, DeploymentJob
from .._waiting.checkpoint import WaitCheckpoint
from .._waiting.events import RobotFailed, RobotSucceeded
from .checks import check_plan
from .events import (
    GatePassed,
    GateRefused,
    RolledBack,
    RolloutEvent,
    RolloutFinished,
    StageAborted,
    StageBaked,
    StageFinished,
    StageRetried,
    StageStarted,
)
from .gates import run_gate
from .plan import GateFunction, RolloutPlan
from .report import Attempt, AttemptKind, RolloutReport, StageReport

if TYPE_CHECKING:
    from .._client import DeploymentClient

__all__ = ["SCHEMA", "Gate", "RolloutCheckpoint", "Runner"]

#: The checkpoint document's kind and version.
SCHEMA = "robomaker-deploy/rollout/1"

Gate = GateFunction
"""Asked after a stage's bake with its report; ``False`` stops the rollout (a :class:`CallableGate`)."""

_NOTHING_TO_ROLL_BACK = "nothing to roll back to: the fleet had no successful deployment"


@attrs.frozen(kw_only=True)
class RolloutCheckpoint:
    """Everything a rollout needs to continue after a restart (a readable JSON document)."""

    plan: str
    """The plan's digest: a checkpoint is only resumed with its own plan."""
    report: RolloutReport
    watch: WaitCheckpoint | None = None
    """The event stream of the job being watched."""
    wait_until: datetime | None = None
    """When the bake or the retry backoff under way ends."""
    stopping: bool = False
    """The rollout stopped and is rolling back."""


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _token() -> str:
    return f"rollout-{uuid.uuid4().hex}"


class Runner:
    """One run of a rollout (fresh, or resumed from its checkpoint), as an async iterator of events."""

    def __init__(
        self,
        client: DeploymentClient,
        plan: RolloutPlan,
        *,
        checkpoint: str | os.PathLike[str] | None,
        gate: Gate | None,
        min_delay: float | None,
        max_delay: float | None,
    ) -> None:
        self._client = client
        self._plan = plan if gate is None else attrs.evolve(plan, gate=gate)
        self._path = None if checkpoint is None else Path(checkpoint)
        self._min_delay = min_delay
        self._max_delay = max_delay
        self._state: RolloutCheckpoint | None = None

    @property
    def report(self) -> RolloutReport | None:
        """The report as it stands (``None`` before the run started)."""
        return None if self._state is None else self._state.report

    # -- the checkpoint --------------------------------------------------------------------------------

    def _load(self) -> RolloutCheckpoint | None:
        if self._path is None or not self._path.exists():
            return None
        state = load(self._path.read_bytes(), RolloutCheckpoint, SCHEMA, what=str(self._path))
        if state.plan != self._plan.digest:
            raise ValidationError(
                str(self._path),
                "<checkpoint>",
                "is the checkpoint of another plan (its digest differs): resume with the plan it was"
                " made for, or start with another checkpoint file",
            )
        return state

    def _save(
        self,
        index: int | None = None,
        stage: Mapping[str, object] | None = None,
        *,
        report: Mapping[str, object] | None = None,
        **changes: object,
    ) -> RolloutCheckpoint:
        """Apply changes to stage ``index``, to the report and to the checkpoint, in one write.

        One step of the rollout is one write, so that a crash keeps all of a
        step's changes or none: a stage's failure with the reason the rollout
        stops, the end of a bake with the end of its wait.
        """
        assert self._state is not None
        new_report = self._state.report
        if index is not None:
            stages = list(new_report.stages)
            stages[index] = attrs.evolve(stages[index], **(stage or {}))  # type: ignore[arg-type]
            new_report = attrs.evolve(new_report, stages=tuple(stages))
        if report:
            new_report = attrs.evolve(new_report, **report)  # type: ignore[arg-type]
        self._state = attrs.evolve(self._state, report=new_report, **changes)  # type: ignore[arg-type]
        if self._path is not None:
            write_atomic(self._path, dump(self._state, SCHEMA))
        return self._state

    def _stage(self, index: int) -> StageReport:
        assert self._state is not None
        return self._state.report.stages[index]

    def _set_stage(self, index: int, **changes: object) -> StageReport:
        return self._save(index, changes).report.stages[index]

    def _set_attempt(self, index: int, rollback: bool = False, **changes: object) -> Attempt:
        stage = self._save(index, self._attempt_changed(index, rollback, **changes)).report.stages[index]
        attempt = stage.rollback if rollback else stage.attempts[-1]
        assert attempt is not None
        return attempt

    def _attempt_changed(self, index: int, rollback: bool, **changes: object) -> dict[str, object]:
        """The change to stage ``index`` that applies ``changes`` to its last attempt (or its rollback)."""
        stage = self._stage(index)
        if rollback:
            assert stage.rollback is not None
            return {"rollback": attrs.evolve(stage.rollback, **changes)}  # type: ignore[arg-type]
        attempt = attrs.evolve(stage.attempts[-1], **changes)  # type: ignore[arg-type]
        return {"attempts": (*stage.attempts[:-1], attempt)}

    def _finish(
        self,
        status: Literal["succeeded", "stopped", "timed_out"],
        reason: str | None,
        index: int | None = None,
        stage: Mapping[str, object] | None = None,
    ) -> None:
        self._save(
            index,
            stage,
            report={"status": status, "reason": reason, "ended_at": _now()},
            watch=None,
            wait_until=None,
        )

    def _stop_at(self, index: int, stage: Mapping[str, object], reason: str) -> StageReport:
        """Record how stage ``index`` ended and why the rollout stops there, in one write."""
        return self._save(index, stage, report={"reason": reason}, stopping=True).report.stages[index]

    # -- the run ------------------------------------------------------------------------------------------

    async def run(self) -> AsyncGenerator[RolloutEvent, None]:
        """The rollout's events, to its end."""
        self._state = self._load()
        if self._state is None:
            await self._begin()
        assert self._state is not None
        if self._state.report.status == "running":
            if not self._state.stopping:
                for index in range(len(self._plan.stages)):
                    async for event in self._run_stage(index):
                        yield event
                    if self._stage(index).status != "succeeded":
                        break
                else:
                    self._finish("succeeded", None)
            if self._state.report.status == "running":
                async for event in self._stop():
                    yield event
        yield RolloutFinished(at=_now(), report=self._state.report)

    async def _begin(self) -> None:
        inspection = await check_plan(self._client, self._plan)
        if inspection.problems:
            raise ValidationError("plan", "<plan>", "cannot be rolled out", inspection.problems)
        stages = []
        for stage, fleet in zip(self._plan.stages, inspection.fleets, strict=True):
            assert fleet is not None
            stages.append(
                StageReport(fleet=stage.fleet, name=fleet.name, previous=await self._previous(fleet.name))
            )
        # Written before anything changes: it holds what each fleet ran before the rollout.
        report = RolloutReport(stages=tuple(stages), started_at=_now())
        self._state = RolloutCheckpoint(plan=self._plan.digest, report=report)
        self._save()

    async def _previous(self, fleet_name: str) -> tuple[DeploymentApplicationConfig, ...] | None:
        async for job in self._client.list_deployment_jobs(fleet_name=fleet_name):
            if job.status is DeploymentStatus.SUCCEEDED:
                return job.deployment_application_configs
        return None

    async def _run_stage(self, index: int) -> AsyncIterator[RolloutEvent]:
        stage = self._stage(index)
        if stage.status != "pending" and stage.status != "running":
            return
        if stage.status == "pending":
            self._set_stage(index, status="running")
        while True:
            assert self._state is not None
            if self._state.report.status != "running":
                return  # the stage's wait timed out
            stage = self._stage(index)
            attempt = stage.attempts[-1] if stage.attempts else None
            if attempt is None or (attempt.status is not None and self._retry_kind(index, attempt)):
                async for event in self._next_attempt(index, attempt):
                    yield event
                continue
            if attempt.job is None or attempt.status is None:
                async for event in self._attempt(index):
                    yield event
                continue
            break
        attempt = self._stage(index).attempts[-1]
        if attempt.status is not DeploymentStatus.SUCCEEDED:
            status: Literal["aborted", "failed"] = "aborted" if attempt.aborted else "failed"
            note = "the early-abort rule held" if attempt.aborted else f"its job ended {attempt.status}"
            self._stop_at(
                index, {"status": status, "note": note}, f"stage {index + 1} ({stage.name}) {status}: {note}"
            )
            yield StageFinished(at=_now(), stage=index, report=self._stage(index))
            return
        async for event in self._bake_and_gate(index):
            yield event

    def _retries(self, index: int) -> int:
        return sum(1 for a in self._stage(index).attempts if a.kind in ("retry", "sync"))

    def _retry_kind(self, index: int, attempt: Attempt) -> AttemptKind | None:
        """How the failed robots of a finished attempt are tried again, or ``None`` if they are not."""
        retries = self._retries(index)
        if attempt.aborted or not attempt.retryable or retries >= self._plan.retry.attempts:
            return None
        # The service's sync deploys a fleet's last *successful* deployment to the robots not in sync:
        # right only when this attempt's job succeeded; otherwise only a new job deploys the new version.
        return "sync" if attempt.status is DeploymentStatus.SUCCEEDED else "retry"

    async def _next_attempt(self, index: int, previous: Attempt | None) -> AsyncIterator[RolloutEvent]:
        if previous is not None:
            kind = self._retry_kind(index, previous)
            assert kind is not None
            await self._sleep_for(self._plan.retry.delay(self._retries(index) + 1))
        else:
            kind = "deploy"
        attempt = Attempt(kind=kind, token=_token())
        # The token is on disk before the call that uses it: a crash in between re-sends the same call.
        # The backoff's end is cleared in the same write (see _sleep_for).
        attempts = (*self._stage(index).attempts, attempt)
        stage = self._save(index, {"attempts": attempts}, wait_until=None).report.stages[index]
        if previous is not None:
            robots = tuple(previous.failed)
            yield StageRetried(at=_now(), stage=index, report=stage, attempt=attempt, robots=robots)

    async def _attempt(self, index: int) -> AsyncIterator[RolloutEvent]:
        stage, plan_stage = self._stage(index), self._plan.stages[index]
        attempt = stage.attempts[-1]
        if attempt.job is None:
            job = await self._create(plan_stage.fleet, attempt, self._plan.application_configs, index)
            attempt = self._set_attempt(index, job=job.arn, started_at=_now())
            yield StageStarted(at=_now(), stage=index, report=self._stage(index), attempt=attempt)
        async for event in self._watch(index, attempt, rollback=False):
            yield event

    async def _create(
        self,
        fleet: str,
        attempt: Attempt,
        configs: tuple[DeploymentApplicationConfig, ...],
        index: int,
    ) -> DeploymentJob:
        if attempt.kind == "sync":
            return await self._client.sync_deployment_job(fleet=fleet, client_request_token=attempt.token)
        config = None if attempt.kind == "rollback" else self._plan.stages[index].deployment_config
        return await self._client.create_deployment_job(
            fleet=fleet,
            application_configs=configs,
            deployment_config=config,
            client_request_token=attempt.token,
        )

    async def _watch(self, index: int, attempt: Attempt, *, rollback: bool) -> AsyncIterator[RolloutEvent]:
        assert self._state is not None and attempt.job is not None
        job, watch = attempt.job, self._state.watch
        resume = watch if watch is not None and watch.job == job else None
        events = self._client.deployment_events(
            job,
            timeout=self._plan.stage_timeout,
            min_delay=self._min_delay,
            max_delay=self._max_delay,
            resume=resume,
        )
        abort = None if rollback else self._plan.abort
        if attempt.aborted and resume is not None and not resume.state.ended:
            # Resumed after deciding to abort: the cancel may not have been sent (it is idempotent).
            await self._client.cancel_deployment_job(job)
        try:
            async for event in events:
                yield event
                self._save(watch=events.checkpoint())
                ended = isinstance(event, (RobotSucceeded, RobotFailed))
                if abort is not None and ended and not attempt.aborted:
                    states = events.checkpoint().state.robots.values()
                    finished = sum(1 for r in states if r.status.is_terminal)
                    failed = sum(1 for r in states if r.status.is_failed)
                    if abort.holds(finished, failed):
                        attempt = self._set_attempt(index, aborted=True)  # before the call that acts on it
                        report = self._stage(index)
                        yield StageAborted(
                            at=_now(), stage=index, report=report, finished=finished, failed=failed
                        )
                        await self._client.cancel_deployment_job(job)
        except WaiterTimeoutError as exc:
            reason = f"stage {index + 1} ({self._stage(index).name}): {exc}"
            self._finish("timed_out", reason, index, {"status": "timed_out", "note": str(exc)})
            yield StageFinished(at=_now(), stage=index, report=self._stage(index))
            return
        finally:
            await events.aclose()
        outcome = events.outcome
        assert outcome is not None
        changed = self._attempt_changed(
            index,
            rollback,
            status=outcome.job.status,
            ended_at=_now(),
            succeeded=tuple(r.arn for r in outcome.by_status.get(RobotStatus.IN_SYNC, ())),
            failed={r.arn: r.failure_code for r in outcome.failed},
        )
        self._save(index, changed, watch=None)

    async def _bake_and_gate(self, index: int) -> AsyncIterator[RolloutEvent]:
        stage = self._stage(index)
        if not stage.baked:
            await self._sleep_for(self._plan.stages[index].bake)
            stage = self._save(index, {"baked": True}, wait_until=None).report.stages[index]
            yield StageBaked(at=_now(), stage=index, report=stage)
        if self._plan.gate is not None and stage.gate is None:
            answer = await run_gate(self._plan.gate, stage, timeout=self._plan.gate_timeout)
            passed = answer.passed
            note = (
                None
                if passed or answer.verdict == "refused"
                else f"the gate {answer.verdict}: {answer.detail}"
            )
            stage = self._set_stage(index, gate="passed" if passed else "refused", note=note)
            if passed:
                yield GatePassed(at=_now(), stage=index, report=stage)
        if stage.gate == "refused":
            changes = {"status": "refused", "note": stage.note or "the gate refused"}
            stage = self._stop_at(index, changes, f"stage {index + 1} ({stage.name}): {changes['note']}")
            yield GateRefused(at=_now(), stage=index, report=stage)
            yield StageFinished(at=_now(), stage=index, report=stage)
            return
        stage = self._set_stage(index, status="succeeded")
        yield StageFinished(at=_now(), stage=index, report=stage)

    async def _sleep_for(self, seconds: float) -> None:
        # The end is on disk first: a resumed bake or backoff waits only what is left of it. The
        # caller clears it in the write that records what the wait was for (baked, the next attempt):
        # cleared any earlier, a crash in between would wait the whole time again.
        assert self._state is not None
        if seconds <= 0:
            return
        until = self._state.wait_until
        if until is None:
            until = _now() + timedelta(seconds=seconds)
            self._save(wait_until=until)
        await anyio.sleep(max(0.0, (until - _now()) / timedelta(seconds=1)))

    # -- stopping and rolling back -----------------------------------------------------------------------

    async def _stop(self) -> AsyncIterator[RolloutEvent]:
        assert self._state is not None
        if self._plan.rollback:
            for index in reversed(range(len(self._plan.stages))):
                stage = self._stage(index)
                if not stage.changed:
                    continue
                if stage.previous is None:
                    if stage.note != _NOTHING_TO_ROLL_BACK:
                        self._set_stage(index, note=_NOTHING_TO_ROLL_BACK)
                    continue
                async for event in self._roll_back(index, stage.previous):
                    yield event
        self._finish("stopped", self._state.report.reason)

    async def _roll_back(
        self, index: int, previous: tuple[DeploymentApplicationConfig, ...]
    ) -> AsyncIterator[RolloutEvent]:
        stage = self._stage(index)
        attempt = stage.rollback
        if attempt is not None and attempt.status is not None:
            return
        if attempt is None:
            attempt = Attempt(kind="rollback", token=_token())
            self._set_stage(index, rollback=attempt)
        if attempt.job is None:
            job = await self._create(stage.fleet, attempt, previous, index)
            attempt = self._set_attempt(index, rollback=True, job=job.arn, started_at=_now())
        async for event in self._watch(index, attempt, rollback=True):
            yield event
        rolled = self._stage(index).rollback
        assert rolled is not None
        yield RolledBack(at=_now(), stage=index, report=self._stage(index), attempt=rolled)
