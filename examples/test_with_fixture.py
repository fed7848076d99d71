"""Testing deployment code with the emulator's pytest fixture.

    pytest examples/test_with_fixture.py

The ``robomaker_emulator`` fixture (installed with the package) starts an
emulator for the test; tags on a robot make it fail on purpose.
"""

from __future__ import annotations

import pytest

from robomaker_deploy import (
    Architecture,
    DeploymentApplicationConfig,
    DeploymentClient,
    DeploymentConfig,
    DeploymentFailedError,
    DescribedDeploymentJob,
    FailureCode,
    LaunchConfig,
    RobotSoftwareSuite,
    RobotSoftwareSuiteName,
    RobotStatus,
    SourceConfig,
)
from robomaker_deploy.emulator import TAG_FAIL_STEP, TAG_OFFLINE, Emulator

# Settings for every robomaker_emulator of this module: simulated robots at 200 times real speed.
pytestmark = pytest.mark.robomaker_emulator(speed=200)


async def roll_out(client: DeploymentClient, fleet_arn: str, app_arn: str) -> DescribedDeploymentJob:
    """The code under test: deploy version 1, half the fleet at a time, and wait for the outcome."""
    config = DeploymentApplicationConfig(
        application=app_arn,
        application_version="1",
        launch_config=LaunchConfig(package_name="app", launch_file="run.launch", pre_launch_file="pre.sh"),
    )
    job = await client.create_deployment_job(
        fleet=fleet_arn,
        application_configs=[config],
        deployment_config=DeploymentConfig(concurrent_deployment_percentage=50),
    )
    return await client.wait_until_deployment_succeeded(job, min_delay=0.05, max_delay=0.2, timeout=60)


async def make_fleet(client: DeploymentClient, robot_tags: list[dict[str, str]]) -> tuple[str, str]:
    source = SourceConfig(s3_bucket="bundles", s3_key="app.tar.gz", architecture=Architecture.ARM64)
    app = await client.create_robot_application(
        name="app",
        sources=[source],
        robot_software_suite=RobotSoftwareSuite(name=RobotSoftwareSuiteName.GENERAL),
    )
    await client.create_robot_application_version(app)
    fleet = await client.create_fleet(name="fleet")
    for n, tags in enumerate(robot_tags):
        robot = await client.create_robot(
            name=f"bot-{n}", architecture=Architecture.ARM64, greengrass_group_id="g", tags=tags
        )
        await client.register_robot(fleet=fleet, robot=robot)
    return fleet.arn, app.arn


@pytest.mark.asyncio
async def test_every_robot_ends_in_sync(robomaker_emulator: Emulator) -> None:
    async with robomaker_emulator.client() as client:
        fleet, app = await make_fleet(client, [{}, {}, {}, {}])
        final = await roll_out(client, fleet, app)
        assert {robot.status for robot in final.robot_deployment_summary} == {RobotStatus.IN_SYNC}


@pytest.mark.asyncio
@pytest.mark.robomaker_emulator(speed=600)  # an offline robot waits a minute of simulated time
async def test_failures_are_reported_per_robot(robomaker_emulator: Emulator) -> None:
    async with robomaker_emulator.client() as client:
        fleet, app = await make_fleet(
            client, [{}, {TAG_FAIL_STEP: "ExecutingPreLaunch"}, {TAG_OFFLINE: "true"}]
        )
        with pytest.raises(DeploymentFailedError) as failed:
            await roll_out(client, fleet, app)
        codes = {robot.failure_code for robot in failed.value.failed_robots}
        assert codes == {FailureCode.PRE_LAUNCH_FILE_FAILURE, FailureCode.ROBOT_DEPLOYMENT_NO_RESPONSE}
        assert not any(code.retryable for code in codes if code is FailureCode.PRE_LAUNCH_FILE_FAILURE)
