"""Fills an emulator in process (fast: no HTTP, no signing), for tests and benchmarks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from robomaker_deploy.emulator import TAG_FAIL_STEP, Emulator


def seed_application(emu: Emulator, name: str = "rel-app") -> tuple[str, str]:
    """A ROS2 application with an X86_64 bundle and its version "1", made in process: ``(arn, version)``."""
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
    """A fleet ``name`` with one X86_64 robot per entry of ``robot_tags`` (its tags); its ARN."""
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
    """``count`` fleets of ``robots`` untagged X86_64 robots each; their ARNs."""
    return [seed_fleet(emu, f"{prefix}-{index}", robot_tags=[{}] * robots) for index in range(count)]


def app_configs(
    app: tuple[str, str], env: dict[str, str] | None = None, **members: str
) -> list[dict[str, Any]]:
    """Wire-shaped deploymentApplicationConfigs for ``app`` (extra launch-config ``members`` as given)."""
    launch: dict[str, Any] = {"packageName": "pkg", "launchFile": "app.launch", **members}
    if env:
        launch["environmentVariables"] = env
    return [{"application": app[0], "applicationVersion": app[1], "launchConfig": launch}]


def seed_running_jobs(
    emu: Emulator, app: tuple[str, str], fleets: Sequence[str], *, prefix: str
) -> list[str]:
    """Start a deployment on each fleet, in process; the jobs' ARNs."""
    return [
        str(
            emu.call(
                "CreateDeploymentJob",
                {
                    "fleet": fleet,
                    "clientRequestToken": f"{prefix}-{index}",
                    "deploymentApplicationConfigs": app_configs(app),
                },
            )["arn"]
        )
        for index, fleet in enumerate(fleets)
    ]


#: Kinds of job the seeder can make, by how it ends.
KINDS = ("Succeeded", "Failed", "Canceled")


def seed_jobs(
    emu: Emulator, count: int, *, kinds: Sequence[str] = ("Succeeded",), prefix: str = "s"
) -> list[str]:
    """Create ``count`` finished jobs, cycling through ``kinds``; return their ARNs, oldest first.

    Each kind gets its own fleet (named ``{prefix}-{kind}``) with one robot;
    the virtual clock moves two minutes per job so every job has ended before
    the next one starts on that fleet.
    """
    app = seed_application(emu, f"{prefix}-app")
    fleets = {
        kind: seed_fleet(
            emu,
            f"{prefix}-{kind}",
            robot_tags=[{TAG_FAIL_STEP: "ExecutingPreLaunch"} if kind == "Failed" else {}],
        )
        for kind in kinds
    }
    # A pre-launch file, so that the "Failed" kind has the step its robot is tagged to fail at.
    configs = app_configs(app, preLaunchFile="pre.sh")
    arns = []
    for index in range(count):
        kind = kinds[index % len(kinds)]
        emu.advance_clock(120)
        params: dict[str, Any] = {
            "clientRequestToken": f"{prefix}-{index}",
            "fleet": fleets[kind],
            "deploymentApplicationConfigs": configs,
        }
        job = emu.call("CreateDeploymentJob", params)
        if kind == "Canceled":
            emu.call("CancelDeploymentJob", {"job": job["arn"]})
        arns.append(str(job["arn"]))
    emu.advance_clock(120)
    return arns
