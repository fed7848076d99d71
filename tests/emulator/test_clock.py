"""A clock the test drives: with ``clock="manual"`` nothing moves until the test says so (issue 13)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiobotocore.client import AioBaseClient

from robomaker_deploy.emulator import Emulator
from tests.support.raw import deploy, make_app, make_fleet

Factory = Callable[..., Awaitable[Emulator]]


async def _clock(emu: Emulator, advance: float | None = None) -> dict[str, Any]:
    url = f"{emu.endpoint_url}/_emulator/clock"
    async with aiohttp.ClientSession() as http:
        if advance is None:
            async with http.get(url) as response:
                return dict(await response.json())
        async with http.post(url, json={"advance_seconds": advance}) as response:
            return dict(await response.json())


@pytest.mark.robomaker_emulator(clock="manual", speed=1)
@pytest.mark.asyncio
async def test_a_manual_clock_moves_only_when_told(
    robomaker_emulator: Emulator, client: AioBaseClient
) -> None:
    app, _ = await make_app(client)
    fleet, _ = await make_fleet(client, 2)
    job = await deploy(client, fleet, app)
    frozen = robomaker_emulator.now()
    await asyncio.sleep(0.05)  # real time passes; virtual time does not
    assert robomaker_emulator.now() == frozen
    assert (await client.describe_deployment_job(job=job["arn"]))["status"] == "Pending"
    assert (await _clock(robomaker_emulator))["mode"] == "manual"

    robomaker_emulator.advance_clock(10)  # past Pending (2-4 s) and Preparing (3-6 s) at speed 1
    assert robomaker_emulator.now() == frozen + 10
    assert (await client.describe_deployment_job(job=job["arn"]))["status"] == "InProgress"
    clock = await _clock(robomaker_emulator, advance=3600)  # the admin route moves the same clock
    assert clock == {"offset_seconds": 3610, "now": frozen + 3610, "mode": "manual"}
    assert (await client.describe_deployment_job(job=job["arn"]))["status"] == "Succeeded"


@pytest.mark.asyncio
async def test_the_factory_and_the_default_take_the_clock_too(robomaker_emulator_factory: Factory) -> None:
    manual = await robomaker_emulator_factory(clock="manual")
    real = await robomaker_emulator_factory()
    assert (await _clock(manual))["mode"] == "manual"
    assert (await _clock(real))["mode"] == "real"
    with pytest.raises(ValueError, match="clock must be one of 'real', 'manual'"):
        Emulator(clock="fast")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="finite"):
        manual.advance_clock(float("nan"))


@pytest.mark.asyncio
async def test_a_manual_clock_stands_where_it_stood_across_a_restart(
    tmp_path: Path, robomaker_emulator_factory: Factory
) -> None:
    path = tmp_path / "clock.db"
    first = await robomaker_emulator_factory(state_file=path, clock="manual")
    first.advance_clock(120)
    before = first.now()
    await first.stop()
    await asyncio.sleep(0.05)
    second = await robomaker_emulator_factory(state_file=path, clock="manual")
    assert second.now() == before
    await second.stop()
    # A real clock afterwards runs on from the wall clock, never behind the manual one.
    third = await robomaker_emulator_factory(state_file=path)
    assert third.now() >= before
    await third.stop()
    fourth = await robomaker_emulator_factory(state_file=path, clock="manual")
    assert fourth.now() >= before


@pytest.mark.robomaker_emulator(clock="manual")
@pytest.mark.asyncio
async def test_a_reset_rewinds_a_manual_clock_to_the_present(robomaker_emulator: Emulator) -> None:
    robomaker_emulator.advance_clock(86400)
    robomaker_emulator.reset()
    assert robomaker_emulator.now() == pytest.approx(time.time(), abs=60)
    assert (await _clock(robomaker_emulator))["offset_seconds"] == 0
