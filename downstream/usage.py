"""A rollout service, written as a downstream user writes one: from the README and the docs alone.

It deploys one application version to several fleets in turn, a wave at a
time, stops at the first fleet that fails, and says for each robot that
failed what went wrong and whether trying again could help. It uses only
the public API of ``robomaker_deploy`` and is type-checked with
``mypy --strict`` against the installed wheel.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import aclosing
from dataclasses import dataclass

from robomaker_deploy import (
    ClientConfig,
    DeploymentApplicationConfig,
    DeploymentClient,
    DeploymentConfig,
    DeploymentFailedError,
    DeploymentJob,
    DeploymentStatus,
    FailureCategory,
    FailureCode,
    LaunchConfig,
    RobotStatus,
    WaiterTimeoutError,
)


@dataclass(frozen=True)
class RobotFailure:
    """A robot that did not deploy, and what its failure code says."""

    robot: str
    code: FailureCode | None
    category: FailureCategory | None
    retryable: bool


@dataclass(frozen=True)
class FleetOutcome:
    """How one fleet's deployment ended."""

    fleet: str
    job: str
    status: DeploymentStatus
    failures: tuple[RobotFailure, ...] = ()

    @property
    def worth_retrying(self) -> bool:
        """Whether every failed robot failed in a way that may pass on a second try."""
        return bool(self.failures) and all(failure.retryable for failure in self.failures)


@dataclass(frozen=True)
class Release:
    """What to deploy: an application version and how to launch it."""

    application: str
    version: str
    package: str
    launch_file: str
    environment: dict[str, str]


class RolloutService:
    """Deploys a :class:`Release` fleet by fleet on one client."""

    def __init__(self, client: DeploymentClient, *, wave_percent: int = 25, timeout: float = 3600.0) -> None:
        self._client = client
        self._wave = DeploymentConfig(concurrent_deployment_percentage=wave_percent)
        self._timeout = timeout
        self.progress: list[str] = []

    async def roll_out(
        self, release: Release, fleets: Sequence[str], *, poll: float = 2.0
    ) -> list[FleetOutcome]:
        """Deploy to each fleet in turn; stop after the first fleet that does not succeed."""
        outcomes = []
        for fleet in fleets:
            outcome = await self._deploy(release, fleet, poll)
            outcomes.append(outcome)
            if outcome.status is not DeploymentStatus.SUCCEEDED:
                break
        return outcomes

    async def _deploy(self, release: Release, fleet: str, poll: float) -> FleetOutcome:
        config = DeploymentApplicationConfig(
            application=release.application,
            application_version=release.version,
            launch_config=LaunchConfig(
                package_name=release.package,
                launch_file=release.launch_file,
                environment_variables=release.environment,
            ),
        )
        job = await self._client.create_deployment_job(
            fleet=fleet, application_configs=[config], deployment_config=self._wave
        )
        await self._follow(job, poll)
        try:
            final = await self._client.wait_until_deployment_succeeded(
                job, timeout=self._timeout, min_delay=poll, max_delay=poll * 4
            )
        except DeploymentFailedError as failed:
            return FleetOutcome(fleet, job.arn, failed.job.status, _failures(failed))
        except WaiterTimeoutError as late:
            seen = late.job
            return FleetOutcome(fleet, job.arn, seen.status if seen is not None else job.status)
        return FleetOutcome(fleet, final.arn, final.status)

    async def _follow(self, job: DeploymentJob, poll: float) -> None:
        """Note each robot's progress as it changes, until the job ends."""
        watch = self._client.watch_deployment_job(
            job, timeout=self._timeout, min_delay=poll, max_delay=poll * 4
        )
        async with aclosing(watch) as snapshots:
            async for snapshot in snapshots:
                for robot in snapshot.robot_deployment_summary or ():
                    step = robot.progress_detail.current_progress if robot.progress_detail else None
                    self.progress.append(f"{robot.arn}: {robot.status} {step or ''}".rstrip())

    async def stuck_robots(self, fleet_name: str) -> list[str]:
        """The ARNs of a fleet's robots whose last deployment did not bring them in sync."""
        stuck = []
        async for robot in self._client.list_robots(fleet_name=fleet_name):
            if robot.status in (RobotStatus.FAILED, RobotStatus.NO_RESPONSE):
                stuck.append(robot.arn)
        return stuck

    async def recent_failures(self, limit: int = 20) -> list[DeploymentJob]:
        """The latest failed jobs of the account, newest first."""
        return await self._client.list_deployment_jobs(
            status=DeploymentStatus.FAILED, max_items=limit
        ).collect()


def _failures(failed: DeploymentFailedError) -> tuple[RobotFailure, ...]:
    return tuple(
        RobotFailure(
            robot=robot.arn or "?",
            code=robot.failure_code,
            category=robot.failure_code.category if robot.failure_code else None,
            retryable=robot.failure_code.retryable if robot.failure_code else False,
        )
        for robot in failed.failed_robots
    )


def client_for(region: str | None = None, endpoint_url: str | None = None) -> DeploymentClient:
    """A client that gives up on a silent endpoint within a minute rather than ten."""
    return DeploymentClient(
        region_name=region,
        endpoint_url=endpoint_url,
        config=ClientConfig(connect_timeout=5, read_timeout=20, max_attempts=3),
    )
