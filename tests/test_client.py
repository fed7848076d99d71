"""The client end to end: real aiobotocore over loopback HTTP to the emulator."""

from __future__ import annotations

from datetime import datetime, timezone

import anyio
import pytest
from typing_extensions import assert_type

from robomaker_deploy import (
    AuthenticationError,
    ConcurrentDeploymentError,
    DeploymentClient,
    DeploymentConfig,
    DeploymentJob,
    DeploymentStatus,
    DescribedDeploymentJob,
    Fleet,
    IdempotentParameterMismatchError,
    InvalidParameterError,
    ResourceNotFoundError,
    Robot,
    RobotApplication,
    RobotStatus,
)
from robomaker_deploy.emulator import Emulator, EmulatorCredentials
from tests.support.world import build_world


async def finished(client: DeploymentClient, job: DeploymentJob) -> DescribedDeploymentJob:
    with anyio.fail_after(60):
        while True:
            described = await client.describe_deployment_job(job)
            if described.status.is_terminal:
                return described
            await anyio.sleep(0.05)


@pytest.mark.asyncio
async def test_deploy_describe_and_finish(robomaker_emulator: Emulator) -> None:
    async with robomaker_emulator.client() as client:
        world = await build_world(client, robots=3)
        job = await client.create_deployment_job(
            fleet=world.fleet,
            application_configs=[world.config(environment_variables={"MODE": "fast"})],
            deployment_config=DeploymentConfig(concurrent_deployment_percentage=50),
            tags={"team": "robots"},
        )
        assert_type(job, DeploymentJob)
        assert job.status in (DeploymentStatus.PENDING, DeploymentStatus.PREPARING)
        assert job.fleet == world.fleet.arn
        assert job.created_at.tzinfo == timezone.utc
        assert job.deployment_config == DeploymentConfig(concurrent_deployment_percentage=50)
        assert job.deployment_application_configs[0].launch_config.environment_variables == {"MODE": "fast"}

        done = await finished(client, job)
        assert done.status is DeploymentStatus.SUCCEEDED
        summary = done.robot_deployment_summary
        assert len(summary) == 3
        assert {r.arn for r in summary} == {r.arn for r in world.robots}
        assert all(r.status is RobotStatus.IN_SYNC for r in summary)
        assert all(isinstance(r.deployment_finish_time, datetime) for r in summary)

        robot = await client.describe_robot(world.robots[0])
        assert_type(robot, Robot)
        assert robot.greengrass_group_id == "gg-0"
        assert robot.last_deployment_job == job.arn
        fleet = await client.describe_fleet(world.fleet)
        assert_type(fleet, Fleet)
        assert fleet.last_deployment_status is DeploymentStatus.SUCCEEDED
        assert fleet.robots is not None and len(fleet.robots) == 3
        assert {r.greengrass_group_id for r in fleet.robots} == {"gg-0", "gg-1", "gg-2"}


@pytest.mark.asyncio
async def test_a_running_fleet_refuses_a_second_job(robomaker_emulator: Emulator) -> None:
    async with robomaker_emulator.client() as client:
        world = await build_world(client, robots=2)
        job = await client.create_deployment_job(fleet=world.fleet, application_configs=[world.config()])
        with pytest.raises(ConcurrentDeploymentError) as info:
            await client.create_deployment_job(fleet=world.fleet, application_configs=[world.config()])
        assert info.value.code == "ConcurrentDeploymentException"
        assert info.value.http_status == 400
        assert info.value.request_id
        await client.cancel_deployment_job(job)
        canceled = await finished(client, job)
        assert canceled.status is DeploymentStatus.CANCELED


@pytest.mark.asyncio
async def test_client_request_token_makes_create_idempotent(robomaker_emulator: Emulator) -> None:
    async with robomaker_emulator.client() as client:
        world = await build_world(client, robots=1)
        first = await client.create_deployment_job(
            fleet=world.fleet, application_configs=[world.config()], client_request_token="same-token"
        )
        again = await client.create_deployment_job(
            fleet=world.fleet, application_configs=[world.config()], client_request_token="same-token"
        )
        assert again.arn == first.arn
        with pytest.raises(IdempotentParameterMismatchError):
            await client.create_deployment_job(
                fleet=world.fleet,
                application_configs=[world.config(launch_file="other.launch")],
                client_request_token="same-token",
            )


