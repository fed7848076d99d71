"""The typed values the SDK returns and accepts.

Plain data only: frozen, slotted, keyword-only attrs classes with snake_case
fields, no I/O and no wire names (those live in ``_converter``). Collections
are tuples and read-only mappings so a value can be shared between tasks
without anybody changing it under another's feet.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType

import attrs

from ._enums import (
    Architecture,
    ArchitectureValue,
    DeploymentStatus,
    FailureCode,
    RobotDeploymentStep,
    RobotSoftwareSuiteName,
    RobotSoftwareSuiteNameValue,
    RobotSoftwareSuiteVersion,
    RobotSoftwareSuiteVersionValue,
    RobotStatus,
    member_of,
)
from ._wire.secrets import secret_repr

__all__ = [
    "DeploymentApplicationConfig",
    "DeploymentConfig",
    "DeploymentJob",
    "DescribedDeploymentJob",
    "Environment",
    "Fleet",
    "LaunchConfig",
    "ProgressDetail",
    "Robot",
    "RobotApplication",
    "RobotApplicationSummary",
    "RobotDeployment",
    "RobotRegistration",
    "RobotSoftwareSuite",
    "S3Object",
    "Source",
    "SourceConfig",
]

_EMPTY: Mapping[str, str] = MappingProxyType({})


def _frozen_map(value: Mapping[str, str]) -> Mapping[str, str]:
    # Copy first: a proxy over the caller's dict would still change with it.
    return MappingProxyType(dict(value))


def _optional_frozen_map(value: Mapping[str, str] | None) -> Mapping[str, str] | None:
    return None if value is None else MappingProxyType(dict(value))


def _configs(items: Iterable[DeploymentApplicationConfig]) -> tuple[DeploymentApplicationConfig, ...]:
    return tuple(items)


def _sources(items: Iterable[Source]) -> tuple[Source, ...]:
    return tuple(items)


def _robots(items: Iterable[RobotDeployment]) -> tuple[RobotDeployment, ...]:
    return tuple(items)


def _architecture(value: Architecture | ArchitectureValue) -> Architecture:
    return member_of(Architecture, value, "architecture", unknown=True)


def _suite_name(value: RobotSoftwareSuiteName | RobotSoftwareSuiteNameValue) -> RobotSoftwareSuiteName:
    return member_of(RobotSoftwareSuiteName, value, "name", unknown=True)


def _suite_version(
    value: RobotSoftwareSuiteVersion | RobotSoftwareSuiteVersionValue | None,
) -> RobotSoftwareSuiteVersion | None:
    return None if value is None else member_of(RobotSoftwareSuiteVersion, value, "version", unknown=True)


@attrs.frozen(kw_only=True)
class S3Object:
    """An object in S3, such as a deployment's download-condition file."""

    bucket: str
    key: str
    etag: str | None = None


@attrs.frozen(kw_only=True)
class DeploymentConfig:
    """How a deployment rolls out: how many robots at once, how many may fail, how long each may take."""

    concurrent_deployment_percentage: int | None = None
    """Share of the fleet (1-100 %) that deploys at the same time."""
    failure_threshold_percentage: int | None = None
    """Share of failed robots (1-100 %) past which the whole job fails and stops starting robots."""
    robot_deployment_timeout_in_seconds: int | None = None
    """How long one robot may take before its deployment is aborted."""
    download_condition_file: S3Object | None = None
    """A script the robot runs after downloading; a failure stops that robot's deployment."""


@attrs.frozen(kw_only=True)
class LaunchConfig:
    """What a robot runs once the bundle is in place: package, launch file, scripts and environment.

    ``environment_variables`` often holds secrets (the service model marks
    its values sensitive), so its values never appear in a repr, a log line
    or an error message.
    """

    package_name: str
    launch_file: str
    pre_launch_file: str | None = None
    post_launch_file: str | None = None
    environment_variables: Mapping[str, str] = attrs.field(
        default=_EMPTY, converter=_frozen_map, repr=secret_repr
    )


@attrs.frozen(kw_only=True)
class DeploymentApplicationConfig:
    """Which application version to deploy, and how to launch it."""

    application: str
    """The robot application's ARN."""
    application_version: str
    """A numbered version ("1", "2", ...); ``$LATEST`` cannot be deployed."""
    launch_config: LaunchConfig


@attrs.frozen(kw_only=True)
class ProgressDetail:
    """How far one robot has got in its deployment."""

    current_progress: RobotDeploymentStep | None = None
    percent_done: float | None = None
    estimated_time_remaining_seconds: int | None = None
    target_resource: str | None = None


