"""Rollouts on DBOS: workers killed with SIGKILL lose nothing, on SQLite and on a real PostgreSQL.

Everything runs as it would in production: the emulator in a process of its
own with a state file, workers (``tests.support.dbos_worker``) in processes
of their own, and the only things that survive a kill are the system
database and what the service did. A worker is killed only after the
rollout recorded another step since it started (and a random moment more),
so every kill lands mid-rollout and the rollout still moves on.

* SQLite: one worker, one three-stage rollout (a retry and a rollback
  included), killed 10 or more times and started again each time; the jobs
  the service made and the report are those of an uninterrupted run (run
  alongside, in a world built the same way in an emulator of its own).
* PostgreSQL (started by the test): two workers, 20 rollouts, one worker
  killed while it runs some; a new process with the dead worker's executor ID
  recovers them (DBOS's recovery at launch) and they finish, each once, with
  no fleet given a job twice and the reports of an uninterrupted run.
"""

from __future__ import annotations

import json
import os
import random
import socket
import stat
import warnings
from functools import partial
from pathlib import Path
from typing import Any

import anyio
import pytest
import sqlalchemy
import trio
from anyio.abc import Process

from robomaker_deploy import (
    Architecture,
    ClientConfig,
    DeploymentApplicationConfig,
    DeploymentClient,
    LaunchConfig,
    RobotDeploymentStep,
    RolloutPlan,
    Stage,
    StageReport,
    ValidationError,
)
from robomaker_deploy._cli.output import to_json
from robomaker_deploy._rollout.dbos import _database_url, _load_plan, _plan_document, _running
from robomaker_deploy._rollout.gates import CommandGate, Gate, HttpGate
from robomaker_deploy.dbos import RolloutStepError, RolloutWorker, rollout_id, rollout_report, submit_rollout
from robomaker_deploy.emulator import TAG_FAIL_STEP, Emulator
from robomaker_deploy.emulator._process import emulator_process
from tests.support.clocks import advance_on_polls, until
from tests.support.dbos_runs import SystemDatabase, kill, tail, worker
from tests.support.leaks import loaded_after
from tests.support.postgres import PostgresUnavailable, postgres_binaries, postgres_server
from tests.support.world import make_application, make_fleet, process_client
from tests.test_crash_resume import Run, _deployed, _jobs_since, _normal, _side_by_side, _three_fleet_world

PRE_LAUNCH = RobotDeploymentStep.EXECUTING_PRE_LAUNCH.value
DONE = ("SUCCESS", "ERROR")
#: Only keeps a broken run from hanging the suite; never what a test measures.
HANG = 600.0


async def _one_run(
    url: str, database: str, plan: RolloutPlan, key: str, log: Path, rng: random.Random | None
) -> tuple[dict[str, Any], int]:
    """Run ``plan``'s rollout on one worker; with ``rng``, kill the worker after each step it records
    (mostly right then, the next step just begun; else a random moment into it) and start it again,
    until the rollout ends. Its report as JSON, and the kills."""
    looks = SystemDatabase(database)
    kills = 0

    def ended() -> bool:
        return looks.statuses()[workflow][0] in DONE

    async def kill_after_a_step(process: Process) -> None:
        nonlocal kills
        assert rng is not None
        started = looks.steps(workflow)
        await until(lambda: looks.steps(workflow) > started or ended(), within=HANG)
        if rng.random() < 0.3:
            await anyio.sleep(rng.uniform(0.0, 0.2))
        if not ended():
            await kill(process)
            kills += 1

    try:
        async with worker(url, database, "worker-1", log) as process:
            workflow = await submit_rollout(database, plan, key=key)
            if rng is None:
                await until(ended, within=HANG)
            else:
                await kill_after_a_step(process)
        while not ended():
            async with worker(url, database, "worker-1", log) as process:
                await kill_after_a_step(process)
        report = await rollout_report(database, workflow)
        assert looks.statuses()[workflow][0] == "SUCCESS", tail(log)
    finally:
        looks.close()
    return to_json(report), kills


