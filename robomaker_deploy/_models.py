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
    DeploymentStatus,
    FailureCode,
    RobotDeploymentStep,
    RobotSoftwareSuiteName,
    RobotSoftwareSuiteVersion,
    RobotStatus,
)
from ._wire.secrets import secret_repr

__all__ = [
    "DeploymentApplicationConfig",
    "DeploymentConfig",
    "DeploymentJob",
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

    arn: str | None = None
    deployment_start_time: datetime | None = None
    deployment_finish_time: datetime | None = None
    status: RobotStatus | None = None
    progress_detail: ProgressDetail | None = None
    failure_reason: str | None = None
    failure_code: FailureCode | None = None


@attrs.frozen(kw_only=True)
class DeploymentJob:
    """A deployment of one application version to a fleet.

    ``robot_deployment_summary`` is filled by ``describe_deployment_job`` (and
    the waiters); listings and create/sync results leave it ``None``.
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
    robot_deployment_summary: tuple[RobotDeployment, ...] | None = None
    tags: Mapping[str, str] | None = attrs.field(default=None, converter=_optional_frozen_map)


@attrs.frozen(kw_only=True)
class Robot:
    """A robot known to RoboMaker, with the state of its last deployment."""

    arn: str
    name: str
    fleet_arn: str | None = None
    status: RobotStatus | None = None
    greengrass_group_id: str | None = None
    created_at: datetime | None = None
    architecture: Architecture | None = None
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
    created_at: datetime | None = None
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
    architecture: Architecture


@attrs.frozen(kw_only=True)
class Source:
    """A robot application's bundle for one architecture, with its ETag (output)."""

    s3_bucket: str | None = None
    s3_key: str | None = None
    etag: str | None = None
    architecture: Architecture | None = None


@attrs.frozen(kw_only=True)
class RobotSoftwareSuite:
    """The robot software suite (ROS, ROS2, General) and version an application targets."""

    name: RobotSoftwareSuiteName | None = None
    version: RobotSoftwareSuiteVersion | None = None


@attrs.frozen(kw_only=True)
class Environment:
    """A container image an application runs from."""

    uri: str | None = None


@attrs.frozen(kw_only=True)
class RobotApplication:
    """A robot application, or one numbered version of it."""

    arn: str
    name: str
    version: str | None = None
    sources: tuple[Source, ...] = attrs.field(default=(), converter=_sources)
    robot_software_suite: RobotSoftwareSuite | None = None
    last_updated_at: datetime | None = None
    revision_id: str | None = None
    tags: Mapping[str, str] | None = attrs.field(default=None, converter=_optional_frozen_map)
    environment: Environment | None = None
    image_digest: str | None = None


@attrs.frozen(kw_only=True)
class RobotApplicationSummary:
    """A robot application as ListRobotApplications reports it."""

    arn: str
    name: str
    version: str | None = None
    last_updated_at: datetime | None = None
    robot_software_suite: RobotSoftwareSuite | None = None
