"""Waiting for orchestration, against the emulator: events, outcomes, checkpoints, exit policies."""

from __future__ import annotations

import logging
from contextlib import aclosing
from typing import Any

import anyio
import anyio.lowlevel
import attrs
import pytest
import trio

from robomaker_deploy import (
    ClientConfig,
    DeploymentClient,
    DeploymentEvent,
    DeploymentFailedError,
    DeploymentJob,
    DeploymentStatus,
    FailureCode,
    JobEnded,
    RobotDeploymentStep,
    RobotFailed,
    RobotSucceeded,
    WaitCheckpoint,
    WaiterTimeoutError,
)
from robomaker_deploy.emulator import TAG_FAIL_STEP, Emulator
from tests.support.world import World, build_world

FAST: dict[str, Any] = {"min_delay": 0.01, "max_delay": 0.05, "timeout": 60.0}
FAILING = {TAG_FAIL_STEP: RobotDeploymentStep.EXECUTING_PRE_LAUNCH.value}
#: On the manual clock nothing moves unless a test moves it: the jobs of the tests marked so are
#: still running whenever the tests leave them, however slow the machine.
STILL = pytest.mark.robomaker_emulator(clock="manual")


async def _deploy(client: DeploymentClient, world: World) -> DeploymentJob:
    return await client.create_deployment_job(
        fleet=world.fleet, application_configs=[world.config(pre_launch_file="pre.sh")]
    )


def _ended(events: list[DeploymentEvent]) -> list[str]:
    return [e.arn for e in events if isinstance(e, (RobotSucceeded, RobotFailed))]


@pytest.mark.anyio
@pytest.mark.robomaker_emulator(speed=200)
async def test_a_deployment_as_events_ends_with_its_outcome(any_client: DeploymentClient) -> None:
    client = any_client
    world = await build_world(client, robots=3, robot_tags={1: FAILING})
    job = await _deploy(client, world)
    events = [event async for event in client.deployment_events(job, **FAST)]
    assert isinstance(events[-1], JobEnded)
    assert sum(isinstance(e, JobEnded) for e in events) == 1
    assert sorted(_ended(events)) == sorted(r.arn for r in world.robots)  # each robot ends once
    (failed,) = [e for e in events if isinstance(e, RobotFailed)]
    assert failed.arn == world.robots[1].arn
    assert failed.failure_code is FailureCode.PRE_LAUNCH_FILE_FAILURE and not failed.retryable
    outcome = events[-1].outcome
    assert outcome.finished and not outcome.succeeded
    assert outcome.job.status is DeploymentStatus.FAILED
    assert [r.arn for r in outcome.failed_by_code[FailureCode.PRE_LAUNCH_FILE_FAILURE]] == [failed.arn]
    assert outcome.polls >= 2 and outcome.elapsed > 0
    assert all(e.snapshot.arn == job.arn and e.observed_at.tzinfo is not None for e in events)


@pytest.mark.anyio
@pytest.mark.robomaker_emulator(speed=200)
async def test_a_stream_resumed_from_its_checkpoint_delivers_nothing_twice(
    any_client: DeploymentClient,
) -> None:
    client = any_client
    world = await build_world(client, robots=3)
    job = await _deploy(client, world)
    first: list[DeploymentEvent] = []
    stream = client.deployment_events(job, **FAST)
    async for event in stream:
        first.append(event)
        if len(first) == 3:
            break
    saved = stream.checkpoint().to_json()
    await stream.aclose()
    checkpoint = WaitCheckpoint.from_json(saved)
    assert checkpoint.polls >= 1 and checkpoint.deadline is not None

    resumed = client.deployment_events(job, resume=checkpoint, **FAST)
    rest = [event async for event in resumed]
    events = first + rest
    assert sorted(_ended(events)) == sorted(r.arn for r in world.robots)
    assert isinstance(rest[-1], JobEnded)
    # The deadline and the count of polls carry over from the first start.
    assert resumed.checkpoint().deadline == checkpoint.deadline
    assert rest[-1].outcome.polls > checkpoint.polls
    # A finished stream's checkpoint resumes to nothing, without a call.
    again = client.deployment_events(job, resume=resumed.checkpoint(), **FAST)
    assert [event async for event in again] == []


