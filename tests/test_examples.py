"""Every script in examples/ runs against the emulator, as CI runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import anyio
import pytest

from robomaker_deploy import (
    Architecture,
    DeploymentApplicationConfig,
    LaunchConfig,
)
from robomaker_deploy.emulator import TAG_FAIL_STEP, Emulator
from tests.support.world import make_application, make_fleet

pytestmark = pytest.mark.robomaker_emulator(speed=300)

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
FAST = ["--min-delay", "0.02", "--max-delay", "0.1"]


async def _setup(emulator: Emulator) -> dict[str, str]:
    async with emulator.client() as client:
        app, _ = await make_application(client, name="ex-app", architectures=[Architecture.ARM64])
        arns = {"app": app.arn}
        for name, failing in (("good", False), ("bad", True), ("watched", False)):
            tags = [{TAG_FAIL_STEP: "Launching"} if failing else {}, {}, {}]
            fleet, _ = await make_fleet(
                client, name, tags, architectures=[Architecture.ARM64], robot_prefix=name
            )
            arns[name] = fleet.arn
        config = DeploymentApplicationConfig(
            application=app.arn,
            application_version="1",
            launch_config=LaunchConfig(package_name="p", launch_file="l.launch"),
        )
        job = await client.create_deployment_job(fleet=arns["watched"], application_configs=[config])
        arns["job"] = job.arn
        return arns


def _env(emulator: Emulator) -> Mapping[str, str]:
    return {
        **os.environ,
        "AWS_ENDPOINT_URL": emulator.endpoint_url,
        "AWS_ACCESS_KEY_ID": emulator.credentials.access_key_id,
        "AWS_SECRET_ACCESS_KEY": emulator.credentials.secret_access_key,
        "AWS_DEFAULT_REGION": emulator.region,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }


def _run(script: str, *args: str, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_every_example_is_covered() -> None:
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == [
        "deploy_and_wait.py",
        "list_with_filters.py",
        "orchestrate_events.py",
        "rollout.py",
        "rollout_dbos.py",
        "test_with_fixture.py",
        "watch_progress.py",
    ]


def test_the_scripts_run_against_the_emulator(robomaker_emulator_background: Emulator) -> None:
    emulator = robomaker_emulator_background
    arns = anyio.run(_setup, emulator)
    env = _env(emulator)
    common = ["--application", arns["app"], "--version", "1", "--package", "p", "--launch-file", "l.launch"]

    good = _run("deploy_and_wait.py", "--fleet", arns["good"], *common, *FAST, env=env)
    assert good.returncode == 0, good.stderr
    assert "deployment Succeeded: 3 robot(s) in sync" in good.stdout

    bad = _run("deploy_and_wait.py", "--fleet", arns["bad"], *common, *FAST, env=env)
    assert bad.returncode == 1, bad.stderr
    assert "GreengrassDeploymentFailed" in bad.stdout

    watched = _run("watch_progress.py", arns["job"], *FAST, env=env)
    assert watched.returncode == 0, watched.stderr
    assert f"{arns['job']}: Succeeded" in watched.stdout

    listed = _run("list_with_filters.py", "--fleet-name", "good", "--batch", "1", env=env)
    assert listed.returncode == 0, listed.stderr
    assert "good-0 (ARM64): InSync" in listed.stdout
    assert "(1 batch(es))" in listed.stdout or "(2 batch(es))" in listed.stdout
    failed = _run(
        "list_with_filters.py", "--status", "Failed", "--status", "Succeeded", "--batch", "2", env=env
    )
    assert failed.returncode == 0, failed.stderr
    assert failed.stdout.count("deployment-job/") == 3


def test_the_event_stream_example_resumes_from_its_checkpoint(
    robomaker_emulator_background: Emulator, tmp_path: Path
) -> None:
    emulator = robomaker_emulator_background
    arns = anyio.run(_setup, emulator)
    env = _env(emulator)
    checkpoint = tmp_path / "job.json"
    first = _run("orchestrate_events.py", arns["job"], "--checkpoint", str(checkpoint), *FAST, env=env)
    assert first.returncode == 0, first.stderr
    assert "ended Succeeded: 3/3 robots done, 0 failed" in first.stdout
    assert first.stdout.count(": in sync") == 3
    # Run again on the same checkpoint: the stream had ended, so nothing is delivered twice.
    again = _run("orchestrate_events.py", arns["job"], "--checkpoint", str(checkpoint), *FAST, env=env)
    assert "resuming after" in again.stdout and ": in sync" not in again.stdout


async def _rollout_world(emulator: Emulator) -> dict[str, str]:
    async with emulator.client() as client:
        app, version = await make_application(client, name="ro-app", architectures=[Architecture.ARM64])
        arns = {"app": app.arn, "version": version.version}
        for name, failing in (("canary", False), ("site-a", False), ("site-b", True)):
            tags = [{TAG_FAIL_STEP: "Launching"} if failing else {}, {}]
            fleet, _ = await make_fleet(client, name, tags, architectures=[Architecture.ARM64])
            arns[name] = fleet.arn
        return arns


def _plan_file(folder: Path, arns: dict[str, str]) -> Path:
    """The examples' plan: the world's application, and a stage per site (canary, site-a, site-b)."""
    plan = folder / "plan.toml"
    stages = "".join(f'[[stages]]\nfleet = "{arns[name]}"\n\n' for name in ("canary", "site-a", "site-b"))
    plan.write_text(
        f'[application]\narn = "{arns["app"]}"\nversion = "{arns["version"]}"\n'
        f'package = "p"\nlaunch_file = "l.launch"\n\n{stages}'
    )
    return plan


def test_the_rollout_example_stops_at_the_failing_site(
    robomaker_emulator_background: Emulator, tmp_path: Path
) -> None:
    emulator = robomaker_emulator_background
    plan = _plan_file(tmp_path, anyio.run(_rollout_world, emulator))
    checkpoint = tmp_path / "rollout.json"
    ran = _run("rollout.py", str(plan), "--checkpoint", str(checkpoint), *FAST, env=_env(emulator))
    assert ran.returncode == 1, ran.stderr
    assert "rollout stopped" in ran.stdout
    assert "site-b: failed" in ran.stdout and "canary: succeeded" in ran.stdout
    assert checkpoint.exists()


@pytest.mark.slow
def test_the_dbos_rollout_example_runs_on_sqlite_and_a_second_run_deploys_nothing(
    robomaker_emulator_background: Emulator, tmp_path: Path
) -> None:
    emulator = robomaker_emulator_background
    plan = _plan_file(tmp_path, anyio.run(_rollout_world, emulator))
    database = tmp_path / "rollouts.sqlite"
    args = ("rollout_dbos.py", str(plan), "--database", str(database), *FAST)
    ran = _run(*args, env=_env(emulator))
    assert ran.returncode == 1, ran.stderr
    assert "rollout stopped" in ran.stdout
    assert "site-b: failed" in ran.stdout and "canary: succeeded" in ran.stdout
    assert database.stat().st_mode & 0o777 == 0o600
    calls = emulator.stats()["calls"].get("CreateDeploymentJob", 0)
    again = _run(*args, env=_env(emulator))
    assert again.returncode == 1 and again.stdout == ran.stdout, again.stderr
    assert emulator.stats()["calls"].get("CreateDeploymentJob", 0) == calls  # the recorded rollout


def test_the_fixture_example_passes() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            str(EXAMPLES / "test_with_fixture.py"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 passed" in proc.stdout
