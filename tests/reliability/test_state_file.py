"""The state file keeps its data and its owner's secrets: ids never repeat, one user, whole files."""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import random
import re
import shutil
import signal
import sqlite3
import stat
from collections.abc import Awaitable, Callable
from pathlib import Path

import anyio
import pytest
from aiobotocore.client import AioBaseClient
from click.testing import CliRunner

from robomaker_deploy._cli import main
from robomaker_deploy._cli.exits import EXIT_USAGE
from robomaker_deploy.emulator import Emulator, StateFileError
from robomaker_deploy.emulator._process import emulator_process
from robomaker_deploy.emulator._seeding import app_configs, seed_application, seed_fleets
from tests.support.raw import deploy, make_app, make_fleet, raw_client

Factory = Callable[..., Awaitable[Emulator]]


def _sidecars(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name.startswith(f"{path.name}-"))


def _fleet_names(emu: Emulator) -> set[str]:
    names: set[str] = set()
    params: dict[str, object] = {"maxResults": 200}
    while True:
        page = emu.call("ListFleets", params)
        names |= {fleet["name"] for fleet in page["fleetDetails"]}
        if "nextToken" not in page:
            return names
        params["nextToken"] = page["nextToken"]


# -- identifiers ---------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_identifiers_never_repeat_across_restarts_whatever_the_seed(
    tmp_path: Path, robomaker_emulator_factory: Factory
) -> None:
    path = tmp_path / "state.db"

    async def session(emu: Emulator, suffix: str) -> tuple[str, str, str]:
        # The same steps in both sessions: a seeded generator that starts over would repeat its ids.
        async with raw_client(emu) as c:
            app, _ = await make_app(c, name=f"app-{suffix}")
            fleet, _ = await make_fleet(c, 1, name=f"fleet-{suffix}")
            job = await deploy(c, fleet, app, token=f"token-{suffix}")
            revision = (await c.describe_robot_application(application=app))["revisionId"]
            return fleet, str(job["arn"]), str(revision)

    first = await robomaker_emulator_factory(state_file=path, seed=4)
    old_fleet, old_job, old_revision = await session(first, "a")
    await first.stop()

    second = await robomaker_emulator_factory(state_file=path, seed=4)
    new_fleet, new_job, new_revision = await session(second, "b")
    assert new_job != old_job
    assert new_revision != old_revision
    async with raw_client(second) as c:
        # The old token still gives the old job, on its own fleet.
        app = (await c.list_robot_applications())["robotApplicationSummaries"][0]["arn"]
        replay = await deploy(c, old_fleet, app, token="token-a")
        assert (replay["arn"], replay["fleet"]) == (old_job, old_fleet)
        listed = (await c.list_deployment_jobs())["deploymentJobs"]
        assert sorted(job["arn"] for job in listed) == sorted([old_job, new_job])
        for fleet, job in ((old_fleet, old_job), (new_fleet, new_job)):
            assert (await c.describe_fleet(fleet=fleet))["lastDeploymentJob"] == job
            assert (await c.describe_deployment_job(job=job))["fleet"] == fleet


def test_a_seed_repeats_identifiers_in_fresh_emulators() -> None:
    arns = []
    for _ in range(2):
        with Emulator(seed=9, clock="manual").run_in_background() as emu:
            app = seed_application(emu)
            (fleet,) = seed_fleets(emu, 1, prefix="s")
            job = emu.call(
                "CreateDeploymentJob",
                {"fleet": fleet, "clientRequestToken": "t", "deploymentApplicationConfigs": app_configs(app)},
            )
            arns.append((app[0], fleet, job["arn"]))
    assert arns[0][2] == arns[1][2]


@pytest.mark.asyncio
async def test_a_reset_never_hands_out_an_identifier_again(robomaker_emulator_factory: Factory) -> None:
    emu = await robomaker_emulator_factory(seed=1, clock="manual")
    before = emu.call("CreateFleet", {"name": "same"})["arn"]
    emu.reset()
    assert emu.call("CreateFleet", {"name": "same"})["arn"] != before


@pytest.mark.asyncio
@pytest.mark.parametrize("leave", ["delete", "reset"])
async def test_the_numbers_of_records_that_left_the_file_are_not_handed_out_after_a_restart(
    tmp_path: Path, robomaker_emulator_factory: Factory, leave: str
) -> None:
    # The counter is not written with each new record (the file is opened at the highest number its
    # records hold), so it must be written when records leave: else their numbers come back.
    path = tmp_path / "state.db"
    first = await robomaker_emulator_factory(state_file=path, clock="manual")
    app, _ = seed_application(first)
    revision = first.call("DescribeRobotApplication", {"application": app})["revisionId"]
    if leave == "delete":
        first.call("DeleteRobotApplication", {"application": app})
    else:
        first.reset()
    await first.stop()
    second = await robomaker_emulator_factory(state_file=path, clock="manual")
    again, _ = seed_application(second)
    assert second.call("DescribeRobotApplication", {"application": again})["revisionId"] != revision


