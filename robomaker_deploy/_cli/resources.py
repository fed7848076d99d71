"""The commands about what deployments need: fleets, robots and applications, to list, create and delete.

The listings are plural nouns (``fleets``, ``robots``, ``apps``); the
changes are grouped under the singular noun, one verb each, as the client's
methods are: ``fleet create|delete|register|deregister``, ``robot
create|delete``, ``app create|create-version|delete``. Every change prints
what it made (a line, or the model with ``--json``); ARNs are what the next
command takes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import click
from rich.console import Console

from .. import (
    Architecture,
    Fleet,
    Robot,
    RobotApplicationSummary,
    RobotRegistration,
    RobotSoftwareSuite,
    RobotSoftwareSuiteName,
    RobotSoftwareSuiteVersion,
    RobotStatus,
    SourceConfig,
)
from .options import (
    Paging,
    Pairs,
    Settings,
    choice,
    command,
    one_filter,
    parse_s3_url,
    starting_token_option,
    tags_option,
)
from .output import Columns, console, show, show_listing, text

if TYPE_CHECKING:
    from .. import DeploymentClient, Pager

__all__ = ["COMMANDS"]

#: ``--max-items`` of these listings (``list`` has its own default).
_max_items = click.option(
    "--max-items", type=int, default=100, show_default=True, help="List at most this many."
)


def _in(group: click.Group) -> Callable[[click.Command], click.Command]:
    """Add the command to ``group``."""

    def add(cmd: click.Command) -> click.Command:
        group.add_command(cmd)
        return cmd

    return add


# -- listings --------------------------------------------------------------------------------------

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
@click.option("--status", **choice(RobotStatus), help="Only robots in this status.")
@_max_items
@starting_token_option
def robots(
    settings: Settings,
    fleet_name: str | None,
    status: RobotStatus | None,
    max_items: int,
    starting_token: str | None,
) -> None:
    """List robots, with their architecture, status and last deployment."""
    one_filter(status, fleet_name)

    def listing(client: DeploymentClient) -> Pager[Robot]:
        paging = Paging(max_items=max_items, starting_token=starting_token)
        if fleet_name is not None:
            return client.list_robots(fleet_name=fleet_name, **paging)
        return client.list_robots(status=status, **paging)

    page = settings.page(listing)
    show_listing(settings, "robots", page, _ROBOT_COLUMNS)


_APP_COLUMNS: Columns[RobotApplicationSummary] = (
    ("name", lambda app: app.name),
    ("version", lambda app: text(app.version)),
    ("suite", lambda app: _suite(app.robot_software_suite)),
    ("arn", lambda app: app.arn),
)


@command()
@click.option("--name", metavar="NAME", help="Only the application with this name.")
@click.option("--all-versions", is_flag=True, help="Every numbered version too, not only $LATEST.")
@_max_items
@starting_token_option
def apps(
    settings: Settings, name: str | None, all_versions: bool, max_items: int, starting_token: str | None
) -> None:
    """List robot applications (each one's $LATEST, or every version)."""
    page = settings.page(
        lambda client: client.list_robot_applications(
            name=name,
            version_qualifier="ALL" if all_versions else None,
            max_items=max_items,
            starting_token=starting_token,
        )
    )
    show_listing(settings, "robot_applications", page, _APP_COLUMNS)


def _suite(suite: RobotSoftwareSuite | None) -> str:
    if suite is None:
        return "-"
    return " ".join(member.value for member in (suite.name, suite.version) if member is not None)


# -- fleets ----------------------------------------------------------------------------------------


@click.group()
def fleet() -> None:
    """Create and delete fleets; register robots in them.

    'robomaker-deploy fleets' lists them.
    """


@_in(fleet)
@command("create")
@click.argument("name")
@tags_option("the fleet")
def create_fleet(settings: Settings, name: str, tags: Pairs) -> None:
    """Create an empty fleet; print its ARN."""
    made = settings.run(lambda client: client.create_fleet(name=name, tags=dict(tags) or None))
    show(settings, made, lambda out: out.print(f"Created fleet {made.name}: {made.arn}"))


@_in(fleet)
@command("delete")
@click.argument("fleet", metavar="FLEET_ARN")
def delete_fleet(settings: Settings, fleet: str) -> None:
    """Delete a fleet; its robots stay, registered in no fleet."""
    settings.run(lambda client: client.delete_fleet(fleet))
    show(settings, {"fleet": fleet, "deleted": True}, lambda out: out.print(f"Deleted fleet {fleet}"))


def _registration(verb: str, undo: bool) -> click.Command:
    """``fleet register`` or ``fleet deregister``: one call per robot, each reported as it is done."""

    @command(verb, flags={"robot": "ROBOT_ARN"})
    @click.argument("fleet", metavar="FLEET_ARN")
    @click.argument("robots", metavar="ROBOT_ARN...", nargs=-1, required=True)
    def change(settings: Settings, fleet: str, robots: tuple[str, ...]) -> None:
        out = None if settings.json else console()

        async def each(client: DeploymentClient) -> list[RobotRegistration]:
            done = []
            for robot in robots:
                call = client.deregister_robot if undo else client.register_robot
                done.append(await call(fleet=fleet, robot=robot))
                if out is not None:
                    # As it happens: should a later robot fail, the ones before it are not left unsaid.
                    out.print(f"{verb.capitalize()}ed robot {robot} {'from' if undo else 'in'} fleet {fleet}")
            return done

        registrations = settings.run(each)
        show(settings, registrations, lambda out: None)

    change.help = "Remove robots from a fleet (they become Available)." if undo else "Add robots to a fleet."
    return change


_in(fleet)(_registration("register", undo=False))
_in(fleet)(_registration("deregister", undo=True))


# -- robots ----------------------------------------------------------------------------------------


@click.group()
def robot() -> None:
    """Create and delete robots.

    'robomaker-deploy robots' lists them; 'robomaker-deploy fleet register'
    adds them to a fleet.
    """


@_in(robot)
@command("create")
@click.argument("name")
@click.option("--architecture", **choice(Architecture), required=True, help="The robot's architecture.")
@click.option("--greengrass-group-id", metavar="ID", required=True, help="The robot's Greengrass group.")
@tags_option("the robot")
def create_robot(
    settings: Settings, name: str, architecture: Architecture, greengrass_group_id: str, tags: Pairs
) -> None:
    """Create a robot; print its ARN."""
    made = settings.run(
        lambda client: client.create_robot(
            name=name,
            architecture=architecture,
            greengrass_group_id=greengrass_group_id,
            tags=dict(tags) or None,
        )
    )
    show(
        settings, made, lambda out: out.print(f"Created robot {made.name} ({architecture.value}): {made.arn}")
    )


@_in(robot)
@command("delete")
@click.argument("robot", metavar="ROBOT_ARN")
def delete_robot(settings: Settings, robot: str) -> None:
    """Delete a robot."""
    settings.run(lambda client: client.delete_robot(robot))
    show(settings, {"robot": robot, "deleted": True}, lambda out: out.print(f"Deleted robot {robot}"))


# -- applications ----------------------------------------------------------------------------------


@click.group()
def app() -> None:
    """Create and delete robot applications and their versions.

    'robomaker-deploy apps' lists them. A deployment takes a numbered version:
    make one with 'robomaker-deploy app create-version'.
    """


def _sources(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> list[SourceConfig]:
    sources = []
    for value in values:
        arch, sep, url = value.partition("=")
        member = next((a for a in Architecture if a.value.casefold() == arch.casefold()), None)
        if not sep or member is None:
            known = ", ".join(a.value for a in Architecture)
            raise click.BadParameter(f"{value!r} is not ARCH=s3://BUCKET/KEY (ARCH: {known})", ctx, param)
        where = parse_s3_url(url, ctx, param)
        sources.append(SourceConfig(s3_bucket=where.bucket, s3_key=where.key, architecture=member))
    return sources


@_in(app)
@command(
    "create",
    flags={
        "sources": "--source",
        "robot_software_suite.name": "--suite",
        "robot_software_suite.version": "--suite-version",
    },
)
@click.argument("name")
@click.option(
    "--source",
    "sources",
    multiple=True,
    required=True,
    metavar="ARCH=s3://BUCKET/KEY",
    callback=_sources,
    help="The bundle for one architecture (X86_64, ARM64, ARMHF). Repeatable, one per architecture.",
)
@click.option("--suite", **choice(RobotSoftwareSuiteName), required=True, help="Its robot software suite.")
@click.option("--suite-version", **choice(RobotSoftwareSuiteVersion), help="The suite's version.")
@tags_option("the application")
def create_app(
    settings: Settings,
    name: str,
    sources: list[SourceConfig],
    suite: RobotSoftwareSuiteName,
    suite_version: RobotSoftwareSuiteVersion | None,
    tags: Pairs,
) -> None:
    """Create a robot application (its $LATEST); print its ARN.

    Example:

    \b
      robomaker-deploy app create hello-world --suite ROS2 --suite-version Foxy \\
          --source X86_64=s3://my-bundles/hello/x86_64.tar.gz \\
          --source ARM64=s3://my-bundles/hello/arm64.tar.gz
    """
    made = settings.run(
        lambda client: client.create_robot_application(
            name=name,
            sources=sources,
            robot_software_suite=RobotSoftwareSuite(name=suite, version=suite_version),
            tags=dict(tags) or None,
        )
    )

    def human(out: Console) -> None:
        out.print(f"Created application {made.name} ({_suite(made.robot_software_suite)}): {made.arn}")
        out.print(f"Make a version to deploy: robomaker-deploy app create-version {made.arn}", style="dim")

    show(settings, made, human)


@_in(app)
@command("create-version")
@click.argument("application", metavar="APP_ARN")
def create_app_version(settings: Settings, application: str) -> None:
    """Freeze the application's current sources as its next numbered version; print the number."""
    made = settings.run(lambda client: client.create_robot_application_version(application))

    def human(out: Console) -> None:
        out.print(f"Created version {text(made.version)} of {made.name}: {made.arn}")
        out.print(f"Deploy it with: --application {made.arn} --version {text(made.version)}", style="dim")

    show(settings, made, human)


@_in(app)
@command("delete")
@click.argument("application", metavar="APP_ARN")
@click.option("--version", metavar="VERSION", help="Delete only this numbered version.")
def delete_app(settings: Settings, application: str, version: str | None) -> None:
    """Delete an application (every version), or one numbered version of it."""
    settings.run(lambda client: client.delete_robot_application(application, version=version))
    what = f"version {version} of {application}" if version is not None else f"application {application}"
    deleted = {"application": application, "version": version, "deleted": True}
    show(settings, deleted, lambda out: out.print(f"Deleted {what}"))


#: In no particular order: the group lists its commands by name.
COMMANDS = (fleets, robots, apps, fleet, robot, app)
