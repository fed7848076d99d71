"""Set-up shared by the waiter tests and the waiter benchmark: an application, fleets, deployments."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import anyio

from robomaker_deploy import (
    Architecture,
    DeploymentApplicationConfig,
    DeploymentClient,
    DeploymentConfig,
    DeploymentJob,
    Fleet,
    LaunchConfig,
)

from . import world


async def make_application(client: DeploymentClient) -> tuple[str, str]:
    """A ROS2 application with an X86_64 bundle, and its first numbered version: ``(arn, version)``."""
    _, version = await world.make_application(client, name="waiter-app", architectures=[Architecture.X86_64])
    return version.arn, version.version or "1"


async def make_fleet(client: DeploymentClient, name: str, robots: Sequence[Mapping[str, str]]) -> Fleet:
    """A fleet with one X86_64 robot per entry of ``robots`` (each the robot's tags)."""
    fleet, _ = await world.make_fleet(client, name, robots)
    return fleet


async def deploy(
    client: DeploymentClient,
    fleet: Fleet,
    app: tuple[str, str],
    *,
    config: DeploymentConfig | None = None,
    pre_launch: bool = False,
) -> DeploymentJob:
    """Deploy the application version to the fleet."""
    return await client.create_deployment_job(
        fleet=fleet,
        application_configs=[
            DeploymentApplicationConfig(
                application=app[0],
                application_version=app[1],
                launch_config=LaunchConfig(
                    package_name="pkg",
                    launch_file="app.launch",
                    pre_launch_file="pre.sh" if pre_launch else None,
                ),
            )
        ],
        deployment_config=config,
    )


async def many_jobs(
    client: DeploymentClient, app: tuple[str, str], count: int, *, prefix: str = "f", concurrency: int = 32
) -> list[DeploymentJob]:
    """``count`` fleets of one robot each, each with a deployment just started (created concurrently)."""
    jobs: list[DeploymentJob | None] = [None] * count
    limiter = anyio.CapacityLimiter(concurrency)

    async def one(index: int) -> None:
        async with limiter:
            fleet = await make_fleet(client, f"{prefix}{index}", [{}])
            jobs[index] = await deploy(client, fleet, app)

    async with anyio.create_task_group() as group:
        for index in range(count):
            group.start_soon(one, index)
    return [job for job in jobs if job is not None]
