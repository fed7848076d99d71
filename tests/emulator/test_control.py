"""Admin routes, fault injection, durability, background thread, serve() and the CLI entry."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp
import attrs
import botocore.session
import pytest
from aiobotocore.client import AioBaseClient
from aiobotocore.config import AioConfig
from mypy import api as mypy_api

from robomaker_deploy._wire.model import register_data_path
from robomaker_deploy.emulator import Emulator, FaultConfig, FaultSettings, serve
from tests.support.raw import deploy, error_of, make_app, make_fleet, raw_client

RETRYING = AioConfig(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=2, read_timeout=5)


async def admin(
    emu: Emulator, method: str, route: str, body: dict[str, Any] | None = None
) -> tuple[int, Any]:
    url = f"{emu.endpoint_url}/_emulator/{route}"
    # A POST is always JSON (the emulator refuses anything else); a GET has no body.
    payload = body if body is not None or method != "POST" else {}
    async with aiohttp.ClientSession() as http, http.request(method, url, json=payload) as response:
        return response.status, await response.json()


@pytest.mark.asyncio
async def test_admin_routes(robomaker_emulator: Emulator, client: AioBaseClient) -> None:
    await client.create_fleet(name="f")
    await client.list_fleets()
    await client.list_fleets()
    status, stats = await admin(robomaker_emulator, "GET", "stats")
    assert status == 200
    assert stats["calls"] == {"CreateFleet": 1, "ListFleets": 2}
    status, clock = await admin(robomaker_emulator, "POST", "clock", {"advance_seconds": 86400})
    assert status == 200
    assert clock["offset_seconds"] == 86400
    assert (await admin(robomaker_emulator, "POST", "clock", {"advance_seconds": -1}))[0] == 400
    assert (await admin(robomaker_emulator, "POST", "faults", {"throttel": 1}))[0] == 400
    assert (await admin(robomaker_emulator, "POST", "reset"))[0] == 200
    assert (await client.list_fleets())["fleetDetails"] == []
    assert robomaker_emulator.stats()["calls"] == {"ListFleets": 1}
    assert (await admin(robomaker_emulator, "GET", "clock"))[1]["offset_seconds"] == 0


@pytest.mark.asyncio
async def test_admin_is_off_on_a_public_address_unless_asked(robomaker_emulator_factory: Any) -> None:
    public = await robomaker_emulator_factory(host="0.0.0.0")
    assert public.endpoint_url.startswith("http://127.0.0.1:")
    assert (await admin(public, "GET", "stats"))[0] == 404
    with pytest.warns(UserWarning, match="not a loopback address"):
        opted = await robomaker_emulator_factory(host="0.0.0.0", admin=True)
    assert (await admin(opted, "GET", "stats"))[0] == 200


@pytest.mark.asyncio
async def test_throttling_and_internal_errors_are_seen_and_counted(
    robomaker_emulator: Emulator, client: AioBaseClient
) -> None:
    robomaker_emulator.set_faults(throttle=1.0, operations=["ListFleets"], limit=1)
    assert (await error_of(client.list_fleets()))[:2] == ("ThrottlingException", 400)
    await client.list_fleets()  # the limit is spent
    await client.list_robots()  # never eligible
    status, _ = await admin(robomaker_emulator, "POST", "faults", {"internal_error": 1.0, "limit": 2})
    assert status == 200
    assert (await error_of(client.list_robots()))[:2] == ("InternalServerException", 500)
    async with raw_client(robomaker_emulator, config=RETRYING) as retrying:
        result = await retrying.list_robots()
    assert result["ResponseMetadata"]["RetryAttempts"] == 1
    stats = robomaker_emulator.stats()
    assert stats["calls"] == {"ListFleets": 2, "ListRobots": 4}
    assert stats["faults"]["throttle"] == {"ListFleets": 1}
    assert stats["faults"]["internal_error"] == {"ListRobots": 2}


@pytest.mark.asyncio
async def test_seeded_faults_repeat(robomaker_emulator: Emulator, client: AioBaseClient) -> None:
    async def outcomes() -> list[str]:
        robomaker_emulator.set_faults(throttle=0.5, seed=42)
        out = []
        for _ in range(12):
            try:
                await client.list_fleets()
                out.append("ok")
            except Exception as error:
                out.append(type(error).__name__)
        return out

    first = await outcomes()
    assert "ok" in first
    assert "ThrottlingException" in first
    assert await outcomes() == first


@pytest.mark.asyncio
async def test_dropped_response_took_effect_and_the_retry_is_idempotent(robomaker_emulator: Emulator) -> None:
    async with raw_client(robomaker_emulator, config=RETRYING) as c:
        app, _ = await make_app(c)
        fleet, _ = await make_fleet(c, 1)
        robomaker_emulator.set_faults(drop=1.0, operations=["CreateDeploymentJob"], limit=1)
        job = await deploy(c, fleet, app, token="once")
        assert job["ResponseMetadata"]["RetryAttempts"] == 1
        assert len((await c.list_deployment_jobs())["deploymentJobs"]) == 1
    stats = robomaker_emulator.stats()
    assert stats["calls"]["CreateDeploymentJob"] == 2
    assert stats["faults"]["drop"] == {"CreateDeploymentJob": 1}


@pytest.mark.asyncio
async def test_latency_is_added(robomaker_emulator: Emulator, client: AioBaseClient) -> None:
    robomaker_emulator.set_faults(latency_ms=150)
    loop = asyncio.get_running_loop()
    began = loop.time()
    await client.list_fleets()
    assert loop.time() - began >= 0.15


@pytest.mark.asyncio
async def test_state_file_survives_a_restart_and_the_deployment_resumes(
    tmp_path: Path, robomaker_emulator_factory: Any
) -> None:
    path = tmp_path / "state.sqlite"
    first = await robomaker_emulator_factory(state_file=path, speed=20)
    async with raw_client(first) as c:
        app, _ = await make_app(c)
        fleet, robots = await make_fleet(c, 2)
        job = await deploy(c, fleet, app)
        await c.tag_resource(resourceArn=fleet, tags={"kept": "yes"})
    first.advance_clock(30)
    await first.stop()

    second = await robomaker_emulator_factory(state_file=path, speed=20)
    async with raw_client(second) as c:
        view = await c.describe_deployment_job(job=job["arn"])
        assert view["status"] in ("InProgress", "Succeeded")  # resumed where it was, 30 s on
        assert (await c.list_tags_for_resource(resourceArn=fleet))["tags"] == {"kept": "yes"}
        assert (await c.describe_fleet(fleet=fleet))["robots"][1]["arn"] == robots[1]
        assert (await deploy(c, fleet, app))["arn"] == job["arn"]  # idempotency tokens persist too
        second.advance_clock(3600)
        assert (await c.describe_deployment_job(job=job["arn"]))["status"] == "Succeeded"
        assert (await c.describe_robot(robot=robots[0]))["status"] == "InSync"
        new_fleet = await c.create_fleet(name="after-restart")
        assert new_fleet["arn"] != fleet


def test_background_thread_serves_sync_clients(robomaker_emulator_background: Emulator) -> None:
    emu = robomaker_emulator_background
    session = botocore.session.get_session()
    register_data_path(session.get_component("data_loader"))
    client: Any = session.create_client(
        "robomaker",
        region_name=emu.region,
        endpoint_url=emu.endpoint_url,
        aws_access_key_id=emu.credentials.access_key_id,
        aws_secret_access_key=emu.credentials.secret_access_key,
    )
    try:
        fleet = client.create_fleet(name="threaded")
        assert client.describe_fleet(fleet=fleet["arn"])["name"] == "threaded"
        before = emu.now()
        emu.advance_clock(100)
        assert emu.now() >= before + 100
        assert emu.stats()["calls"] == {"CreateFleet": 1, "DescribeFleet": 1}
        emu.reset()
        assert client.list_fleets()["fleetDetails"] == []
    finally:
        client.close()


@pytest.mark.asyncio
async def test_serve_announces_and_stops() -> None:
    urls: list[str] = []
    listening = asyncio.Event()
    stop = asyncio.Event()

    def announce(url: str) -> None:
        urls.append(url)
        listening.set()

    task = asyncio.create_task(serve(port=0, announce=announce, stop=stop))
    await asyncio.wait_for(listening.wait(), 5)
    async with aiohttp.ClientSession() as http, http.get(urls[0] + "/_emulator/health") as response:
        assert response.status == 200
    stop.set()
    await asyncio.wait_for(task, 5)


def test_command_line_prints_the_url_and_stops_on_sigterm(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "robomaker_deploy.emulator",
            "--port",
            "0",
            "--state-file",
            str(tmp_path / "s.db"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()


@pytest.mark.asyncio
async def test_client_is_an_sdk_client_pointed_at_the_emulator(robomaker_emulator: Emulator) -> None:
    from robomaker_deploy import DeploymentClient

    async with robomaker_emulator.client() as client:
        assert isinstance(client, DeploymentClient)
        fleet = await client.create_fleet(name="via-sdk")
        assert (await client.describe_fleet(fleet.arn)).name == "via-sdk"
    assert robomaker_emulator.stats()["calls"] == {"CreateFleet": 1, "DescribeFleet": 1}


_FAULT_CALLS = """
from robomaker_deploy.emulator import Emulator, FaultConfig


