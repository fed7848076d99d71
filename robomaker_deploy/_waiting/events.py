"""Typed events: what changed in a deployment job between two snapshots, as a pure function.

A watch yields whole snapshots; orchestration code wants to know what
*changed*: the job's status, a robot that started, moved to another step,
succeeded, failed (and why), appeared or left. :func:`diff` computes those
events from the state seen so far (a :class:`JobState`) and a new snapshot,
and returns the state after them; :meth:`JobState.apply` folds one event
into a state. The two agree by construction and by property test: folding
the events of any sequence of snapshots gives each snapshot's per-robot
status and step, identical snapshots give no events, and no robot is
reported as ended twice. Nothing here does I/O, so the event stream
(``stream``) can checkpoint the state after each delivered event and resume
from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import TypeVar

import attrs

from .._enums import DeploymentStatus, FailureCategory, FailureCode, RobotDeploymentStep, RobotStatus
from .._models import DescribedDeploymentJob, RobotDeployment
from .._outcome import DeploymentOutcome

__all__ = [
    "DeploymentEvent",
    "JobEnded",
    "JobState",
    "JobStatusChanged",
    "RobotAppeared",
    "RobotEvent",
    "RobotFailed",
    "RobotLeft",
    "RobotStarted",
    "RobotState",
    "RobotStatusChanged",
    "RobotStepChanged",
    "RobotSucceeded",
    "diff",
    "state_of",
]


def _step(robot: RobotDeployment) -> RobotDeploymentStep | None:
    return robot.progress_detail.current_progress if robot.progress_detail is not None else None


# -- the events -----------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class DeploymentEvent:
    """Something that changed in a deployment job, seen by one poll."""

    observed_at: datetime
    """When the poll that saw it returned (UTC)."""
    snapshot: DescribedDeploymentJob
    """The job as that poll saw it."""

    @property
    def job(self) -> str:
        """The job's ARN."""
        return self.snapshot.arn


@attrs.frozen(kw_only=True)
class JobStatusChanged(DeploymentEvent):
    """The job moved to another status (Pending, Preparing, InProgress, or how it ended)."""

    previous: DeploymentStatus | None
    """The status seen before (``None`` for the first poll)."""
    status: DeploymentStatus


@attrs.frozen(kw_only=True)
class JobEnded(DeploymentEvent):
    """The job ended: the last event of a stream, with the whole outcome."""

    outcome: DeploymentOutcome


@attrs.frozen(kw_only=True)
class RobotEvent(DeploymentEvent):
    """Something that happened to one robot of the job; ``robot`` is its record after it."""

    robot: RobotDeployment

    @property
    def arn(self) -> str:
        """The robot's ARN."""
        return self.robot.arn

    @property
    def step(self) -> RobotDeploymentStep | None:
        """The step the robot is at (``None`` before its first one)."""
        return _step(self.robot)


@attrs.frozen(kw_only=True)
class RobotAppeared(RobotEvent):
    """A robot the job had not shown before: every robot at the first poll, or one a sync added."""


@attrs.frozen(kw_only=True)
class RobotStarted(RobotEvent):
    """A robot began deploying (it got its slot)."""


@attrs.frozen(kw_only=True)
class RobotStepChanged(RobotEvent):
    """A deploying robot moved to another step; progress and time remaining as the service reported them."""

    @property
    def percent_done(self) -> float | None:
        """How far into the step the robot is (only some steps report it)."""
        return self.robot.progress_detail.percent_done if self.robot.progress_detail else None

    @property
    def time_remaining(self) -> int | None:
        """Seconds the service expects the step to take still (only some steps report it)."""
        detail = self.robot.progress_detail
        return detail.estimated_time_remaining_seconds if detail else None


@attrs.frozen(kw_only=True)
class RobotStatusChanged(RobotEvent):
    """Any other change of a robot's status (after its end, or one the lifecycle does not name)."""

    previous: RobotStatus


@attrs.frozen(kw_only=True)
class RobotSucceeded(RobotEvent):
    """A robot is in sync with the deployed version: its part of the job is done."""


@attrs.frozen(kw_only=True)
class RobotFailed(RobotEvent):
    """A robot's part of the job failed (Failed, or NoResponse from a robot that stopped answering)."""

    @property
    def failure_code(self) -> FailureCode | None:
        """Why, as the service's code (``None`` if it gave none)."""
        return self.robot.failure_code

    @property
    def category(self) -> FailureCategory:
        """The code's family (``unknown`` without a code)."""
        code = self.robot.failure_code
        return code.category if code is not None else FailureCategory.UNKNOWN

    @property
    def retryable(self) -> bool:
        """Whether deploying the same again may succeed (the taxonomy's word on the code)."""
        code = self.robot.failure_code
        return code is not None and code.retryable

    @property
    def reason(self) -> str | None:
        """The service's explanation, if any."""
        return self.robot.failure_reason


@attrs.frozen(kw_only=True)
class RobotLeft(DeploymentEvent):
    """A robot the job showed before is no longer in it (it was deregistered)."""

    arn: str
    """The robot's ARN."""
    last: RobotState
    """Where it was when last seen."""


