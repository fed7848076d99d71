"""Fills an emulator with many deployment jobs in process (fast), for listing tests and benchmarks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from robomaker_deploy.emulator import TAG_FAIL_STEP, Emulator

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
    app = emu.call(
        "CreateRobotApplication",
        {
            "name": f"{prefix}-app",
            "sources": [{"s3Bucket": "bundles", "s3Key": "x.tar", "architecture": "X86_64"}],
            "robotSoftwareSuite": {"name": "ROS2", "version": "Foxy"},
        },
    )
    version = emu.call("CreateRobotApplicationVersion", {"application": app["arn"]})
    configs = [
        {
            "application": app["arn"],
            "applicationVersion": version["version"],
            "launchConfig": {"packageName": "p", "launchFile": "l", "preLaunchFile": "pre.sh"},
        }
    ]
    fleets: dict[str, str] = {}
    for kind in kinds:
        fleet = emu.call("CreateFleet", {"name": f"{prefix}-{kind}"})
        tags = {TAG_FAIL_STEP: "ExecutingPreLaunch"} if kind == "Failed" else {}
        robot = emu.call(
            "CreateRobot",
            {"name": f"{prefix}-{kind}-r", "architecture": "X86_64", "greengrassGroupId": "g", "tags": tags},
        )
        emu.call("RegisterRobot", {"fleet": fleet["arn"], "robot": robot["arn"]})
        fleets[kind] = fleet["arn"]
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
