"""The converter reads every response exactly as botocore's own parser does.

Hypothesis generates response bodies from the service model's output shapes
(known and unknown enum values, missing optional members, extra members,
empty and long lists); each body is parsed by botocore's rest-json parser and
by the SDK's converter, and the two results must carry the same data.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

import attrs
import pytest
from botocore.model import Shape, StructureShape
from botocore.parsers import create_parser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from robomaker_deploy import (
    DeploymentJob,
    DeploymentStatus,
    DescribedDeploymentJob,
    FailureCode,
    ProgressDetail,
    Robot,
    RobotDeployment,
    RobotDeploymentStep,
    RobotStatus,
)
from robomaker_deploy._client.outputs import OUTPUTS
from robomaker_deploy._converter import _plain, _structure_function, converter, structure, unstructure
from robomaker_deploy._wire.model import operation_model, service_model


def _always() -> set[str]:
    """Members the service always returns: the wire names of the models' fields with no default."""
    from robomaker_deploy import _models
    from robomaker_deploy._wire.names import wire_name

    return {
        wire_name(field.name)
        for name in _models.__all__
        for field in attrs.fields(getattr(_models, name))
        if field.default is attrs.NOTHING
    }


_ALWAYS = _always()


def _value(shape: Shape, depth: int = 0) -> st.SearchStrategy[Any]:
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        always = _ALWAYS | set(shape.required_members)
        required = {n: _value(s, depth + 1) for n, s in shape.members.items() if n in always}
        optional = {n: _value(s, depth + 1) for n, s in shape.members.items() if n not in always}
        extra = st.dictionaries(st.sampled_from(["futureMember", "x"]), st.integers(), max_size=1)
        return st.builds(lambda a, b: {**b, **a}, st.fixed_dictionaries(required, optional=optional), extra)
    if kind == "list":
        return st.lists(_value(shape.member, depth + 1), max_size=3)  # type: ignore[attr-defined]
    if kind == "map":
        return st.dictionaries(st.text(min_size=1, max_size=5), st.text(max_size=5), max_size=3)
    if kind == "string":
        enum = shape.metadata.get("enum")
        if enum:
            return st.sampled_from([*enum, "AddedIn2030"])
        return st.text(max_size=10)
    if kind in ("integer", "long"):
        return st.integers(-(2**31), 2**31)
    if kind in ("float", "double"):
        return st.floats(0, 100, allow_nan=False)
    if kind == "timestamp":
        return st.one_of(st.integers(0, 4_000_000_000), st.floats(0, 4e9, allow_nan=False))
    raise AssertionError(kind)


def _botocore(shape: Shape, body: bytes) -> Any:
    parsed = create_parser("rest-json").parse({"status_code": 200, "headers": {}, "body": body}, shape)
    parsed.pop("ResponseMetadata", None)
    return parsed


def _normal(value: Any) -> Any:
    """Plain comparable data: epoch floats for times, no empty or absent members."""
    if isinstance(value, datetime):
        return round(value.timestamp(), 6)
    if isinstance(value, float) and not math.isinf(value):
        return round(value, 6)
    if isinstance(value, Mapping):
        out = {k: _normal(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, [], {})}
    if isinstance(value, (list, tuple)):
        return [_normal(v) for v in value]
    return value


# The client's own table of what each operation returns, so these cases are the client's.
_CASES: list[tuple[str, str | None, type[Any]]] = [
    (output.operation, output.items, output.model) for output in OUTPUTS.values()
]


def _wire_of(model: Any) -> Any:
    data = unstructure(model)
    if isinstance(model, Robot) and "greenGrassGroupId" in data:
        data["greengrassGroupId"] = data.pop("greenGrassGroupId")
    return data


@pytest.mark.parametrize(("operation", "result_key", "cls"), _CASES, ids=[c[0] for c in _CASES])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_converter_agrees_with_botocore(
    operation: str, result_key: str | None, cls: type[Any], data: st.DataObject
) -> None:
    shape = operation_model(operation).output_shape
    assert shape is not None
    response = data.draw(_value(shape))
    body = json.dumps(response).encode()
    reference = _botocore(shape, body)
    decoded = json.loads(body)
    if result_key is None:
        if operation == "CreateRobot":
            decoded.setdefault("status", "Available")  # as create_robot() does: CreateRobot sends none
        ours = _wire_of(structure(decoded, cls))
        if cls is Robot:
            reference.pop("greenGrassGroupId", None)
            if "greengrassGroupId" in reference:
                ours.setdefault("greengrassGroupId", reference["greengrassGroupId"])
        kept = _members(cls, shape)
        expected = {k: v for k, v in reference.items() if k in kept}
        ours = {k: v for k, v in ours.items() if k in kept}  # not the status create_robot() adds
        assert _normal(ours) == _normal(expected)
    else:
        items = [structure(item, cls) for item in decoded.get(result_key, [])]
        expected_items = [
            {k: v for k, v in item.items() if k in _members(cls, shape.members[result_key].member)}  # type: ignore[attr-defined]
            for item in reference.get(result_key, [])
        ]
        assert _normal([unstructure(i) for i in items]) == _normal(expected_items)


