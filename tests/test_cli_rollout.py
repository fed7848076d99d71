"""``robomaker-deploy rollout``: a dry run that lists every problem, a run with a gate command, its report."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import anyio
import click
import pytest
from click.core import ParameterSource

from robomaker_deploy import Architecture
from robomaker_deploy._cli import main
from robomaker_deploy._cli.exits import EXIT_DEPLOYMENT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from robomaker_deploy._cli.options import Settings, settings_of
from robomaker_deploy._cli.rollouts import resume_command
from robomaker_deploy.emulator import Emulator
from tests.support.cli import Shell, one_error_line, shell_env
from tests.support.processes import FAMILY, dead
from tests.support.world import make_application, make_fleet

Setup = tuple[Shell, dict[str, str]]
"""A shell on the emulator, and the ARNs of its application and fleets."""

pytestmark = pytest.mark.robomaker_emulator(speed=300)
FAST = ["--min-delay", "0.01", "--max-delay", "0.05"]
#: Refuses the stage named "b": the report arrives as JSON on stdin.
GATE = [sys.executable, "-c", "import json, sys; sys.exit(json.load(sys.stdin)['name'] == 'b')"]


async def _world(emulator: Emulator) -> dict[str, str]:
    async with emulator.client() as client:
        app, version = await make_application(client, name="ro", architectures=[Architecture.X86_64])
        arns = {"app": app.arn, "version": version.version}
        for name, robots in (("a", 1), ("b", 2), ("c", 1)):
            fleet, _ = await make_fleet(client, name, [{}] * robots)
            arns[name] = fleet.arn
        arm, _ = await make_fleet(
            client, "arm", [{}], architectures=[Architecture.ARM64], robot_prefix="armbot"
        )
        arns["arm"] = arm.arn
        return arns


def _plan(path: Path, arns: dict[str, str], fleets: list[str], gate: list[str] | None = None) -> Path:
    lines = [
        "[application]",
        f'arn = "{arns["app"]}"',
        f'version = "{arns["version"]}"',
        'package = "p"',
        'launch_file = "l.launch"',
    ]
    for fleet in fleets:
        lines += ["[[stages]]", f'fleet = "{arns[fleet]}"']
    if gate:
        lines += ["[gate]", f"command = {json.dumps(gate)}"]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def shell(robomaker_emulator_background: Emulator, tmp_path: Path) -> Setup:
    arns = anyio.run(_world, robomaker_emulator_background)
    return Shell(shell_env(robomaker_emulator_background, tmp_path)), arns


def test_a_dry_run_shows_the_stages_and_every_problem(shell: Setup, tmp_path: Path) -> None:
    cli, arns = shell
    good = cli.run("rollout", str(_plan(tmp_path / "good.toml", arns, ["a", "b"])), "--dry-run")
    assert good.exit_code == EXIT_OK, good.output
    assert "stage 1: a (1 X86_64)" in good.stdout and "stage 2: b (2 X86_64)" in good.stdout
    assert "No problems found." in good.stdout
    missing = str(tmp_path / "no-such-gate.sh")
    bad = cli.run(
        "rollout", str(_plan(tmp_path / "bad.toml", arns, ["a", "arm"], gate=[missing])), "--dry-run"
    )
    assert bad.exit_code == EXIT_USAGE
    assert "2 problem(s):" in bad.stdout
    assert "bot-0 (ARM64)" in bad.stdout
    # The gate is checked before stage 1.
    assert "- gate.command[0]=" in bad.stdout and "no-such-gate.sh': no such file" in " ".join(
        bad.stdout.split()
    )
    assert not (tmp_path / "bad.rollout.json").exists()  # a dry run changes nothing
    # What the plan alone shows is refused when the file is read, each problem by its key.
    twice = cli.run("rollout", str(_plan(tmp_path / "twice.toml", arns, ["a", "a"])), "--dry-run")
    assert twice.exit_code == EXIT_USAGE
    assert "stages[1].fleet=" in twice.stderr and "appears 2 times" in twice.stderr


def test_a_refusing_gate_command_stops_the_rollout(shell: Setup, tmp_path: Path) -> None:
    cli, arns = shell
    plan = _plan(tmp_path / "plan.toml", arns, ["a", "b", "c"], gate=GATE)
    result = cli.run("rollout", str(plan), *FAST)
    assert result.exit_code == EXIT_DEPLOYMENT_FAILED, result.output
    assert "stage 2 (b): the gate refused" in result.stdout
    assert "Rollout stopped" in result.stdout
    saved = json.loads((tmp_path / "plan.rollout.json").read_text())
    assert [s["status"] for s in saved["state"]["report"]["stages"]] == ["succeeded", "refused", "pending"]
    # Run again: the checkpoint says it ended; the same report, as JSON this time.
    again = cli.run("rollout", str(plan), "--json", *FAST)
    assert again.exit_code == EXIT_DEPLOYMENT_FAILED
    report = json.loads(again.stdout)
    assert report["status"] == "stopped" and len(report["stages"]) == 3
    assert "had already ended" in again.stderr and str(tmp_path / "plan.rollout.json") in again.stderr


def test_a_rollout_that_goes_through_exits_0(shell: Setup, tmp_path: Path) -> None:
    cli, arns = shell
    checkpoint = tmp_path / "elsewhere.json"
    plan = _plan(tmp_path / "plan.toml", arns, ["a", "c"])
    result = cli.run("rollout", str(plan), "--checkpoint", str(checkpoint), *FAST)
    assert result.exit_code == EXIT_OK, result.output
    assert "Rollout succeeded" in result.stdout
    assert json.loads(checkpoint.read_text())["state"]["report"]["status"] == "succeeded"


def test_stage_lines_are_words_and_notes_stay_out_of_the_rollback_column(
    shell: Setup, tmp_path: Path
) -> None:
    cli, arns = shell
    plan = _plan(tmp_path / "plan.toml", arns, ["a", "b", "c"], gate=GATE)
    result = cli.run("rollout", str(plan), *FAST)
    assert result.exit_code == EXIT_DEPLOYMENT_FAILED, result.output
    assert "stage 1 (a): gate passed" in result.stdout and "gatepassed" not in result.stdout
    assert "stage 1 (a): baked" in result.stdout
    assert "stage 2 (b): the gate refused (exit status 1)" in result.stdout
    # The table's rollback column holds the rollback's status; why the stage ended is a line below.
    rows = [line for line in result.stdout.splitlines() if line.startswith("│ 2 ")]
    assert rows and "gate" not in rows[0], rows
    below = result.stdout.split("└")[-1]
    assert "stage 2 (b): the gate refused" in " ".join(below.split())


def test_a_gate_program_prints_nothing_on_stdout_with_json(shell: Setup, tmp_path: Path) -> None:
    cli, arns = shell
    loud = [
        sys.executable,
        "-c",
        "import sys\nfor _ in range(64): sys.stdout.write('noise ' * 4096)\nprint('!')",
    ]
    plan = _plan(tmp_path / "plan.toml", arns, ["a"], gate=loud)
    result = cli.run("rollout", str(plan), "--json", *FAST)
    assert result.exit_code == EXIT_OK, result.output
    report = json.loads(result.stdout)  # stdout is the report and nothing else
    gate = report["stages"][0]["gate"]
    assert gate["verdict"] == "passed" and gate["output"].endswith("!\n") and "noise" not in result.stderr


def test_bad_files_are_usage_errors_not_crashes(shell: Setup, tmp_path: Path) -> None:
    cli, arns = shell
    plan = _plan(tmp_path / "plan.toml", arns, ["a"])
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes(plan.read_bytes() + b"# caf\xe9\n")
    result = cli.run("rollout", str(latin1), *FAST)
    assert result.exit_code == EXIT_USAGE, result.output
    assert "is not UTF-8 text" in one_error_line(result)
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    result = cli.run("rollout", str(plan), "--checkpoint", str(deep), *FAST)
    assert result.exit_code == EXIT_USAGE, result.output
    assert "nested too deeply" in one_error_line(result)


def _every_option(command: click.Command) -> list[str]:
    """Arguments giving each option of ``command`` a value other than its default."""
    args: list[str] = []
    for param in command.params:
        if not isinstance(param, click.Option) or param.name in ("dry_run", "help"):
            continue
        flag = max(param.opts, key=len)
        if param.is_flag:
            args.append(flag)
        elif isinstance(param.type, (click.types.FloatParamType, click.FloatRange)):
            args += [flag, "7.25"]
        elif isinstance(param.type, (click.types.IntParamType, click.IntRange)):
            args += [flag, "7"]
        else:
            args += [flag, f"given-{param.name}"]
    return args


def _given(ctx: click.Context) -> dict[str, object]:
    settings = settings_of(ctx)
    return {
        param.name: ctx.params.get(param.name, getattr(settings, param.name, None))
        for param in ctx.command.params
        if param.name and ctx.get_parameter_source(param.name) is ParameterSource.COMMANDLINE
    }


def _context(args: list[str]) -> click.Context:
    """The rollout command's context for ``robomaker-deploy rollout ARGS``, under the group's."""
    group = click.Context(main, info_name="robomaker-deploy", obj=Settings())
    return main.commands["rollout"].make_context("rollout", args, parent=group)


def test_the_resume_command_repeats_every_option_of_the_command() -> None:
    command = main.commands["rollout"]
    with _context(["plan.toml", *_every_option(command)]) as ctx:
        resume = resume_command(ctx, Path("saved.json"))
        given = _given(ctx)
    words = shlex.split(resume)
    assert words[:3] == ["robomaker-deploy", "rollout", "plan.toml"]
    with _context(words[2:]) as again:
        repeated = _given(again)
    assert repeated.pop("checkpoint") == Path("saved.json")
    given.pop("checkpoint")
    # Every option given (new ones included: the list above is read off the command) comes back.
    assert repeated == given and len(given) >= len(command.params) - 3, (given, repeated)
    assert {"timeout", "min_delay", "max_delay", "endpoint_url", "json"} <= set(given)
    # An option left out stays out: its default is the default again.
    with _context(["plan.toml"]) as bare:
        assert shlex.split(resume_command(bare, Path("c.json"))) == [
            "robomaker-deploy",
            "rollout",
            "plan.toml",
            "--checkpoint",
            "c.json",
        ]


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_cancels_kills_the_gate_and_prints_a_resume_command_that_resumes(
    robomaker_emulator_background: Emulator, tmp_path: Path, number: signal.Signals
) -> None:
    arns = anyio.run(_world, robomaker_emulator_background)
    env = {**os.environ, **shell_env(robomaker_emulator_background, tmp_path)}
    pids = tmp_path / "gate.pids"
    plan = _plan(tmp_path / "plan.toml", arns, ["a", "c"], gate=[sys.executable, "-c", FAMILY, str(pids)])
    args = [str(plan), "--timeout", "600", *FAST]
    cli = subprocess.Popen(
        [sys.executable, "-m", "robomaker_deploy", "rollout", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        for _ in range(2400):  # until the rollout is in stage 1's gate (bounded: 60 s)
            if pids.exists() and len(pids.read_text().split()) == 2:
                break
            assert cli.poll() is None, cli.communicate()
            time.sleep(0.025)
        gate, grandchild = (int(pid) for pid in pids.read_text().split())
        cli.send_signal(number)
        out, err = cli.communicate(timeout=120)
    finally:
        if cli.poll() is None:
            os.killpg(cli.pid, signal.SIGKILL)
            cli.wait()
    assert cli.returncode == EXIT_INTERRUPTED, (out, err)
    assert f"interrupted by {number.name}; the checkpoint is saved. Resume with: " in err
    resume = shlex.split(err.split("Resume with: ", 1)[1].rsplit(" (see", 1)[0].strip())
    checkpoint = tmp_path / "plan.rollout.json"
    assert resume == ["robomaker-deploy", "rollout", *args, "--checkpoint", str(checkpoint)]
    assert dead(gate) and dead(grandchild)  # the gate's whole group went with the rollout
    state = json.loads(checkpoint.read_text())["state"]
    assert state["report"]["status"] == "running" and state["report"]["stages"][0]["status"] == "running"
    # The printed command resumes it; the gate is not in the plan's digest, so it may be fixed first.
    _plan(plan, arns, ["a", "c"], gate=[sys.executable, "-c", "pass"])
    again = Shell(shell_env(robomaker_emulator_background, tmp_path)).run(*resume[1:])
    assert again.exit_code == EXIT_OK, again.output
    assert "Resuming" in again.stdout and "Rollout succeeded" in again.stdout


def test_a_timeout_out_of_bounds_is_named_by_its_flag(shell: Setup, tmp_path: Path) -> None:
    cli, arns = shell
    plan = _plan(tmp_path / "plan.toml", arns, ["a"])
    result = cli.run("rollout", str(plan), "--timeout", "inf", *FAST)
    assert result.exit_code == EXIT_USAGE, result.output
    line = one_error_line(result)
    assert "--timeout=inf: must be a finite number of seconds from 1 to 604800" in line, line
    assert not (tmp_path / "plan.rollout.json").exists()


def test_a_gate_that_hangs_stops_the_rollout_at_its_timeout_like_a_refusal(
    shell: Setup, tmp_path: Path
) -> None:
    cli, arns = shell
    hang = [sys.executable, "-c", "import time\nprint('checking', flush=True)\nwhile True: time.sleep(60)"]
    plan = _plan(tmp_path / "plan.toml", arns, ["a", "c"], gate=hang)
    plan.write_text(plan.read_text() + "timeout = 0.5\n")  # the [gate] table is last
    result = cli.run("rollout", str(plan), "--json", *FAST)
    assert result.exit_code == EXIT_DEPLOYMENT_FAILED, result.output
    report = json.loads(result.stdout)
    first = report["stages"][0]
    assert report["status"] == "stopped" and first["status"] == "refused"
    assert first["gate"]["verdict"] == "timed_out" and first["gate"]["output"] == "checking\n"
    assert "the gate timed out" in first["note"] and report["stages"][1]["status"] == "pending"
