"""The package's shape: what importing it loads, the lazy names, and the wire facts read from the model."""

from __future__ import annotations

import ast
from pathlib import Path

import attrs
import pytest

import robomaker_deploy
from robomaker_deploy import LaunchConfig, _models
from robomaker_deploy._cli.output import to_json
from robomaker_deploy._wire.model import page_limit, service_model
from robomaker_deploy._wire.secrets import is_secret_field, mask, redact, secret_members
from tests.support.leaks import loaded_after

PACKAGE = Path(robomaker_deploy.__file__).parent


def test_importing_the_package_loads_no_client_cli_or_emulator() -> None:
    loaded = loaded_after("import robomaker_deploy")
    for module in ("robomaker_deploy._client", "robomaker_deploy._waiting", "robomaker_deploy._cli"):
        assert module not in loaded
    for module in ("robomaker_deploy.emulator", "aiobotocore", "botocore", "click", "rich"):
        assert module not in loaded


def test_importing_the_client_loads_neither_cli_nor_emulator() -> None:
    loaded = loaded_after("from robomaker_deploy import DeploymentClient")
    assert "robomaker_deploy._client" in loaded
    for module in ("robomaker_deploy._cli", "robomaker_deploy.emulator", "click", "rich"):
        assert module not in loaded


def test_the_waiting_and_rollout_machinery_load_on_first_use() -> None:
    waiting, rollout = "robomaker_deploy._waiting", "robomaker_deploy._rollout"
    loaded = loaded_after("from robomaker_deploy import DeploymentClient")
    assert waiting not in loaded and rollout not in loaded
    # Building a wait's policy, the first step of every wait, loads it (no endpoint needed).
    loaded = loaded_after(
        "from robomaker_deploy import DeploymentClient\n"
        "DeploymentClient(region_name='us-east-1')._wait_policy(1.0, None, None, None)"
    )
    assert waiting in loaded


def test_lazy_names_match_what_type_checkers_see() -> None:
    tree = ast.parse((PACKAGE / "__init__.py").read_text())
    guarded = next(node for node in tree.body if isinstance(node, ast.If))  # the TYPE_CHECKING block
    seen = {
        alias.name: (node.module or "")
        for node in guarded.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert seen == robomaker_deploy._LAZY


def test_every_public_name_resolves() -> None:
    for name in robomaker_deploy.__all__:
        assert getattr(robomaker_deploy, name) is not None
    assert set(robomaker_deploy._LAZY) <= set(robomaker_deploy.__all__)
    assert set(robomaker_deploy._LAZY) <= set(dir(robomaker_deploy))
    with pytest.raises(AttributeError):
        robomaker_deploy.NoSuchName  # type: ignore[attr-defined]  # noqa: B018


def test_secret_members_come_from_the_models_sensitive_trait() -> None:
    assert secret_members() == frozenset({"environmentVariables"})
    sensitive = {
        name
        for name in service_model().shape_names
        if service_model().shape_for(name).metadata.get("sensitive")
    }
    assert sensitive == {"EnvironmentVariableValue"}


def test_a_model_field_hides_its_repr_exactly_when_the_wire_says_it_is_secret() -> None:
    for name in _models.__all__:
        cls = getattr(_models, name)
        for field in attrs.fields(cls):
            assert callable(field.repr) == is_secret_field(field.name), (name, field.name)


def test_redaction_keeps_keys_and_hides_values() -> None:
    assert mask({"A": "1", "B": "2"}) == {"A": "***", "B": "***"}
    body = {"launchConfig": {"environmentVariables": {"TOKEN": "s3cret"}, "packageName": "p"}}
    assert redact(body) == {"launchConfig": {"environmentVariables": {"TOKEN": "***"}, "packageName": "p"}}
    # The CLI's JSON output, keyed by the models' field names.
    launch = LaunchConfig(package_name="p", launch_file="l", environment_variables={"TOKEN": "s3cret"})
    assert to_json(launch)["environment_variables"] == {"TOKEN": "***"}


def test_page_limits_come_from_the_model() -> None:
    assert {op: page_limit(op) for op in ("ListDeploymentJobs", "ListFleets", "ListRobots")} == dict.fromkeys(
        ("ListDeploymentJobs", "ListFleets", "ListRobots"), 200
    )
    assert page_limit("ListRobotApplications") == 100
