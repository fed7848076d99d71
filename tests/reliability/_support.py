"""Fast in-process seeding and leak checks shared by the reliability tests."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Sequence
from typing import Any

import anyio

from robomaker_deploy import DeploymentClient
from robomaker_deploy.emulator import Emulator

MARKER = "SECRET-MARKER-7f3a"


def free_port() -> int:
    """A TCP port nobody listens on right now (for an emulator that must come back on the same one)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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


def seed_fleets(emu: Emulator, count: int, *, prefix: str, robots: int = 1) -> list[str]:
    """``count`` fleets of ``robots`` X86_64 robots each, made in process; their ARNs."""
    fleets = []
    for index in range(count):
        fleet = emu.call("CreateFleet", {"name": f"{prefix}-{index}"})
        for number in range(robots):
            robot = emu.call(
                "CreateRobot",
                {"name": f"{prefix}-{index}-r{number}", "architecture": "X86_64", "greengrassGroupId": "gg"},
            )
            emu.call("RegisterRobot", {"fleet": fleet["arn"], "robot": robot["arn"]})
        fleets.append(str(fleet["arn"]))
    return fleets


def app_configs(app: tuple[str, str], env: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Wire-shaped deploymentApplicationConfigs for ``app``."""
    launch: dict[str, Any] = {"packageName": "pkg", "launchFile": "app.launch"}
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


def calls(emu: Emulator) -> dict[str, int]:
    """Requests the emulator received, per operation (faulted ones included)."""
    return dict(emu.stats()["calls"])


def total(counts: dict[str, int]) -> int:
    return sum(counts.values())


async def settle(client: DeploymentClient) -> None:
    """Wait for cancelled shared calls to unwind; fail if the waiters or the pagers leave anything behind."""
    hub = client._waiter_hub()
    background = client._background
    for _ in range(400):
        if hub.idle and (background is None or not background._scopes):
            return
        await anyio.sleep(0.005)
    scopes = None if background is None else len(background._scopes)
    raise AssertionError(f"left behind: hub {vars(hub)}, {scopes} background task(s)")


def other_tasks() -> set[asyncio.Task[Any]]:
    """Every task on the loop but the caller's and the in-process emulator's request handlers."""
    return {
        task
        for task in asyncio.all_tasks()
        if task is not asyncio.current_task()
        and getattr(task.get_coro(), "__qualname__", "") != "RequestHandler.start"
    }