# -- one emulator per file ---------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_second_emulator_on_a_state_file_in_use_refuses_to_start(
    tmp_path: Path, robomaker_emulator_factory: Factory
) -> None:
    path = tmp_path / "busy.db"
    first = await robomaker_emulator_factory(state_file=path)
    first.call("CreateFleet", {"name": "mine"})
    second = Emulator(state_file=path)
    with pytest.raises(StateFileError, match=re.escape(str(path))) as refused:
        await second.start()
    assert "in use by another emulator" in str(refused.value)
    # The first one goes on, unharmed; the second holds nothing.
    first.call("DeleteFleet", {"fleet": first.call("ListFleets", {})["fleetDetails"][0]["arn"]})
    assert _fleet_names(first) == set()
    await first.stop()
    # Once the first has stopped, the file is free again.
    third = await robomaker_emulator_factory(state_file=path)
    assert _fleet_names(third) == set()


def test_an_emulator_in_another_process_holds_its_file(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    with emulator_process("--state-file", str(path)) as (process, _url):
        with (
            pytest.raises(StateFileError, match="in use by another emulator"),
            Emulator(state_file=path).run_in_background(),
        ):
            pass
        result = CliRunner().invoke(main, ["emulator", "--port", "0", "--state-file", str(path)])
        assert result.exit_code == EXIT_USAGE
        (line,) = [line for line in result.stderr.splitlines() if line.strip()]
        assert line.startswith("error: ") and str(path) in line and "in use" in line
        # SIGKILL: the lock dies with the process, nothing is left stuck.
        process.send_signal(signal.SIGKILL)
        process.wait()
    with Emulator(state_file=path).run_in_background() as emu:
        assert _fleet_names(emu) == set()


# -- whole files ------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_the_state_file_alone_is_whole_after_a_crash_and_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "crash.db"
    with emulator_process("--state-file", str(path)) as (process, url):
        async with raw_client(Emulator(), endpoint_url=url) as c:
            for index in range(60):
                await c.create_fleet(name=f"acknowledged-{index}")
        process.send_signal(signal.SIGKILL)
        process.wait()
    # The last writes were only in the log beside the file: copying the file alone would lose them.
    assert _sidecars(path) == ["crash.db-wal"]
    expected = {f"acknowledged-{index}" for index in range(60)}
    async with Emulator(state_file=path) as emu:
        assert _fleet_names(emu) == expected
        # Starting again wrote the log back into the file: a copy of the file alone has everything.
        copy = tmp_path / "copy" / "crash.db"
        copy.parent.mkdir()
        shutil.copyfile(path, copy)
        emu.call("CreateFleet", {"name": "after-restart"})
    # A clean stop leaves the one file, whole.
    assert _sidecars(path) == []
    async with Emulator(state_file=copy) as emu:
        assert _fleet_names(emu) == expected
    async with Emulator(state_file=path) as emu:
        assert _fleet_names(emu) == expected | {"after-restart"}


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
@pytest.mark.asyncio
async def test_the_state_file_and_its_log_are_readable_by_their_owner_only(
    tmp_path: Path, robomaker_emulator_factory: Factory
) -> None:
    path = tmp_path / "private.db"
    previous = os.umask(0o022)  # the usual umask: files readable by everyone unless made otherwise
    try:
        emu = await robomaker_emulator_factory(state_file=path)
        emu.call("CreateFleet", {"name": "secretive"})
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in list(os.scandir(tmp_path))}
    finally:
        os.umask(previous)
    assert modes == {"private.db": 0o600, "private.db-wal": 0o600}


# -- other files ------------------------------------------------------------------------------------------


def _other_sqlite(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE users (name TEXT, password TEXT)")
    db.execute("INSERT INTO users VALUES ('ada', 'hunter2')")
    db.commit()
    db.close()


def _newer_state_file(path: Path) -> None:
    with Emulator(state_file=path).run_in_background() as emu:
        emu.call("CreateFleet", {"name": "from-the-future"})
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version=99")
    db.close()


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda p: p.write_text("name,password\nada,hunter2\n"), "is not a SQLite file"),
        (lambda p: p.write_bytes(b"SQLite format 3\x00" + b"\x00" * 20), "is not a SQLite file"),
        (_other_sqlite, "is a SQLite file of another application"),
        (_newer_state_file, "schema version 99"),
    ],
    ids=["text", "truncated", "another-application", "newer-schema"],
)
@pytest.mark.asyncio
async def test_a_file_that_is_not_the_emulators_is_refused_untouched(
    tmp_path: Path, make: Callable[[Path], object], problem: str
) -> None:
    path = tmp_path / "not-mine.db"
    make(path)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(StateFileError, match=re.escape(problem)) as refused:
        await Emulator(state_file=path).start()
    assert str(path) in str(refused.value)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert _sidecars(path) == []


