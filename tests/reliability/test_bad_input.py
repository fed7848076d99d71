"""Bad input, generated from the service model's constraints, is refused before anything is sent (issue 8).

Every constrained member of every operation's input (lengths, patterns, ranges, enums, map keys,
list sizes) is a target. For each, hypothesis draws a value that breaks the constraint, the value is
put into an otherwise valid request and the public method is called: it must raise ``ValidationError``
naming the parameter, and the emulator must have received nothing. Valid values drawn the same way
must pass the SDK and be accepted by the emulator (which may still say the resource does not exist).
"""

from __future__ import annotations

import copy
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import pytest_asyncio
from botocore.model import Shape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from robomaker_deploy import (
    ClientConfig,
    DeploymentApplicationConfig,
    DeploymentClient,
    DeploymentConfig,
    Environment,
    RoboMakerError,
    RobotSoftwareSuite,
    SourceConfig,
    ValidationError,
)
from robomaker_deploy._converter import structure
from robomaker_deploy._wire.model import operation_model, service_model
from robomaker_deploy.emulator import Emulator
from tests.support.leaks import calls, total

ARN = "arn:aws:robomaker:us-east-1:123456789012:deployment-fleet/f/1"
JOB = "arn:aws:robomaker:us-east-1:123456789012:deployment-job/j"
APP = "arn:aws:robomaker:us-east-1:123456789012:robot-application/a/1"
CONFIG = {
    "application": APP,
    "applicationVersion": "1",
    "launchConfig": {"packageName": "p", "launchFile": "l", "environmentVariables": {"API_TOKEN": "x"}},
}

Call = Callable[[DeploymentClient, dict[str, Any]], Awaitable[Any]]


def _filter_value(wire: dict[str, Any]) -> str | None:
    filters = wire.get("filters")
    return filters[0]["values"][0] if filters else None


def _optional(cls: type[Any], value: Any) -> Any:
    return None if value is None else structure(value, cls)