async def _sqlite_run(folder: Path, rng: random.Random | None) -> Run:
    """The three-fleet rollout on one worker and a SQLite system database, in a world of its own; with
    ``rng``, the worker killed again and again (:func:`_one_run`)."""
    async with _three_fleet_world(folder, speed=60) as (url, client, fleets, seen):
        plan = RolloutPlan.from_toml(folder / "plan.toml")
        database, log = str(folder / "rollouts.sqlite"), folder / "worker.log"
        report, kills = await _one_run(url, database, plan, folder.name, log, rng)
        return report, await _jobs_since(client, fleets, seen), kills


@pytest.mark.slow
@pytest.mark.asyncio
async def test_a_dbos_rollout_on_sqlite_killed_again_and_again_finishes_as_an_uninterrupted_one(
    tmp_path: Path,
) -> None:
    runs = await _side_by_side(
        steady=partial(_sqlite_run, tmp_path / "steady", None),
        killed=partial(_sqlite_run, tmp_path / "killed", random.Random(19)),
    )
    steady, killed = runs["steady"], runs["killed"]
    kills = killed[2]
    print(f"SQLite: {kills} kills")
    assert kills >= 10, f"only {kills} kills: the rollout ended too soon for the test to mean much"
    assert steady[0]["status"] == "stopped" and steady[0]["stages"][2]["status"] == "failed"
    assert [len(jobs) for jobs in steady[1].values()] == [2, 2, 3]  # deploy (+ retry) and rollback
    assert _normal(killed[0]) == _normal(steady[0])
    assert killed[1] == steady[1]  # the same jobs, none twice


# -- many workers on PostgreSQL ------------------------------------------------------------------------

ROLLOUTS = 20
SMALL_PLAN = """
[application]
arn = "{app}"
version = "{version}"
package = "p"
launch_file = "l.launch"
pre_launch_file = "pre.sh"

[[stages]]
fleet = "{canary}"
bake = 0.2

[[stages]]
fleet = "{site}"
"""


def _postgres() -> None:
    """Skip without PostgreSQL on a developer's machine; in CI (which installs it) fail instead."""
    try:
        postgres_binaries()
    except PostgresUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL test: {exc}")
        pytest.skip(str(exc))


async def _many_workers(
    url: str, database: str, plans: list[RolloutPlan], run: str, looks: SystemDatabase, folder: Path
) -> tuple[list[dict[str, Any]], list[str]]:
    """The plans' rollouts on two workers; in the ``killed`` run, worker a is killed once it runs at least
    two rollouts that got somewhere, and a new process takes over its executor ID. The reports, and the
    rollouts the killed worker was running."""
    log = folder / f"{run}.log"
    orphans: list[str] = []
    async with worker(url, database, f"{run}-a", log) as first, worker(url, database, f"{run}-b", log):
        ids = [await submit_rollout(database, plan, key=run) for plan in plans]

        def busy() -> list[str]:
            states = looks.statuses()
            return [i for i in ids if states[i][:2] == ("PENDING", f"{run}-a") and looks.steps(i) >= 2]

        def done() -> bool:
            states = looks.statuses()
            return all(states[i][0] in DONE for i in ids)

        if run == "killed":
            await until(lambda: len(busy()) >= 2, within=HANG)
            orphans = busy()
            await kill(first)
            assert not done()
            # DBOS recovers an executor's pending workflows when a process with its ID launches; the
            # recovered rollouts go back on the queue, for either live worker.
            async with worker(url, database, f"{run}-a", log):
                await until(done, within=HANG)
        with anyio.fail_after(HANG):
            reports = [to_json(await rollout_report(database, i)) for i in ids]
    states = looks.statuses()
    assert all(states[i][0] == "SUCCESS" for i in ids), tail(log)
    return reports, orphans


