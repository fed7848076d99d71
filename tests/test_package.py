"""The package's shape: what importing it loads, the lazy names, and the wire facts read from the model."""

from __future__ import annotations

import ast
import importlib
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


#: The heavy parts, which load on first use: the client and its transport, the watches, the rollouts.
HEAVY = (
    "robomaker_deploy._client",
    "robomaker_deploy._transport",
    "robomaker_deploy._waiting.watch",
    "robomaker_deploy._waiting.source",
    "robomaker_deploy._rollout",
)


def test_importing_the_package_loads_its_plain_data_and_nothing_heavy() -> None:
    loaded = loaded_after("import robomaker_deploy")
    for module in (*HEAVY, "robomaker_deploy._cli", "robomaker_deploy.emulator"):
        assert module not in loaded
    for module in ("aiobotocore", "botocore", "anyio", "click", "rich"):
        assert module not in loaded
    # The data is there at once: events, outcomes, checkpoints and policies are plain values.
    for module in ("_models", "_outcome", "_waiting.events", "_waiting.checkpoint", "_waiting.policy"):
        assert f"robomaker_deploy.{module}" in loaded


def test_importing_the_client_loads_neither_cli_nor_emulator() -> None:
    loaded = loaded_after("from robomaker_deploy import DeploymentClient")
    assert "robomaker_deploy._client" in loaded
    for module in ("robomaker_deploy._cli", "robomaker_deploy.emulator", "click", "rich"):
        assert module not in loaded


def test_the_watches_load_on_first_use() -> None:
    watches = "robomaker_deploy._waiting.watch"
    assert watches not in loaded_after("from robomaker_deploy import DeploymentClient")
    assert watches in loaded_after("from robomaker_deploy import DeploymentWatch")


def test_lazy_names_match_what_type_checkers_see() -> None:
    tree = ast.parse((PACKAGE / "__init__.py").read_text())
    guarded = next(node for node in tree.body if isinstance(node, ast.If))  # the TYPE_CHECKING block
    # Type checkers read each lazy module's __all__ (a star import); at run time, the table: the same.
    starred = {
        (node.module or "")
        for node in guarded.body
        if isinstance(node, ast.ImportFrom) and [alias.name for alias in node.names] == ["*"]
    }
    assert starred == set(robomaker_deploy._LAZY)
    for module, names in robomaker_deploy._LAZY.items():
        assert tuple(importlib.import_module(f"robomaker_deploy.{module}").__all__) == names


def test_every_public_name_resolves() -> None:
    for name in robomaker_deploy.__all__:
        assert getattr(robomaker_deploy, name) is not None
    lazy = {name for names in robomaker_deploy._LAZY.values() for name in names}
    assert lazy <= set(robomaker_deploy.__all__)
    assert lazy <= set(dir(robomaker_deploy))
    assert len(robomaker_deploy.__all__) == len(set(robomaker_deploy.__all__))
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
