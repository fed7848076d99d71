"""What a rollout tells as it goes: stage events, between the deployment events of each stage's job.

``async for event in rollout`` yields these and the typed deployment events
(``RobotFailed``...) of the job a stage is running, in order. Like those, a
stage event is delivered at least once: a rollout resumed from its
checkpoint may repeat the events after the last checkpoint written.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from .._waiting.events import DeploymentEvent
from .report import Attempt, RolloutReport, StageReport

__all__ = [
    "GatePassed",
    "GateRefused",
    "RolledBack",
    "RolloutEvent",
    "RolloutFinished",
    "StageAborted",
    "StageBaked",
    "StageEvent",
    "StageFinished",
    "StageRetried",
    "StageStarted",
]


@attrs.frozen(kw_only=True)
class StageEvent:
    """Something that happened to one stage of a rollout."""

    at: datetime
    """When it happened (UTC)."""
    stage: int
    """The stage's place in the plan (0 for the first)."""
    report: StageReport
    """The stage as it stands after the event."""

    @property
    def fleet(self) -> str:
        """The stage's fleet ARN."""
        return self.report.fleet


@attrs.frozen(kw_only=True)
class StageStarted(StageEvent):
    """The stage's deployment job was created."""

    attempt: Attempt


@attrs.frozen(kw_only=True)
class StageRetried(StageEvent):
    """Robots that failed for a transient reason are being tried again (a new job, or a sync)."""

    attempt: Attempt
    robots: tuple[str, ...]
    """The robots being tried again."""


@attrs.frozen(kw_only=True)
class StageAborted(StageEvent):
    """The early-abort rule held: the stage's job is being cancelled before the service's threshold."""

    finished: int
    failed: int


@attrs.frozen(kw_only=True)
class StageBaked(StageEvent):
    """The stage succeeded and its bake time is over."""


@attrs.frozen(kw_only=True)
class GatePassed(StageEvent):
    """The gate let the rollout go on after this stage."""


@attrs.frozen(kw_only=True)
class GateRefused(StageEvent):
    """The gate refused: the rollout stops after this stage."""


@attrs.frozen(kw_only=True)
class StageFinished(StageEvent):
    """The stage is over, however it ended (``report.status``)."""


@attrs.frozen(kw_only=True)
class RolledBack(StageEvent):
    """The stage's fleet was deployed back to what it ran before the rollout."""

    attempt: Attempt


@attrs.frozen(kw_only=True)
class RolloutFinished:
    """The rollout ended: the last event, with the whole report."""

    at: datetime
    report: RolloutReport


RolloutEvent = StageEvent | RolloutFinished | DeploymentEvent
"""Anything a rollout yields."""