@pytest.mark.slow
@pytest.mark.asyncio
async def test_dbos_rollouts_on_postgres_survive_a_dead_worker(tmp_path: Path) -> None:
    _postgres()
    failing = {TAG_FAIL_STEP: PRE_LAUNCH}  # not retryable: the stage fails and the rollout rolls back
    with (
        postgres_server() as database,
        emulator_process("--speed", "60", "--state-file", str(tmp_path / "emulator.sqlite")) as (_, url),
    ):
        async with process_client(url) as client:
            app, today = await make_application(client, name="app", architectures=[Architecture.X86_64])
            new = await client.create_robot_application_version(app)
            assert today.version is not None and new.version is not None
            plans: list[RolloutPlan] = []
            fleets: list[str] = []
            for number in range(ROLLOUTS):
                bad = number % 4 == 3
                canary = (await make_fleet(client, f"r{number}-canary", [{}]))[0].arn
                site = (await make_fleet(client, f"r{number}-site", [{}, failing if bad else {}]))[0].arn
                fleets += [canary, site]
                plan_file = tmp_path / f"plan-{number}.toml"
                plan_file.write_text(
                    SMALL_PLAN.format(app=app.arn, version=new.version, canary=canary, site=site)
                )
                plans.append(RolloutPlan.from_toml(plan_file))
            await _deployed(client, app.arn, today.version, fleets)
            seen: set[str] = set()
            await _jobs_since(client, fleets, seen)

            runs: dict[str, tuple[list[dict[str, Any]], dict[str, list[str]]]] = {}
            looks = SystemDatabase(database)
            try:
                for run in ("steady", "killed"):
                    reports, orphans = await _many_workers(url, database, plans, run, looks, tmp_path)
                    runs[run] = (reports, await _jobs_since(client, fleets, seen))
            finally:
                looks.close()
    steady, killed = runs["steady"], runs["killed"]
    print(f"PostgreSQL: the killed worker was running {len(orphans)} rollouts that had started")
    assert len(orphans) >= 2
    assert [r["status"] for r in steady[0]].count("stopped") == ROLLOUTS // 4
    assert [_normal(r) for r in killed[0]] == [_normal(r) for r in steady[0]]
    # ListDeploymentJobs per fleet: the same jobs as the uninterrupted run, so none made twice.
    assert killed[1] == steady[1]


# -- the driver's edges ----------------------------------------------------------------------------------

FLEET = "arn:aws:robomaker:us-east-1:123456789012:deployment-fleet/site/1700000000000"
APP = "arn:aws:robomaker:us-east-1:123456789012:robot-application/app/1700000000000"


def _plan(**changes: Any) -> RolloutPlan:
    config = DeploymentApplicationConfig(
        application=APP,
        application_version="2",
        launch_config=LaunchConfig(package_name="p", launch_file="l", environment_variables={"TOKEN": "s3"}),
    )
    return RolloutPlan(application_configs=[config], stages=[Stage(fleet=FLEET, bake=5.0)], **changes)


def test_importing_the_package_does_not_import_dbos() -> None:
    assert "dbos" not in loaded_after("import robomaker_deploy\nfrom robomaker_deploy import RolloutPlan")
    assert "dbos" in loaded_after("import robomaker_deploy.dbos")


@pytest.mark.parametrize(
    "gate",
    [None, CommandGate(argv=("./check.sh", "--site")), HttpGate(url="http://127.0.0.1:9/ok", timeout=5)],
)
def test_a_plan_goes_into_the_system_database_as_json_and_comes_back_the_same(gate: Gate | None) -> None:
    plan = _plan(gate=gate)
    document = _plan_document(plan)
    assert _load_plan(json.loads(json.dumps(document))) == plan


def test_a_python_gate_is_refused_before_anything_is_stored() -> None:
    async def gate(stage: StageReport) -> bool:
        return True

    with pytest.raises(
        ValidationError, match=r"gate='.*gate': cannot run on DBOS.*CommandGate or an HttpGate"
    ):
        _plan_document(_plan(gate=gate))


def test_a_rollout_id_is_the_plan_s_and_the_key_s() -> None:
    assert rollout_id(_plan()) == rollout_id(_plan())
    assert rollout_id(_plan(), "b") != rollout_id(_plan(), "a") != rollout_id(_plan())
    assert rollout_id(_plan()) != rollout_id(_plan(rollback=False))


