"""How a wait ended, in one value: the final job, what it cost, and its robots sorted for reacting.

Every way of waiting ends with a :class:`DeploymentOutcome`: the job-ended
event carries it, :class:`DeploymentFailedError` carries it, and a
:class:`DeploymentWaitTimeoutError` carries a partial one (up to the last
poll). The CLI's and the demo's summary tables are drawn from it. It is plain
data: the groupings are computed from the job on demand. The two errors a
wait raises live here, beside the outcome they carry, so that everything
below (``_models``, ``_enums``, ``_errors``) can be imported without it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs

from ._enums import DeploymentStatus, FailureCategory, FailureCode, RobotStatus
from ._models import DeploymentJob, DescribedDeploymentJob, Fleet, RobotDeployment

__all__ = ["DeploymentFailedError", "DeploymentOutcome", "DeploymentWaitTimeoutError", "WaiterTimeoutError"]


@attrs.frozen(kw_only=True)
class DeploymentOutcome:
    """The end of a wait on a deployment job (or where it stood when the wait gave up)."""

    job: DeploymentJob
    """The last job seen: the final one, robots included, once the job ended."""
    polls: int
    """Polls the wait made, failed ones included (and those before a resume)."""
    elapsed: float
    """Seconds from the start of the wait (the first one, for a resumed wait) to its end."""

    @property
    def finished(self) -> bool:
        """The job ended (Succeeded, Failed or Canceled); ``False`` for a wait that gave up first."""
        return self.job.status.is_terminal

    @property
    def succeeded(self) -> bool:
        """The job ended Succeeded."""
        return self.job.status is DeploymentStatus.SUCCEEDED

    @property
    def robots(self) -> tuple[RobotDeployment, ...]:
        """Every robot of the job (none if the last job seen came from a listing)."""
        return self.job.robot_deployment_summary if isinstance(self.job, DescribedDeploymentJob) else ()

    @property
    def by_status(self) -> Mapping[RobotStatus, tuple[RobotDeployment, ...]]:
        """The robots, by their status."""
        groups: dict[RobotStatus, list[RobotDeployment]] = {}
        for robot in self.robots:
            groups.setdefault(robot.status, []).append(robot)
        return MappingProxyType({status: tuple(robots) for status, robots in groups.items()})

    @property
    def failed(self) -> tuple[RobotDeployment, ...]:
        """The robots that failed (Failed, NoResponse, or any with a failure code), with code and reason."""
        return tuple(r for r in self.robots if r.failure_code is not None or r.status.is_failed)

    @property
    def failed_by_code(self) -> Mapping[FailureCode | None, tuple[RobotDeployment, ...]]:
        """The failed robots, by failure code (``None``: the service gave none)."""
        groups: dict[FailureCode | None, list[RobotDeployment]] = {}
        for robot in self.failed:
            groups.setdefault(robot.failure_code, []).append(robot)
        return MappingProxyType({code: tuple(robots) for code, robots in groups.items()})

    @property
    def failed_by_category(self) -> Mapping[FailureCategory, tuple[RobotDeployment, ...]]:
        """The failed robots, by the family of their failure code."""
        groups: dict[FailureCategory, list[RobotDeployment]] = {}
        for robot in self.failed:
            code = robot.failure_code
            groups.setdefault(code.category if code else FailureCategory.UNKNOWN, []).append(robot)
        return MappingProxyType({category: tuple(robots) for category, robots in groups.items()})

    @property
    def retryable(self) -> tuple[RobotDeployment, ...]:
        """The failed robots whose code says the same deployment may succeed if tried again."""
        return tuple(r for r in self.failed if r.failure_code is not None and r.failure_code.retryable)

    @property
    def summary(self) -> str:
        """One line: the status, robots done and failed, polls and time (what a log line wants)."""
        robots = self.robots
        done = sum(1 for r in robots if r.status.is_terminal)
        text = f"{self.job.status.value}: {done}/{len(robots)} robots done, {len(self.failed)} failed"
        return f"{text}; {self.polls} poll(s) in {self.elapsed:.1f}s"


class DeploymentFailedError(Exception):
    """A waited-on deployment ended Failed or Canceled instead of Succeeded.

    ``job`` is the final job (robot summaries included), ``failure_code`` its
    code (with ``description``, ``category`` and ``retryable`` from the
    taxonomy), ``failed_robots`` the robots that failed, each with its own
    code and reason, and ``outcome`` the whole :class:`DeploymentOutcome`
    (polls, time, robots by status, failures by code and category).
    """

    def __init__(self, job: DescribedDeploymentJob, *, outcome: DeploymentOutcome | None = None) -> None:
        self.job = job
        self.outcome = outcome if outcome is not None else DeploymentOutcome(job=job, polls=0, elapsed=0.0)
        self.failure_code: FailureCode | None = job.failure_code
        self.failed_robots: tuple[RobotDeployment, ...] = self.outcome.failed
        code = job.failure_code
        what = f"{code.value} ({code.description})" if code is not None else "no failure code"
        reason = f": {job.failure_reason}" if job.failure_reason else ""
        super().__init__(
            f"deployment {job.arn} ended {job.status.value} with {what}{reason};"
            f" {len(self.failed_robots)} robot(s) failed"
        )


class WaiterTimeoutError(TimeoutError):
    """A wait ran out of time. Carries what was last seen, how long it took and how many polls it made.

    ``last`` is the last job (or fleet) the waiter observed: the object it
    was given if no poll succeeded, ``None`` if it was given only an ARN.
    A job seen through the shared active-set listing has no robot summaries.
    ``elapsed`` is in seconds on the waiter's clock; ``polls`` counts every
    poll made, failed ones included; ``outcome`` sums them up for a job.
    A wait on a deployment job that saw the job described raises the
    subclass :class:`DeploymentWaitTimeoutError`, whose types say so.
    """

    def __init__(self, what: str, *, last: DeploymentJob | Fleet | None, elapsed: float, polls: int) -> None:
        self._last = last
        self.elapsed = elapsed
        self.polls = polls
        seen = f"; last seen {last.status.value}" if isinstance(last, DeploymentJob) else ""
        super().__init__(f"gave up waiting for {what} after {elapsed:.1f}s and {polls} poll(s){seen}")

    @property
    def last(self) -> DeploymentJob | Fleet | None:
        """The last job or fleet seen (or given), ``None`` if none was."""
        return self._last

    @property
    def job(self) -> DeploymentJob | None:
        """``last`` if it is a deployment job."""
        return self._last if isinstance(self._last, DeploymentJob) else None

    @property
    def outcome(self) -> DeploymentOutcome | None:
        """Where the job stood at the last poll (a partial outcome), if it is a job wait that saw one."""
        job = self.job
        return None if job is None else DeploymentOutcome(job=job, polls=self.polls, elapsed=self.elapsed)

    @property
    def fleet(self) -> Fleet | None:
        """``last`` if it is a fleet."""
        return self._last if isinstance(self._last, Fleet) else None


class DeploymentWaitTimeoutError(WaiterTimeoutError):
    """A wait on a deployment job ran out of time after the job was described: all it saw is typed as such.

    Every wait, watch and event stream on a deployment job raises this once
    it has the job with its robots (its last poll before the deadline is a
    describe, whichever calls came before), so ``last`` and ``job`` are the
    last :class:`DescribedDeploymentJob` seen and ``outcome`` is never
    ``None``. Only a wait that never got the job described (every poll
    failed, and it was given an ARN or a listed job) raises the plain
    :class:`WaiterTimeoutError`.
    """

    def __init__(self, what: str, *, last: DescribedDeploymentJob, elapsed: float, polls: int) -> None:
        super().__init__(what, last=last, elapsed=elapsed, polls=polls)
        self._job = last

    @property
    def last(self) -> DescribedDeploymentJob:
        """The last job described (robot summaries included)."""
        return self._job

    @property
    def job(self) -> DescribedDeploymentJob:
        """The last job described: ``last``."""
        return self._job

    @property
    def outcome(self) -> DeploymentOutcome:
        """Where the job stood at the last describe (a partial outcome)."""
        return DeploymentOutcome(job=self._job, polls=self.polls, elapsed=self.elapsed)
