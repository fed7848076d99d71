"""Every numeric bound the service documents, at both edges: in the bundled model, refused by the SDK
before sending, and refused by the emulator on raw signed requests (as InvalidParameterException).

The tables below are checked against the model, so a bound added to the model without a test here,
or a test whose numbers drift from the model, fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.model import Shape

from robomaker_deploy import (
    DeploymentApplicationConfig,
    DeploymentClient,
    DeploymentConfig,
    LaunchConfig,
    ValidationError,
)
from robomaker_deploy._wire.model import service_model
from robomaker_deploy.emulator import Emulator
from tests.support.raw import deploy, error_of, make_app, make_fleet, raw_client

#: DeploymentConfig's numbers: wire name -> (SDK field, lowest, highest), as AWS documents them.
DEPLOYMENT_CONFIG = {
    "robotDeploymentTimeoutInSeconds": ("robot_deployment_timeout_in_seconds", 60, 604800),
    "concurrentDeploymentPercentage": ("concurrent_deployment_percentage", 1, 100),
    "failureThresholdPercentage": ("failure_threshold_percentage", 1, 100),
}
#: The listings' page sizes: operation -> (SDK method, highest); the lowest is 1.
PAGE_SIZES = {
    "ListDeploymentJobs": ("list_deployment_jobs", 200),
    "ListFleets": ("list_fleets", 200),
    "ListRobots": ("list_robots", 200),
    "ListRobotApplications": ("list_robot_applications", 100),
}
#: What the issue found the emulator accepting for the timeout, beyond the edges' neighbours.
HOSTILE_TIMEOUTS = (0, -1, 2**63)


def _numbers(
    shape: Shape, path: tuple[str, ...], seen: frozenset[str]
) -> Iterator[tuple[tuple[str, ...], Shape]]:
    if shape.type_name in ("integer", "long", "float", "double"):
        yield path, shape
    elif shape.type_name == "structure" and shape.name not in seen:
        for name, member in shape.members.items():  # type: ignore[attr-defined]
            yield from _numbers(member, (*path, name), seen | {shape.name})
    elif shape.type_name == "list":
        yield from _numbers(shape.member, (*path, "[]"), seen)  # type: ignore[attr-defined]
    elif shape.type_name == "map":
        yield from _numbers(shape.value, (*path, "{}"), seen)  # type: ignore[attr-defined]


def _input_numbers() -> dict[tuple[str, ...], tuple[object, object]]:
    """Every number any operation takes as input: (operation, path...) -> the model's (min, max)."""
    model = service_model()
    found: dict[tuple[str, ...], tuple[object, object]] = {}
    for operation in model.operation_names:
        shape = model.operation_model(operation).input_shape
        if shape is not None:
            for path, number in _numbers(shape, (), frozenset()):
                key = (operation, *path)
                found[key] = (number.metadata.get("min"), number.metadata.get("max"))
    return found


def test_every_input_number_has_its_documented_bounds_in_the_model() -> None:
    expected: dict[tuple[str, ...], tuple[object, object]] = {}
    for wire, (_, low, high) in DEPLOYMENT_CONFIG.items():
        expected[("CreateDeploymentJob", "deploymentConfig", wire)] = (low, high)
    for operation, (_, high) in PAGE_SIZES.items():
        expected[(operation, "maxResults")] = (1, high)
    # Nothing else in any input is a number: a new one needs its bounds (or their absence) decided here.
    assert _input_numbers() == expected


def test_the_only_unbounded_number_is_an_output_the_service_never_bounded() -> None:
    model = service_model()
    numbers = {name: model.shape_for(name) for name in model.shape_names}
    unbounded = {
        name
        for name, shape in numbers.items()
        if shape.type_name in ("integer", "long", "float", "double")
        and ("min" not in shape.metadata or "max" not in shape.metadata)
    }
    # ProgressDetail.estimatedTimeRemainingSeconds: documented without a range, only ever sent by the service.
    assert unbounded == {"GenericInteger"}
    assert numbers["DeploymentTimeout"].metadata["min"] == 60
    assert numbers["DeploymentTimeout"].metadata["max"] == 604800


def _outside(low: int, high: int, wire: str) -> list[int]:
    return [low - 1, high + 1, *(HOSTILE_TIMEOUTS if wire == "robotDeploymentTimeoutInSeconds" else ())]


def _deployment_values(accepted: bool) -> list[tuple[str, str, int]]:
    return [
        (wire, field, value)
        for wire, (field, low, high) in DEPLOYMENT_CONFIG.items()
        for value in ([low, high] if accepted else _outside(low, high, wire))
    ]


FLEET = "arn:aws:robomaker:us-east-1:123456789012:deployment-fleet/f/1"
APP = "arn:aws:robomaker:us-east-1:123456789012:robot-application/a/1"