# -- damaged files ----------------------------------------------------------------------------------------


@pytest.fixture
def state_file(tmp_path: Path) -> Path:
    """A state file with a fleet (seq 1) and a robot in it, not in use."""
    path = tmp_path / "damaged.db"
    with Emulator(state_file=path).run_in_background() as emu:
        emu.call("CreateFleet", {"name": "f"})
        emu.call("CreateRobot", {"name": "r", "architecture": "X86_64", "greengrassGroupId": "g"})
    return path


DAMAGE = {
    "unknown-kind": (
        "INSERT INTO records VALUES ('widget', 'w-1', 99, '{}')",
        r"record widget w-1: unknown kind 'widget'",
    ),
    "missing-member": (
        "UPDATE records SET body = json_remove(body, '$.name') WHERE kind = 'fleet'",
        r"record fleet arn:aws:robomaker:.*:deployment-fleet/f/\d+: required field missing @ body.name",
    ),
    "wrong-type": (
        "UPDATE records SET body = json_set(body, '$.created_at', 'yesterday') WHERE kind = 'robot'",
        r"record robot arn:aws:robomaker:.*:robot/r/\d+: .*created_at",
    ),
    "not-json": (
        "UPDATE records SET body = 'not json' WHERE kind = 'fleet'",
        r"record fleet arn:.*: its body is not JSON",
    ),
    "moved-row": (
        "UPDATE records SET seq = 7 WHERE kind = 'fleet'",
        r"record fleet arn:.*: its body is of arn:.* \(seq 1\), its row of seq 7",
    ),
    "bad-counter": (
        # The counter is in the file once records have left it (a delete, a reset): put there here.
        "INSERT OR REPLACE INTO meta VALUES ('seq', '\"abc\"')",
        r"store-wide value 'seq': 'abc' is not",
    ),
    "bad-token": (
        "INSERT INTO tokens VALUES ('CreateDeploymentJob:t', '{\"job_arn\": 1}')",
        r"client token 'CreateDeploymentJob:t': .*fingerprint",
    ),
}


@pytest.mark.parametrize("damage", list(DAMAGE), ids=list(DAMAGE))
def test_a_damaged_state_file_names_the_file_the_record_and_the_problem(
    state_file: Path, damage: str
) -> None:
    statement, message = DAMAGE[damage]
    db = sqlite3.connect(state_file)
    db.execute(statement)
    db.commit()
    db.close()
    before = hashlib.sha256(state_file.read_bytes()).hexdigest()
    with pytest.raises(StateFileError) as refused, Emulator(state_file=state_file).run_in_background():
        pass
    text = str(refused.value)
    assert text.startswith(f"the state file {state_file} is damaged: ")
    assert re.search(message, text), text
    assert hashlib.sha256(state_file.read_bytes()).hexdigest() == before
    # The command line says the same in one line, and exits 2.
    result = CliRunner().invoke(main, ["emulator", "--port", "0", "--state-file", str(state_file)])
    assert result.exit_code == EXIT_USAGE
    assert result.stderr.strip() == f"error: {text}"


# -- soak: kill -9 in the middle of writing, again and again --------------------------------------------


@pytest.mark.soak
@pytest.mark.asyncio
async def test_kill_9_mid_write_loses_no_acknowledged_write_soak(tmp_path: Path) -> None:
    path = tmp_path / "killed.db"
    acknowledged: set[str] = set()
    rng = random.Random(13)
    for cycle in range(20):
        with emulator_process("--state-file", str(path)) as (process, url):
            async with raw_client(Emulator(), endpoint_url=url) as c:

                async def write(client: AioBaseClient, cycle: int) -> None:
                    # Until the emulator dies under it: the write in flight then is not acknowledged.
                    with contextlib.suppress(Exception):
                        for index in itertools.count():
                            await client.create_fleet(name=f"c{cycle}-{index}")
                            acknowledged.add(f"c{cycle}-{index}")

                async with anyio.create_task_group() as group:
                    group.start_soon(write, c, cycle)
                    await anyio.sleep(rng.uniform(0.05, 0.5))
                    process.send_signal(signal.SIGKILL)
                    process.wait()
        async with Emulator(state_file=path) as emu:
            missing = acknowledged - _fleet_names(emu)
        assert not missing, f"cycle {cycle}: lost {sorted(missing)[:5]}"
    print(f"\nkill -9 soak: {len(acknowledged)} acknowledged writes over 20 kills, none lost")