@attrs.frozen(kw_only=True)
class RobotDeployment:
    """One robot's part in a deployment job, as DescribeDeploymentJob reports it."""

    arn: str
    status: RobotStatus
    deployment_start_time: datetime | None = None
    deployment_finish_time: datetime | None = None
    progress_detail: ProgressDetail | None = None
    failure_reason: str | None = None
    failure_code: FailureCode | None = None


@attrs.frozen(kw_only=True)
class DeploymentJob:
    """A deployment of one application version to a fleet, as listings, create and sync return it.

    It has no robots: :class:`DescribedDeploymentJob`, what
    ``describe_deployment_job``, the waiters and the watches return, adds them.
    """

    arn: str
    fleet: str
    status: DeploymentStatus
    created_at: datetime
    deployment_application_configs: tuple[DeploymentApplicationConfig, ...] = attrs.field(
        default=(), converter=_configs
    )
    deployment_config: DeploymentConfig | None = None
    failure_reason: str | None = None
    failure_code: FailureCode | None = None
    tags: Mapping[str, str] | None = attrs.field(default=None, converter=_optional_frozen_map)


@attrs.frozen(kw_only=True)
class DescribedDeploymentJob(DeploymentJob):
    """A deployment job with every robot's part in it, as DescribeDeploymentJob returns it.

    A separate type so that code holding a job from a listing cannot mistake
    it for one that has its robots, and code holding a described job iterates
    ``robot_deployment_summary`` without a ``None`` check.
    """

    robot_deployment_summary: tuple[RobotDeployment, ...] = attrs.field(default=(), converter=_robots)
    """Each robot of the job: its status, its step and progress, how it failed."""


@attrs.frozen(kw_only=True)
class Robot:
    """A robot known to RoboMaker, with the state of its last deployment."""

    arn: str
    name: str
    status: RobotStatus
    architecture: Architecture
    created_at: datetime
    fleet_arn: str | None = None
    greengrass_group_id: str | None = None
    last_deployment_job: str | None = None
    last_deployment_time: datetime | None = None
    tags: Mapping[str, str] | None = attrs.field(default=None, converter=_optional_frozen_map)


@attrs.frozen(kw_only=True)
class Fleet:
    """A group of robots that deployments target.

    ``robots`` is filled by ``describe_fleet`` only.
    """

    arn: str
    name: str
    created_at: datetime
    last_deployment_status: DeploymentStatus | None = None
    last_deployment_job: str | None = None
    last_deployment_time: datetime | None = None
    robots: tuple[Robot, ...] | None = None
    tags: Mapping[str, str] | None = attrs.field(default=None, converter=_optional_frozen_map)


@attrs.frozen(kw_only=True)
class RobotRegistration:
    """The result of registering a robot with a fleet (or deregistering it)."""

    fleet: str
    robot: str


@attrs.frozen(kw_only=True)
class SourceConfig:
    """Where a robot application's bundle for one architecture lives (input)."""

    s3_bucket: str
    s3_key: str
    architecture: Architecture = attrs.field(converter=_architecture)


@attrs.frozen(kw_only=True)
class Source:
    """A robot application's bundle for one architecture, with its ETag (output)."""

    s3_bucket: str
    s3_key: str
    architecture: Architecture
    etag: str | None = None


@attrs.frozen(kw_only=True)
class RobotSoftwareSuite:
    """The robot software suite (ROS, ROS2, General) and version an application targets."""

    name: RobotSoftwareSuiteName = attrs.field(converter=_suite_name)
    version: RobotSoftwareSuiteVersion | None = attrs.field(default=None, converter=_suite_version)


@attrs.frozen(kw_only=True)
class Environment:
    """A container image an application runs from."""

    uri: str | None = None


@attrs.frozen(kw_only=True)
class RobotApplication:
    """A robot application (its ``$LATEST``), or one numbered version of it."""

    arn: str
    name: str
    version: str
    """``$LATEST``, or the number of a version ("1", "2", ...)."""
    robot_software_suite: RobotSoftwareSuite
    last_updated_at: datetime
    revision_id: str
    sources: tuple[Source, ...] = attrs.field(default=(), converter=_sources)
    tags: Mapping[str, str] | None = attrs.field(default=None, converter=_optional_frozen_map)
    environment: Environment | None = None
    image_digest: str | None = None


@attrs.frozen(kw_only=True)
class RobotApplicationSummary:
    """A robot application as ListRobotApplications reports it."""

    arn: str
    name: str
    version: str
    last_updated_at: datetime | None = None
    robot_software_suite: RobotSoftwareSuite | None = None