@pytest.mark.anyio
@pytest.mark.robomaker_emulator(speed=200)
async def test_polls_group_the_events_by_the_poll_that_saw_them(any_client: DeploymentClient) -> None:
    client = any_client
    world = await build_world(client, robots=4, robot_tags={2: FAILING})
    job = await _deploy(client, world)
    stream = client.deployment_events(job, **FAST)
    first = await stream.__anext__()  # one event taken alone: the first group holds the rest of its poll
    polls = [poll async for poll in stream.polls()]
    events = [first, *(e for poll in polls for e in poll.events)]
    assert all(poll.events for poll in polls)
    for poll in polls:  # one poll's events share its snapshot, and its checkpoint is the state after them
        assert all(e.snapshot is poll.snapshot for e in poll.events)
    assert polls[0].snapshot is first.snapshot
    counts = [poll.checkpoint.polls for poll in polls]
    assert counts == sorted(set(counts)) and counts[0] >= 1  # a group per poll, in order
    assert isinstance(events[-1], JobEnded) and events[-1] is polls[-1].events[-1]
    assert polls[-1].checkpoint.state.ended
    assert sorted(_ended(events)) == sorted(r.arn for r in world.robots)  # each robot ends once
    # The checkpoint after each poll resumes to exactly the events of the later polls.
    middle = polls[len(polls) // 2]
    later = [e for poll in polls[polls.index(middle) + 1 :] for e in poll.events]
    resumed = client.deployment_events(job, resume=middle.checkpoint, **FAST)
    again = [event async for event in resumed]
    assert sorted(_ended(again)) == sorted(_ended(later))
    assert isinstance(again[-1], JobEnded)


@pytest.mark.anyio
@STILL
async def test_a_resumed_wait_past_its_deadline_gives_up_without_polling(
    robomaker_emulator_background: Emulator, any_client: DeploymentClient
) -> None:
    client = any_client
    world = await build_world(client, robots=1)
    job = await _deploy(client, world)
    watch = client.watch_deployment_job(job, timeout=0.05, min_delay=0.01, max_delay=0.01)
    with pytest.raises(WaiterTimeoutError):
        async for _ in watch:
            pass
    # The wait gave up on its last poll, which it moves just before the deadline; past it, for sure:
    checkpoint = attrs.evolve(watch.checkpoint(), deadline=watch.checkpoint().started_at)
    calls = robomaker_emulator_background.stats()["calls"].get("DescribeDeploymentJob", 0)
    with pytest.raises(WaiterTimeoutError) as caught:
        async for _ in client.deployment_events(job, resume=checkpoint, **FAST):
            pass
    assert caught.value.polls == checkpoint.polls
    assert robomaker_emulator_background.stats()["calls"].get("DescribeDeploymentJob", 0) == calls
    with pytest.raises(ValueError, match="another job"):
        client.deployment_events(
            "arn:aws:robomaker:us-east-1:123456789012:deployment-job/other", resume=checkpoint
        )


@pytest.mark.anyio
@pytest.mark.robomaker_emulator(speed=200)
async def test_a_failed_deployment_carries_its_outcome(any_client: DeploymentClient) -> None:
    client = any_client
    world = await build_world(client, robots=2, robot_tags={0: FAILING})
    job = await _deploy(client, world)
    with pytest.raises(DeploymentFailedError) as failed:
        await client.wait_until_deployment_succeeded(job, **FAST)
    outcome = failed.value.outcome
    assert outcome.polls >= 1 and outcome.finished
    assert [r.arn for r in outcome.failed] == [world.robots[0].arn]
    assert failed.value.failed_robots == outcome.failed


@pytest.mark.anyio
@STILL
async def test_a_timeout_carries_a_partial_outcome(any_client: DeploymentClient) -> None:
    client = any_client
    stuck = await build_world(client, name="stuck", robots=1)
    running = await _deploy(client, stuck)
    with pytest.raises(WaiterTimeoutError) as timed_out:
        await client.wait_for_deployment_job(running, timeout=0.05, min_delay=0.01, max_delay=0.01)
    partial = timed_out.value.outcome
    assert partial is not None and not partial.finished and partial.polls == timed_out.value.polls


async def _status(client: DeploymentClient, job: DeploymentJob) -> DeploymentStatus:
    return (await client.describe_deployment_job(job)).status


@pytest.mark.anyio
@STILL
async def test_cancel_on_exit_reaches_the_service_when_the_task_is_cancelled(
    any_client: DeploymentClient,
) -> None:
    client = any_client
    world = await build_world(client, robots=1)
    kept, dropped = await _deploy(client, world), None
    with anyio.move_on_after(0.2):  # the detaching wait leaves the job alone
        await client.wait_for_deployment_job(kept, min_delay=0.01, max_delay=0.02)
    assert await _status(client, kept) is not DeploymentStatus.CANCELED
    await client.cancel_deployment_job(kept)

    other = await build_world(client, name="o", robots=1)
    dropped = await _deploy(client, other)
    with anyio.move_on_after(0.2) as scope:
        await client.wait_for_deployment_job(dropped, min_delay=0.01, max_delay=0.02, on_exit="cancel")
    assert scope.cancelled_caught  # the original cancellation went on, after the cancel call
    assert await _status(client, dropped) is DeploymentStatus.CANCELED


@pytest.mark.anyio
@STILL
async def test_cancel_on_exit_at_the_deadline_and_when_a_watch_is_left_cancelled(
    any_client: DeploymentClient,
) -> None:
    client = any_client
    world = await build_world(client, robots=1)
    job = await _deploy(client, world)
    with pytest.raises(WaiterTimeoutError):
        async for _ in client.deployment_events(
            job, timeout=0.1, min_delay=0.01, max_delay=0.02, on_exit="cancel"
        ):
            pass
    assert await _status(client, job) is DeploymentStatus.CANCELED

    other = await build_world(client, name="w2", robots=1)
    watched = await _deploy(client, other)
    # Cancelled while handling a snapshot, not while polling: `aclosing` lets the watch see it leave.
    with anyio.CancelScope() as scope:
        watch = client.watch_deployment_job(watched, min_delay=0.01, max_delay=0.02, on_exit="cancel")
        async with aclosing(watch):
            async for _ in watch:
                scope.cancel()
                await anyio.lowlevel.checkpoint()
    assert await _status(client, watched) is DeploymentStatus.CANCELED
    # A watch left by `break` detaches, whatever its policy: leaving is not a cancellation.
    third = await build_world(client, name="w3", robots=1)
    left = await _deploy(client, third)
    watch = client.watch_deployment_job(left, min_delay=0.01, max_delay=0.02, on_exit="cancel")
    async for _ in watch:
        break
    await watch.aclose()
    assert await _status(client, left) is not DeploymentStatus.CANCELED
    await client.cancel_deployment_job(left)


@pytest.mark.anyio
@STILL
async def test_a_failing_cancel_never_hides_the_original_exception(
    robomaker_emulator_background: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    async with robomaker_emulator_background.client(config=ClientConfig(max_attempts=1)) as client:
        world = await build_world(client, robots=1)
        job = await _deploy(client, world)
        robomaker_emulator_background.set_faults(internal_error=1.0, operations=["CancelDeploymentJob"])
        with caplog.at_level(logging.WARNING, logger="robomaker_deploy"), pytest.raises(WaiterTimeoutError):
            await client.wait_for_deployment_job(
                job, timeout=0.05, min_delay=0.01, max_delay=0.01, on_exit="cancel"
            )
        assert "could not cancel" in caplog.text
        robomaker_emulator_background.set_faults()
        assert await _status(client, job) is not DeploymentStatus.CANCELED
        await client.cancel_deployment_job(job)


@STILL
def test_cancel_on_exit_on_trio(robomaker_emulator_background: Emulator) -> None:
    emulator = robomaker_emulator_background

    async def main() -> None:
        async with emulator.client() as client:
            world = await build_world(client, robots=1)
            job = await _deploy(client, world)
            with trio.move_on_after(0.2) as scope:
                async for _ in client.deployment_events(
                    job, min_delay=0.01, max_delay=0.02, on_exit="cancel"
                ):
                    pass
            assert scope.cancelled_caught
            assert await _status(client, job) is DeploymentStatus.CANCELED

    trio.run(main)
