"""Setting up from the command line alone: fleets, robots, applications, versions; a seeded emulator."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from robomaker_deploy._cli import main
from robomaker_deploy._cli.exits import EXIT_DEPLOYMENT_FAILED, EXIT_OK, EXIT_SERVICE_ERROR, EXIT_USAGE
from robomaker_deploy.emulator import Emulator, serve
from tests.support.cli import Shell, one_error_line, shell_env

# Fast simulated robots: a deployment to a handful of robots takes well under a second.
pytestmark = pytest.mark.robomaker_emulator(speed=300)
FAST = ["--min-delay", "0.02", "--max-delay", "0.1", "--timeout", "60"]


@pytest.fixture
def shell(robomaker_emulator_background: Emulator, tmp_path: Path) -> Shell:
    return Shell(shell_env(robomaker_emulator_background, tmp_path))


def _deploy(fleet: str, app: str, version: str = "1") -> list[str]:
    return [
        "deploy",
        "--fleet",
        fleet,
        "--application",
        app,
        "--version",
        version,
        "--package",
        "hello_world",
        "--launch-file",
        "hello.launch",
        *FAST,
    ]


def test_help_lists_the_setup_groups_and_their_verbs() -> None:
    top = CliRunner().invoke(main, ["--help"])
    for group in ("fleet", "robot", "app", "apps"):
        assert f"\n  {group} " in top.output
    verbs = {
        "fleet": ("create", "delete", "register", "deregister"),
        "robot": ("create", "delete"),
        "app": ("create", "create-version", "delete"),
    }
    for group, names in verbs.items():
        result = CliRunner().invoke(main, [group, "--help"])
        assert result.exit_code == EXIT_OK
        for name in names:
            assert f"\n  {name} " in result.output, (group, name)


def test_a_fresh_emulator_set_up_from_the_cli_takes_a_deployment(shell: Shell) -> None:
    app = shell.json(
        "app",
        "create",
        "hello-world",
        "--suite",
        "ros2",
        "--suite-version",
        "FOXY",
        "--source",
        "X86_64=s3://my-bundles/hello/x86_64.tar.gz",
        "--source",
        "arm64=s3://my-bundles/hello/arm64.tar.gz",
    )
    assert app["name"] == "hello-world" and app["version"] == "$LATEST"
    assert app["robot_software_suite"] == {"name": "ROS2", "version": "Foxy"}
    assert [(s["architecture"], s["s3_bucket"]) for s in app["sources"]] == [
        ("X86_64", "my-bundles"),
        ("ARM64", "my-bundles"),
    ]
    version = shell.run("app", "create-version", app["arn"])
    assert version.exit_code == EXIT_OK
    assert f"Created version 1 of hello-world: {app['arn']}" in version.stdout

    fleet = shell.json("fleet", "create", "lab", "--tag", "team=nav")
    assert fleet["name"] == "lab"
    robots = [
        shell.json("robot", "create", f"lab-{n}", "--architecture", arch, "--greengrass-group-id", f"gg-{n}")
        for n, arch in ((1, "X86_64"), (2, "arm64"))
    ]
    assert [robot["architecture"] for robot in robots] == ["X86_64", "ARM64"]
    registered = shell.run("fleet", "register", fleet["arn"], *(robot["arn"] for robot in robots))
    assert registered.exit_code == EXIT_OK
    assert registered.stdout.count(f"in fleet {fleet['arn']}") == 2

    listed = shell.json("robots", "--fleet-name", "lab")
    assert sorted(robot["name"] for robot in listed["robots"]) == ["lab-1", "lab-2"]
    versions = shell.json("apps", "--all-versions")
    assert [a["version"] for a in versions["robot_applications"]] == ["$LATEST", "1"]

    deployed = shell.run(*_deploy(fleet["arn"], app["arn"]), "--wait")
    assert deployed.exit_code == EXIT_OK, deployed.output
    assert "Job Succeeded" in deployed.stdout


def test_deregister_and_delete_undo_the_set_up(shell: Shell) -> None:
    fleet = shell.json("fleet", "create", "temp")
    robot = shell.json("robot", "create", "temp-1", "--architecture", "ARMHF", "--greengrass-group-id", "gg")
    assert shell.run("fleet", "register", fleet["arn"], robot["arn"]).exit_code == EXIT_OK
    assert shell.json("fleet", "deregister", fleet["arn"], robot["arn"]) == [
        {"fleet": fleet["arn"], "robot": robot["arn"]}
    ]
    assert shell.json("robots")["robots"][0]["fleet_arn"] is None
    assert shell.json("robot", "delete", robot["arn"]) == {"robot": robot["arn"], "deleted": True}
    assert shell.json("fleet", "delete", fleet["arn"]) == {"fleet": fleet["arn"], "deleted": True}

    app = shell.json("app", "create", "temp-app", "--suite", "General", "--source", "X86_64=s3://bkt/a.tar")
    shell.json("app", "create-version", app["arn"])
    assert shell.json("app", "delete", app["arn"], "--version", "1") == {
        "application": app["arn"],
        "version": "1",
        "deleted": True,
    }
    deleted = shell.run("app", "delete", app["arn"])
    assert deleted.stdout.strip() == f"Deleted application {app['arn']}"
    assert shell.json("fleets")["fleets"] == []
    assert shell.json("robots")["robots"] == []
    assert shell.json("apps")["robot_applications"] == []


def test_a_registration_that_fails_midway_says_which_robots_it_did(shell: Shell) -> None:
    fleet = shell.json("fleet", "create", "half")
    robot = shell.json("robot", "create", "half-1", "--architecture", "X86_64", "--greengrass-group-id", "gg")
    missing = robot["arn"].replace("half-1", "nobody")
    result = shell.run("fleet", "register", fleet["arn"], robot["arn"], missing)
    assert result.exit_code == EXIT_SERVICE_ERROR
    assert f"Registered robot {robot['arn']}" in result.stdout
    assert "ResourceNotFound" in one_error_line(result)


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["robot", "create", "bad name", "--architecture", "X86_64", "--greengrass-group-id", "g"], "NAME="),
        (["app", "create", "a", "--suite", "ROS2", "--source", "X86_64=s3://Bad_Bucket/k"], "--source[0]"),
        (["fleet", "delete", "not-an-arn"], "FLEET_ARN='not-an-arn'"),
    ],
)
def test_invalid_setup_input_names_the_argument_or_flag(shell: Shell, args: list[str], named: str) -> None:
    result = shell.run(*args)
    assert result.exit_code == EXIT_USAGE
    line = one_error_line(result)
    assert named in line and f"'robomaker-deploy {args[0]} {args[1]}'" in line


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["app", "create", "a", "--suite", "ROS2", "--source", "s3://b/k"], "ARCH=s3://BUCKET/KEY"),
        (["app", "create", "a", "--suite", "ROS2", "--source", "MIPS=s3://b/k"], "X86_64, ARM64, ARMHF"),
        (["app", "create", "a", "--suite", "ROS2", "--source", "ARM64=b/k"], "s3://BUCKET/KEY"),
        (["robot", "create", "r", "--architecture", "mips", "--greengrass-group-id", "g"], "ARMHF"),
        (["fleet", "register", "arn:aws:robomaker:us-east-1:1:deployment-fleet/f/1"], "ROBOT_ARN"),
    ],
)
def test_malformed_setup_options_are_usage_errors(args: list[str], says: str) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == EXIT_USAGE
    assert says in one_error_line(result)


# -- a seeded emulator -----------------------------------------------------------------------------


@pytest.fixture
def seeded_demo(tmp_path: Path) -> Iterator[tuple[Shell, list[str]]]:
    """``robomaker-deploy emulator --seed demo`` as its own process: a shell on it, and what it printed."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "robomaker_deploy",
            "emulator",
            "--port",
            "0",
            "--seed",
            "demo",
            "--speed",
            "300",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline().rstrip("\n")]
        while not lines[-1].startswith("  (sign with"):
            lines.append(proc.stdout.readline().rstrip("\n"))
            assert lines[-1], (lines, proc.poll())
        env = {
            "AWS_ENDPOINT_URL": lines[0],
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
        }
        yield Shell(env), lines
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def test_seed_demo_starts_with_a_world_a_cli_user_deploys_to_at_once(
    seeded_demo: tuple[Shell, list[str]],
) -> None:
    shell, lines = seeded_demo
    assert lines[0].startswith("http://127.0.0.1:")
    by_name = {
        line.split()[1]: line.split()[2] for line in lines if line.split()[0] in ("application", "fleet")
    }
    assert set(by_name) == {"hello-world", "warehouse-east", "warehouse-west"}

    robots = shell.json("robots", "--fleet-name", "warehouse-east")["robots"]
    assert len(robots) == 6
    assert {robot["architecture"] for robot in robots} == {"X86_64", "ARM64", "ARMHF"}
    (version,) = [
        a for a in shell.json("apps", "--all-versions")["robot_applications"] if a["version"] == "1"
    ]
    assert version["arn"] == by_name["hello-world"]

    # The printed command line deploys, as it is (less its label and the connection, which env gives).
    deploy = next(line for line in lines if line.startswith("deploy: "))
    args = deploy.split()[2:]  # after "deploy:" and "robomaker-deploy"
    assert args[:4] == ["--endpoint-url", lines[0], "--region", "us-east-1"]
    result = shell.run(*args, *FAST)
    assert result.exit_code == EXIT_OK, result.output
    assert "Job Succeeded" in result.stdout and "east-06" in result.stdout

    failing = shell.run(*_deploy(by_name["warehouse-west"], by_name["hello-world"]), "--wait")
    assert failing.exit_code == EXIT_DEPLOYMENT_FAILED
    assert "west-03" in failing.stdout and "GreengrassDeploymentFailed" in failing.stdout


