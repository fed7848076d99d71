"""The command line against a real emulator: output, JSON, redaction and exit codes."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import anyio
import attrs
import pytest
from click.testing import CliRunner
from rich.console import Console

from robomaker_deploy import (
    Architecture,
    DeploymentApplicationConfig,
    DeploymentOutcome,
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
from robomaker_deploy._cli.exits import (
    EXIT_DEPLOYMENT_FAILED,
    EXIT_OK,
    EXIT_SERVICE_ERROR,
    EXIT_TIMEOUT,
    EXIT_USAGE,
)
from robomaker_deploy._cli.output import to_json
from robomaker_deploy._cli.progress import LiveProgress, PlainProgress, summary_table
from robomaker_deploy.emulator import TAG_FAIL_STEP, Emulator
from tests.support.cli import Shell, one_error_line, shell_env
from tests.support.clocks import advance_on_polls_in_background
from tests.support.world import make_application, make_fleet

# Fast simulated robots: a two-robot deployment takes a fraction of a second.
pytestmark = pytest.mark.robomaker_emulator(speed=300)
#: For tests that must see a job before it ends, or never see it end: it moves only when the test says.
MANUAL_CLOCK = pytest.mark.robomaker_emulator(speed=300, clock="manual")

SECRET = "s3cr3t-value-never-printed"
FAST = ["--min-delay", "0.02", "--max-delay", "0.1", "--timeout", "30"]


@attrs.frozen
class World(Shell):
    """Resources made once per test on a background emulator."""

    emulator: Emulator
    app: str
    fleet: str
    fleet_name: str
    bad_fleet: str

    def deploy_args(self, fleet: str | None = None) -> list[str]:
        return [
            "deploy",
            "--fleet",
            fleet or self.fleet,
            "--application",
            self.app,
            "--version",
            "1",
            "--package",
            "hello_world",
            "--launch-file",
            "hello.launch",
            "--pre-launch-file",
            "pre.sh",
            "-e",
            f"API_TOKEN={SECRET}",
            "-e",
            "FROM_ENV",
            "--concurrency",
            "50",
        ]


async def _setup(emulator: Emulator) -> tuple[str, str, str]:
    async with emulator.client() as client:
        app, _ = await make_application(client, name="cli-app", architectures=[Architecture.X86_64])
        fleets = []
        for name, failing in (("cli-fleet", False), ("cli-bad-fleet", True)):
            tags = [{}, {TAG_FAIL_STEP: "ExecutingPreLaunch"} if failing else {}]
            fleet, _ = await make_fleet(client, name, tags, robot_prefix=f"{name}-bot")
            fleets.append(fleet.arn)
        return app.arn, fleets[0], fleets[1]


@pytest.fixture
def world(robomaker_emulator_background: Emulator, tmp_path: Path) -> World:
    emulator = robomaker_emulator_background
    app, fleet, bad_fleet = anyio.run(_setup, emulator)
    env = {**shell_env(emulator, tmp_path), "FROM_ENV": SECRET + "-2"}
    return World(env, emulator, app, fleet, "cli-fleet", bad_fleet)


# -- help and usage --------------------------------------------------------------------------------


def test_help_lists_every_command_and_the_exit_codes() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == EXIT_OK
    for command in ("deploy", "describe", "list", "watch", "wait", "sync", "cancel", "fleets", "robots"):
        assert command in result.output
    assert "emulator" in result.output and "demo" in result.output
    assert "Exit codes" in result.output and "3    a wait timed out" in result.output


def test_python_dash_m_runs_the_same_cli() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "robomaker_deploy", "--version"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("robomaker-deploy, version")


def test_a_usage_error_is_one_line_and_exit_2() -> None:
    result = CliRunner().invoke(main, ["deploy", "--fleet", "arn:x"])
    assert result.exit_code == EXIT_USAGE
    line = one_error_line(result)
    assert "Missing option" in line and "--help" in line


def test_an_env_item_that_is_not_key_value_is_a_usage_error(world: World) -> None:
    result = world.run(*world.deploy_args(), "-e", "NOT_SET_ANYWHERE")
    assert result.exit_code == EXIT_USAGE
    assert "NOT_SET_ANYWHERE" in one_error_line(result)


def test_invalid_input_is_exit_2_naming_the_field(world: World) -> None:
    args = world.deploy_args()
    args[args.index("--version") + 1] = "$LATEST"
    result = world.run(*args)
    assert result.exit_code == EXIT_USAGE
    line = one_error_line(result)
    assert "--version='$LATEST'" in line and "application_version" not in line
    assert "'robomaker-deploy app create-version'" in line
    assert SECRET not in result.output


def test_no_region_is_a_usage_error(world: World) -> None:
    result = world.run("fleets", env={"AWS_DEFAULT_REGION": None, "AWS_REGION": ""})
    assert result.exit_code == EXIT_USAGE
    assert "--region" in one_error_line(result)


# -- service errors --------------------------------------------------------------------------------


def test_not_found_is_exit_4_with_a_hint(world: World) -> None:
    arn = "arn:aws:robomaker:us-east-1:123456789012:deployment-job/missing"
    result = world.run("describe", arn)
    assert result.exit_code == EXIT_SERVICE_ERROR
    line = one_error_line(result)
    assert "ResourceNotFound" in line and "Check the ARN" in line


def test_an_unreachable_endpoint_is_exit_4(world: World) -> None:
    result = world.run("--endpoint-url", "http://127.0.0.1:9", "--max-attempts", "1", "fleets")
    assert result.exit_code == EXIT_SERVICE_ERROR
    assert "--endpoint-url" in one_error_line(result)


def test_wrong_credentials_are_exit_4(world: World) -> None:
    result = world.run("fleets", env={"AWS_SECRET_ACCESS_KEY": "wrong"})
    assert result.exit_code == EXIT_SERVICE_ERROR
    assert "credentials" in one_error_line(result)


def test_debug_shows_the_traceback(world: World) -> None:
    arn = "arn:aws:robomaker:us-east-1:123456789012:deployment-job/missing"
    result = world.run("describe", arn, "--debug")
    assert result.exit_code == EXIT_SERVICE_ERROR
    assert "Traceback" in result.stderr


# -- deploying and waiting -------------------------------------------------------------------------


def test_deploy_and_wait_succeeds_with_exit_0_and_a_summary(world: World) -> None:
    result = world.run(*world.deploy_args(), "--wait", *FAST)
    assert result.exit_code == EXIT_OK, result.output
    assert "Job Succeeded" in result.stdout
    assert "cli-fleet-bot-0" in result.stdout and "InSync" in result.stdout
    assert SECRET not in result.output


def test_deploy_and_wait_on_a_failing_fleet_exits_1_with_the_failure_code(world: World) -> None:
    result = world.run(*world.deploy_args(world.bad_fleet), "--wait", *FAST)
    assert result.exit_code == EXIT_DEPLOYMENT_FAILED
    assert "PreLaunchFileFailure" in result.stdout
    assert FailureCode.PRE_LAUNCH_FILE_FAILURE.description in result.stdout
    assert "Job Failed" in result.stdout


def test_deploy_json_is_machine_readable_and_redacts_env_values(world: World) -> None:
    result = world.run(*world.deploy_args(), "--json")
    assert result.exit_code == EXIT_OK
    job = json.loads(result.stdout)
    assert job["status"] == "Pending"
    env = job["deployment_application_configs"][0]["launch_config"]["environment_variables"]
    assert env == {"API_TOKEN": "***", "FROM_ENV": "***"}
    assert SECRET not in result.output

    described = world.run("describe", job["arn"], "--json")
    assert SECRET not in described.output
    assert json.loads(described.stdout)["arn"] == job["arn"]
    human = world.run("describe", job["arn"])
    assert "API_TOKEN, FROM_ENV (values hidden)" in human.stdout
    assert SECRET not in human.output


def test_wait_json_prints_the_final_job(world: World) -> None:
    created = json.loads(world.run(*world.deploy_args(world.bad_fleet), "--json").stdout)
    result = world.run("wait", created["arn"], "--json", *FAST)
    assert result.exit_code == EXIT_DEPLOYMENT_FAILED
    final = json.loads(result.stdout)
    assert final["status"] == "Failed"
    codes = {robot["failure_code"] for robot in final["robot_deployment_summary"]}
    assert "PreLaunchFileFailure" in codes


@MANUAL_CLOCK
def test_watch_json_streams_one_snapshot_per_line(world: World) -> None:
    created = json.loads(world.run(*world.deploy_args(), "--json").stdout)
    # The job moves a twentieth of a second of simulated time per poll: the watch sees it before it ends.
    with advance_on_polls_in_background(world.emulator, 0.05):
        result = world.run("watch", created["arn"], "--json", *FAST)
    assert result.exit_code == EXIT_OK
    snapshots = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(snapshots) >= 2
    assert snapshots[-1]["status"] == "Succeeded"
    assert all(SECRET not in line for line in result.stdout.splitlines())


def test_watch_without_a_terminal_prints_plain_lines(world: World) -> None:
    created = json.loads(world.run(*world.deploy_args(), "--json").stdout)
    result = world.run("watch", created["arn"], *FAST)
    assert result.exit_code == EXIT_OK
    assert "cli-fleet-bot-0: " in result.stdout and "cli-fleet-bot-1: " in result.stdout
    assert "job Succeeded: 2/2 robots done" in result.stdout


def test_watch_events_prints_a_line_per_event_and_resumes_from_its_checkpoint(
    world: World, tmp_path: Path
) -> None:
    created = json.loads(world.run(*world.deploy_args(fleet=world.bad_fleet), "--json").stdout)
    checkpoint = tmp_path / "watch.json"
    result = world.run("watch", created["arn"], "--events", "--checkpoint", str(checkpoint), *FAST)
    assert result.exit_code == EXIT_DEPLOYMENT_FAILED
    assert "cli-bad-fleet-bot-1: Failed PreLaunchFileFailure (launch scripts, not retryable)" in result.stdout
    assert result.stdout.rstrip().splitlines()[-1].startswith("job ended Failed: 2/2 robots done, 1 failed")
    assert json.loads(checkpoint.read_text())["state"]["ended"] is True
    # Run again on the same checkpoint: everything was delivered, so nothing is printed again.
    again = world.run("watch", created["arn"], "--events", "--checkpoint", str(checkpoint), *FAST)
    assert again.exit_code == EXIT_DEPLOYMENT_FAILED and "Failed PreLaunchFileFailure" not in again.stdout
    assert "had already ended (Failed)" in again.stdout
    streamed = world.run("watch", created["arn"], "--events", "--json", *FAST).stdout
    events = [json.loads(line) for line in streamed.splitlines()]
    assert events[-1]["event"] == "JobEnded" and events[-1]["outcome"]["polls"] >= 1
    assert {"RobotFailed", "RobotSucceeded"} <= {event["event"] for event in events}
    assert all(SECRET not in json.dumps(event) for event in events)


@MANUAL_CLOCK  # the job never ends: the wait must time out
def test_a_wait_that_times_out_exits_3(world: World) -> None:
    created = json.loads(world.run(*world.deploy_args(), "--json").stdout)
    result = world.run(
        "wait", created["arn"], "--timeout", "0.05", "--min-delay", "0.01", "--max-delay", "0.02"
    )
    assert result.exit_code == EXIT_TIMEOUT
    line = one_error_line(result)
    assert "gave up waiting" in line and "robomaker-deploy watch" in line


@MANUAL_CLOCK  # the job is still pending when it is canceled
def test_cancel_then_wait_exits_1(world: World) -> None:
    created = json.loads(world.run(*world.deploy_args(), "--json").stdout)
    canceled = world.run("cancel", created["arn"], "--json")
    assert canceled.exit_code == EXIT_OK
    assert json.loads(canceled.stdout) == {"job": created["arn"], "canceled": True}
    result = world.run("wait", created["arn"], *FAST)
    assert result.exit_code == EXIT_DEPLOYMENT_FAILED
    assert "Job Canceled" in result.stdout


@MANUAL_CLOCK  # the first job is still pending
def test_a_second_deployment_to_a_busy_fleet_is_exit_4(world: World) -> None:
    assert world.run(*world.deploy_args()).exit_code == EXIT_OK
    result = world.run(*world.deploy_args())
    assert result.exit_code == EXIT_SERVICE_ERROR
    assert "cancel it" in one_error_line(result)


def test_sync_and_wait_for_the_fleet(world: World) -> None:
    assert world.run(*world.deploy_args(), "--wait", *FAST).exit_code == EXIT_OK
    synced = world.run("sync", "--fleet", world.fleet, "--wait", *FAST)
    assert synced.exit_code == EXIT_OK, synced.output
    result = world.run("wait", "--fleet", world.fleet, *FAST)
    assert result.exit_code == EXIT_OK, result.output
    assert "in sync" in result.stdout


def test_wait_needs_a_job_or_a_fleet(world: World) -> None:
    result = world.run("wait")
    assert result.exit_code == EXIT_USAGE
    one_error_line(result)


# -- listings --------------------------------------------------------------------------------------


def test_list_filters_and_resumes(world: World) -> None:
    for fleet in (world.fleet, world.bad_fleet):
        assert world.run(*world.deploy_args(fleet), "--wait", *FAST).exit_code in (0, 1)
    first = json.loads(world.run("list", "--json", "--max-items", "1").stdout)
    assert len(first["deployment_jobs"]) == 1 and first["next_token"]
    rest = json.loads(world.run("list", "--json", "--starting-token", first["next_token"]).stdout)
    arns = [job["arn"] for job in first["deployment_jobs"] + rest["deployment_jobs"]]
    assert len(arns) == len(set(arns)) == 2

    failed = json.loads(world.run("list", "--json", "--status", "failed").stdout)
    assert [job["status"] for job in failed["deployment_jobs"]] == ["Failed"]
    by_fleet = world.run("list", "--fleet-name", "cli-fleet")
    assert (
        by_fleet.exit_code == EXIT_OK and "Succeeded" in by_fleet.stdout and "Failed" not in by_fleet.stdout
    )
    both = world.run("list", "--fleet-name", "cli-fleet", "--status", "Failed")
    assert both.exit_code == EXIT_USAGE
    one_error_line(both)


def test_fleets_and_robots(world: World) -> None:
    fleets = json.loads(world.run("fleets", "--json").stdout)
    assert sorted(fleet["name"] for fleet in fleets["fleets"]) == ["cli-bad-fleet", "cli-fleet"]
    robots = json.loads(world.run("robots", "--json", "--fleet-name", "cli-fleet").stdout)
    assert sorted(robot["name"] for robot in robots["robots"]) == ["cli-fleet-bot-0", "cli-fleet-bot-1"]
    table = world.run("robots", "--max-items", "1")
    assert table.exit_code == EXIT_OK and "--starting-token" in table.stdout
    assert world.run("fleets", "--name", "cli-fleet").stdout.count("cli-fleet") >= 1


# -- demo and emulator -----------------------------------------------------------------------------


def test_demo_rolls_out_stops_at_the_failing_robot_and_rolls_back() -> None:
    result = CliRunner().invoke(main, ["demo", "--speed", "200", "--robots", "8"], catch_exceptions=False)
    assert result.exit_code == EXIT_OK, result.output
    assert "site-b-02: Failed (ExecutingPreLaunch) PreLaunchFileFailure" in result.stdout
    assert "Rollout stopped: stage 3 (site-b)" in result.stdout
    for stage in ("stage 3 (site-b)", "stage 2 (site-a)", "stage 1 (canary)"):
        assert f"{stage}: rolled back to its previous version (Succeeded)" in result.stdout
    assert result.stdout.index("stage 3 (site-b): rolled back") < result.stdout.index(
        "stage 1 (canary): rolled back"
    )
    assert "demo-secret" not in result.output


def test_emulator_command_prints_its_url_and_stops_on_sigterm() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "robomaker_deploy", "emulator", "--port", "0", "--speed", "5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


# -- rendering -------------------------------------------------------------------------------------


def _snapshot(status: DeploymentStatus, robots: list[RobotDeployment]) -> DescribedDeploymentJob:
    return DescribedDeploymentJob(
        arn="arn:aws:robomaker:us-east-1:123456789012:deployment-job/j",
        fleet="arn:aws:robomaker:us-east-1:123456789012:deployment-fleet/f/1",
        status=status,
        created_at=datetime(2024, 1, 1, tzinfo=timezone.utc),
        deployment_application_configs=(
            DeploymentApplicationConfig(
                application="arn:aws:robomaker:us-east-1:123456789012:robot-application/a/1",
                application_version="1",
                launch_config=LaunchConfig(
                    package_name="p", launch_file="l", environment_variables={"K": SECRET}
                ),
            ),
        ),
        robot_deployment_summary=tuple(robots),
    )


def _robot(
    name: str, status: RobotStatus, step: RobotDeploymentStep | None, percent: float | None
) -> RobotDeployment:
    detail = None if step is None else ProgressDetail(current_progress=step, percent_done=percent)
    code = FailureCode.PRE_LAUNCH_FILE_FAILURE if status is RobotStatus.FAILED else None
    return RobotDeployment(
        arn=f"arn:aws:robomaker:us-east-1:123456789012:robot/{name}/1",
        status=status,
        progress_detail=detail,
        failure_code=code,
    )


SNAPSHOTS = [
    _snapshot(DeploymentStatus.IN_PROGRESS, [_robot("a", RobotStatus.PENDING_NEW_DEPLOYMENT, None, None)]),
    _snapshot(
        DeploymentStatus.IN_PROGRESS,
        [_robot("a", RobotStatus.DEPLOYING, RobotDeploymentStep.DOWNLOADING_EXTRACTING, 40.0)],
    ),
    _snapshot(
        DeploymentStatus.IN_PROGRESS,
        [_robot("a", RobotStatus.DEPLOYING, RobotDeploymentStep.LAUNCHING, None)],
    ),
    _snapshot(
        DeploymentStatus.FAILED, [_robot("a", RobotStatus.FAILED, RobotDeploymentStep.LAUNCHING, None)]
    ),
]


def test_live_progress_draws_bars_on_a_terminal() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120)
    with LiveProgress(console) as view:
        for snapshot in SNAPSHOTS:
            view.update(snapshot)
    text = out.getvalue()
    assert "DownloadingExtracting" in text and "40%" in text and "Failed" in text


def test_plain_progress_prints_one_line_per_change() -> None:
    out = io.StringIO()
    console = Console(file=out, width=120)
    with PlainProgress(console) as view:
        for snapshot in [*SNAPSHOTS, SNAPSHOTS[-1]]:
            view.update(snapshot)
    lines = out.getvalue().splitlines()
    assert len(lines) == 6  # job InProgress, four robot changes, job Failed (the repeat prints nothing)
    assert lines[-1].endswith("job Failed: 1/1 robots done, 1 failed")
    console.print(summary_table(DeploymentOutcome(job=SNAPSHOTS[-1], polls=4, elapsed=12.0)))
    assert FailureCode.PRE_LAUNCH_FILE_FAILURE.description in out.getvalue()
    assert "4 poll(s) in 12.0s; failed: 1 launch scripts (0 retryable)" in out.getvalue()


def test_to_json_redacts_environment_values() -> None:
    data = to_json(SNAPSHOTS[0])
    assert data["deployment_application_configs"][0]["launch_config"]["environment_variables"] == {"K": "***"}
    assert SECRET not in json.dumps(data)
    assert data["created_at"] == "2024-01-01T00:00:00+00:00"
    assert os.environ.get("K") is None
