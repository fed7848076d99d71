"""Operations on fleets and robots: create, describe, delete, register, list."""

from __future__ import annotations

from collections.abc import Mapping

from .._converter import unstructure
from .._enums import Architecture, RobotStatus
from .._errors import ValidationError
from .._models import Fleet, Robot, RobotRegistration
from .._pagination import Pager
from .calls import Operations, arn_of, filtered

__all__ = ["FleetOperations"]


class FleetOperations(Operations):
    """The fleet and robot part of :class:`DeploymentClient`."""

    async def create_fleet(self, *, name: str, tags: Mapping[str, str] | None = None) -> Fleet:
        """Create an empty fleet."""
        params = {"name": name, "tags": dict(tags) if tags is not None else None}
        return await self._calls.structured("CreateFleet", params, Fleet)

    async def describe_fleet(self, fleet: str | Fleet) -> Fleet:
        """The fleet with its robots and its last deployment."""
        return await self._calls.structured("DescribeFleet", {"fleet": arn_of(fleet)}, Fleet)

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
            "ListFleets",
            "fleetDetails",
            Fleet,
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
        architecture: Architecture | str,
        greengrass_group_id: str,
        tags: Mapping[str, str] | None = None,
    ) -> Robot:
        """Create a robot backed by a Greengrass group."""
        params = {
            "name": name,
            "architecture": unstructure(architecture),
            "greengrassGroupId": greengrass_group_id,
            "tags": dict(tags) if tags is not None else None,
        }
        return await self._calls.structured("CreateRobot", params, Robot)

    async def describe_robot(self, robot: str | Robot) -> Robot:
        """The robot, with its fleet and last deployment."""
        return await self._calls.structured("DescribeRobot", {"robot": arn_of(robot)}, Robot)

    async def delete_robot(self, robot: str | Robot) -> None:
        """Delete a robot."""
        await self._calls.call("DeleteRobot", {"robot": arn_of(robot)})

    async def register_robot(self, *, fleet: str | Fleet, robot: str | Robot) -> RobotRegistration:
        """Add a robot to a fleet."""
        params = {"fleet": arn_of(fleet), "robot": arn_of(robot)}
        return await self._calls.structured("RegisterRobot", params, RobotRegistration)

    async def deregister_robot(self, *, fleet: str | Fleet, robot: str | Robot) -> RobotRegistration:
        """Remove a robot from a fleet."""
        params = {"fleet": arn_of(fleet), "robot": arn_of(robot)}
        return await self._calls.structured("DeregisterRobot", params, RobotRegistration)

    def list_robots(
        self,
        *,
        fleet_name: str | None = None,
        status: RobotStatus | str | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        starting_token: str | None = None,
        prefetch: int = 1,
    ) -> Pager[Robot]:
        """Robots, optionally of one fleet or in one status (not both), as an async iterator."""
        if fleet_name is not None and status is not None:
            raise ValidationError(
                "status", repr(status), "cannot be combined with fleet_name: the service takes one filter"
            )
        if status is not None and not RobotStatus(status).is_known:
            known = ", ".join(m.value for m in RobotStatus)
            raise ValidationError("status", repr(status), f"must be a RobotStatus ({known})")
        request = (
            filtered("status", RobotStatus(status).value, "status")
            if status is not None
            else filtered("fleetName", fleet_name, "fleet_name")
        )
        return self._calls.listing(
            "ListRobots",
            "robots",
            Robot,
            [request],
            page_size=page_size,
            max_items=max_items,
            starting_token=starting_token,
            prefetch=prefetch,
        )