def _world_file(tmp_path: Path, world: object) -> Path:
    path = tmp_path / "world.json"
    path.write_text(json.dumps(world))
    return path


@pytest.mark.asyncio
async def test_seed_file_starts_with_the_world_it_describes(tmp_path: Path) -> None:
    world = {
        "applications": [{"name": "nav", "sources": {"ARM64": "s3://nav-bundles/nav.tar"}, "versions": 2}],
        "fleets": [
            {"name": "yard", "robots": [{"name": "yard-1", "architecture": "ARM64"}]},
            {"name": "empty"},
        ],
    }
    path = _world_file(tmp_path, world)
    lines: list[str] = []
    stop = asyncio.Event()

    def announce(line: str) -> None:
        lines.append(line)
        if line.startswith("  (sign with"):
            stop.set()

    await asyncio.wait_for(serve(port=0, seed=path, announce=announce, stop=stop), 30)
    kinds = [tuple(line.split()[:2]) for line in lines[1:4]]
    assert kinds == [("application", "nav"), ("fleet", "yard"), ("fleet", "empty")]
    assert "versions: 1, 2" in lines[1] and "ROS2 Foxy" in lines[1]
    assert "1 robots: ARM64" in lines[2] and "0 robots)" in lines[3]
    assert "--version 2" in lines[4]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("world", "says"),
    [
        ({"fleets": [{"nam": "x"}]}, "fleets[0] has no member 'nam'"),
        (
            {"fleets": [{"name": "x", "robots": [{"name": "r"}]}]},
            "fleets[0].robots[0].architecture is required",
        ),
        ({"applications": [{"name": "a", "sources": {"X86_64": "nope"}}]}, "applications[0].sources.X86_64"),
        ({"applications": [{"name": "a", "sources": {}, "versions": -1}]}, "applications[0].versions"),
        (
            {"fleets": [{"name": "x", "robots": [{"name": "r", "architecture": "MIPS"}]}]},
            "fleets[0].robots[0]",
        ),
        ([], "the world must be an object"),
    ],
)
async def test_a_wrong_world_file_is_refused_before_anything_is_announced(
    tmp_path: Path, world: object, says: str
) -> None:
    announced: list[str] = []
    with pytest.raises(ValueError, match=re.escape(says)):
        await serve(port=0, seed=_world_file(tmp_path, world), announce=announced.append)
    assert announced == []


