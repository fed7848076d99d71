"""Builds small RoboMaker worlds through the SDK: an application version, fleets of robots, deployments.

For worlds of thousands of records, fill the emulator in process instead
(``robomaker_deploy.emulator._seeding``): no HTTP, no signing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import anyio
import attrs

from robomaker_deploy import (
    Architecture,
    ClientConfig,
    DeploymentApplicationConfig,
    DeploymentClient,
    DeploymentConfig,
    DeploymentJob,
    Fleet,
    LaunchConfig,
    Robot,
    RobotApplication,
    RobotSoftwareSuite,
    RobotSoftwareSuiteName,
    RobotSoftwareSuiteVersion,
    SourceConfig,
)


def process_client(url: str) -> DeploymentClient:
    """The SDK's client on an emulator running in another process (default credentials), polling fast."""
    return DeploymentClient(
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=ClientConfig(wait_min_delay=0.02, wait_max_delay=0.05),
    )


@attrs.frozen
class World:
    application: RobotApplication
    version: RobotApplication
    fleet: Fleet
    robots: tuple[Robot, ...]

    def config(self, **launch: object) -> DeploymentApplicationConfig:
        """A deployment of the world's version with a plain launch config."""
        options: dict[str, object] = {"package_name": "hello_world", "launch_file": "main.launch", **launch}
        assert self.version.version is not None
        return DeploymentApplicationConfig(
            application=self.version.arn,
            application_version=self.version.version,
            launch_config=LaunchConfig(**options),  # type: ignore[arg-type]
        )


async def make_application(
    client: DeploymentClient,
    *,
    name: str = "app",
    architectures: Sequence[Architecture] = (Architecture.X86_64, Architecture.ARM64),
) -> tuple[RobotApplication, RobotApplication]:
    """A ROS2 application with a bundle per architecture, and its version "1": ``(application, version)``."""
    application = await client.create_robot_application(
        name=name,
        sources=[
            SourceConfig(s3_bucket="bundles", s3_key=f"{arch.value}.tar", architecture=arch)
            for arch in architectures
        ],
        robot_software_suite=RobotSoftwareSuite(
            name=RobotSoftwareSuiteName.ROS2, version=RobotSoftwareSuiteVersion.FOXY
        ),
    )
    return application, await client.create_robot_application_version(application)


async def make_fleet(
    client: DeploymentClient,
    name: str,
    robot_tags: Sequence[Mapping[str, str]],
    *,
    architectures: Sequence[Architecture] = (Architecture.X86_64,),
    robot_prefix: str | None = None,
) -> tuple[Fleet, tuple[Robot, ...]]:
    """A fleet with one robot per entry of ``robot_tags`` (its tags), architectures taken in turn.

    Robots are named ``{robot_prefix}-{index}`` (``{name}-robot-{index}`` by default).
    """
    fleet = await client.create_fleet(name=name)
    robots = []
    for index, tags in enumerate(robot_tags):
        robot = await client.create_robot(
            name=f"{robot_prefix or f'{name}-robot'}-{index}",
            architecture=architectures[index % len(architectures)],
            greengrass_group_id=f"gg-{index}",
            tags=dict(tags),
        )
        await client.register_robot(fleet=fleet, robot=robot)
        robots.append(robot)
    return fleet, tuple(robots)


async def build_world(
    client: DeploymentClient,
    *,
    name: str = "w",
    robots: int = 3,
    architectures: Sequence[Architecture] = (Architecture.X86_64, Architecture.ARM64),
    robot_tags: Mapping[int, Mapping[str, str]] | None = None,
    robot_architectures: Sequence[Architecture] | None = None,
) -> World:
    """An application version with bundles for ``architectures``, and a fleet of ``robots`` robots."""
    application, version = await make_application(client, name=f"{name}-app", architectures=architectures)
    fleet, made = await make_fleet(
        client,
        f"{name}-fleet",
        [(robot_tags or {}).get(index, {}) for index in range(robots)],
        architectures=robot_architectures or architectures,
    )
    return World(application=application, version=version, fleet=fleet, robots=made)


async def versioned_app(client: DeploymentClient) -> tuple[str, str]:
    """A ROS2 application with an X86_64 bundle, and its first numbered version: ``(arn, version)``."""
    _, version = await make_application(client, name="waiter-app", architectures=[Architecture.X86_64])
    return version.arn, version.version


async def plain_fleet(client: DeploymentClient, name: str, robots: Sequence[Mapping[str, str]]) -> Fleet:
    """A fleet with one X86_64 robot per entry of ``robots`` (each the robot's tags)."""
    fleet, _ = await make_fleet(client, name, robots)
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
            fleet = await plain_fleet(client, f"{prefix}{index}", [{}])
            jobs[index] = await deploy(client, fleet, app)

    async with anyio.create_task_group() as group:
        for index in range(count):
            group.start_soon(one, index)
    return [job for job in jobs if job is not None]
