"""Filling a running emulator with a world in process: an application, fleets, running and finished jobs.

Everything goes through :meth:`Emulator.call`: validated as on the wire, but
with no HTTP, signing, faults or call counts, so ten thousand jobs take
seconds. Tests and benchmarks build their worlds with it; a ready-made
world at start-up (``robomaker-deploy emulator --seed ...``) can too.

The world is deliberately plain: one ROS2 application with an X86_64 bundle,
fleets of untagged X86_64 robots, and a launch config that names a package
and a launch file. Robots fail only where a caller asks, through tags.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from .._enums import RobotDeploymentStep
from ._emulator import Emulator
from ._simulation import TAG_FAIL_STEP

#: An application version a job deploys: ``(application ARN, version)``.
AppVersionRef = tuple[str, str]
#: How a seeded job ends.
JobEnd = Literal["Succeeded", "Failed", "Canceled"]
#: Every kind of end :func:`seed_jobs` can make.
KINDS: tuple[JobEnd, ...] = ("Succeeded", "Failed", "Canceled")

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
