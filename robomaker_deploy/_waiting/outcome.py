"""How a wait ended, in one value: the final job, what it cost, and its robots sorted for reacting.

Every way of waiting ends with a :class:`DeploymentOutcome`: the job-ended
event carries it, :class:`DeploymentFailedError` carries it, and a
:class:`WaiterTimeoutError` carries a partial one (up to the last poll). The
CLI's and the demo's summary tables are drawn from it. It is plain data: the
groupings are computed from the job on demand.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs

from .._enums import DeploymentStatus, FailureCategory, FailureCode, RobotStatus
from .._models import DeploymentJob, DescribedDeploymentJob, RobotDeployment

__all__ = ["DeploymentOutcome"]


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
