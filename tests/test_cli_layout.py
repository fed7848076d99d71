"""The command line's layout: a package of small modules over the public API, off the SDK's import path."""

from __future__ import annotations

import ast
import enum
import json
from collections.abc import Mapping
from datetime import datetime, timezone
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import attrs
import pytest

import robomaker_deploy
from robomaker_deploy import (
    DeploymentApplicationConfig,
    DeploymentStatus,
    DescribedDeploymentJob,
    FailureCode,
    LaunchConfig,
    ProgressDetail,
    RobotDeployment,
    RobotDeploymentStep,
    RobotStatus,
)
from robomaker_deploy._cli import main
from robomaker_deploy._cli.output import to_json
from tests.support.leaks import loaded_after

CLI = Path(robomaker_deploy.__file__).parent / "_cli"
MODULES = sorted(CLI.glob("*.py"))
#: The private modules the CLI may use; everything else comes from the package root.
ALLOWED_PRIVATE = {"_wire.secrets", "_config", "_documents"}


@pytest.mark.parametrize(
    "statement", ["import robomaker_deploy", "from robomaker_deploy import DeploymentClient"]
)
def test_the_sdk_does_not_import_the_cli(statement: str) -> None:
    loaded = loaded_after(statement)
    assert not {"robomaker_deploy._cli", "click", "rich"} & loaded


def test_help_does_not_load_the_client_or_the_json_converter() -> None:
    statement = (
        "import contextlib, io\n"
        "from robomaker_deploy._cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['--help'], standalone_mode=False) == 0"
    )
    loaded = loaded_after(statement)
    assert "robomaker_deploy._cli.app" in loaded
    assert not {"aiobotocore", "cattrs", "robomaker_deploy._client"} & loaded


def test_the_entry_point_is_the_group() -> None:
    (script,) = entry_points(group="console_scripts", name="robomaker-deploy")
    assert script.value == "robomaker_deploy._cli:main"
    assert script.load() is main


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_each_module_is_small_and_says_what_it_is_for(path: Path) -> None:
    source = path.read_text()
    assert ast.get_docstring(ast.parse(source)), f"{path.name} has no docstring"
    assert len(source.splitlines()) <= 400, f"{path.name} has grown past 400 lines"


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_the_cli_uses_the_public_api(path: Path) -> None:
    private = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 2 and node.module:
            if node.module.startswith("_") and node.module not in ALLOWED_PRIVATE:
                private.append(node.module)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("robomaker_deploy._"):
            private.append(node.module or "")
    assert not private, f"{path.name} imports private modules {private}: import from the package root"


def _plain(value: Any) -> None:
    # JSON types only: no enum members (str subclasses that json would still print), tuples or proxies.
    assert not isinstance(value, (enum.Enum, tuple, datetime))
    if isinstance(value, Mapping):
        assert type(value) is dict
        for key, item in value.items():
            assert type(key) is str
            _plain(item)
    elif isinstance(value, list):
        for item in value:
            _plain(item)
    else:
        assert value is None or type(value) in (str, int, float, bool), repr(value)


def test_to_json_gives_plain_json_types_with_secrets_masked() -> None:
    at = datetime(2024, 1, 1, tzinfo=timezone.utc)
    robot = RobotDeployment(
        arn="arn:aws:robomaker:us-east-1:123456789012:robot/r/1",
        status=RobotStatus("SomethingNew"),
        deployment_start_time=at,
        progress_detail=ProgressDetail(current_progress=RobotDeploymentStep.LAUNCHING, percent_done=12.5),
        failure_code=FailureCode.PRE_LAUNCH_FILE_FAILURE,
    )
    job = DescribedDeploymentJob(
        arn="arn:aws:robomaker:us-east-1:123456789012:deployment-job/j",
        fleet="arn:aws:robomaker:us-east-1:123456789012:deployment-fleet/f/1",
        status=DeploymentStatus.FAILED,
        created_at=at,
        deployment_application_configs=[
            DeploymentApplicationConfig(
                application="arn:app",
                application_version="1",
                launch_config=LaunchConfig(
                    package_name="p", launch_file="l", environment_variables={"TOKEN": "hush"}
                ),
            )
        ],
        robot_deployment_summary=(robot,),
        tags={"team": "a"},
    )
    data = to_json({"jobs": [job], "next_token": None})
    _plain(data)
    (shown,) = data["jobs"]
    assert shown["status"] == "Failed" and shown["created_at"] == "2024-01-01T00:00:00+00:00"
    assert shown["robot_deployment_summary"][0]["status"] == "SomethingNew"
    assert shown["deployment_application_configs"][0]["launch_config"]["environment_variables"] == {
        "TOKEN": "***"
    }
    assert "hush" not in json.dumps(data)
    assert list(shown) == [field.name for field in attrs.fields(DescribedDeploymentJob)]
