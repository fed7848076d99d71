"""What a rollout did, stage by stage: the report it returns, which is also what its checkpoint records.

A :class:`RolloutReport` is plain data, grown as the rollout goes and
written to its checkpoint after every step, so the report of a rollout that
was killed and resumed is the whole report, not the half after the restart.
Each stage holds its attempts (one deployment job each, with how it ended
robot by robot), whether it baked and passed its gate, and the job that
rolled it back, if any; the totals are computed from them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Literal

import attrs

from .._enums import DeploymentStatus, FailureCode
from .._models import DeploymentApplicationConfig
from .gates import GateResult

__all__ = ["Attempt", "AttemptKind", "RolloutReport", "RolloutStatus", "StageReport", "StageStatus"]

AttemptKind = Literal["deploy", "retry", "sync", "rollback"]
"""Why a job was made: the stage's deployment, a retry (a new job, or a sync), or a rollback."""
StageStatus = Literal["pending", "running", "succeeded", "failed", "aborted", "refused", "timed_out"]
"""Where a stage is, or how it ended (``refused``: its gate said no)."""
RolloutStatus = Literal["running", "succeeded", "stopped", "timed_out"]
"""Where a rollout is, or how it ended (``stopped``: a failure, an abort or a refused gate)."""


def _codes(value: Mapping[str, FailureCode | None]) -> Mapping[str, FailureCode | None]:
    return MappingProxyType(dict(value))


def _arns(value: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class Attempt:
    """One deployment job of a stage, and how it ended robot by robot."""

    kind: AttemptKind
    token: str
    """The client request token of the job (a resumed rollout re-sends it: never two jobs)."""
    job: str | None = None
    """The job's ARN, once the service made it."""
    status: DeploymentStatus | None = None
    """How the job ended (``None`` while it runs)."""
    started_at: datetime | None = None
    ended_at: datetime | None = None
    succeeded: tuple[str, ...] = attrs.field(default=(), converter=_arns)
    """Robots that ended in sync."""
    failed: Mapping[str, FailureCode | None] = attrs.field(factory=dict, converter=_codes)
    """Robots that failed on their own, with their failure codes."""
    cancelled: tuple[str, ...] = attrs.field(default=(), converter=_arns)
    """Robots the rollout's own cancel stopped before they finished (an early abort, a timeout):
    not failed, never retried."""
    deadline: datetime | None = None
    """When the rollout stops waiting for the job (``stage_timeout`` after it started, or after the
    cancel was sent)."""
    aborted: bool = False
    """The early-abort rule held while the job ran, so the rollout cancelled it."""
    abort_finished: int = 0
    """When the rule held: robots finished so far."""
    abort_failed: int = 0
    """When the rule held: robots failed so far."""
    timed_out: bool = False
    """The job was still running at its deadline, so the rollout cancelled it."""
    cancelled_at: datetime | None = None
    """When the rollout's cancel (after an abort or a timeout) was sent."""

    @property
    def duration(self) -> timedelta | None:
        """How long the job took, once it ended."""
        return None if self.started_at is None or self.ended_at is None else self.ended_at - self.started_at

    @property
    def retryable(self) -> bool:
        """Every failed robot failed for a reason a retry may fix (and some did fail)."""
        return bool(self.failed) and all(code is not None and code.retryable for code in self.failed.values())


@attrs.frozen(kw_only=True)
class StageReport:
    """One stage: its fleet, what it ran before, its attempts, its bake and gate, and its rollback."""

    fleet: str
    name: str
    status: StageStatus = "pending"
    previous: tuple[DeploymentApplicationConfig, ...] | None = None
    """What the fleet's last successful deployment deployed, recorded before the rollout touched it."""
    attempts: tuple[Attempt, ...] = ()
    baked: bool = False
    gate: GateResult | None = None
    """What the plan's gate answered after the bake (``None``: not asked, or no gate)."""
    rollback: Attempt | None = None
    """The job that deployed ``previous`` back, if the rollout stopped after changing this fleet."""
    note: str | None = None
    """Why the stage ended as it did, in a sentence (a refusal, an abort, nothing to roll back to)."""

    @property
    def changed(self) -> bool:
        """The rollout made at least one job on this fleet (so a rollback concerns it)."""
        return any(attempt.job is not None for attempt in self.attempts)

    @property
    def cancelled(self) -> frozenset[str]:
        """Robots the rollout's cancel (an early abort, a timeout) stopped in the stage's last attempt."""
        return frozenset(self.attempts[-1].cancelled) if self.attempts else frozenset()

    @property
    def updated(self) -> frozenset[str]:
        """Robots the stage brought to the new version (in sync after an attempt, not failed since)."""
        done: set[str] = set()
        for attempt in self.attempts:
            done.update(attempt.succeeded)
            done.difference_update(attempt.failed)
        return frozenset(done)

    @property
    def failed(self) -> frozenset[str]:
        """Robots still failed after the stage's last attempt."""
        return frozenset(self.attempts[-1].failed) if self.attempts else frozenset()

    @property
    def retried(self) -> frozenset[str]:
        """Robots that failed an attempt and were tried again."""
        again: set[str] = set()
        for earlier, later in zip(self.attempts, self.attempts[1:], strict=False):
            if later.kind in ("retry", "sync"):
                again.update(earlier.failed)
        return frozenset(again)

    @property
    def duration(self) -> timedelta:
        """Time spent in the stage's jobs."""
        return sum((a.duration for a in self.attempts if a.duration is not None), timedelta())


@attrs.frozen(kw_only=True)
class RolloutReport:
    """A whole rollout: how it ended and why, its stages, the robots updated, lost, retried, rolled back."""

    status: RolloutStatus = "running"
    reason: str | None = None
    """Why it stopped or timed out, in a sentence."""
    stages: tuple[StageReport, ...] = ()
    started_at: datetime | None = None
    ended_at: datetime | None = None

    @property
    def succeeded(self) -> bool:
        """Every stage was deployed, baked and let through."""
        return self.status == "succeeded"

    @property
    def robots_updated(self) -> frozenset[str]:
        """Robots on the new version (rolled-back fleets excluded)."""
        return frozenset().union(*(s.updated for s in self.stages if s.rollback is None))

    @property
    def robots_failed(self) -> frozenset[str]:
        """Robots whose last attempt failed."""
        return frozenset().union(*(s.failed for s in self.stages))

    @property
    def robots_cancelled(self) -> frozenset[str]:
        """Robots stopped by the rollout's own cancel (an early abort, a timeout): not counted as failed."""
        return frozenset().union(*(s.cancelled for s in self.stages))

    @property
    def robots_retried(self) -> frozenset[str]:
        """Robots that were tried again after a transient failure."""
        return frozenset().union(*(s.retried for s in self.stages))

    @property
    def robots_rolled_back(self) -> frozenset[str]:
        """Robots of the fleets deployed back to their previous version."""
        return frozenset().union(*(set(s.rollback.succeeded) for s in self.stages if s.rollback is not None))