@pytest.mark.asyncio
async def test_a_worker_keeps_its_sqlite_database_owner_only(tmp_path: Path) -> None:
    database = tmp_path / "rollouts.sqlite"
    database.write_bytes(b"")
    database.chmod(0o644)
    async with DeploymentClient(region_name="us-east-1") as client, RolloutWorker(client, database) as worker:
        assert worker.database_url == f"sqlite:///{database}"
        # Launched: DBOS made its tables in the file, still readable by its owner only.
        assert stat.S_IMODE(database.stat().st_mode) == 0o600
        assert database.stat().st_size > 0
        with pytest.raises(RuntimeError, match="already runs in this process"):
            async with RolloutWorker(client, tmp_path / "other.sqlite"):
                pass
    with pytest.raises(ValidationError, match="concurrency=0: must be at least 1"):
        RolloutWorker(client, database, concurrency=0)


@pytest.mark.asyncio
async def test_a_plan_the_service_cannot_take_is_refused_or_ends_the_rollout_with_its_problems(
    robomaker_emulator: Emulator, tmp_path: Path
) -> None:
    plan = _plan()  # its fleet does not exist
    database = tmp_path / "rollouts.sqlite"
    async with robomaker_emulator.client() as client, RolloutWorker(client, database) as worker:
        # A worker checks the plan against the service before anything is stored.
        with pytest.raises(ValidationError, match="cannot be rolled out"):
            await worker.submit(plan)
        looks = SystemDatabase(str(database))
        try:
            assert looks.statuses() == {}
            # Submitted without a client, the plan is checked by the worker that takes it.
            workflow = await submit_rollout(database, plan)
            with pytest.raises(RolloutStepError, match=f"rollout {workflow} failed: ValidationError: plan="):
                await rollout_report(database, workflow)
            assert looks.statuses()[workflow][0] == "ERROR"
        finally:
            looks.close()


@pytest.mark.asyncio
@pytest.mark.robomaker_emulator(speed=300, clock="manual")
async def test_a_worker_that_stops_leaves_its_rollouts_to_the_next_launch_of_its_executor_id(
    robomaker_emulator: Emulator, tmp_path: Path
) -> None:
    emu = robomaker_emulator
    async with emu.client() as client:
        _, version = await make_application(client, name="app", architectures=[Architecture.X86_64])
        fleet, _ = await make_fleet(client, "site", [{}, {}])
    assert version.version is not None
    config = DeploymentApplicationConfig(
        application=version.arn,
        application_version=version.version,
        launch_config=LaunchConfig(package_name="p", launch_file="l.launch"),
    )
    plan = RolloutPlan(application_configs=[config], stages=[Stage(fleet=fleet.arn)])
    database = tmp_path / "rollouts.sqlite"
    looks = SystemDatabase(str(database))
    fast = ClientConfig(wait_min_delay=0.01, wait_max_delay=0.02)
    try:
        async with (
            emu.client(config=fast) as client,
            RolloutWorker(client, database, executor_id="w") as worker,
        ):
            workflow = await worker.submit(plan)
            # Prepared and its job created; the watch goes on, since the emulator's clock stands still.
            await until(lambda: looks.steps(workflow) >= 2)
        # The worker, then its client, closed: the rollout's watch was stopped with the worker (none left
        # running, to fail on the closed client and have DBOS record that), and recorded nothing.
        assert not _running
        assert looks.statuses()[workflow][0] == "PENDING"
        assert looks.steps(workflow) == 2
        async with emu.client(config=fast) as client:
            async with (
                RolloutWorker(client, database, executor_id="w") as worker,
                advance_on_polls(emu, 5.0),
            ):
                report = await worker.report(workflow)
            jobs = [job async for job in client.list_deployment_jobs(fleet_name="site")]
    finally:
        looks.close()
    assert report.status == "succeeded"
    assert len(jobs) == 1  # the job made before the stop was watched on, not made again