#: A valid request per operation (wire-shaped) and how the public method is called with one.
OPERATIONS: dict[str, tuple[dict[str, Any], Call]] = {
    "CreateDeploymentJob": (
        {
            "fleet": ARN,
            "clientRequestToken": "t",
            "deploymentApplicationConfigs": [CONFIG],
            "deploymentConfig": {
                "concurrentDeploymentPercentage": 50,
                "downloadConditionFile": {"bucket": "bkt", "key": "k"},
            },
            "tags": {"K": "v"},
        },
        lambda c, w: c.create_deployment_job(
            fleet=w["fleet"],
            application_configs=[
                structure(x, DeploymentApplicationConfig) for x in w["deploymentApplicationConfigs"]
            ],
            deployment_config=_optional(DeploymentConfig, w.get("deploymentConfig")),
            tags=w.get("tags"),
            client_request_token=w["clientRequestToken"],
        ),
    ),
    "DescribeDeploymentJob": ({"job": JOB}, lambda c, w: c.describe_deployment_job(w["job"])),
    "SyncDeploymentJob": (
        {"fleet": ARN, "clientRequestToken": "t"},
        lambda c, w: c.sync_deployment_job(fleet=w["fleet"], client_request_token=w["clientRequestToken"]),
    ),
    "CancelDeploymentJob": ({"job": JOB}, lambda c, w: c.cancel_deployment_job(w["job"])),
    "ListDeploymentJobs": (
        {"filters": [{"name": "fleetName", "values": ["f"]}], "nextToken": "tok"},
        lambda c, w: c.list_deployment_jobs(
            fleet_name=_filter_value(w), starting_token=w.get("nextToken")
        ).collect(),
    ),
    "CreateFleet": (
        {"name": "f", "tags": {"K": "v"}},
        lambda c, w: c.create_fleet(name=w["name"], tags=w.get("tags")),
    ),
    "DescribeFleet": ({"fleet": ARN}, lambda c, w: c.describe_fleet(w["fleet"])),
    "DeleteFleet": ({"fleet": ARN}, lambda c, w: c.delete_fleet(w["fleet"])),
    "ListFleets": (
        {"filters": [{"name": "name", "values": ["f"]}], "nextToken": "tok"},
        lambda c, w: c.list_fleets(name=_filter_value(w), starting_token=w.get("nextToken")).collect(),
    ),
    "CreateRobot": (
        {"name": "r", "architecture": "X86_64", "greengrassGroupId": "g", "tags": {"K": "v"}},
        lambda c, w: c.create_robot(
            name=w["name"],
            architecture=w["architecture"],
            greengrass_group_id=w["greengrassGroupId"],
            tags=w.get("tags"),
        ),
    ),
    "DescribeRobot": ({"robot": ARN}, lambda c, w: c.describe_robot(w["robot"])),
    "DeleteRobot": ({"robot": ARN}, lambda c, w: c.delete_robot(w["robot"])),
    "RegisterRobot": (
        {"fleet": ARN, "robot": ARN},
        lambda c, w: c.register_robot(fleet=w["fleet"], robot=w["robot"]),
    ),
    "DeregisterRobot": (
        {"fleet": ARN, "robot": ARN},
        lambda c, w: c.deregister_robot(fleet=w["fleet"], robot=w["robot"]),
    ),
    "ListRobots": (
        {"filters": [{"name": "fleetName", "values": ["f"]}], "nextToken": "tok"},
        lambda c, w: c.list_robots(fleet_name=_filter_value(w), starting_token=w.get("nextToken")).collect(),
    ),
    "CreateRobotApplication": (
        {
            "name": "a",
            "sources": [{"s3Bucket": "bkt", "s3Key": "k", "architecture": "X86_64"}],
            "robotSoftwareSuite": {"name": "ROS2", "version": "Foxy"},
            "tags": {"K": "v"},
            "environment": {"uri": "u"},
        },
        lambda c, w: c.create_robot_application(
            name=w["name"],
            sources=[structure(s, SourceConfig) for s in w["sources"]],
            robot_software_suite=structure(w["robotSoftwareSuite"], RobotSoftwareSuite),
            tags=w.get("tags"),
            environment=_optional(Environment, w.get("environment")),
        ),
    ),
    "CreateRobotApplicationVersion": (
        {
            "application": APP,
            "currentRevisionId": "rev",
            "s3Etags": ["e"],
            "imageDigest": "sha256:" + "0" * 64,
        },
        lambda c, w: c.create_robot_application_version(
            w["application"],
            current_revision_id=w.get("currentRevisionId"),
            s3_etags=w.get("s3Etags"),
            image_digest=w.get("imageDigest"),
        ),
    ),
    "DescribeRobotApplication": (
        {"application": APP, "applicationVersion": "1"},
        lambda c, w: c.describe_robot_application(w["application"], version=w.get("applicationVersion")),
    ),
    "DeleteRobotApplication": (
        {"application": APP, "applicationVersion": "1"},
        lambda c, w: c.delete_robot_application(w["application"], version=w.get("applicationVersion")),
    ),
    "ListRobotApplications": (
        {"filters": [{"name": "name", "values": ["a"]}], "nextToken": "tok", "versionQualifier": "ALL"},
        lambda c, w: c.list_robot_applications(
            name=_filter_value(w),
            version_qualifier=w.get("versionQualifier"),
            starting_token=w.get("nextToken"),
        ).collect(),
    ),
    "TagResource": (
        {"resourceArn": ARN, "tags": {"K": "v"}},
        lambda c, w: c.tag_resource(w["resourceArn"], w["tags"]),
    ),
    "UntagResource": (
        {"resourceArn": ARN, "tagKeys": ["K"]},
        lambda c, w: c.untag_resource(w["resourceArn"], w["tagKeys"]),
    ),
    "ListTagsForResource": ({"resourceArn": ARN}, lambda c, w: c.list_tags_for_resource(w["resourceArn"])),
}

#: Members the SDK fills itself (a caller cannot get them wrong): the filter's name, the list sizes it builds.
FIXED = {("filters",), ("filters", 0, "name"), ("filters", 0, "values"), ("maxResults",)}


def test_every_operation_is_covered() -> None:
    assert set(OPERATIONS) == set(service_model().operation_names)


# -- targets: every constrained member, found in the model -------------------------------------------------

Path = tuple[str | int, ...]


def _constrained(shape: Shape) -> bool:
    meta = shape.metadata
    return any(key in meta for key in ("min", "max", "pattern", "enum"))


