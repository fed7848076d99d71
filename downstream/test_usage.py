"""The rollout service against the emulator, through the installed package's pytest fixture."""

from __future__ import annotations

import pytest
from usage import Release, RolloutService

from robomaker_deploy import (
    Architecture,
    DeploymentClient,
    DeploymentStatus,
    FailureCode,
    RobotSoftwareSuite,
    RobotSoftwareSuiteName,
    RobotSoftwareSuiteVersion,
    SourceConfig,
)
from robomaker_deploy.emulator import TAG_FAIL_STEP, Emulator


async def _fleet(client: DeploymentClient, name: str, *, failing: bool = False) -> str:
    fleet = await client.create_fleet(name=name)
    for number, arch in enumerate((Architecture.X86_64, Architecture.ARM64)):
        tags = {TAG_FAIL_STEP: "Launching"} if failing and number == 1 else {}
        robot = await client.create_robot(
            name=f"{name}-{number}", architecture=arch, greengrass_group_id=f"gg-{name}", tags=tags
        )
        await client.register_robot(fleet=fleet, robot=robot)
    return fleet.arn


@pytest.mark.asyncio
@pytest.mark.robomaker_emulator(speed=300)
async def test_a_rollout_stops_at_the_first_fleet_that_fails(robomaker_emulator: Emulator) -> None:
    async with robomaker_emulator.client() as client:
        app = await client.create_robot_application(
            name="nav",
            sources=[
                SourceConfig(s3_bucket="bundles", s3_key=f"nav-{arch.value}.tar", architecture=arch)
                for arch in (Architecture.X86_64, Architecture.ARM64)
            ],
            robot_software_suite=RobotSoftwareSuite(
                name=RobotSoftwareSuiteName.ROS2, version=RobotSoftwareSuiteVersion.FOXY
            ),
        )
        version = await client.create_robot_application_version(app)
        assert version.version is not None
        fleets = [
            await _fleet(client, "east"),
            await _fleet(client, "west", failing=True),
            await _fleet(client, "north"),
        ]
        service = RolloutService(client)
        release = Release(app.arn, version.version, "nav", "nav.launch", {"TOKEN": "secret"})

        outcomes = await service.roll_out(release, fleets, poll=0.05)

        assert [outcome.status for outcome in outcomes] == [
            DeploymentStatus.SUCCEEDED,
            DeploymentStatus.FAILED,
        ]
        (failure,) = outcomes[1].failures
        assert failure.code is FailureCode.GREENGRASS_DEPLOYMENT_FAILED
        assert outcomes[1].worth_retrying is failure.retryable
        assert any("InSync" in line for line in service.progress)
        assert len(await service.stuck_robots("west")) == 1
        assert [job.arn for job in await service.recent_failures()] == [outcomes[1].job]
