"""What the types promise at run time too: enum arguments, model arguments, wire values, described jobs."""

from __future__ import annotations

from typing import Any, get_args

import pytest

import robomaker_deploy
from robomaker_deploy import (
    Architecture,
    ArchitectureValue,
    DeploymentClient,
    DeploymentJob,
    DeploymentStatus,
    DeploymentStatusValue,
    DescribedDeploymentJob,
    RobotSoftwareSuite,
    RobotSoftwareSuiteName,
    RobotSoftwareSuiteNameValue,
    RobotSoftwareSuiteVersion,
    RobotSoftwareSuiteVersionValue,
    RobotStatus,
    RobotStatusValue,
    SourceConfig,
    ValidationError,
)

PAIRS: list[tuple[Any, type[Any]]] = [
    (ArchitectureValue, Architecture),
    (DeploymentStatusValue, DeploymentStatus),
    (RobotStatusValue, RobotStatus),
    (RobotSoftwareSuiteNameValue, RobotSoftwareSuiteName),
    (RobotSoftwareSuiteVersionValue, RobotSoftwareSuiteVersion),
]


@pytest.mark.parametrize(("literal", "enum"), PAIRS, ids=[e.__name__ for _, e in PAIRS])
def test_each_literal_holds_exactly_its_enums_wire_values(literal: Any, enum: type[Any]) -> None:
    assert get_args(literal) == tuple(member.value for member in enum)


def test_another_enums_member_is_refused_where_a_status_belongs() -> None:
    client = DeploymentClient(region_name="us-east-1")
    # "Failed" is also a deployment status, which is exactly why it must not slip through.
    with pytest.raises(ValidationError) as caught:
        client.list_deployment_jobs(status=RobotStatus.FAILED)  # type: ignore[arg-type]
    assert caught.value.field == "status"
    assert "DeploymentStatus" in caught.value.rule
    with pytest.raises(ValidationError):
        client.list_robots(status=DeploymentStatus.FAILED)  # type: ignore[call-overload]
    # The member or its wire string are both fine.
    client.list_deployment_jobs(status=[DeploymentStatus.FAILED, "InProgress"])
    client.list_robots(status="Failed")


@pytest.mark.asyncio
async def test_a_dict_where_a_model_belongs_is_refused_before_sending() -> None:
    async with DeploymentClient(
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:9",  # nothing listens: a request would be a connection error
        aws_access_key_id="k",
        aws_secret_access_key="s",
    ) as client:
        arn = "arn:aws:robomaker:us-east-1:123456789012:deployment-fleet/f/1"
        with pytest.raises(ValidationError) as caught:
            await client.create_deployment_job(
                fleet=arn,
                application_configs=[],
                deployment_config={"concurrentDeploymentPercentage": 5},  # type: ignore[arg-type]
            )
        assert caught.value.field == "deployment_config"
        assert "DeploymentConfig" in caught.value.rule
        secret = {"launchConfig": {"environmentVariables": {"TOKEN": "hush"}}}
        with pytest.raises(ValidationError) as caught:
            await client.create_deployment_job(fleet=arn, application_configs=[secret])  # type: ignore[list-item]
        assert caught.value.field == "application_configs[0]"
        assert "hush" not in str(caught.value)


def test_enum_fields_of_input_models_take_the_wire_string() -> None:
    suite = RobotSoftwareSuite(name="ROS2", version="Foxy")
    assert suite.name is RobotSoftwareSuiteName.ROS2
    assert suite.version is RobotSoftwareSuiteVersion.FOXY
    assert SourceConfig(s3_bucket="b", s3_key="k", architecture="ARM64").architecture is Architecture.ARM64
    with pytest.raises(ValidationError) as caught:
        RobotSoftwareSuite(name=42)  # type: ignore[arg-type]
    assert caught.value.field == "name"
    with pytest.raises(ValidationError):
        SourceConfig(s3_bucket="b", s3_key="k", architecture=RobotStatus.FAILED)  # type: ignore[arg-type]


def test_a_listed_job_is_not_a_described_one() -> None:
    assert issubclass(DescribedDeploymentJob, DeploymentJob)
    assert not hasattr(DeploymentJob, "robot_deployment_summary")
    assert "DescribedDeploymentJob" in robomaker_deploy.__all__
