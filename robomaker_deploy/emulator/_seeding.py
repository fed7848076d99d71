"""Filling a running emulator with a world in process: an application, fleets, running and finished jobs.

Everything goes through :meth:`Emulator.call`: validated as on the wire, but
with no HTTP, signing, faults or call counts, so ten thousand jobs take
seconds. Tests and benchmarks build their worlds with it, and
:func:`seed_world` fills an emulator at start-up with a :class:`World`
(``robomaker-deploy emulator --seed demo``, or ``--seed FILE``; see ``_world``).

The helpers' worlds are deliberately plain: one ROS2 application with an
X86_64 bundle, fleets of untagged X86_64 robots, and a launch config that
names a package and a launch file. Robots fail only where a caller asks,
through tags.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import attrs

from .._enums import RobotDeploymentStep
from ._emulator import Emulator
from ._errors import ServiceError
from ._simulation import TAG_FAIL_STEP
from ._world import Application, FleetSpec, World, WorldError

#: An application version a job deploys: ``(application ARN, version)``.
AppVersionRef = tuple[str, str]
#: How a seeded job ends.
JobEnd = Literal["Succeeded", "Failed", "Canceled"]

# Longer than any deployment of one robot at speed 1, so a fleet is free again after it.
_JOB_GAP_SECONDS = 120
# The step a "Failed" job's robot fails at: the seeded jobs carry a pre-launch file so it runs.
_FAIL_STEP = RobotDeploymentStep.EXECUTING_PRE_LAUNCH.value


def seed_application(emu: Emulator, name: str = "rel-app") -> AppVersionRef:
    """A ROS2 application ``name`` with an X86_64 bundle, and its version "1"."""
    app = emu.call(
        "CreateRobotApplication",
        {
            "name": name,
            "sources": [{"s3Bucket": "bundles", "s3Key": "app.tar", "architecture": "X86_64"}],
            "robotSoftwareSuite": {"name": "ROS2", "version": "Foxy"},
        },
    )
    version = emu.call("CreateRobotApplicationVersion", {"application": app["arn"]})
    return str(app["arn"]), str(version["version"])


def seed_fleet(emu: Emulator, name: str, *, robot_tags: Sequence[Mapping[str, str]] = ({},)) -> str:
    """A fleet ``name`` with one X86_64 robot per entry of ``robot_tags`` (its tags); its ARN.

    The robots are named ``{name}-r0``, ``{name}-r1``...
    """
    fleet = emu.call("CreateFleet", {"name": name})
    for number, tags in enumerate(robot_tags):
        robot = emu.call(
            "CreateRobot",
            {
                "name": f"{name}-r{number}",
                "architecture": "X86_64",
                "greengrassGroupId": "gg",
                "tags": dict(tags),
            },
        )
        emu.call("RegisterRobot", {"fleet": fleet["arn"], "robot": robot["arn"]})
    return str(fleet["arn"])


def seed_fleets(emu: Emulator, count: int, *, prefix: str, robots: int = 1) -> list[str]:
    """``count`` fleets ``{prefix}-0``... of ``robots`` untagged X86_64 robots each; their ARNs."""
    return [seed_fleet(emu, f"{prefix}-{index}", robot_tags=[{}] * robots) for index in range(count)]


def app_configs(
    app: AppVersionRef, env: Mapping[str, str] | None = None, **launch_members: str
) -> list[dict[str, Any]]:
    """Wire-shaped ``deploymentApplicationConfigs`` for ``app``.

    ``env`` becomes the launch config's environment variables; ``launch_members``
    are further launch-config members by their wire names (``preLaunchFile=...``).
    """
    launch: dict[str, Any] = {"packageName": "pkg", "launchFile": "app.launch", **launch_members}
    if env:
        launch["environmentVariables"] = dict(env)
    return [{"application": app[0], "applicationVersion": app[1], "launchConfig": launch}]


def seed_running_jobs(emu: Emulator, app: AppVersionRef, fleets: Sequence[str], *, prefix: str) -> list[str]:
    """Start a deployment of ``app`` on each fleet (tokens ``{prefix}-0``...); the jobs' ARNs."""
    configs = app_configs(app)
    return [_deploy(emu, fleet, f"{prefix}-{index}", configs) for index, fleet in enumerate(fleets)]


def seed_jobs(
    emu: Emulator, count: int, *, kinds: Sequence[JobEnd] = ("Succeeded",), prefix: str = "s"
) -> list[str]:
    """``count`` finished jobs, ending in ``kinds`` in turn; their ARNs, oldest first.

    Each kind gets its own fleet (``{prefix}-{kind}``) of one robot, and an
    application ``{prefix}-app``. The virtual clock moves two minutes before
    each job, so the fleet's previous job has ended, and once more after the
    last, so every job has ended when this returns.
    """
    app = seed_application(emu, f"{prefix}-app")
    fleets = {
        kind: seed_fleet(
            emu, f"{prefix}-{kind}", robot_tags=[{TAG_FAIL_STEP: _FAIL_STEP} if kind == "Failed" else {}]
        )
        for kind in kinds
    }
    configs = app_configs(app, preLaunchFile="pre.sh")
    arns = []
    for index in range(count):
        kind = kinds[index % len(kinds)]
        emu.advance_clock(_JOB_GAP_SECONDS)
        arn = _deploy(emu, fleets[kind], f"{prefix}-{index}", configs)
        if kind == "Canceled":
            emu.call("CancelDeploymentJob", {"job": arn})
        arns.append(arn)
    emu.advance_clock(_JOB_GAP_SECONDS)
    return arns