def _members(cls: type[Any], shape: Shape) -> set[str]:
    """The wire members the model keeps (every member of the shape the model has a field for)."""
    from robomaker_deploy._converter import _WIRE_RENAMES
    from robomaker_deploy._wire.names import wire_name

    names = {_WIRE_RENAMES.get((cls, f.name), wire_name(f.name)) for f in attrs.fields(cls)}
    if cls is Robot:
        names.add("greengrassGroupId")
    return names & set(shape.members)  # type: ignore[attr-defined]


def test_every_output_member_has_a_model_field() -> None:
    """Nothing the service returns is dropped by the models (ListTags and deletes aside)."""
    for operation, result_key, cls in _CASES:
        shape = operation_model(operation).output_shape
        assert shape is not None
        target = shape.members[result_key].member if result_key else shape  # type: ignore[attr-defined]
        missing = set(target.members) - _members(cls, target)
        assert not missing, (operation, missing)


def test_timestamps_are_aware_utc() -> None:
    job = structure(
        {"arn": "arn:j", "fleet": "arn:f", "status": "Pending", "createdAt": 1700000000.25}, DeploymentJob
    )
    assert job.created_at == datetime(2023, 11, 14, 22, 13, 20, 250000, tzinfo=timezone.utc)
    assert job.created_at.tzinfo is timezone.utc


def test_unknown_enum_values_survive() -> None:
    job = structure({"arn": "a", "fleet": "f", "status": "Paused", "createdAt": 0}, DeploymentJob)
    assert job.status == "Paused"
    assert job.status.value == "Paused"
    assert not job.status.is_known
    assert job.status not in list(DeploymentStatus)
    assert unstructure(job)["status"] == "Paused"


def test_service_model_has_every_operation() -> None:
    assert len(service_model().operation_names) == 23


def test_a_model_written_slot_by_slot_equals_one_built_by_its_init() -> None:
    assert _plain(RobotDeployment) and _plain(ProgressDetail)
    wire = {
        "arn": "r",
        "status": "Failed",
        "deploymentStartTime": 10.5,
        "deploymentFinishTime": 12,
        "progressDetail": {"currentProgress": "Launching", "percentDone": 50, "targetResource": "j"},
        "failureCode": "GreengrassDeploymentFailed",
    }
    built = RobotDeployment(
        arn="r",
        status=RobotStatus.FAILED,
        deployment_start_time=datetime.fromtimestamp(10.5, timezone.utc),
        deployment_finish_time=datetime.fromtimestamp(12, timezone.utc),
        progress_detail=ProgressDetail(
            current_progress=RobotDeploymentStep.LAUNCHING, percent_done=50.0, target_resource="j"
        ),
        failure_code=FailureCode.GREENGRASS_DEPLOYMENT_FAILED,
    )
    ours = structure(wire, RobotDeployment)
    assert ours == built and hash(ours) == hash(built) and repr(ours) == repr(built)
    assert ours.progress_detail is not None and type(ours.progress_detail.percent_done) is float
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        ours.arn = "other"  # type: ignore[misc]


def test_a_class_whose_init_does_more_than_store_goes_through_it() -> None:
    calls: list[str] = []

    @attrs.frozen(kw_only=True)
    class Checked:
        name: str = attrs.field(validator=lambda _, __, value: calls.append(value))
        size: int | None = None

    @attrs.frozen(kw_only=True)
    class Converted:
        names: tuple[str, ...] = attrs.field(default=(), converter=tuple)

    assert not _plain(Checked) and not _plain(Converted)
    checked = _structure_function(converter(), Checked, {Checked})({"name": "n", "size": "3"}, Checked)
    assert checked == Checked(name="n", size=3) and calls == ["n", "n"]
    converted = _structure_function(converter(), Converted, {Converted})({"names": ["a"]}, Converted)
    assert converted.names == ("a",)
    assert _structure_function(converter(), Converted, {Converted})({}, Converted).names == ()


def test_equal_strings_of_one_response_are_one_object() -> None:
    reason = "The robot failed at Launching (GreengrassDeploymentFailed)."
    robots = [
        {
            "arn": f"r{i}",
            "status": "Failed",
            "failureReason": reason[:],
            "progressDetail": {"targetResource": "j"},
        }
        for i in range(3)
    ]
    body = json.dumps(
        {"arn": "j", "fleet": "f", "status": "Failed", "createdAt": 0, "robotDeploymentSummary": robots}
    )
    job = structure(json.loads(body), DescribedDeploymentJob)
    first, *rest = job.robot_deployment_summary
    assert all(robot.failure_reason is first.failure_reason for robot in rest)
    assert first.progress_detail is not None
    assert all(
        r.progress_detail and r.progress_detail.target_resource is first.progress_detail.target_resource
        for r in rest
    )
    assert first.failure_reason == reason
    # Nothing is kept between responses: each decode has its own strings.
    again = structure(json.loads(body), DescribedDeploymentJob)
    assert again.robot_deployment_summary[0].failure_reason is not first.failure_reason