# -- the state the events fold into -----------------------------------------------------------------


@attrs.frozen
class RobotState:
    """What the events said of one robot so far."""

    status: RobotStatus
    step: RobotDeploymentStep | None = None


def _frozen(robots: Mapping[str, RobotState]) -> Mapping[str, RobotState]:
    return MappingProxyType(dict(robots))


def _arns(items: Iterable[str]) -> frozenset[str]:
    return frozenset(items)


@attrs.frozen(kw_only=True)
class JobState:
    """What the events said of a job so far: its status, each robot's, and whether it ended."""

    status: DeploymentStatus | None = None
    robots: Mapping[str, RobotState] = attrs.field(factory=dict, converter=_frozen)
    finished_robots: frozenset[str] = attrs.field(default=frozenset(), converter=_arns)
    """Robots whose success or failure was reported (never twice, even if one leaves and comes back)."""
    ended: bool = False
    """:class:`JobEnded` was delivered."""

    def apply(self, event: DeploymentEvent) -> JobState:
        """The state after ``event``."""
        if isinstance(event, JobStatusChanged):
            return attrs.evolve(self, status=event.status)
        if isinstance(event, JobEnded):
            return attrs.evolve(self, status=event.snapshot.status, ended=True)
        if isinstance(event, RobotLeft):
            return attrs.evolve(self, robots={k: v for k, v in self.robots.items() if k != event.arn})
        if isinstance(event, RobotEvent):
            robots = {**self.robots, event.arn: RobotState(event.robot.status, event.step)}
            if isinstance(event, (RobotSucceeded, RobotFailed)):
                return attrs.evolve(self, robots=robots, finished_robots=self.finished_robots | {event.arn})
            return attrs.evolve(self, robots=robots)
        return self

    def apply_all(self, events: Iterable[DeploymentEvent]) -> JobState:
        """The state after ``events``, in order: what :meth:`apply` one by one gives, in one pass."""
        status, ended = self.status, self.ended
        robots = dict(self.robots)
        finished = set(self.finished_robots)
        for event in events:
            if isinstance(event, JobStatusChanged):
                status = event.status
            elif isinstance(event, JobEnded):
                status, ended = event.snapshot.status, True
            elif isinstance(event, RobotLeft):
                robots.pop(event.arn, None)
            elif isinstance(event, RobotEvent):
                robots[event.arn] = RobotState(event.robot.status, event.step)
                if isinstance(event, (RobotSucceeded, RobotFailed)):
                    finished.add(event.arn)
        return JobState(status=status, robots=robots, finished_robots=finished, ended=ended)


R = TypeVar("R", bound=RobotEvent)


def _robot_event(
    before: RobotState | None,
    finished: bool,
    robot: RobotDeployment,
    seen: datetime,
    snapshot: DescribedDeploymentJob,
) -> RobotEvent | None:
    status, step = robot.status, _step(robot)

    def make(cls: type[R]) -> R:
        return cls(observed_at=seen, snapshot=snapshot, robot=robot)

    if before is not None and (before.status, before.step) == (status, step):
        return None
    if not finished and status is RobotStatus.IN_SYNC:
        return make(RobotSucceeded)
    if not finished and status.is_failed:
        return make(RobotFailed)
    if before is None:
        return make(RobotStarted if status is RobotStatus.DEPLOYING else RobotAppeared)
    if status is RobotStatus.DEPLOYING and before.status is not RobotStatus.DEPLOYING:
        return make(RobotStarted)
    if status is before.status:
        return make(RobotStepChanged)
    return RobotStatusChanged(observed_at=seen, snapshot=snapshot, robot=robot, previous=before.status)


def diff(state: JobState, snapshot: DescribedDeploymentJob, observed_at: datetime) -> list[DeploymentEvent]:
    """The events between what ``state`` says and ``snapshot``, in the order a reader expects them.

    A new non-final status comes first (the job started before its robots
    did), a final one last (after the robots whose ends made it). The job's
    end itself (:class:`JobEnded`, which carries the outcome of the whole
    wait) is the stream's to add.
    """
    events: list[DeploymentEvent] = []
    changed = state.status is not snapshot.status
    status_event = JobStatusChanged(
        observed_at=observed_at, snapshot=snapshot, previous=state.status, status=snapshot.status
    )
    if changed and not snapshot.status.is_terminal:
        events.append(status_event)
    present = set()
    for robot in snapshot.robot_deployment_summary:
        present.add(robot.arn)
        finished = robot.arn in state.finished_robots
        event = _robot_event(state.robots.get(robot.arn), finished, robot, observed_at, snapshot)
        if event is not None:
            events.append(event)
    events.extend(
        RobotLeft(observed_at=observed_at, snapshot=snapshot, arn=arn, last=last)
        for arn, last in state.robots.items()
        if arn not in present
    )
    if changed and snapshot.status.is_terminal:
        events.append(status_event)
    return events


def state_of(snapshot: DescribedDeploymentJob) -> JobState:
    """The state the events of ``snapshot`` alone fold into (what a watch reported once it yielded it)."""
    return JobState().apply_all(diff(JobState(), snapshot, snapshot.created_at))
