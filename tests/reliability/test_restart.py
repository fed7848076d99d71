"""An emulator restart with ``state_file`` in the middle of running deployments loses nothing (issue 8)."""

from __future__ import annotations

import logging
from pathlib import Path

import anyio
import pytest

from robomaker_deploy import ClientConfig, DeploymentStatus, DescribedDeploymentJob
from robomaker_deploy.emulator import Emulator
from robomaker_deploy.emulator._seeding import seed_application, seed_fleets, seed_running_jobs
from tests.support.clocks import polls, until
from tests.support.leaks import free_port, settle

SPEED = 10.0
ACTIVE = {"Pending", "Preparing", "InProgress"}


class _Errors(logging.Handler):
    """Counts the transport's retries of connection errors (what the waiters met while it was down)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.connection_errors = 0
        self.target = -1
        self.reached = anyio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if record.args and "EndpointConnectionError" in record.args:
            self.connection_errors += 1
            if self.connection_errors == self.target:
                self.reached.set()


async def _restart(tmp_path: Path, count: int) -> dict[str, int]:
    state = tmp_path / "state.db"
    port = free_port()
    # A manual clock: no deployment can end before the restart, and the restarted emulator's clock
    # stands where the first one's stood.
    first = Emulator(port=port, speed=SPEED, state_file=state, seed=4, clock="manual")
    await first.start()
    second: Emulator | None = None
    log = logging.getLogger("robomaker_deploy.transport")
    errors = _Errors()
    log.addHandler(errors)
    level = log.level
    log.setLevel(logging.DEBUG)
    try:
        app = seed_application(first)
        jobs = seed_running_jobs(first, app, seed_fleets(first, count, prefix="restart"), prefix="r")
        # Few, quick tries: while the emulator is down a poll fails fast and the waiter carries on.
        config = ClientConfig(max_attempts=3, backoff_base=0.01, backoff_cap=0.05)
        async with first.client(config=config) as client:
            finals: dict[str, DescribedDeploymentJob] = {}

            async def wait(arn: str) -> None:
                finals[arn] = await client.wait_for_deployment_job(
                    arn, min_delay=0.05, max_delay=0.3, timeout=120
                )

            async with anyio.create_task_group() as group:
                for arn in jobs:
                    group.start_soon(wait, arn)
                first.advance_clock(10 / SPEED)  # into the deployments: all of them past Pending
                polled = polls(first)
                await until(lambda: polls(first) >= polled + 3)  # the waiters poll running deployments
                running = [first.call("DescribeDeploymentJob", {"job": arn})["status"] for arn in jobs]
                first_now = first.now()
                await first.stop()
                errors.target = errors.connection_errors + 20
                await errors.reached.wait()  # the waiters are meeting a dead port, and carry on
                second = Emulator(port=port, speed=SPEED, state_file=state, seed=4, clock="manual")
                await second.start()
                assert second.now() == first_now
                second.advance_clock(3600)  # now every deployment ends
            await settle(client)
            afterwards = {arn: await client.describe_deployment_job(arn) for arn in jobs}
    finally:
        log.removeHandler(errors)
        log.setLevel(level)
        await first.stop()
        if second is not None:
            await second.stop()
    # The stop really came in the middle: every deployment had started, none had ended.
    assert set(running) <= ACTIVE - {"Pending"}
    assert errors.connection_errors >= 20
    # Every waiter returned, with its own job, finished, as the restarted emulator has it.
    assert set(finals) == set(jobs)
    for arn, final in finals.items():
        assert final.arn == arn
        assert final.status is DeploymentStatus.SUCCEEDED
        assert final.robot_deployment_summary == afterwards[arn].robot_deployment_summary
    return {"jobs": count, "connection_errors": errors.connection_errors}


@pytest.mark.asyncio
async def test_a_restart_mid_deployment_loses_nothing(tmp_path: Path) -> None:
    figures = await _restart(tmp_path, 50)
    print(f"\nrestart: {figures}")


@pytest.mark.soak
@pytest.mark.asyncio
async def test_a_restart_mid_deployment_loses_nothing_soak(tmp_path: Path) -> None:
    figures = await _restart(tmp_path, 500)
    print(f"\nrestart (soak): {figures}")
