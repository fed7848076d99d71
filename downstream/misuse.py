"""Deliberate mistakes a user of robomaker_deploy can make, one small function each: mypy must catch them.

Each ``misuse_*`` function holds one mistake, on a line marked either
``# type: ignore[<code>]`` (mypy reports it today, with that error code) or
``# not caught: <why>`` (mypy lets it through today). The file is checked
with ``mypy --strict --warn-unused-ignores``: if mypy stops catching a
marked mistake, the ignore becomes unused and the check fails; if it starts
catching an unmarked one, the new error fails it. Either way the marker is
updated with the change that did it. ``python count_misuses.py`` runs that
check and prints how many mistakes mypy catches.

Nothing here is meant to run.
"""

from __future__ import annotations

from robomaker_deploy import (
    Architecture,
    ClientConfig,
    DeploymentClient,
    DeploymentConfig,
    DeploymentJob,
    DeploymentStatus,
    LaunchConfig,
    RobotSoftwareSuite,
    RobotStatus,
)
from robomaker_deploy.emulator import Emulator

FLEET = "arn:aws:robomaker:us-east-1:123456789012:deployment-fleet/lab/1"
JOB = "arn:aws:robomaker:us-east-1:123456789012:deployment-job/j"


# -- caught today ------------------------------------------------------------------------------------


async def misuse_wrong_argument_type(client: DeploymentClient) -> None:
    await client.create_fleet(name=42)  # type: ignore[arg-type]


async def misuse_result_used_without_await(client: DeploymentClient) -> None:
    job = client.describe_deployment_job(JOB)
    print(job.status)  # type: ignore[attr-defined]


async def misuse_call_never_awaited(client: DeploymentClient) -> None:
    client.cancel_deployment_job(JOB)  # type: ignore[unused-coroutine]


def misuse_wrong_model_field() -> LaunchConfig:
    return LaunchConfig(package="hello_world", launch_file="hello.launch")  # type: ignore[call-arg]


def misuse_misspelt_attribute(job: DeploymentJob) -> object:
    return job.robot_summary  # type: ignore[attr-defined]


def misuse_changing_a_frozen_model(job: DeploymentJob) -> None:
    job.status = DeploymentStatus.SUCCEEDED  # type: ignore[misc]


async def misuse_listing_iterated_synchronously(client: DeploymentClient) -> None:
    for fleet in client.list_fleets():  # type: ignore[attr-defined]
        print(fleet)


async def misuse_listing_awaited(client: DeploymentClient) -> None:
    await client.list_fleets()  # type: ignore[misc]


def misuse_deployment_config_as_client_config() -> DeploymentClient:
    return DeploymentClient(config=DeploymentConfig())  # type: ignore[arg-type]


def misuse_enum_member_that_does_not_exist() -> object:
    return Architecture.X86  # type: ignore[attr-defined]


async def misuse_dict_for_a_model(client: DeploymentClient) -> None:
    config = {"application": "arn:app", "application_version": "1"}
    await client.create_deployment_job(fleet=FLEET, application_configs=[config])  # type: ignore[list-item]


def misuse_optional_failure_code_unchecked(job: DeploymentJob) -> str:
    return job.failure_code.description  # type: ignore[union-attr]


async def misuse_timeout_as_text(client: DeploymentClient) -> None:
    await client.wait_for_deployment_job(JOB, timeout="60")  # type: ignore[arg-type]


def misuse_robot_status_as_job_status(client: DeploymentClient) -> object:
    return client.list_deployment_jobs(status=RobotStatus.FAILED)  # type: ignore[arg-type]


async def misuse_robot_status_as_architecture(client: DeploymentClient) -> None:
    await client.create_robot(
        name="r1",
        architecture=RobotStatus.FAILED,  # type: ignore[arg-type]
        greengrass_group_id="gg",
    )


def misuse_status_with_fleet_name(client: DeploymentClient) -> object:
    return client.list_deployment_jobs(status=DeploymentStatus.FAILED, fleet_name="lab")  # type: ignore[call-overload]


def misuse_robots_of_a_listed_job(job: DeploymentJob) -> int:
    return len(job.robot_deployment_summary)  # type: ignore[attr-defined]


async def misuse_dict_for_a_deployment_config(client: DeploymentClient) -> None:
    config = {"concurrentDeploymentPercentage": 25}
    await client.create_deployment_job(fleet=FLEET, application_configs=[], deployment_config=config)  # type: ignore[arg-type]


def misuse_robot_status_as_suite_name() -> RobotSoftwareSuite:
    return RobotSoftwareSuite(name=RobotStatus.FAILED)  # type: ignore[arg-type]


def misuse_unknown_client_option(emulator: Emulator) -> DeploymentClient:
    return emulator.client(confg=ClientConfig())  # type: ignore[call-arg]


def misuse_unknown_fault(emulator: Emulator) -> None:
    emulator.set_faults(throtle=0.5)  # type: ignore[call-arg]
