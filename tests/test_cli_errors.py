"""Errors and connection settings in the command line's terms: flags not SDK names, every problem, retries."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from robomaker_deploy import ClientConfig, DeploymentClient, ValidationError
from robomaker_deploy._cli import main
from robomaker_deploy._cli.exits import EXIT_OK, EXIT_SERVICE_ERROR, EXIT_USAGE
from robomaker_deploy._cli.notes import NOTES_LOGGER, retry_notes
from robomaker_deploy._cli.options import Settings
from robomaker_deploy._cli.terms import METHODS
from robomaker_deploy.emulator import Emulator
from tests.support.cli import Shell, one_error_line, shell_env
from tests.support.leaks import free_port

APP = "arn:aws:robomaker:us-east-1:123456789012:robot-application/app/1"
FLEET = "arn:aws:robomaker:us-east-1:123456789012:deployment-fleet/lab/1"


@pytest.fixture
def shell(robomaker_emulator_background: Emulator, tmp_path: Path) -> Shell:
    return Shell(shell_env(robomaker_emulator_background, tmp_path))


# -- the SDK's message -----------------------------------------------------------------------------


def test_a_validation_error_lists_every_problem_and_keeps_its_fields() -> None:
    error = ValidationError(
        "fleet", "'x'", "must match arn:.*", ["fleet='x': must match arn:.*", "tags=1: is bad"]
    )
    assert str(error) == "fleet='x': must match arn:.*; tags=1: is bad"
    assert (error.field, error.value, error.rule) == ("fleet", "'x'", "must match arn:.*")
    assert error.problems == ("fleet='x': must match arn:.*", "tags=1: is bad")
    alone = ValidationError("max_items", "-3", "must be at least 1")
    assert str(alone) == "max_items=-3: must be at least 1"
    assert alone.problems == ("max_items=-3: must be at least 1",)


@pytest.mark.asyncio
async def test_the_sdk_names_all_problems_of_a_call() -> None:
    async with DeploymentClient(region_name="us-east-1", endpoint_url="http://127.0.0.1:9") as client:
        with pytest.raises(ValidationError) as info:
            await client.create_deployment_job(fleet="no", application_configs=[], client_request_token="a b")
    message = str(info.value)
    assert "more problem" not in message
    assert len(info.value.problems) == 3
    for problem in info.value.problems:
        assert problem in message


# -- the CLI's message -----------------------------------------------------------------------------


def test_max_items_is_named_as_the_flag_of_the_command(shell: Shell) -> None:
    result = shell.run("list", "--max-items", "-3")
    assert result.exit_code == EXIT_USAGE
    line = one_error_line(result)
    assert "--max-items=-3" in line and "'robomaker-deploy list'" in line
    assert "max_items" not in line


def test_every_problem_of_a_deploy_is_named_by_its_flag(shell: Shell) -> None:
    args = ["--fleet", FLEET, "--application", APP, "--version", "$LATEST", "--launch-file", "l"]
    result = shell.run("deploy", *args, "--package", "", "--concurrency", "0", "--failure-threshold", "101")
    assert result.exit_code == EXIT_USAGE
    line = one_error_line(result)
    for named in ("--version='$LATEST'", "--package=''", "--concurrency=0", "--failure-threshold=101"):
        assert named in line
    assert "more problem" not in line
    assert "application_configs" not in line and "deployment_config" not in line
    # The SDK's advice names its method; the command line's names the command.
    assert "'robomaker-deploy app create-version'" in line and "create_robot_application_version" not in line


def test_an_argument_is_named_by_its_metavar_and_a_rule_by_its_flags(shell: Shell) -> None:
    described = one_error_line(shell.run("describe", "not-an-arn"))
    assert "JOB_ARN='not-an-arn'" in described and "'robomaker-deploy describe'" in described
    waited = one_error_line(shell.run("wait", "arn:x", "--min-delay", "5", "--max-delay", "1"))
    assert "--max-delay=1.0: must be at least --min-delay (5.0)" in waited


def test_the_method_table_names_real_methods_and_commands() -> None:
    for method, command in METHODS.items():
        assert callable(getattr(DeploymentClient, method, None)), method
        found: click.Command = main
        for word in (word for word in command.split() if not word.startswith("--")):
            assert isinstance(found, click.Group), command
            found = found.commands[word]
        assert not isinstance(found, click.Group), command


# -- enum choices ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "spelled"),
    [
        (["list", "--help"], "[Pending|Preparing|InProgress|Failed|Succeeded|Canceled]"),
        (
            ["robots", "--help"],
            "[Available|Registered|PendingNewDeployment|Deploying|Failed|InSync|NoResponse]",
        ),
        (["robot", "create", "--help"], "[X86_64|ARM64|ARMHF]"),
        (["app", "create", "--help"], "[ROS|ROS2|General]"),
    ],
)
def test_choices_are_shown_as_the_service_spells_them(args: list[str], spelled: str) -> None:
    result = CliRunner().invoke(main, args, terminal_width=200)
    assert result.exit_code == EXIT_OK
    assert spelled in result.output


def test_a_wrong_choice_lists_the_service_spellings_and_any_case_is_taken(shell: Shell) -> None:
    line = one_error_line(shell.run("list", "--status", "paused"))
    assert "Pending, Preparing, InProgress, Failed, Succeeded, Canceled" in line
    assert "inprogress" not in line
    assert shell.run("list", "--status", "INPROGRESS", "--status", "pending").exit_code == EXIT_OK
    assert shell.run("robots", "--status", "insync").exit_code == EXIT_OK


def test_status_with_fleet_name_is_a_usage_error_for_both_listings(shell: Shell) -> None:
    for command in ("list", "robots"):
        result = shell.run(command, "--status", "Failed", "--fleet-name", "lab")
        assert result.exit_code == EXIT_USAGE
        assert "--status cannot be combined with --fleet-name" in one_error_line(result)


# -- connection settings ---------------------------------------------------------------------------


def _settings(*args: str) -> Settings:
    """The settings a command line parses into (nothing is run)."""
    settings = Settings()
    ctx = main.make_context("robomaker-deploy", list(args), obj=settings)
    with ctx:
        name, sub, rest = main.resolve_command(ctx, ctx._protected_args + ctx.args)
        assert sub is not None
        sub.make_context(name or "", rest, parent=ctx)
    return settings


def test_connection_flags_become_the_client_config() -> None:
    settings = _settings("--connect-timeout", "2.5", "fleets", "--read-timeout", "7", "--max-attempts", "3")
    assert settings.client_config() == ClientConfig(connect_timeout=2.5, read_timeout=7.0, max_attempts=3)
    assert _settings("fleets").client_config() is None  # the SDK's defaults, not copies of them


def test_total_timeout_becomes_the_client_config() -> None:
    config = _settings("fleets", "--total-timeout", "30").client_config()
    assert config is not None
    assert config.total_timeout == 30.0


@pytest.mark.parametrize("flag", ["--connect-timeout", "--read-timeout", "--total-timeout", "--max-attempts"])
def test_a_connection_flag_out_of_range_is_a_usage_error(flag: str) -> None:
    result = CliRunner().invoke(main, ["fleets", flag, "0"])
    assert result.exit_code == EXIT_USAGE
    assert flag in one_error_line(result)


def test_the_region_is_left_to_the_sdk_unless_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    assert _settings("fleets").region is None
    assert _settings("fleets", "--region", "ap-south-1").region == "ap-south-1"


def test_aws_region_alone_is_enough(shell: Shell) -> None:
    result = shell.run("fleets", env={"AWS_DEFAULT_REGION": None, "AWS_REGION": "us-east-1"})
    assert result.exit_code == EXIT_OK, result.output


# -- retry notes -----------------------------------------------------------------------------------


def test_retry_notes_print_the_sdks_info_records_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    logger = logging.getLogger(NOTES_LOGGER)
    level = logger.level
    with retry_notes():
        logger.info(
            "retrying %s after %s, attempt %d of %d", "ListDeploymentJobs", "EndpointConnectionError", 2, 10
        )
        logger.debug("not a note")
    logger.info("after the command: not a note")
    captured = capsys.readouterr()
    assert captured.err == "retrying ListDeploymentJobs after EndpointConnectionError, attempt 2 of 10\n"
    assert captured.out == ""
    assert logger.level == level and not [h for h in logger.handlers if type(h).__module__.endswith("notes")]


def test_an_unreachable_endpoint_notes_each_retry_on_stderr_not_in_json(tmp_path: Path) -> None:
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
    }
    url = f"http://127.0.0.1:{free_port()}"
    result = CliRunner().invoke(
        main, ["--endpoint-url", url, "list", "--max-attempts", "2", "--json"], env=env
    )
    assert result.exit_code == EXIT_SERVICE_ERROR
    assert result.stdout == ""
    notes = [line for line in result.stderr.splitlines() if line.startswith("retrying ")]
    # One retry of two attempts, said as it happens.
    assert len(notes) == 1
    assert re.fullmatch(
        r"retrying ListDeploymentJobs after EndpointConnectionError, attempt \d of 2", notes[0]
    )
    assert result.stderr.splitlines()[-1].startswith("error: ")