def use(emu: Emulator) -> None:
    emu.set_faults(throttle=0.5, internal_error=0.1, drop=0.1, latency_ms=5, operations=["ListFleets"])
    emu.set_faults(seed=1, limit=2)
    emu.set_faults(FaultConfig(drop=0.1))
    emu.set_faults()
    emu.set_faults(throtle=0.5)  # wrong
    emu.set_faults(throttle="high")  # wrong
    emu.set_faults(limit=1.5)  # wrong
"""


def test_set_faults_is_typed_so_mypy_catches_a_wrong_keyword(tmp_path: Path) -> None:
    sample = tmp_path / "faults_sample.py"
    sample.write_text(_FAULT_CALLS)
    root = Path(__file__).resolve().parents[2]
    out, err, _ = mypy_api.run(
        ["--config-file", str(root / "pyproject.toml"), "--cache-dir", str(tmp_path / ".mypy"), str(sample)]
    )
    wrong = [number for number, line in enumerate(_FAULT_CALLS.splitlines(), 1) if line.endswith("# wrong")]
    flagged = sorted({int(m) for m in re.findall(rf"{sample.name}:(\d+): error", out)})
    assert flagged == wrong, out + err
    # The keywords are FaultConfig's fields, all of them.
    assert set(FaultSettings.__annotations__) == {field.name for field in attrs.fields(FaultConfig)}
