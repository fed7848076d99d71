"""``robomaker-deploy rollout``: a dry run that lists every problem, a run with a gate command, its report."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import anyio
import pytest

from robomaker_deploy import Architecture
from robomaker_deploy._cli.exits import EXIT_DEPLOYMENT_FAILED, EXIT_OK, EXIT_USAGE
from robomaker_deploy.emulator import Emulator
from tests.support.cli import Shell, shell_env
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
