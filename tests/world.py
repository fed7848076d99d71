"""Builds a small RoboMaker world (application version, fleet, robots) through the SDK."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from robomaker_deploy import (
    Architecture,
    DeploymentApplicationConfig,
    DeploymentClient,
    Fleet,
    LaunchConfig,
    Robot,
    RobotApplication,
    RobotSoftwareSuite,
    RobotSoftwareSuiteName,
    RobotSoftwareSuiteVersion,
    SourceConfig,
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


async def build_world(
    client: DeploymentClient,
    *,
    name: str = "w",
    robots: int = 3,
    architectures: Sequence[Architecture] = (Architecture.X86_64, Architecture.ARM64),
    robot_tags: Mapping[int, Mapping[str, str]] | None = None,
    robot_architectures: Sequence[Architecture] | None = None,
) -> World:
    application = await client.create_robot_application(
        name=f"{name}-app",
        sources=[
            SourceConfig(s3_bucket="bundles", s3_key=f"{arch.value}.tar", architecture=arch)
            for arch in architectures
        ],
        robot_software_suite=RobotSoftwareSuite(
            name=RobotSoftwareSuiteName.ROS2, version=RobotSoftwareSuiteVersion.FOXY
        ),
    )
    version = await client.create_robot_application_version(application)
    fleet = await client.create_fleet(name=f"{name}-fleet")
    made = []
    for index in range(robots):
        arch = (robot_architectures or architectures)[index % len(robot_architectures or architectures)]
        robot = await client.create_robot(
            name=f"{name}-robot-{index}",
            architecture=arch,
            greengrass_group_id=f"gg-{index}",
            tags=(robot_tags or {}).get(index),
        )
        await client.register_robot(fleet=fleet, robot=robot)
        made.append(robot)
    return World(application=application, version=version, fleet=fleet, robots=tuple(made))
