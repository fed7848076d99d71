"""Operations on robot applications and their versions, and on any resource's tags."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from .._models import (
    Environment,
    RobotApplication,
    RobotApplicationSummary,
    RobotSoftwareSuite,
    SourceConfig,
)
from .._pagination import Pager
from .calls import Operations, arn_of, filtered, to_model, wire_list, wire_of
from .outputs import (
    CREATE_ROBOT_APPLICATION,
    CREATE_ROBOT_APPLICATION_VERSION,
    DESCRIBE_ROBOT_APPLICATION,
    LIST_ROBOT_APPLICATIONS,
)

__all__ = ["ApplicationOperations"]


class ApplicationOperations(Operations):
    """The application and tag part of :class:`DeploymentClient`."""

    async def create_robot_application(
        self,
        *,
        name: str,
        sources: Sequence[SourceConfig],
        robot_software_suite: RobotSoftwareSuite,
        tags: Mapping[str, str] | None = None,
        environment: Environment | None = None,
    ) -> RobotApplication:
        """Create a robot application (its ``$LATEST``); deploy a numbered version of it."""
        params = {
            "name": name,
            "sources": wire_list("sources", sources, SourceConfig),
            "robotSoftwareSuite": wire_of("robot_software_suite", robot_software_suite, RobotSoftwareSuite),
            "tags": dict(tags) if tags is not None else None,
            "environment": wire_of("environment", environment, Environment),
        }
        return await self._calls.structured(CREATE_ROBOT_APPLICATION, params)

    async def create_robot_application_version(
        self,
        application: str | RobotApplication,
        *,
        current_revision_id: str | None = None,
        s3_etags: Sequence[str] | None = None,
        image_digest: str | None = None,
    ) -> RobotApplication:
        """Freeze the application's current sources as the next numbered version ("1", "2", ...)."""
        params = {
            "application": arn_of(application),
            "currentRevisionId": current_revision_id,
            "s3Etags": list(s3_etags) if s3_etags is not None else None,
            "imageDigest": image_digest,
        }
        return await self._calls.structured(CREATE_ROBOT_APPLICATION_VERSION, params)

    async def describe_robot_application(
        self, application: str | RobotApplication, *, version: str | None = None
    ) -> RobotApplication:
        """An application, or one version of it."""
        params = {"application": arn_of(application), "applicationVersion": version}
        return await self._calls.structured(
            DESCRIBE_ROBOT_APPLICATION, params, {("applicationVersion",): "version"}
        )

    async def delete_robot_application(
        self, application: str | RobotApplication, *, version: str | None = None
    ) -> None:
        """Delete an application, or one version of it."""
        await self._calls.call(
            "DeleteRobotApplication",
            {"application": arn_of(application), "applicationVersion": version},
            {("applicationVersion",): "version"},
        )

    def list_robot_applications(
        self,
        *,
        name: str | None = None,
        version_qualifier: Literal["ALL"] | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        starting_token: str | None = None,
        prefetch: int = 1,
    ) -> Pager[RobotApplicationSummary]:
        """Robot applications, optionally by ``name``; ``version_qualifier="ALL"`` lists every version."""
        return self._calls.listing(
            LIST_ROBOT_APPLICATIONS,
            [filtered("name", name, "name", versionQualifier=version_qualifier)],
            page_size=page_size,
            max_items=max_items,
            starting_token=starting_token,
            prefetch=prefetch,
        )

    # -- tags ------------------------------------------------------------------------------------

    async def tag_resource(self, resource_arn: str, tags: Mapping[str, str]) -> None:
        """Add or replace tags on a resource."""
        await self._calls.call("TagResource", {"resourceArn": resource_arn, "tags": dict(tags)})

    async def untag_resource(self, resource_arn: str, tag_keys: Sequence[str]) -> None:
        """Remove tags from a resource."""
        await self._calls.call("UntagResource", {"resourceArn": resource_arn, "tagKeys": list(tag_keys)})

    async def list_tags_for_resource(self, resource_arn: str) -> Mapping[str, str]:
        """A resource's tags."""
        data = await self._calls.call("ListTagsForResource", {"resourceArn": resource_arn})
        return to_model("ListTagsForResource", data.get("tags") or {}, Mapping[str, str])  # type: ignore[type-abstract]