def _deploy(emu: Emulator, fleet: str, token: str, configs: list[dict[str, Any]]) -> str:
    job = emu.call(
        "CreateDeploymentJob",
        {"fleet": fleet, "clientRequestToken": token, "deploymentApplicationConfigs": configs},
    )
    return str(job["arn"])


# -- a whole world, at start-up (--seed demo, --seed FILE) -----------------------------------------


@attrs.frozen
class Seeded:
    """One resource a world made: what it is, its name and ARN, and a word on it."""

    kind: Literal["application", "fleet"]
    name: str
    arn: str
    detail: str
    version: str | None = None
    """An application's last numbered version, if it has one."""

    def line(self) -> str:
        """``fleet lab arn:... (3 robots: X86_64, ARM64)``: the ARN third, for ``awk '{print $3}'``."""
        return f"{self.kind} {self.name} {self.arn} ({self.detail})"


def seed_world(emu: Emulator, world: World) -> list[Seeded]:
    """Create ``world`` in an empty emulator; what was made, applications first.

    A refusal (an invalid name, an unknown architecture) is a :class:`WorldError`
    naming the entry; an emulator that already holds resources (a state file's)
    is refused before anything is made, so a world is never seeded twice.
    """
    held = any(emu.call(operation, {"maxResults": 1}).get(key) for operation, key in _HOLDINGS)
    if held:
        raise WorldError(
            "the emulator already holds resources (from its --state-file?): a world is seeded only into"
            " an empty one; start without --seed to keep them, or with a new state file"
        )
    made = [
        _seed_application(emu, app, f"applications[{index}]") for index, app in enumerate(world.applications)
    ]
    made += [_seed_fleet_spec(emu, fleet, f"fleets[{index}]") for index, fleet in enumerate(world.fleets)]
    return made


#: The listings that show whether an emulator holds anything: (operation, result key).
_HOLDINGS = (
    ("ListFleets", "fleetDetails"),
    ("ListRobots", "robots"),
    ("ListRobotApplications", "robotApplicationSummaries"),
)


def _seed_application(emu: Emulator, app: Application, where: str) -> Seeded:
    sources = [_source(arch, url, f"{where}.sources.{arch}") for arch, url in app.sources.items()]
    made = _call(
        emu,
        where,
        "CreateRobotApplication",
        {
            "name": app.name,
            "sources": sources,
            "robotSoftwareSuite": dict(app.suite),
            "tags": dict(app.tags),
        },
    )
    for _ in range(app.versions):
        _call(emu, where, "CreateRobotApplicationVersion", {"application": made["arn"]})
    numbers = ", ".join(str(number) for number in range(1, app.versions + 1)) or "none"
    suite = " ".join(app.suite.values())
    detail = f"{suite}; {', '.join(app.sources)}; versions: {numbers}"
    return Seeded(
        "application", app.name, str(made["arn"]), detail, str(app.versions) if app.versions else None
    )


def _seed_fleet_spec(emu: Emulator, fleet: FleetSpec, where: str) -> Seeded:
    made = _call(emu, where, "CreateFleet", {"name": fleet.name, "tags": dict(fleet.tags)})
    failing = []
    for index, robot in enumerate(fleet.robots):
        at = f"{where}.robots[{index}]"
        params = {
            "name": robot.name,
            "architecture": robot.architecture,
            "greengrassGroupId": robot.greengrass_group_id,
            "tags": dict(robot.tags),
        }
        arn = _call(emu, at, "CreateRobot", params)["arn"]
        _call(emu, at, "RegisterRobot", {"fleet": made["arn"], "robot": arn})
        if TAG_FAIL_STEP in robot.tags:
            failing.append(f"{robot.name} fails at {robot.tags[TAG_FAIL_STEP]}")
    architectures = ", ".join(dict.fromkeys(robot.architecture for robot in fleet.robots))
    detail = f"{len(fleet.robots)} robots" + (f": {architectures}" if architectures else "")
    return Seeded("fleet", fleet.name, str(made["arn"]), "; ".join([detail, *failing]))


def _source(arch: str, url: str, where: str) -> dict[str, str]:
    bucket, _, key = url.removeprefix("s3://").partition("/")
    if not url.startswith("s3://") or not bucket or not key:
        raise WorldError(f"{where} must be s3://BUCKET/KEY, not {url!r}")
    return {"s3Bucket": bucket, "s3Key": key, "architecture": arch}


def _call(emu: Emulator, where: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    try:
        return emu.call(operation, params)
    except ServiceError as exc:
        raise WorldError(f"{where}: {exc.message}") from exc
