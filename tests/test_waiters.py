"""Waiters: the delay schedule, then every way a wait ends, against the emulator, on asyncio and trio."""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

import anyio
import pytest
import trio
from typing_extensions import assert_type

from robomaker_deploy import (
    ClientConfig,
    DeploymentClient,
    DeploymentConfig,
    DeploymentFailedError,
    DeploymentJob,
    DeploymentOutcome,
    DeploymentStatus,
    DeploymentWaitTimeoutError,
    DeploymentWatch,
    DescribedDeploymentJob,
    FailureCategory,
    FailureCode,
    Fleet,
    ResourceNotFoundError,
    RobotDeploymentStep,
    RobotStatus,
    ValidationError,
    WaitClock,
    WaiterTimeoutError,
    WaitPolicy,
)
from robomaker_deploy._waiting.source import Poller
from robomaker_deploy.emulator import (
    JOB_RETENTION_SECONDS,
    TAG_FAIL_STEP,
    TAG_FAILURE_CODE,
    TAG_OFFLINE,
    Emulator,
)
from tests.support.clocks import FakeClock, advance_on_polls, polls, until
from tests.support.leaks import settle
from tests.support.scripted import scripted_watch
from tests.support.world import deploy, many_jobs, plain_fleet, versioned_app

#: Fast polling for an emulator at speed 200, where one robot's deployment takes about 0.15-0.35 s.
FAST: dict[str, Any] = {"min_delay": 0.01, "max_delay": 0.05, "timeout": 30.0}
MISSING_JOB = "arn:aws:robomaker:us-east-1:123456789012:deployment-job/does-not-exist"


def hub(client: DeploymentClient) -> Poller:
    return client._poller()


# -- the schedule -----------------------------------------------------------------------------------


def test_schedule_follows_the_smithy_rule() -> None:
    fake = FakeClock()
    policy = WaitPolicy(min_delay=2, max_delay=120, timeout=300, clock=fake.clock())
    at = 0.0
    times = [at]
    attempt = 1
    final = False
    while not final:
        delay, final = policy.next_delay(attempt, 300 - at)
        at += delay
        times.append(at)
        attempt += 1
    # Doubling upper bounds 2, 4, 8, ... capped at 120, jitter at the middle; the last poll lands on the
    # deadline instead of leaving less than min_delay after it.
    assert times == [0, 2, 5, 10, 19, 36, 69, 130, 191, 252, 300]


