"""The commands that list what deployments target: fleets and robots."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from .. import Fleet, Robot, RobotStatus
from .options import Paging, Settings, canonical, choice, command, one_filter, starting_token_option
from .output import Columns, show_listing, text

if TYPE_CHECKING:
    from .. import DeploymentClient, Pager

__all__ = ["COMMANDS"]

#: ``--max-items`` of these listings (``list`` has its own default).
_max_items = click.option(
    "--max-items", type=int, default=100, show_default=True, help="List at most this many."
)

_FLEET_COLUMNS: Columns[Fleet] = (
    ("name", lambda fleet: fleet.name),
    ("arn", lambda fleet: fleet.arn),
    ("last deployment", lambda fleet: text(fleet.last_deployment_status)),
    ("last job", lambda fleet: text(fleet.last_deployment_job)),
)


@command()
@click.option("--name", metavar="NAME", help="Only the fleet with this name.")
@_max_items
@starting_token_option
def fleets(settings: Settings, name: str | None, max_items: int, starting_token: str | None) -> None:
    """List fleets, with their last deployment."""
    page = settings.page(
        lambda client: client.list_fleets(name=name, max_items=max_items, starting_token=starting_token)
    )
    show_listing(settings, "fleets", page, _FLEET_COLUMNS)


_ROBOT_COLUMNS: Columns[Robot] = (
    ("name", lambda robot: robot.name),
    ("architecture", lambda robot: text(robot.architecture)),
    ("status", lambda robot: text(robot.status)),
    ("fleet", lambda robot: text(robot.fleet_arn)),
    ("last job", lambda robot: text(robot.last_deployment_job)),
)


@command()
@click.option("--fleet-name", metavar="NAME", help="Only robots of this fleet (not with --status).")
@click.option("--status", type=choice(RobotStatus), help="Only robots in this status.")
@_max_items
@starting_token_option
def robots(
    settings: Settings,
    fleet_name: str | None,
    status: str | None,
    max_items: int,
    starting_token: str | None,
) -> None:
    """List robots, with their architecture, status and last deployment."""
    one_filter(status, fleet_name)
    robot_status = RobotStatus(canonical(RobotStatus, status)) if status is not None else None

    def listing(client: DeploymentClient) -> Pager[Robot]:
        paging = Paging(max_items=max_items, starting_token=starting_token)
        if fleet_name is not None:
            return client.list_robots(fleet_name=fleet_name, **paging)
        return client.list_robots(status=robot_status, **paging)

    page = settings.page(listing)
    show_listing(settings, "robots", page, _ROBOT_COLUMNS)


#: In no particular order: the group lists its commands by name.
COMMANDS = (fleets, robots)
