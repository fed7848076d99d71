"""The service's resources as frozen records, and the shape of what operations take and give.

Records are values: a change builds a new record (``attrs.evolve``) and the
store replaces the old one, so a record read once never changes under its
reader. Their fields are what the state file holds, one JSON row each.
"""

from __future__ import annotations

from typing import Any

import attrs

from ._simulation import JobPlan

#: An operation's input, as validated wire JSON (members by their wire names).
Params = dict[str, Any]
#: An operation's output, as wire JSON.
Result = dict[str, Any]


@attrs.frozen
class Fleet:
    """A fleet. Its robots are an index of the store, not a field, so registration writes one row."""

    arn: str
    name: str
    created_at: float
    seq: int
    tags: dict[str, str] = attrs.field(factory=dict)


@attrs.frozen
class Robot:
    """A robot, and the fleet it is registered to."""

    arn: str
    name: str
    architecture: str
    greengrass_group_id: str
    created_at: float
    seq: int
    fleet_arn: str | None = None
    registered_seq: int = 0
    """Sequence number of its last (de)registration: jobs older than that no longer describe it."""
    tags: dict[str, str] = attrs.field(factory=dict)


@attrs.frozen
class Source:
    """One bundle of an application version, for one architecture."""

    s3_bucket: str
    s3_key: str
    etag: str
    architecture: str


@attrs.frozen
class AppVersion:
    """An application's content at one version (``$LATEST`` or a number)."""

    version: str
    sources: tuple[Source, ...]
    revision_id: str
    last_updated_at: float
    environment_uri: str | None = None
    image_digest: str | None = None


@attrs.frozen
class RobotApplication:
    """A robot application with its ``$LATEST`` and numbered versions."""

    arn: str
    name: str
    created_at: float
    seq: int
    suite_name: str
    suite_version: str | None
    latest: AppVersion
    versions: tuple[AppVersion, ...] = ()
    next_version: int = 1
    tags: dict[str, str] = attrs.field(factory=dict)

    def version(self, name: str) -> AppVersion | None:
        """The version called ``name`` (``$LATEST`` included), if it exists."""
        if name == "$LATEST":
            return self.latest
        return next((v for v in self.versions if v.version == name), None)


@attrs.frozen
class Job:
    """A deployment job: the request as it came, the robots it covers and its plan."""

    arn: str
    seq: int
    fleet_arn: str
    fleet_name: str
    """Kept with the job: ListDeploymentJobs filters on it even after the fleet is deleted."""
    created_at: float
    deployment_config: dict[str, Any] | None
    application_configs: list[dict[str, Any]]
    plan: JobPlan
    canceled_at: float | None = None
    tags: dict[str, str] = attrs.field(factory=dict)


@attrs.frozen
class IdempotencyEntry:
    """What a client request token was first used for."""

    fingerprint: str
    job_arn: str


#: Any record the store keeps by ARN (and that can carry tags).
Record = Fleet | Robot | RobotApplication | Job