def _targets(operation: str, shape: Shape, value: Any, path: Path = ()) -> list[tuple[Path, Shape]]:
    """(path, shape) of every constrained member present in the valid request ``value``."""
    found: list[tuple[Path, Shape]] = []
    if _constrained(shape) and path not in FIXED:
        found.append((path, shape))
    if shape.type_name == "structure":
        for name, member in shape.members.items():  # type: ignore[attr-defined]
            if isinstance(value, dict) and name in value:
                found += _targets(operation, member, value[name], (*path, name))
    elif shape.type_name == "list" and value:
        found += _targets(operation, shape.member, value[0], (*path, 0))  # type: ignore[attr-defined]
    elif shape.type_name == "map" and value:
        key = next(iter(value))
        found.append(((*path, "<key>"), shape.key))  # type: ignore[attr-defined]
        found += _targets(operation, shape.value, value[key], (*path, key))  # type: ignore[attr-defined]
    return found


TARGETS: list[tuple[str, Path, Shape]] = [
    (operation, path, shape)
    for operation, (base, _) in OPERATIONS.items()
    for path, shape in _targets(operation, operation_model(operation).input_shape, base)  # type: ignore[arg-type]
]


def test_the_targets_cover_every_kind_of_constraint() -> None:
    kinds = {
        key for _, _, shape in TARGETS for key in shape.metadata if key in ("min", "max", "pattern", "enum")
    }
    assert kinds == {"min", "max", "pattern", "enum"}
    paths = {(op, path) for op, path, _ in TARGETS}
    for expected in [
        (
            "CreateDeploymentJob",
            ("deploymentApplicationConfigs", 0, "launchConfig", "environmentVariables", "<key>"),
        ),
        ("CreateDeploymentJob", ("deploymentApplicationConfigs", 0, "applicationVersion")),
        ("CreateDeploymentJob", ("deploymentConfig", "concurrentDeploymentPercentage")),
        ("ListDeploymentJobs", ("filters", 0, "values", 0)),
        ("DescribeRobotApplication", ("applicationVersion",)),
        ("CreateRobot", ("architecture",)),
    ]:
        assert expected in paths


# -- what the caller should be told ---------------------------------------------------------------------


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _expected_field(operation: str, path: Path, key: str | None) -> str:
    """The parameter the caller passed, in Python terms (written independently of the SDK's renaming)."""
    if path[:1] == ("nextToken",):
        return "starting_token"
    if path[:1] == ("filters",):
        return {"fleetName": "fleet_name", "name": "name"}[OPERATIONS[operation][0]["filters"][0]["name"]]
    if path == ("applicationVersion",) and operation in (
        "DescribeRobotApplication",
        "DeleteRobotApplication",
    ):
        return "version"
    out = ""
    parent: str | int | None = None
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part == "<key>":
            out += f".<key {key!r}>"
        else:
            is_map_key = parent in ("environmentVariables", "tags")
            name = (
                part
                if is_map_key
                else {"deploymentApplicationConfigs": "application_configs"}.get(part, _snake(part))
            )
            out += f".{name}" if out else name
        parent = part
    return out


# -- invalid and valid values --------------------------------------------------------------------------------


def _fits(shape: Shape, text: str) -> bool:
    meta = shape.metadata
    return bool(meta.get("min", 0) <= len(text) <= meta.get("max", 10**9))


def _matches(shape: Shape, text: str) -> bool:
    pattern = shape.metadata.get("pattern")
    return pattern is None or re.fullmatch(str(pattern), text) is not None