def test_a_worker_on_trio_is_refused_with_the_reason(tmp_path: Path) -> None:
    async def start() -> None:
        client = DeploymentClient(region_name="us-east-1")
        async with RolloutWorker(client, tmp_path / "rollouts.sqlite"):
            pass

    with pytest.raises(RuntimeError, match="runs on asyncio only"):
        trio.run(start)


NAMES = ("canary", "site")


@pytest.mark.slow
@pytest.mark.asyncio
async def test_a_rollout_rides_out_an_outage_longer_than_the_client_s_own_retries(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    args = ("--port", str(port), "--speed", "20", "--state-file", str(tmp_path / "emulator.sqlite"))
    database = tmp_path / "rollouts.sqlite"
    looks = SystemDatabase(str(database))
    # The client gives up on a call after two quick tries: what saves the rollout is DBOS retrying the step.
    client = DeploymentClient(
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=ClientConfig(max_attempts=2, wait_min_delay=0.02, wait_max_delay=0.05),
    )
    try:
        async with client, RolloutWorker(client, database) as worker:
            with emulator_process(*args):
                _, version = await make_application(client, name="app", architectures=[Architecture.X86_64])
                fleets = [(await make_fleet(client, name, [{}, {}]))[0].arn for name in NAMES]
                assert version.version is not None
                config = DeploymentApplicationConfig(
                    application=version.arn,
                    application_version=version.version,
                    launch_config=LaunchConfig(package_name="p", launch_file="l.launch"),
                )
                stages = [Stage(fleet=fleets[0], bake=1.0), Stage(fleet=fleets[1])]
                plan = RolloutPlan(application_configs=[config], stages=stages)
                workflow = await worker.submit(plan)
                await until(lambda: looks.steps(workflow) >= 3)  # the canary deployed, its bake under way
            # The service is down (its process stopped, its state saved) when the bake ends, for longer
            # than the client's two tries: creating the next job fails, and DBOS runs that step again a
            # while later (1, 2, 4 ... s), until the service answers.
            await anyio.sleep(3.0)
            assert looks.statuses()[workflow][0] == "PENDING"
            with emulator_process(*args):
                report = await worker.report(workflow)
                jobs = []
                for name in NAMES:
                    jobs.append(len([job async for job in client.list_deployment_jobs(fleet_name=name)]))
    finally:
        looks.close()
    assert report.status == "succeeded"
    assert jobs == [1, 1]


@pytest.mark.parametrize(
    ("given", "made"),
    [
        ("sqlite:///{dir}/q.sqlite?timeout=30", "q.sqlite"),  # a query is not part of the file's name
        ("{dir}/p.sqlite", "p.sqlite"),
        # Without uri=true, SQLAlchemy drops the mode and opens the file read-write, creating it.
        ("sqlite:///{dir}/ro.sqlite?mode=ro", "ro.sqlite"),
        ("sqlite://", None),  # in memory
    ],
)
def test_a_sqlite_database_url_names_the_file_made_owner_only(
    tmp_path: Path, given: str, made: str | None
) -> None:
    url = _database_url(given.format(dir=tmp_path))
    assert url.startswith("sqlite://")
    with warnings.catch_warnings():  # SQLAlchemy's warning that it drops a mode without uri=true
        warnings.simplefilter("ignore", sqlalchemy.exc.SAWarning)
        engine = sqlalchemy.create_engine(url)  # as DBOS will open it
        with engine.connect() as connection:
            connection.exec_driver_sql("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
        engine.dispose()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ([made] if made else [])
    if made:
        assert stat.S_IMODE((tmp_path / made).stat().st_mode) == 0o600


def test_a_sqlite_uri_is_refused_naming_the_database(tmp_path: Path) -> None:
    given = f"sqlite:///file:{tmp_path}/u.sqlite?uri=true"
    with pytest.raises(ValidationError, match=r"database.*uri=true"):
        _database_url(given)
    assert list(tmp_path.iterdir()) == []