def test_delays_stay_within_bounds_and_the_ceiling() -> None:
    lows = WaitPolicy(min_delay=0.5, max_delay=7, timeout=None, clock=WaitClock(random=lambda lo, hi: lo))
    highs = WaitPolicy(min_delay=0.5, max_delay=7, timeout=None, clock=WaitClock(random=lambda lo, hi: hi))
    assert [lows.next_delay(n, None)[0] for n in range(1, 8)] == [0.5] * 7
    assert [highs.next_delay(n, None)[0] for n in range(1, 8)] == [0.5, 1, 2, 4, 7, 7, 7]
    assert highs.next_delay(10_000, None) == (7, False)  # no overflow far past the attempt ceiling
    # Within min_delay of the deadline, the next poll is the last, placed `lead` before the deadline.
    delay, final = highs.next_delay(5, remaining=7.4, lead=0.2)
    assert final
    assert delay == pytest.approx(7.2)
    assert highs.next_delay(5, remaining=0.3, lead=1.0) == (0.0, True)


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"min_delay": 0}, "min_delay"),
        ({"min_delay": 5, "max_delay": 1}, "max_delay"),
        ({"timeout": -1}, "timeout"),
        ({"max_delay": float("inf")}, "max_delay"),
    ],
)
def test_bad_timing_is_a_validation_error(settings: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        WaitPolicy(**settings)
    assert caught.value.field == field


@pytest.mark.anyio
async def test_the_loop_times_out_on_the_deadline_with_the_last_snapshot() -> None:
    fake = FakeClock()
    seen: list[float] = []

    async def describe() -> DescribedDeploymentJob:
        seen.append(fake.now)
        job = _job(DeploymentStatus.IN_PROGRESS, robots=())
        assert isinstance(job, DescribedDeploymentJob)
        return job

    policy = WaitPolicy(min_delay=2, max_delay=120, timeout=300, clock=fake.clock())
    yielded: list[DeploymentJob] = []

    async def consume() -> None:
        async with scripted_watch(describe, policy, detail=False) as watch:
            while (snapshot := await watch.next()) is not None:
                yielded.append(snapshot)

    with pytest.raises(DeploymentWaitTimeoutError) as caught:
        await consume()
    assert seen == [0, 2, 5, 10, 19, 36, 69, 130, 191, 252, 300]
    assert len(yielded) == 1  # unchanged snapshots are not yielded again
    error = caught.value
    assert error.polls == 11
    assert error.elapsed == 300
    # A deployment wait that saw the job described says so in its types: no None to rule out.
    assert_type(error.job, DescribedDeploymentJob)
    assert_type(error.outcome, DeploymentOutcome)
    assert error.job.status is DeploymentStatus.IN_PROGRESS
    assert error.outcome.polls == 11


@pytest.mark.anyio
async def test_retryable_errors_cost_a_poll_not_the_wait() -> None:
    from robomaker_deploy import ThrottlingError

    fake = FakeClock()
    answers: list[DeploymentJob | Exception] = [
        ThrottlingError("slow down", code="ThrottlingException"),
        _job(DeploymentStatus.IN_PROGRESS, robots=()),
        ThrottlingError("slow down", code="ThrottlingException"),
        _job(DeploymentStatus.SUCCEEDED, robots=()),
    ]

    async def describe() -> DescribedDeploymentJob:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        assert isinstance(answer, DescribedDeploymentJob)
        return answer

    statuses = []
    policy = WaitPolicy(min_delay=1, max_delay=8, timeout=60, clock=fake.clock())
    async with scripted_watch(describe, policy, detail=False) as watch:
        while (snapshot := await watch.next()) is not None:
            statuses.append(snapshot.status)
    assert statuses == [DeploymentStatus.IN_PROGRESS, DeploymentStatus.SUCCEEDED]
    assert fake.sleeps == [1, 1.5, 2.5]  # the schedule went on through the failures


def _job(status: DeploymentStatus, robots: tuple[()] | None = None) -> DeploymentJob:
    """A job as a listing shows it, or with ``robots`` as a describe does."""
    from datetime import datetime, timezone

    fleet = "arn:aws:robomaker:us-east-1:123456789012:deployment-fleet/f/1"
    created = datetime(2024, 1, 1, tzinfo=timezone.utc)
    if robots is None:
        return DeploymentJob(arn=MISSING_JOB, fleet=fleet, status=status, created_at=created)
    return DescribedDeploymentJob(
        arn=MISSING_JOB, fleet=fleet, status=status, created_at=created, robot_deployment_summary=robots
    )


# -- one job, against the emulator ------------------------------------------------------------------

pytestmark_speed = pytest.mark.robomaker_emulator(speed=200)
#: For tests that must see a job before it ends, or never see it end: it moves only when the test says.
MANUAL_CLOCK = pytest.mark.robomaker_emulator(speed=200, clock="manual")


@pytestmark_speed
@pytest.mark.anyio
async def test_wait_returns_the_final_job_with_robots(robomaker_emulator_background: Emulator) -> None:
    async with robomaker_emulator_background.client() as client:
        assert isinstance(client, DeploymentClient)
        app = await versioned_app(client)
        fleet = await plain_fleet(client, "one", [{}, {}])
        job = await deploy(client, fleet, app)
        final = await client.wait_for_deployment_job(job.arn, **FAST)
        assert_type(final, DescribedDeploymentJob)
        assert final.status is DeploymentStatus.SUCCEEDED
        assert len(final.robot_deployment_summary) == 2  # both robots of the fleet came back
        assert {robot.status for robot in final.robot_deployment_summary} == {RobotStatus.IN_SYNC}
        again = await client.wait_until_deployment_succeeded(job, **FAST)
        assert_type(again, DescribedDeploymentJob)
        assert again.status is DeploymentStatus.SUCCEEDED
        await settle(client)


@MANUAL_CLOCK
@pytest.mark.anyio
async def test_watch_yields_each_change_and_ends_on_the_terminal_snapshot(
    robomaker_emulator_background: Emulator,
) -> None:
    async with robomaker_emulator_background.client() as client:
        app = await versioned_app(client)
        fleet = await plain_fleet(client, "watched", [{}, {}])
        job = await deploy(client, fleet, app, pre_launch=True)
        watch = client.watch_deployment_job(job, min_delay=0.005, max_delay=0.01)
        assert_type(watch, DeploymentWatch)
        # Two simulated seconds per poll (a hundredth of one at speed 200): downloading takes 15 or more.
        async with advance_on_polls(robomaker_emulator_background, 0.01):
            snapshots = [snapshot async for snapshot in watch]
        assert snapshots[-1].status is DeploymentStatus.SUCCEEDED
        assert all(not s.status.is_terminal for s in snapshots[:-1])
        assert all(len(s.robot_deployment_summary) == 2 for s in snapshots)  # every snapshot has both
        for before, after in itertools.pairwise(snapshots):
            assert _progress(before) != _progress(after) or before.status != after.status
        steps = {
            robot.progress_detail.current_progress
            for s in snapshots
            for robot in s.robot_deployment_summary
            if robot.progress_detail is not None
        }
        assert RobotDeploymentStep.DOWNLOADING_EXTRACTING in steps
        assert RobotDeploymentStep.FINISHED in steps
        await settle(client)


def _progress(job: DescribedDeploymentJob) -> list[Any]:
    return [
        (r.status, r.progress_detail and (r.progress_detail.current_progress, r.progress_detail.percent_done))
        for r in job.robot_deployment_summary
    ]


# -- failures -----------------------------------------------------------------------------------------


@pytestmark_speed
@pytest.mark.anyio
async def test_failure_threshold(robomaker_emulator_background: Emulator) -> None:
    async with robomaker_emulator_background.client() as client:
        app = await versioned_app(client)
        broken = {TAG_FAIL_STEP: "Validating"}
        fleet = await plain_fleet(client, "threshold", [broken, broken, {}, {}])
        job = await deploy(
            client,
            fleet,
            app,
            config=DeploymentConfig(concurrent_deployment_percentage=25, failure_threshold_percentage=25),
        )
        with pytest.raises(DeploymentFailedError) as caught:
            await client.wait_until_deployment_succeeded(job, **FAST)
        error = caught.value
        assert error.job.status is DeploymentStatus.FAILED
        assert error.failure_code is FailureCode.FAILURE_THRESHOLD_BREACHED
        assert error.failure_code.category is FailureCategory.DEPLOYMENT_POLICY
        assert not error.failure_code.retryable
        codes = Counter(robot.failure_code for robot in error.failed_robots)
        assert codes[FailureCode.MISSING_ROBOT_DEPLOYMENT_RESOURCE] == 2
        assert all(robot.failure_reason for robot in error.failed_robots)
        assert len(error.job.robot_deployment_summary) == 4  # the final job has every robot


@pytestmark_speed
@pytest.mark.anyio
async def test_pre_launch_failure(robomaker_emulator_background: Emulator) -> None:
    async with robomaker_emulator_background.client() as client:
        app = await versioned_app(client)
        failing = {TAG_FAIL_STEP: "ExecutingPreLaunch", TAG_FAILURE_CODE: "PreLaunchFileFailure"}
        fleet = await plain_fleet(client, "prelaunch", [{}, failing])
        job = await deploy(client, fleet, app, pre_launch=True)
        with pytest.raises(DeploymentFailedError) as caught:
            await client.wait_until_deployment_succeeded(job, **FAST)
        error = caught.value
        assert error.failure_code is FailureCode.PRE_LAUNCH_FILE_FAILURE
        assert "pre-launch" in error.failure_code.description
        (robot,) = error.failed_robots
        assert robot.status is RobotStatus.FAILED
        assert robot.failure_code is FailureCode.PRE_LAUNCH_FILE_FAILURE
        assert robot.failure_code.category is FailureCategory.LAUNCH_SCRIPTS
        assert "PreLaunchFileFailure" in str(error)


@pytestmark_speed
@pytest.mark.anyio
async def test_offline_robot(robomaker_emulator_background: Emulator) -> None:
    async with robomaker_emulator_background.client() as client:
        app = await versioned_app(client)
        fleet = await plain_fleet(client, "offline", [{TAG_OFFLINE: "true"}])
        job = await deploy(client, fleet, app)
        with pytest.raises(DeploymentFailedError) as caught:
            await client.wait_until_deployment_succeeded(job, **FAST)
        (robot,) = caught.value.failed_robots
        assert robot.status is RobotStatus.NO_RESPONSE
        assert robot.failure_code is FailureCode.ROBOT_DEPLOYMENT_NO_RESPONSE
        assert robot.failure_code.retryable


@MANUAL_CLOCK  # the job is still pending when it is canceled
@pytest.mark.anyio
async def test_a_canceled_job_ends_the_wait(robomaker_emulator_background: Emulator) -> None:
    async with robomaker_emulator_background.client() as client:
        app = await versioned_app(client)
        fleet = await plain_fleet(client, "canceled", [{}, {}])
        job = await deploy(client, fleet, app)
        async with anyio.create_task_group() as group:

            async def cancel_soon() -> None:
                await anyio.sleep(0.02)
                await client.cancel_deployment_job(job)

            group.start_soon(cancel_soon)
            final = await client.wait_for_deployment_job(job, **FAST)
        assert final.status is DeploymentStatus.CANCELED
        with pytest.raises(DeploymentFailedError) as caught:
            await client.wait_until_deployment_succeeded(job, **FAST)
        assert caught.value.failure_code is None
        assert {r.failure_code for r in caught.value.failed_robots} == {FailureCode.ROBOT_DEPLOYMENT_ABORTED}
        assert "Canceled" in str(caught.value)


# -- time, missing jobs, a misbehaving service -------------------------------------------------------


@MANUAL_CLOCK  # the job never ends
@pytest.mark.anyio
async def test_timeout_carries_the_last_job(robomaker_emulator_background: Emulator) -> None:
    async with robomaker_emulator_background.client() as client:
        app = await versioned_app(client)
        fleet = await plain_fleet(client, "slow", [{}])
        job = await deploy(client, fleet, app)
        # On a fake clock: eleven polls on the schedule, the last one on the deadline.
        fake = FakeClock()
        with pytest.raises(WaiterTimeoutError) as caught:
            await client.wait_for_deployment_job(
                job, timeout=300, min_delay=2, max_delay=120, clock=fake.clock()
            )
        assert caught.value.polls == 11
        assert caught.value.elapsed == 300
        assert fake.sleeps[-1] == 48  # from 252 s straight to the deadline
        last = caught.value.job
        assert last is not None
        assert last.arn == job.arn
        assert not last.status.is_terminal
        assert isinstance(last, DescribedDeploymentJob)  # a watch only ever sees described jobs
        # On the real clock: the poll in flight at the deadline is cancelled.
        robomaker_emulator_background.set_faults(latency_ms=300, operations=["DescribeDeploymentJob"])
        with anyio.fail_after(2):
            with pytest.raises(WaiterTimeoutError) as caught:
                await client.wait_for_deployment_job(job, timeout=0.1, min_delay=0.01, max_delay=0.02)
        assert caught.value.polls == 1
        assert caught.value.last is job  # no poll finished: the job it was given
        await settle(client)


@pytestmark_speed
@pytest.mark.anyio
async def test_a_missing_job_ends_the_wait_at_once(robomaker_emulator_background: Emulator) -> None:
    async with robomaker_emulator_background.client() as client:
        with pytest.raises(ResourceNotFoundError):
            await client.wait_for_deployment_job(MISSING_JOB, **FAST)
        assert polls(robomaker_emulator_background, ("DescribeDeploymentJob",)) == 1
        await settle(client)


@pytest.mark.robomaker_emulator(speed=1)
@pytest.mark.anyio
async def test_expired_jobs_end_their_waits(robomaker_emulator_background: Emulator) -> None:
    async with robomaker_emulator_background.client() as client:
        app = await versioned_app(client)
        jobs = await many_jobs(client, app, 12, prefix="old")
        robomaker_emulator_background.advance_clock(JOB_RETENTION_SECONDS + 60)
        outcomes: list[BaseException] = []

        async def wait(job: DeploymentJob) -> None:
            try:
                await client.wait_for_deployment_job(job, **FAST)
            except ResourceNotFoundError as exc:
                outcomes.append(exc)

        async with anyio.create_task_group() as group:
            for job in jobs:
                group.start_soon(wait, job)
        assert len(outcomes) == len(jobs)
        # Twelve jobs: one shared listing found none of them, then one describe each said they are gone.
        assert polls(robomaker_emulator_background, ("DescribeDeploymentJob",)) == len(jobs)
        await settle(client)


@pytestmark_speed
@pytest.mark.anyio
async def test_waiters_ride_out_a_throttling_storm(robomaker_emulator_background: Emulator) -> None:
    config = ClientConfig(max_attempts=2, backoff_base=0.001, backoff_cap=0.005)
    async with robomaker_emulator_background.client(config=config) as client:
        app = await versioned_app(client)
        jobs = await many_jobs(client, app, 10, prefix="storm")
        robomaker_emulator_background.set_faults(
            throttle=0.5,
            internal_error=0.1,
            operations=["DescribeDeploymentJob", "ListDeploymentJobs"],
            seed=7,
        )
        async with anyio.create_task_group() as group:
            for job in jobs:
                group.start_soon(_wait, client, job)
            # A detailed watch of one of them at the same time.
            group.start_soon(lambda: _drain(client.watch_deployment_job(jobs[0], **FAST)))
        faults = robomaker_emulator_background.stats()["faults"]
        assert sum(faults["throttle"].values()) > 10
        robomaker_emulator_background.set_faults()
        finals = [await client.describe_deployment_job(job) for job in jobs]
        assert {job.status for job in finals} == {DeploymentStatus.SUCCEEDED}
        await settle(client)


async def _wait(client: DeploymentClient, job: DeploymentJob) -> None:
    await client.wait_for_deployment_job(job, **FAST)


async def _drain(snapshots: DeploymentWatch) -> None:
    async for _ in snapshots:
        pass


# -- many waiters ---------------------------------------------------------------------------------------


@pytest.mark.robomaker_emulator(speed=100, clock="manual")
@pytest.mark.anyio
async def test_many_waiters_share_their_calls(robomaker_emulator_background: Emulator) -> None:
    async with robomaker_emulator_background.client() as client:
        app = await versioned_app(client)
        jobs = await many_jobs(client, app, 60, prefix="many")
        before = robomaker_emulator_background.stats()["calls"]
        in_flight: Counter[str] = Counter()
        most: Counter[str] = Counter()
        describe = client.describe_deployment_job

        async def counted(job: str | DeploymentJob) -> DescribedDeploymentJob:
            arn = job if isinstance(job, str) else job.arn
            in_flight[arn] += 1
            most[arn] = max(most[arn], in_flight[arn])
            try:
                return await describe(job)
            finally:
                in_flight[arn] -= 1

        client.describe_deployment_job = counted  # type: ignore[method-assign]
        results: dict[str, list[DescribedDeploymentJob]] = {}

        async def wait(job: DeploymentJob) -> None:
            final = await client.wait_for_deployment_job(job, min_delay=0.02, max_delay=0.2, timeout=30.0)
            results.setdefault(job.arn, []).append(final)

        async def end_the_jobs_after_some_polls() -> None:
            # The jobs run (frozen) until every waiter has polled a few times, then all end: how many
            # calls those polls cost never depends on how fast the machine is.
            await until(lambda: hub(client).stats.polls >= 3 * 3 * len(jobs))
            robomaker_emulator_background.advance_clock(3600)

        async with anyio.create_task_group() as group:
            for job in jobs:
                for _ in range(3):  # three waiters per job
                    group.start_soon(wait, job)
            group.start_soon(end_the_jobs_after_some_polls)
        after = robomaker_emulator_background.stats()["calls"]
        describes = after.get("DescribeDeploymentJob", 0) - before.get("DescribeDeploymentJob", 0)
        lists = after.get("ListDeploymentJobs", 0) - before.get("ListDeploymentJobs", 0)
        stats = hub(client).stats
        assert all(len(finals) == 3 for finals in results.values())
        # Each final job is a describe's, with its fleet's one robot (a listed job has none).
        assert all(len(final.robot_deployment_summary) == 1 for r in results.values() for final in r)
        assert max(most.values()) == 1  # never two describes of one job at once
        # About one describe per job (its end), and a few listing calls per pass. Once fewer than
        # list_threshold jobs are left, their waiters describe them rather than list, which costs a
        # few more; unshared, 3 waiters would make >= 3 per job.
        assert describes <= 2 * len(jobs), (describes, lists, stats)
        assert stats.passes > 0
        assert describes + lists < stats.polls / 3
        await settle(client)


@MANUAL_CLOCK
@pytest.mark.anyio
async def test_one_describe_in_flight_for_many_watchers(robomaker_emulator_background: Emulator) -> None:
    async with robomaker_emulator_background.client() as client:
        app = await versioned_app(client)
        job = await deploy(client, await plain_fleet(client, "popular", [{}]), app)
        robomaker_emulator_background.set_faults(latency_ms=100, operations=["DescribeDeploymentJob"])

        async def first(index: int) -> None:
            async for snapshot in client.watch_deployment_job(job, **FAST):
                assert len(snapshot.robot_deployment_summary) == 1
                break

        async with anyio.create_task_group() as group:
            for index in range(50):
                group.start_soon(first, index)
        assert polls(robomaker_emulator_background, ("DescribeDeploymentJob",)) == 1
        assert hub(client).stats.shared == 49
        await settle(client)


@MANUAL_CLOCK  # no job ends before the brief waits are cancelled; then the clock moves
@pytest.mark.anyio
async def test_cancelling_one_waiter_leaves_the_others_going(robomaker_emulator_background: Emulator) -> None:
    async with robomaker_emulator_background.client() as client:
        app = await versioned_app(client)
        jobs = await many_jobs(client, app, 12, prefix="cancel")
        finished: list[DeploymentJob] = []
        cancelled: list[str] = []

        async def wait(job: DeploymentJob) -> None:
            finished.append(await client.wait_for_deployment_job(job, **FAST))

        async def wait_briefly(job: DeploymentJob) -> None:
            with anyio.move_on_after(0.03) as scope:
                await client.wait_for_deployment_job(job, **FAST)
            if scope.cancelled_caught:
                cancelled.append(job.arn)

        async def end_the_jobs_once_cancelled() -> None:
            await until(lambda: len(cancelled) == 2)
            robomaker_emulator_background.advance_clock(3600)

        async with anyio.create_task_group() as group:
            for job in jobs:
                group.start_soon(wait, job)
            group.start_soon(wait_briefly, jobs[0])
            group.start_soon(wait_briefly, jobs[1])
            group.start_soon(end_the_jobs_once_cancelled)
        assert len(cancelled) == 2
        assert len(finished) == len(jobs)
        assert {job.status for job in finished} == {DeploymentStatus.SUCCEEDED}
        await settle(client)


@MANUAL_CLOCK  # the jobs stay pending
@pytest.mark.anyio
async def test_cancelling_every_waiter_mid_call_leaves_nothing(
    robomaker_emulator_background: Emulator,
) -> None:
    async with robomaker_emulator_background.client() as client:
        app = await versioned_app(client)
        jobs = await many_jobs(client, app, 10, prefix="abandon")
        # Slow calls, so the cancel lands while the shared listing and describes are in flight.
        robomaker_emulator_background.set_faults(latency_ms=200)
        with anyio.move_on_after(0.1):
            async with anyio.create_task_group() as group:
                for job in jobs:
                    group.start_soon(_wait, client, job)
                group.start_soon(lambda: _drain(client.watch_deployment_job(jobs[0], **FAST)))
        await settle(client)
        robomaker_emulator_background.set_faults()
        # The client still works, and so do new waiters.
        with pytest.raises(WaiterTimeoutError) as caught:
            await client.wait_for_deployment_job(jobs[0], timeout=0.05, min_delay=0.01, max_delay=0.02)
        assert caught.value.job is not None
        assert caught.value.job.status is DeploymentStatus.PENDING
        await settle(client)


# -- fleets ---------------------------------------------------------------------------------------------


@pytestmark_speed
@pytest.mark.anyio
async def test_wait_for_fleet_in_sync(robomaker_emulator_background: Emulator) -> None:
    async with robomaker_emulator_background.client() as client:
        app = await versioned_app(client)
        fleet = await plain_fleet(client, "syncing", [{}, {}, {}])
        await deploy(client, fleet, app)
        synced = await client.wait_for_fleet_in_sync(fleet, **FAST)
        assert_type(synced, Fleet)
        assert synced.robots is not None
        assert {robot.status for robot in synced.robots} == {RobotStatus.IN_SYNC}

        bad = await plain_fleet(client, "unsyncable", [{}, {TAG_FAIL_STEP: "DownloadingExtracting"}])
        job = await deploy(client, bad, app)
        with pytest.raises(DeploymentFailedError) as caught:
            await client.wait_for_fleet_in_sync(bad.arn, **FAST)
        assert caught.value.job.arn == job.arn
        assert caught.value.failure_code is FailureCode.EXTRACTING_BUNDLE_FAILURE
        await settle(client)


# -- trio -----------------------------------------------------------------------------------------------


# aiobotocore warns that its legacy httpx backend (the one it has for trio) is deprecated: not ours to fix.
@pytest.mark.filterwarnings("ignore:aiobotocore's httpx backend:DeprecationWarning")
def test_waiters_on_trio() -> None:
    with Emulator(speed=200).run_in_background() as emu:

        async def main() -> None:
            async with emu.client() as client:
                assert isinstance(client, DeploymentClient)
                app = await versioned_app(client)
                jobs = await many_jobs(client, app, 10, prefix="trio")
                finals: list[DeploymentJob] = []

                async def wait(job: DeploymentJob) -> None:
                    finals.append(await client.wait_for_deployment_job(job, **FAST))

                async with trio.open_nursery() as nursery:
                    for job in jobs:
                        nursery.start_soon(wait, job)
                    with trio.move_on_after(0.02):  # one more waiter, cancelled early
                        await client.wait_for_deployment_job(jobs[0], **FAST)
                assert {job.status for job in finals} == {DeploymentStatus.SUCCEEDED}
                watched = [s async for s in client.watch_deployment_job(jobs[1], **FAST)]
                assert watched[-1].status is DeploymentStatus.SUCCEEDED
                await settle(client)

        trio.run(main)