def invalid(shape: Shape, current: Any) -> st.SearchStrategy[Any]:
    """Values of the right type that break one of ``shape``'s constraints (``current`` is the valid one)."""
    meta = shape.metadata
    low, high = meta.get("min"), meta.get("max")
    options: list[st.SearchStrategy[Any]] = []
    if shape.type_name == "string":
        if "enum" in meta:
            options.append(st.text(max_size=12).filter(lambda s: s not in meta["enum"]))
        if low:
            options.append(st.text(max_size=low - 1))
        if high is not None:
            options.append(st.text(alphabet="a1", min_size=high + 1, max_size=high + 8))
        if "pattern" in meta:
            options.append(
                st.text(min_size=max(low or 0, 1), max_size=30).filter(
                    lambda s: not _matches(shape, s) and _fits(shape, s)
                )
            )
        return st.one_of(options)
    if shape.type_name in ("integer", "long"):
        if low is not None:
            options.append(st.integers(max_value=low - 1, min_value=low - 10**6))
        if high is not None:
            options.append(st.integers(min_value=high + 1, max_value=high + 10**6))
        return st.one_of(options)
    if shape.type_name == "list":
        if low:
            options.append(st.just([]))
        if high is not None:
            options.append(st.integers(high + 1, high + 3).map(lambda n: [current[0]] * n))
        return st.one_of(options)
    if shape.type_name == "map":
        assert high is not None
        value = next(iter(current.values()))
        return st.integers(high + 1, high + 3).map(lambda n: {f"K{i}": value for i in range(n)})
    raise AssertionError(f"no invalid values for {shape.name} ({shape.type_name})")


def valid(shape: Shape) -> st.SearchStrategy[Any]:
    """Values that satisfy every constraint of ``shape``."""
    meta = shape.metadata
    if shape.type_name == "string":
        if "enum" in meta:
            return st.sampled_from(meta["enum"])
        pattern = meta.get("pattern")
        low, high = meta.get("min", 0), min(meta.get("max", 64), 64)
        if pattern is None:
            return st.text(min_size=low, max_size=high)
        return st.from_regex(f"(?:{pattern})", fullmatch=True).filter(lambda s: _fits(shape, s))
    if shape.type_name in ("integer", "long"):
        return st.integers(min_value=meta.get("min", 0), max_value=meta.get("max", 1000))
    raise AssertionError(f"no valid values for {shape.name} ({shape.type_name})")


def _put(wire: dict[str, Any], path: Path, value: Any) -> tuple[dict[str, Any], str | None]:
    """``wire`` with ``value`` at ``path``; for a map key, the value is the new key (returned too)."""
    out = copy.deepcopy(wire)
    node: Any = out
    for part in path[:-1]:
        node = node[part]
    last = path[-1]
    if last == "<key>":
        old = next(iter(node))
        node[value] = node.pop(old)
        return out, value
    node[last] = value
    return out, None


# -- the tests ------------------------------------------------------------------------------------------


@pytest_asyncio.fixture
async def client(robomaker_emulator: Emulator) -> AsyncIterator[DeploymentClient]:
    async with robomaker_emulator.client(config=ClientConfig(max_attempts=1)) as opened:
        yield opened


async def _refused_before_sending(emu: Emulator, client: DeploymentClient, data: st.DataObject) -> None:
    operation, path, shape = data.draw(st.sampled_from(TARGETS), label="target")
    base, call = OPERATIONS[operation]
    current = _node(base, path) if path[-1] != "<key>" else next(iter(_node(base, path[:-1])))
    value = data.draw(invalid(shape, current), label="value")
    if path[-1] == "<key>" and value in _node(base, path[:-1]):
        return  # the map already holds that key: nothing changed
    wire, key = _put(base, path, value)
    before = total(calls(emu))
    with pytest.raises(ValidationError) as caught:
        await call(client, wire)
    assert total(calls(emu)) == before  # nothing was sent
    assert caught.value.field == _expected_field(operation, path, key), (operation, path, value)


def _node(wire: dict[str, Any], path: Path) -> Any:
    node: Any = wire
    for part in path:
        node = node[part]
    return node


async def _accepted(client: DeploymentClient, data: st.DataObject) -> None:
    operation = data.draw(st.sampled_from(sorted(OPERATIONS)), label="operation")
    base, call = OPERATIONS[operation]
    wire = base
    for op, path, shape in TARGETS:
        if op == operation and path[-1] != "<key>" and shape.type_name not in ("list", "map"):
            wire, _ = _put(wire, path, data.draw(valid(shape), label=".".join(map(str, path))))
    refused: RoboMakerError | None = None
    try:
        await call(client, wire)
    except RoboMakerError as error:
        refused = error
    # The emulator may not know the resource, or refuse the request on its merits; it must never say
    # the input itself is malformed.
    if refused is not None:
        assert refused.code not in ("SerializationException", "UnknownOperationException"), refused
        assert "validation error" not in refused.message, refused


