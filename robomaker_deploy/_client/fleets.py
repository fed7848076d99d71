"""Operations on fleets and robots: create, describe, delete, register, list."""

from __future__ import annotations

from collections.abc import Mapping
from typing import overload

from .._enums import Architecture, ArchitectureValue, RobotStatus, RobotStatusValue, member_of
from .._models import Fleet, Robot, RobotRegistration
from .._pagination import Pager
from .calls import Operations, arn_of, filtered, one_filter, to_model
from .outputs import (
    CREATE_FLEET,
    CREATE_ROBOT,
    DEREGISTER_ROBOT,
    DESCRIBE_FLEET,
    DESCRIBE_ROBOT,
    LIST_FLEETS,
    LIST_ROBOTS,
    REGISTER_ROBOT,
)

__all__ = ["FleetOperations"]


class FleetOperations(Operations):
    """The fleet and robot part of :class:`DeploymentClient`."""

    async def create_fleet(self, *, name: str, tags: Mapping[str, str] | None = None) -> Fleet:
        """Create an empty fleet."""
        params = {"name": name, "tags": dict(tags) if tags is not None else None}
        return await self._calls.structured(CREATE_FLEET, params)

    async def describe_fleet(self, fleet: str | Fleet) -> Fleet:
        """The fleet with its robots and its last deployment."""
        return await self._calls.structured(DESCRIBE_FLEET, {"fleet": arn_of(fleet)})

    async def delete_fleet(self, fleet: str | Fleet) -> None:
        """Delete a fleet."""
        await self._calls.call("DeleteFleet", {"fleet": arn_of(fleet)})

    def list_fleets(
        self,
        *,
        name: str | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        starting_token: str | None = None,
        prefetch: int = 1,
    ) -> Pager[Fleet]:
        """Fleets, optionally only those with ``name``, as an async iterator."""
        return self._calls.listing(
            LIST_FLEETS,
            [filtered("name", name, "name")],
            page_size=page_size,
            max_items=max_items,
            starting_token=starting_token,
            prefetch=prefetch,
        )

    # -- robots ----------------------------------------------------------------------------------

    async def create_robot(
        self,
        *,
        name: str,
        architecture: Architecture | ArchitectureValue,
        greengrass_group_id: str,
        tags: Mapping[str, str] | None = None,
    ) -> Robot:
        """Create a robot backed by a Greengrass group.

        The robot comes back ``Available`` (registered to no fleet): CreateRobot
        does not return a status, and a robot is Available until it joins one.
        """
        params = {
            "name": name,
            "architecture": member_of(Architecture, architecture, "architecture").value,
            "greengrassGroupId": greengrass_group_id,
            "tags": dict(tags) if tags is not None else None,
        }
        output = CREATE_ROBOT
        data = await self._calls.call(output.operation, params)
        return to_model(output.operation, {"status": RobotStatus.AVAILABLE.value, **data}, output.model)

    async def describe_robot(self, robot: str | Robot) -> Robot:
        """The robot, with its fleet and last deployment."""
        return await self._calls.structured(DESCRIBE_ROBOT, {"robot": arn_of(robot)})

    async def delete_robot(self, robot: str | Robot) -> None:
        """Delete a robot."""
        await self._calls.call("DeleteRobot", {"robot": arn_of(robot)})

    async def register_robot(self, *, fleet: str | Fleet, robot: str | Robot) -> RobotRegistration:
        """Add a robot to a fleet."""
        params = {"fleet": arn_of(fleet), "robot": arn_of(robot)}
        return await self._calls.structured(REGISTER_ROBOT, params)

    async def deregister_robot(self, *, fleet: str | Fleet, robot: str | Robot) -> RobotRegistration:
        """Remove a robot from a fleet."""
        params = {"fleet": arn_of(fleet), "robot": arn_of(robot)}
        return await self._calls.structured(DEREGISTER_ROBOT, params)

    # The service takes one filter per request: status or fleet name, never both (a type error too).
    @overload
    def list_robots(
        self,
        *,
        fleet_name: str,
        status: None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        starting_token: str | None = None,
        prefetch: int = 1,
    ) -> Pager[Robot]: ...

    @overload
    def list_robots(
        self,
        *,
        fleet_name: None = None,
        status: RobotStatus | RobotStatusValue | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        starting_token: str | None = None,
        prefetch: int = 1,
    ) -> Pager[Robot]: ...

    def list_robots(
        self,
        *,
        fleet_name: str | None = None,
        status: RobotStatus | RobotStatusValue | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        starting_token: str | None = None,
        prefetch: int = 1,
    ) -> Pager[Robot]:
        """Robots, optionally of one fleet or in one status (not both), as an async iterator."""
        one_filter(status, fleet_name)
        request = (
            filtered("status", member_of(RobotStatus, status, "status").value, "status")
            if status is not None
            else filtered("fleetName", fleet_name, "fleet_name")
        )
        return self._calls.listing(
            LIST_ROBOTS,
            [request],
            page_size=page_size,
            max_items=max_items,
            starting_token=starting_token,
            prefetch=prefetch,
        )
