"""Bad input is refused before anything is sent, with the field, the value and the rule named."""

from __future__ import annotations

from typing import Any

import pytest

from robomaker_deploy import (
    DeploymentApplicationConfig,
    DeploymentClient,
    DeploymentConfig,
    LaunchConfig,
    ValidationError,
)

FLEET = "arn:aws:robomaker:us-east-1:123456789012:deployment-fleet/f/1"
APP = "arn:aws:robomaker:us-east-1:123456789012:robot-application/a/1"


def config(version: str = "1", **launch: Any) -> DeploymentApplicationConfig:
    launch.setdefault("package_name", "pkg")
    launch.setdefault("launch_file", "main.launch")
    return DeploymentApplicationConfig(
        application=APP, application_version=version, launch_config=LaunchConfig(**launch)
    )


async def create(**overrides: Any) -> None:
    # Never opened: validation must fail before the client would need a connection.
    client = DeploymentClient(region_name="us-east-1")
    kwargs: dict[str, Any] = {"fleet": FLEET, "application_configs": [config()]}
    kwargs.update(overrides)
    await client.create_deployment_job(**kwargs)


@pytest.mark.asyncio
async def test_latest_is_refused_with_a_hint() -> None:
    with pytest.raises(ValidationError) as info:
        await create(application_configs=[config("$LATEST")])
    assert info.value.field == "application_configs[0].application_version"
    assert "$LATEST" in str(info.value)
    assert "create_robot_application_version" in str(info.value)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("deployment_config", "field"),
    [
        (
            DeploymentConfig(concurrent_deployment_percentage=0),
            "deployment_config.concurrent_deployment_percentage",
        ),
        (
            DeploymentConfig(failure_threshold_percentage=101),
            "deployment_config.failure_threshold_percentage",
        ),
    ],
)
async def test_percentages_are_1_to_100(deployment_config: DeploymentConfig, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        await create(deployment_config=deployment_config)
    assert info.value.field == field
    assert "between 1 and 100" in info.value.rule


@pytest.mark.asyncio
async def test_environment_keys_follow_the_pattern() -> None:
    with pytest.raises(ValidationError) as info:
        await create(application_configs=[config(environment_variables={"lower": "v"})])
    assert "environment_variables" in info.value.field
    assert "[A-Z_][A-Z0-9_]*" in info.value.rule


@pytest.mark.asyncio
async def test_at_most_20_environment_variables() -> None:
    many = {f"K{i}": "v" for i in range(21)}
    with pytest.raises(ValidationError) as info:
        await create(application_configs=[config(environment_variables=many)])
    assert info.value.field == "application_configs[0].launch_config.environment_variables"
    assert "21" in info.value.rule


@pytest.mark.asyncio
async def test_secret_values_never_appear_in_errors() -> None:
    secret = "hunter2-SECRET-VALUE"
    too_long = secret * 100
    with pytest.raises(ValidationError) as info:
        await create(application_configs=[config(environment_variables={"TOKEN": too_long})])
    assert secret not in str(info.value)
    assert secret not in repr(info.value)
    assert all(secret not in p for p in info.value.problems)
    assert info.value.value == "<redacted>"


def test_secret_values_never_appear_in_reprs() -> None:
    launch = LaunchConfig(package_name="p", launch_file="l", environment_variables={"TOKEN": "s3cr3t"})
    assert "s3cr3t" not in repr(launch)
    assert "s3cr3t" not in repr(config(environment_variables={"TOKEN": "s3cr3t"}))
    assert "TOKEN" in repr(launch)


@pytest.mark.asyncio
async def test_every_problem_is_listed() -> None:
    with pytest.raises(ValidationError) as info:
        await create(fleet="not-an-arn", client_request_token="has spaces")
    assert len(info.value.problems) == 2
    assert info.value.field == "fleet"
    assert "'not-an-arn'" in str(info.value)


@pytest.mark.asyncio
async def test_wrong_types_are_named() -> None:
    with pytest.raises(ValidationError) as info:
        await create(fleet=42)
    assert info.value.field == "fleet"
    assert "must be a string" in info.value.rule


def test_models_are_frozen_and_collections_immutable() -> None:
    env = {"A": "1"}
    launch = LaunchConfig(package_name="p", launch_file="l", environment_variables=env)
    env["B"] = "2"
    assert dict(launch.environment_variables) == {"A": "1"}
    with pytest.raises(TypeError):
        launch.environment_variables["C"] = "3"  # type: ignore[index]
    with pytest.raises(AttributeError):
        launch.package_name = "q"  # type: ignore[misc]


def test_listing_filters_are_checked_at_the_call_site() -> None:
    client = DeploymentClient(region_name="us-east-1")
    with pytest.raises(ValidationError) as info:
        client.list_deployment_jobs(status="Paused")  # type: ignore[arg-type]
    assert info.value.field == "status"
    with pytest.raises(ValidationError):
        client.list_deployment_jobs(page_size=201)
    with pytest.raises(ValidationError):
        client.list_deployment_jobs(fleet_name="bad name!")
    with pytest.raises(ValidationError):
        client.list_deployment_jobs(status="Pending", fleet_name="f")  # type: ignore[call-overload]