@pytest.mark.asyncio
async def test_service_errors_are_typed(robomaker_emulator: Emulator) -> None:
    missing = f"arn:aws:robomaker:{robomaker_emulator.region}:123456789012:deployment-job/dep-nothere"
    async with robomaker_emulator.client() as client:
        with pytest.raises(ResourceNotFoundError) as info:
            await client.describe_deployment_job(missing)
        assert info.value.operation == "DescribeDeploymentJob"
        world = await build_world(client, robots=1)
        with pytest.raises(InvalidParameterError):
            await client.create_deployment_job(
                fleet=world.fleet,
                application_configs=[
                    world.config().__class__(
                        application=world.version.arn,
                        application_version="99",
                        launch_config=world.config().launch_config,
                    )
                ],
            )


@pytest.mark.asyncio
async def test_wrong_credentials_are_an_authentication_error(robomaker_emulator: Emulator) -> None:
    for key, secret in [("unknown-key", "testing"), ("testing", "wrong-secret")]:
        async with DeploymentClient(
            endpoint_url=robomaker_emulator.endpoint_url,
            region_name=robomaker_emulator.region,
            aws_access_key_id=key,
            aws_secret_access_key=secret,
        ) as client:
            with pytest.raises(AuthenticationError) as info:
                await client.create_fleet(name="nope")
            assert info.value.http_status == 403
            assert info.value.code in ("UnrecognizedClientException", "InvalidSignatureException")


@pytest.mark.asyncio
async def test_applications_tags_and_deletes(robomaker_emulator: Emulator) -> None:
    async with robomaker_emulator.client() as client:
        world = await build_world(client, robots=1)
        assert_type(world.version, RobotApplication)
        assert world.version.version == "1"
        second = await client.create_robot_application_version(world.application)
        assert second.version == "2"
        described = await client.describe_robot_application(world.application, version="2")
        assert described.version == "2"
        assert {s.architecture for s in described.sources} == {"X86_64", "ARM64"}

        await client.tag_resource(world.fleet.arn, {"a": "1", "b": "2"})
        await client.untag_resource(world.fleet.arn, ["a"])
        assert await client.list_tags_for_resource(world.fleet.arn) == {"b": "2"}

        registration = await client.deregister_robot(fleet=world.fleet, robot=world.robots[0])
        assert registration.robot == world.robots[0].arn
        await client.delete_robot(world.robots[0])
        await client.delete_fleet(world.fleet)
        await client.delete_robot_application(world.application)
        with pytest.raises(ResourceNotFoundError):
            await client.describe_fleet(world.fleet)


@pytest.mark.asyncio
async def test_sync_deploys_the_last_success_to_new_robots(robomaker_emulator: Emulator) -> None:
    async with robomaker_emulator.client() as client:
        world = await build_world(client, robots=2)
        job = await client.create_deployment_job(fleet=world.fleet, application_configs=[world.config()])
        assert (await finished(client, job)).status is DeploymentStatus.SUCCEEDED
        late = await client.create_robot(name="late", architecture="X86_64", greengrass_group_id="gg-late")
        await client.register_robot(fleet=world.fleet, robot=late)
        sync = await client.sync_deployment_job(fleet=world.fleet)
        assert sync.arn != job.arn
        synced = await finished(client, sync)
        assert synced.status is DeploymentStatus.SUCCEEDED
        assert late.arn in {r.arn for r in synced.robot_deployment_summary}


def test_runs_on_trio(robomaker_emulator_background: Emulator) -> None:
    import trio

    emulator = robomaker_emulator_background

    async def main() -> str:
        async with emulator.client() as client:
            fleet = await client.create_fleet(name="on-trio")
            described = await client.describe_fleet(fleet)
            return described.name

    assert trio.run(main) == "on-trio"


@pytest.mark.asyncio
async def test_a_closed_client_says_how_to_open_it() -> None:
    client = DeploymentClient(region_name="us-east-1", endpoint_url="http://127.0.0.1:9")
    with pytest.raises(RuntimeError, match="async with"):
        await client.create_fleet(name="x")


def test_credentials_not_in_repr() -> None:
    creds = EmulatorCredentials(access_key_id="AKID", secret_access_key="very-secret")
    assert "very-secret" not in repr(creds)