@pytest.mark.asyncio
async def test_a_world_is_seeded_only_into_an_empty_state(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    stop = asyncio.Event()
    stop.set()  # stop as soon as it has started: the world is made by then
    await serve(port=0, seed="demo", state_file=state, announce=lambda line: None, stop=stop)
    with pytest.raises(ValueError, match="already holds resources"):
        await serve(port=0, seed="demo", state_file=state, announce=lambda line: None, stop=stop)
    async with Emulator(state_file=state) as emulator:  # the first world is still there, once
        assert len(emulator.call("ListFleets", {})["fleetDetails"]) == 2


def test_the_seed_option_takes_an_integer_demo_or_a_file(tmp_path: Path) -> None:
    command = main.commands["emulator"]
    path = _world_file(tmp_path, {})
    for given, parsed in (("7", 7), ("demo", "demo"), (str(path), str(path))):
        with command.make_context("emulator", ["--seed", given]) as ctx:
            assert ctx.params["seed"] == parsed
    result = CliRunner().invoke(main, ["emulator", "--seed", str(tmp_path / "missing.json")])
    assert result.exit_code == EXIT_USAGE
    line = one_error_line(result)
    assert (
        "cannot read the world file" in line and "an integer, 'demo' or the path of a JSON world file" in line
    )
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    result = CliRunner().invoke(main, ["emulator", "--port", "0", "--seed", str(broken)])
    assert result.exit_code == EXIT_USAGE
    assert "is not JSON" in one_error_line(result)


def test_python_dash_m_emulator_names_itself_in_its_usage() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "robomaker_deploy.emulator", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Usage: python -m robomaker_deploy.emulator [OPTIONS]")
    bad = subprocess.run(
        [sys.executable, "-m", "robomaker_deploy.emulator", "--speed", "0"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == EXIT_USAGE
    assert bad.stderr.strip().endswith("(see 'python -m robomaker_deploy.emulator --help')")