def examples(count: int) -> settings:
    """``count`` examples; one emulator and client serve them all, and calls take what they take."""
    return settings(
        max_examples=count,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        deadline=None,
    )


@pytest.mark.asyncio
@examples(150)
@given(data=st.data())
async def test_invalid_input_is_refused_before_sending(
    robomaker_emulator: Emulator, client: DeploymentClient, data: st.DataObject
) -> None:
    await _refused_before_sending(robomaker_emulator, client, data)


@pytest.mark.asyncio
@examples(60)
@given(data=st.data())
async def test_valid_input_is_accepted_by_the_emulator(client: DeploymentClient, data: st.DataObject) -> None:
    await _accepted(client, data)


@pytest.mark.soak
@pytest.mark.asyncio
@examples(3000)
@given(data=st.data())
async def test_invalid_input_is_refused_before_sending_soak(
    robomaker_emulator: Emulator, client: DeploymentClient, data: st.DataObject
) -> None:
    await _refused_before_sending(robomaker_emulator, client, data)


@pytest.mark.soak
@pytest.mark.asyncio
@examples(1000)
@given(data=st.data())
async def test_valid_input_is_accepted_by_the_emulator_soak(
    client: DeploymentClient, data: st.DataObject
) -> None:
    await _accepted(client, data)


# -- combinations and arguments outside the model ----------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda c: c.list_deployment_jobs(status="InProgress", fleet_name="f"), "status"),
        (lambda c: c.list_deployment_jobs(status=[]), "status"),
        (lambda c: c.list_deployment_jobs(status=["InProgress", "Exploded"]), "status"),
        (lambda c: c.list_robots(status="Available", fleet_name="f"), "status"),
        (lambda c: c.list_robots(status="Sleeping"), "status"),
        (lambda c: c.list_fleets(page_size=0), "page_size"),
        (lambda c: c.list_fleets(page_size=201), "page_size"),
        (lambda c: c.list_fleets(max_items=0), "max_items"),
        (lambda c: c.list_fleets(prefetch=2), "prefetch"),
        (
            lambda c: c.list_deployment_jobs(status=["InProgress", "Pending"], starting_token="plain"),
            "starting_token",
        ),
        (lambda c: c.list_fleets(starting_token="rmd1.not-base64!"), "starting_token"),
        (
            lambda c: c.create_deployment_job(fleet=ARN, application_configs=[], client_request_token=""),
            "application_configs",
        ),
    ],
)
@pytest.mark.asyncio
async def test_bad_combinations_are_refused_at_the_call(
    robomaker_emulator: Emulator,
    client: DeploymentClient,
    make: Callable[[DeploymentClient], Any],
    field: str,
) -> None:
    before = total(calls(robomaker_emulator))
    with pytest.raises(ValidationError) as caught:
        await _consume(make(client))
    assert caught.value.field == field
    assert total(calls(robomaker_emulator)) == before


async def _consume(result: Any) -> Any:
    return await result if hasattr(result, "__await__") else await result.collect()


@pytest.mark.asyncio
async def test_an_empty_client_request_token_is_refused_not_replaced(
    robomaker_emulator: Emulator, client: DeploymentClient
) -> None:
    before = total(calls(robomaker_emulator))
    for call in (
        client.create_deployment_job(
            fleet=ARN,
            application_configs=[structure(CONFIG, DeploymentApplicationConfig)],
            client_request_token="",
        ),
        client.sync_deployment_job(fleet=ARN, client_request_token=""),
    ):
        with pytest.raises(ValidationError) as caught:
            await call
        assert caught.value.field == "client_request_token"
    assert total(calls(robomaker_emulator)) == before


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"timeout": 0}, "timeout"),
        ({"min_delay": -1}, "min_delay"),
        ({"min_delay": 5, "max_delay": 1}, "max_delay"),
    ],
)
@pytest.mark.asyncio
async def test_waiter_timing_is_checked(
    robomaker_emulator: Emulator, client: DeploymentClient, arguments: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        await client.wait_for_deployment_job(JOB, **arguments)
    assert caught.value.field == field
    assert total(calls(robomaker_emulator)) == 0