def _application(app: str) -> DeploymentApplicationConfig:
    launch = LaunchConfig(package_name="pkg", launch_file="main.launch")
    return DeploymentApplicationConfig(application=app, application_version="1", launch_config=launch)


@pytest.mark.asyncio
@pytest.mark.parametrize(("wire", "field", "value"), _deployment_values(accepted=False))
async def test_the_sdk_refuses_a_deployment_number_out_of_range_before_sending(
    wire: str, field: str, value: int
) -> None:
    # Never opened: the refusal must come before the client would need a connection.
    client = DeploymentClient(region_name="us-east-1")
    config = DeploymentConfig(**{field: value})  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as info:
        await client.create_deployment_job(
            fleet=FLEET, application_configs=[_application(APP)], deployment_config=config
        )
    _, low, high = DEPLOYMENT_CONFIG[wire]
    assert info.value.field == f"deployment_config.{field}"
    assert info.value.rule == f"must be between {low} and {high}"
    assert str(value) in str(info.value)


@pytest.mark.parametrize(
    ("operation", "size"), [(o, s) for o, (_, high) in PAGE_SIZES.items() for s in (0, high + 1)]
)
def test_the_sdk_refuses_a_page_size_out_of_range_before_sending(operation: str, size: int) -> None:
    client = DeploymentClient(region_name="us-east-1")
    method, high = PAGE_SIZES[operation]
    with pytest.raises(ValidationError) as info:
        getattr(client, method)(page_size=size)
    assert info.value.field == "page_size"
    assert f"between 1 and {high}" in info.value.rule


@pytest.mark.asyncio
@pytest.mark.robomaker_emulator(clock="manual")
async def test_the_sdk_sends_the_edges_and_the_emulator_keeps_them(robomaker_emulator: Emulator) -> None:
    async with robomaker_emulator.client() as client, raw_client(robomaker_emulator) as raw:
        app, _ = await make_app(raw)
        fleet, _ = await make_fleet(raw, 1)
        for _wire, field, value in _deployment_values(accepted=True):
            config = DeploymentConfig(**{field: value})  # type: ignore[arg-type]
            job = await client.create_deployment_job(
                fleet=fleet, application_configs=[_application(app)], deployment_config=config
            )
            assert job.deployment_config is not None
            assert getattr(job.deployment_config, field) == value
            described = await client.describe_deployment_job(job)
            assert described.deployment_config is not None
            assert getattr(described.deployment_config, field) == value
            robomaker_emulator.advance_clock(24 * 3600)  # the job ends, so the fleet takes the next one
        for method, high in PAGE_SIZES.values():
            for size in (1, high):
                [item async for item in getattr(client, method)(page_size=size)]


@pytest.mark.asyncio
@pytest.mark.parametrize(("wire", "field", "value"), _deployment_values(accepted=False))
async def test_the_emulator_refuses_a_deployment_number_out_of_range(
    robomaker_emulator: Emulator, wire: str, field: str, value: int
) -> None:
    async with raw_client(robomaker_emulator) as raw:
        app, _ = await make_app(raw)
        fleet, _ = await make_fleet(raw, 1)
        code, status, message = await error_of(deploy(raw, fleet, app, deploymentConfig={wire: value}))
        assert (code, status) == ("InvalidParameterException", 400)
        _, low, high = DEPLOYMENT_CONFIG[wire]
        assert f"Value {value} at 'deploymentConfig.{wire}'" in message
        assert f"must be between {low} and {high}" in message
        # Refused, so nothing started: no job holds the value (2**63 could not be read back by other SDKs).
        assert (await raw.list_deployment_jobs())["deploymentJobs"] == []


@pytest.mark.asyncio
@pytest.mark.robomaker_emulator(clock="manual")
async def test_the_emulator_accepts_the_edges_and_echoes_them(robomaker_emulator: Emulator) -> None:
    async with raw_client(robomaker_emulator) as raw:
        app, _ = await make_app(raw)
        fleet, _ = await make_fleet(raw, 1)
        for index, (wire, _field, value) in enumerate(_deployment_values(accepted=True)):
            job = await deploy(raw, fleet, app, token=f"edge-{index}", deploymentConfig={wire: value})
            assert job["deploymentConfig"][wire] == value
            described = await raw.describe_deployment_job(job=job["arn"])
            assert described["deploymentConfig"][wire] == value
            robomaker_emulator.advance_clock(24 * 3600)
        for operation, (_, high) in PAGE_SIZES.items():
            call: Any = getattr(raw, _snake(operation))
            for size in (1, high):
                await call(maxResults=size)
            for size in (0, high + 1):
                code, status, message = await error_of(call(maxResults=size))
                assert (code, status) == ("InvalidParameterException", 400)
                assert f"must be between 1 and {high}" in message


def _snake(operation: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")
