"""What waiting costs, counted by the emulator: a watch's cadence, and the shared passes of many waits.

Time never decides a result here: a watch runs on the emulator's virtual
clock (its sleeps jump it), and the waits run on jobs whose robots never
answer, so they are all still running however slow the machine is.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

import anyio
import pytest

from robomaker_deploy import DeploymentClient, DeploymentConfig, DeploymentJob, WaitPolicy
from robomaker_deploy._waiting.source import Poller
from robomaker_deploy._waiting.watch import DeploymentWatch, Watch
from robomaker_deploy.emulator import TAG_OFFLINE, Emulator
from tests.support.clocks import EmulatorClock, until
from tests.support.leaks import calls, settle
from tests.support.world import deploy, plain_fleet, versioned_app

Factory = Callable[..., Awaitable[Emulator]]
DESCRIBE, LIST = "DescribeDeploymentJob", "ListDeploymentJobs"


async def _watch_in_waves(emu: Emulator, forecast: bool) -> tuple[int, list[float]]:
    """Watch a four-robot job deployed two at a time: describes made, and each robot's notice."""
    async with emu.client() as client:
        app = await versioned_app(client)
        fleet = await plain_fleet(client, "waves", [{}] * 4)
        config = DeploymentConfig(concurrent_deployment_percentage=50)
        job = await deploy(client, fleet, app, pre_launch=True, config=config)
        before = calls(emu).get(DESCRIBE, 0)
        policy = WaitPolicy(min_delay=2, max_delay=30, timeout=3600, clock=EmulatorClock(emu).clock())
        notices: dict[str, float] = {}
        final = None
        async for snapshot in DeploymentWatch(Watch(client._poller(), job, policy, forecast=forecast)):
            for robot in snapshot.robot_deployment_summary:
                finish = robot.deployment_finish_time
                if robot.status.is_terminal and finish is not None and robot.arn not in notices:
                    notices[robot.arn] = emu.now() - finish.timestamp()
            final = snapshot
        assert final is not None and final.status.is_terminal
        assert len(notices) == 4
        return calls(emu).get(DESCRIBE, 0) - before, list(notices.values())


@pytest.mark.anyio
async def test_a_watch_polls_fewer_times_on_the_cadence_of_its_robots_in_flight() -> None:
    # The same deployment (same seed, so the same timeline) watched both ways, each on its own emulator.
    with Emulator(speed=1, seed=3).run_in_background() as emu:
        backoff = await _watch_in_waves(emu, forecast=False)
    with Emulator(speed=1, seed=3).run_in_background() as emu:
        forecast = await _watch_in_waves(emu, forecast=True)
    assert forecast[0] <= backoff[0] - 2, (forecast, backoff)
    # Every robot's end is seen, and none later than one max_delay after it (plus the poll's own time).
    assert max(forecast[1]) < 31, forecast


async def _stuck_jobs(emu: Emulator, client: DeploymentClient, count: int) -> list[DeploymentJob]:
    """``count`` one-robot deployments whose robot never answers, all InProgress by the emulator's clock."""
    app = await versioned_app(client)
    jobs = []
    for index in range(count):
        fleet = await plain_fleet(client, f"stuck{index}", [{TAG_OFFLINE: "true"}])
        jobs.append(await deploy(client, fleet, app))
    emu.advance_clock(15)  # past Pending and Preparing; an offline robot takes 60 s to be given up on
    return jobs


def _polled(hub: Poller, polls: int) -> bool:
    return hub.stats.polls >= polls


@pytest.mark.robomaker_emulator(speed=1)
@pytest.mark.anyio
async def test_a_pass_lists_only_the_statuses_its_jobs_can_still_be_in(
    robomaker_emulator_background: Emulator, any_client: DeploymentClient
) -> None:
    client = any_client
    jobs = await _stuck_jobs(robomaker_emulator_background, client, 10)
    hub = client._poller()
    before = calls(robomaker_emulator_background)
    async with anyio.create_task_group() as group:
        for job in jobs:  # each given as created: Pending, as far as the waiter knows
            group.start_soon(partial(client.wait_for_deployment_job, job, min_delay=0.01, max_delay=0.02))
        await until(lambda: hub.stats.passes >= 6)
        group.cancel_scope.cancel()
    await settle(client)
    after = calls(robomaker_emulator_background)
    lists = after.get(LIST, 0) - before.get(LIST, 0)
    passes = hub.stats.passes
    # The first pass lists Pending, Preparing and InProgress; it sees every job InProgress, so each pass
    # after it lists InProgress alone: one request, where three were made before.
    assert lists <= 3 + (passes - 1), (lists, passes)
    assert after.get(DESCRIBE, 0) == before.get(DESCRIBE, 0)  # found running: nothing to describe


@pytest.mark.robomaker_emulator(speed=1)
@pytest.mark.anyio
async def test_waiters_started_one_after_another_describe_only_below_the_threshold(
    robomaker_emulator_background: Emulator, any_client: DeploymentClient
) -> None:
    client = any_client
    jobs = await _stuck_jobs(robomaker_emulator_background, client, 20)
    hub = client._poller()
    before = calls(robomaker_emulator_background).get(DESCRIBE, 0)
    async with anyio.create_task_group() as group:
        for started, job in enumerate(jobs, 1):
            # Each starts once the one before it made its first poll (long delays: no second poll).
            group.start_soon(partial(client.wait_for_deployment_job, job, min_delay=60, max_delay=60))
            await until(partial(_polled, hub, started))
        await until(lambda: hub.stats.passes >= 1)
        group.cancel_scope.cancel()
    await settle(client)
    # The first seven describe their job (a pass would cost more for so few); from the eighth on,
    # every first poll joins the shared pass, which finds the job running.
    assert calls(robomaker_emulator_background).get(DESCRIBE, 0) - before == hub.list_threshold - 1
