"""When a watch expects its robots to end: a forecast from its snapshots, to poll when an end can come.

A watch polls to notice each robot's end, and its snapshots say when some
of those ends cannot come yet. The forecast reads only what the service
reported about the job being watched:

* a robot that has not started cannot end. Before any robot of the job has
  started nothing is expected, and the watch polls once per ``max_delay``;
  a robot pending its slot while others run starts when one of them ends,
  which is noticed anyway;
* a robot that reports the time remaining in its step
  (``estimatedTimeRemainingSeconds``, which the service gives during
  DownloadingExtracting) is not expected to end before that step does;
  without it, the rate at which its ``percentDone`` grew between two polls
  says the same;
* the robots of the job that finished say how long the rest takes: the
  shortest time from the end of a reported step to a robot's finish, and
  the shortest deployment from start to finish, are the least any other
  robot of the job is expected to take.

A robot of which nothing is known (validating, before any robot of the job
finished) may end at any moment, and so may the job once no robot runs: the
forecast is then ``0`` and the plain backoff applies. Failures are never
forecast: a robot that fails during a quiet time is noticed at the next
poll, at most ``max_delay`` later, as under any schedule bounded by it.

:meth:`Forecast.quiet` feeds ``WaitPolicy.next_delay(quiet=...)``, whose
backoff then counts from the end of the quiet time. Times are seconds since
the epoch on our clock (``WaitClock.wall``); the service's timestamps are
read on it less however far its clock was seen to run ahead.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Protocol, TypeVar

import attrs

from .._enums import RobotDeploymentStep, RobotStatus
from .._models import DescribedDeploymentJob, RobotDeployment

__all__ = ["Forecast", "Outlook"]

S_contra = TypeVar("S_contra", contravariant=True)


class Outlook(Protocol[S_contra]):
    """What a poll loop asks of a forecast: fold in each snapshot, then say how long nothing is expected."""

    def observe(self, snapshot: S_contra, at: float) -> Outlook[S_contra]:
        """The forecast after ``snapshot``, which a poll returned at ``at``."""
        ...

    def quiet(self, at: float) -> float:
        """Seconds from ``at`` before which nothing is expected (``math.inf``: nothing for now)."""
        ...


@attrs.frozen
class Reported:
    """A step a robot reported progress in: when it is expected to end, once that is known."""

    step: RobotDeploymentStep
    at: float
    """When the percentage below was seen (the base of a rate)."""
    percent: float | None
    """How far through the step the robot was then."""
    ends: float | None
    """When the step is expected to end (from the time remaining, or the percentage's rate)."""


def _least(known: float | None, seen: float) -> float:
    return seen if known is None else min(known, seen)


# Read-only copies, so that a forecast is a value: each observe() builds the next one.
def _reports(mapping: Mapping[str, Reported]) -> Mapping[str, Reported]:
    return MappingProxyType(dict(mapping))


def _spans(mapping: Mapping[RobotDeploymentStep, float]) -> Mapping[RobotDeploymentStep, float]:
    return MappingProxyType(dict(mapping))


@attrs.frozen(kw_only=True)
class Forecast:
    """What a watch learned of its job's robots (a value: :meth:`observe` returns the next one)."""

    job: DescribedDeploymentJob | None = None
    """The last snapshot."""
    reported: Mapping[str, Reported] = attrs.field(factory=dict, converter=_reports)
    """Robot ARN -> the last step it reported progress in."""
    ended: frozenset[str] = frozenset()
    """Robots already seen ended (each is learned from once)."""
    after_step: Mapping[RobotDeploymentStep, float] = attrs.field(factory=dict, converter=_spans)
    """Step -> the shortest time from its end to a robot's finish, among the robots that succeeded."""
    shortest_run: float | None = None
    """The shortest deployment of a robot that succeeded, from its start to its finish."""
    ahead: float = 0.0
    """How far the service's clock was seen to run ahead of ours: a timestamp later than the poll
    that returned it says so (one that runs behind cannot be told from the past, and only makes
    the forecast shorter)."""

    def observe(self, job: DescribedDeploymentJob, at: float) -> Forecast:
        """The forecast after ``job``, a snapshot returned at ``at``."""
        reported = dict(self.reported)
        ended = set(self.ended)
        after = dict(self.after_step)
        run = self.shortest_run
        stamps = [
            stamp.timestamp()
            for robot in job.robot_deployment_summary
            for stamp in (robot.deployment_start_time, robot.deployment_finish_time)
            if stamp is not None
        ]
        ahead = max([self.ahead, *(stamp - at for stamp in stamps)])
        for robot in job.robot_deployment_summary:
            arn = robot.arn
            if robot.status.is_terminal:
                if arn in ended:
                    continue
                ended.add(arn)
                last = reported.pop(arn, None)
                start, finish = robot.deployment_start_time, robot.deployment_finish_time
                # Only a success shows how long the whole deployment takes; a failure cuts it short.
                if robot.status is RobotStatus.IN_SYNC and finish is not None:
                    if start is not None:
                        run = _least(run, finish.timestamp() - start.timestamp())
                    if last is not None and last.ends is not None:
                        finished = finish.timestamp() - ahead  # on our clock, as the step's end is
                        after[last.step] = _least(after.get(last.step), finished - last.ends)
                continue
            seen = _progress(robot, reported.get(arn), at)
            if seen is not None:
                reported[arn] = seen
        return Forecast(
            job=job,
            reported=reported,
            ended=frozenset(ended),
            after_step=after,
            shortest_run=run,
            ahead=ahead,
        )

    def quiet(self, at: float) -> float:
        """Seconds from ``at`` before which no robot is expected to end (see the module docs)."""
        if self.job is None:
            return 0.0
        started = False
        soonest = math.inf
        for robot in self.job.robot_deployment_summary:
            if robot.status.is_terminal:
                started = True
                continue
            if (
                robot.deployment_start_time is None
                and robot.progress_detail is None
                and robot.status is not RobotStatus.DEPLOYING
            ):
                continue  # pending its slot: it starts when the job starts, or another robot ends
            started = True
            expected = self.expected_end(robot)
            if expected is None:
                return 0.0
            soonest = min(soonest, expected)
        if not started:
            return math.inf
        if soonest == math.inf:  # no robot runs: the job's own end is due
            return 0.0
        return max(0.0, soonest - at)

    def expected_end(self, robot: RobotDeployment) -> float | None:
        """The earliest a running robot is expected to end, or ``None`` if nothing says."""
        bounds: list[float] = []
        last = self.reported.get(robot.arn)
        if last is not None and last.ends is not None:
            bounds.append(last.ends + self.after_step.get(last.step, 0.0))
        start = robot.deployment_start_time
        if start is not None and self.shortest_run is not None:
            bounds.append(start.timestamp() - self.ahead + self.shortest_run)
        return max(bounds) if bounds else None


def _progress(robot: RobotDeployment, last: Reported | None, at: float) -> Reported | None:
    """What ``robot``'s progress says of when its step ends (``None``: nothing new)."""
    progress = robot.progress_detail
    if progress is None or progress.current_progress is None:
        return None
    step, percent = progress.current_progress, progress.percent_done
    if progress.estimated_time_remaining_seconds is not None:
        return Reported(step, at, percent, at + progress.estimated_time_remaining_seconds)
    if percent is None:
        return None  # a step without progress figures: the last timed step still says the most
    if last is None or last.step is not step or last.percent is None:
        return Reported(step, at, percent, None)
    if percent <= last.percent or at <= last.at:
        return None
    rate = (percent - last.percent) / (at - last.at)
    # The first sighting stays the base: the longer the span, the steadier the rate.
    return attrs.evolve(last, ends=at + (100.0 - percent) / rate)
