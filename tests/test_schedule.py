"""A watch's schedule as arithmetic: the backoff, or the cadence of the robots in flight, on a fake clock."""

from __future__ import annotations

import math
from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from robomaker_deploy import (
    DeploymentConfig,
    DeploymentStatus,
    DescribedDeploymentJob,
    ProgressDetail,
    RobotDeployment,
    RobotDeploymentStep,
    RobotStatus,
    WaitClock,
    WaitPolicy,
)
from robomaker_deploy._waiting.forecast import in_flight
from robomaker_deploy._waiting.policy import CADENCE
from tests.support.clocks import FakeClock
from tests.support.scripted import scripted_watch

MIDDLE = WaitClock(random=lambda low, high: (low + high) / 2)
DOWNLOADING = RobotDeploymentStep.DOWNLOADING_EXTRACTING


def _at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)


def robot(
    name: str,
    status: RobotStatus = RobotStatus.DEPLOYING,
    *,
    start: float | None = None,
    finish: float | None = None,
    step: RobotDeploymentStep | None = None,
    percent: float | None = None,
    eta: int | None = None,
) -> RobotDeployment:
    """A robot's deployment as the service reports it (times in seconds since the epoch)."""
    progress = None
    if step is not None:
        progress = ProgressDetail(
            current_progress=step, percent_done=percent, estimated_time_remaining_seconds=eta
        )
    return RobotDeployment(
        arn=f"arn:aws:robomaker:us-east-1:123456789012:robot/{name}/1",
        status=status,
        deployment_start_time=None if start is None else _at(start),
        deployment_finish_time=None if finish is None else _at(finish),
        progress_detail=progress,
    )


def job(
    *robots: RobotDeployment,
    status: DeploymentStatus = DeploymentStatus.IN_PROGRESS,
    concurrency: int | None = None,
) -> DescribedDeploymentJob:
    return DescribedDeploymentJob(
        arn="arn:aws:robomaker:us-east-1:123456789012:deployment-job/forecast",
        fleet="arn:aws:robomaker:us-east-1:123456789012:deployment-fleet/f/1",
        status=status,
        created_at=_at(0),
        deployment_config=DeploymentConfig(concurrent_deployment_percentage=concurrency),
        robot_deployment_summary=robots,
    )


def pending(name: str) -> RobotDeployment:
    return robot(name, RobotStatus.PENDING_NEW_DEPLOYMENT)


# -- the policy: the backoff, or the cadence of the robots in flight -----------------------------------


def test_without_robots_in_flight_the_backoff_applies() -> None:
    policy = WaitPolicy(min_delay=2, max_delay=30, timeout=None, clock=MIDDLE)
    # The Smithy rule as before (middle jitter: 2, 3, 5, 9, 16).
    assert [policy.next_delay(n, None)[0] for n in range(1, 6)] == [2, 3, 5, 9, 16]
    assert policy.next_delay(3, None, in_flight=0.0) == (5, False)
    # A count that is not a number is no count.
    assert policy.next_delay(3, None, in_flight=math.nan) == (5, False)


def test_the_cadence_tightens_with_the_robots_in_flight() -> None:
    policy = WaitPolicy(min_delay=2, max_delay=30, timeout=None, clock=MIDDLE)
    # Whatever the attempt: max_delay / k**0.6 (middle jitter: the cadence itself).
    for attempt in (1, 3, 9):
        assert policy.next_delay(attempt, None, in_flight=4)[0] == pytest.approx(30 / 4**CADENCE)
    delays = [policy.next_delay(1, None, in_flight=k)[0] for k in (2, 3, 5)]
    assert delays == pytest.approx([30 / 2**0.6, 30 / 3**0.6, 30 / 5**0.6])  # 19.8, 15.5, 11.4 s
    # One robot: never the whole max_delay, which the backoff only draws by chance (the middle of
    # the jitter's span, which ends at max_delay - min_delay).
    assert policy.next_delay(1, None, in_flight=1) == (27, False)
    # Past about six robots, a poll of the job costs more than the cadence would gain: max_delay / 3.
    assert policy.next_delay(1, None, in_flight=7) == (10, False)
    assert policy.next_delay(1, None, in_flight=10_000) == (10, False)
    # Never below min_delay, whatever max_delay / 3 is.
    narrow = WaitPolicy(min_delay=2, max_delay=4, timeout=None, clock=MIDDLE)
    assert narrow.next_delay(1, None, in_flight=100) == (2, False)


def test_the_cadence_is_jittered_within_min_delay() -> None:
    draws: list[tuple[float, float]] = []

    def low(a: float, b: float) -> float:
        draws.append((a, b))
        return a

    policy = WaitPolicy(min_delay=2, max_delay=30, timeout=None, clock=WaitClock(random=low))
    cadence = 30 / 4**CADENCE
    assert policy.next_delay(1, None, in_flight=4)[0] == pytest.approx(cadence - 1)
    assert draws == [pytest.approx((cadence - 1, cadence + 1))]
    # At the longest sleep the span ends there, rather than half of it being clamped to one instant.
    draws.clear()
    assert policy.next_delay(1, None, in_flight=1) == (26, False)
    assert draws == [(26, 28)]
    # A clock that draws out of range is clamped to the span, as the backoff's is.
    wild = WaitPolicy(min_delay=2, max_delay=30, timeout=None, clock=WaitClock(random=lambda a, b: 1e9))
    assert wild.next_delay(1, None, in_flight=4)[0] == pytest.approx(cadence + 1)
    assert wild.next_delay(1, None, in_flight=1) == (28, False)


@given(
    st.floats(0.1, 10),
    st.floats(0, 100),
    st.one_of(st.floats(0.001, 10_000), st.integers(1, 10_000)),
    st.floats(0, 1),
    st.integers(1, 50),
)
def test_the_cadence_stays_within_its_bounds(
    min_delay: float, spread: float, in_flight: float, draw: float, attempt: int
) -> None:
    max_delay = min_delay + spread
    clock = WaitClock(random=lambda low, high: low + draw * (high - low))
    policy = WaitPolicy(min_delay=min_delay, max_delay=max_delay, timeout=None, clock=clock)
    delay, final = policy.next_delay(attempt, None, in_flight=in_flight)
    assert not final
    assert min_delay <= delay <= max(min_delay, max_delay - min_delay)
    # More robots in flight never make the watch poll less often (the jitter aside).
    assert delay <= policy.next_delay(attempt, None, in_flight=in_flight / 2)[0] + min_delay


def test_a_cadence_past_the_deadline_moves_the_last_poll_to_it() -> None:
    policy = WaitPolicy(min_delay=2, max_delay=30, timeout=100, clock=MIDDLE)
    delay, final = policy.next_delay(5, remaining=20.0, lead=0.5, in_flight=1)
    assert final
    assert delay == pytest.approx(19.5)
    assert policy.next_delay(5, remaining=50.0, lead=0.5, in_flight=1) == (27, False)


# -- how many robots can end ----------------------------------------------------------------------------


def test_robots_in_flight_are_counted() -> None:
    downloading = robot("a", start=90, step=DOWNLOADING, percent=40.0, eta=20)
    validating = robot("b", start=99, step=RobotDeploymentStep.VALIDATING)
    done = robot("c", RobotStatus.IN_SYNC, start=10, finish=40, step=RobotDeploymentStep.FINISHED)
    failed = robot("d", RobotStatus.FAILED, start=10, finish=20, step=DOWNLOADING)
    # A robot the service started but that never answered yet (no progress): in flight too.
    silent = robot("e", RobotStatus.PENDING_NEW_DEPLOYMENT, start=95)
    assert in_flight(job(downloading, validating, done, failed, silent, pending("f"))) == 3
    # The time a download says remains does not matter: it can still fail any moment.
    assert in_flight(job(robot("a", start=90, step=DOWNLOADING, eta=600))) == 1


def test_before_any_robot_starts_the_first_share_counts() -> None:
    robots = [pending(f"r{n}") for n in range(20)]
    assert in_flight(job(*robots, status=DeploymentStatus.PENDING, concurrency=25)) == 5
    assert in_flight(job(*robots, status=DeploymentStatus.PREPARING, concurrency=34)) == pytest.approx(6.8)
    assert in_flight(job(*robots, status=DeploymentStatus.PENDING)) == 20  # no limit: all at once
    # A share below one robot still starts one.
    assert in_flight(job(pending("a"), pending("b"), status=DeploymentStatus.PENDING, concurrency=25)) == 1


def test_once_every_robot_ended_the_jobs_end_is_due() -> None:
    done = robot("a", RobotStatus.IN_SYNC, start=10, finish=40, step=RobotDeploymentStep.FINISHED)
    # Between a's end and the next start, the robots the service starts next count (one slot here).
    waiting = job(done, pending("b"), pending("c"), pending("d"), concurrency=25)
    assert in_flight(waiting) == 1
    assert in_flight(job(done, pending("b"), pending("c"))) == 2  # no limit: all that are left
    assert in_flight(job(done)) == 0
    assert in_flight(job(status=DeploymentStatus.PREPARING)) == 0  # no robots: nothing to count


@given(
    st.lists(
        st.tuples(
            st.sampled_from(list(RobotStatus)),
            st.one_of(st.none(), st.floats(0, 1000)),
            st.one_of(st.none(), st.integers(0, 600)),
        ),
        max_size=8,
    ),
    st.one_of(st.none(), st.integers(1, 100)),
)
def test_the_count_is_zero_only_once_every_robot_ended(
    robots: list[tuple[RobotStatus, float | None, int | None]], concurrency: int | None
) -> None:
    snapshot = job(
        *(
            robot(f"r{n}", status, start=start, step=None if eta is None else DOWNLOADING, eta=eta)
            for n, (status, start, eta) in enumerate(robots)
        ),
        concurrency=concurrency,
    )
    count = in_flight(snapshot)
    left = sum(not r.status.is_terminal for r in snapshot.robot_deployment_summary)
    # Which robots run is the hand-built cases' business above; here, what holds for any snapshot:
    # nothing can end once every robot has, and otherwise between one and all of those left.
    if left:
        assert 1 <= count <= left
    else:
        assert count == 0


# -- the loop, on a scripted deployment ----------------------------------------------------------------


def _waves(t: float) -> DescribedDeploymentJob:
    """Four robots two at a time (50%): pending until 8 s, a and b until 40 s, c and d until 70 s."""
    if t < 8:
        return job(*(pending(n) for n in "abcd"), status=DeploymentStatus.PENDING, concurrency=50)
    first = [robot(n, start=8, step=DOWNLOADING, eta=math.ceil(40 - t)) for n in "ab"]
    if t < 40:
        return job(*first, pending("c"), pending("d"), concurrency=50)
    done = [
        robot(n, RobotStatus.IN_SYNC, start=8, finish=40, step=RobotDeploymentStep.FINISHED) for n in "ab"
    ]
    if t < 70:
        second = [robot(n, start=40, step=RobotDeploymentStep.LAUNCHING) for n in "cd"]
        return job(*done, *second, concurrency=50)
    last = [
        robot(n, RobotStatus.IN_SYNC, start=40, finish=70, step=RobotDeploymentStep.FINISHED) for n in "cd"
    ]
    return job(*done, *last, status=DeploymentStatus.SUCCEEDED, concurrency=50)


async def _poll_times(forecast: bool) -> list[float]:
    fake = FakeClock()
    seen: list[float] = []

    async def describe() -> DescribedDeploymentJob:
        seen.append(fake.now)
        return _waves(fake.now)

    policy = WaitPolicy(min_delay=2, max_delay=30, timeout=300, clock=fake.clock())
    async with scripted_watch(describe, policy, forecast=forecast) as watch:
        await watch.result()
    return seen


@pytest.mark.anyio
async def test_a_watch_polls_on_the_cadence_of_its_robots_in_flight() -> None:
    # The backoff alone (middle jitter): 0, 2, 5, 10, 19, 35, 51, 67, 83; the end (70 s) is seen at 83.
    assert await _poll_times(forecast=False) == [0, 2, 5, 10, 19, 35, 51, 67, 83]
    # Two robots can end at any time from the start (the share of four the service starts first,
    # then the two in flight): a poll every 30 / 2**0.6 = 19.8 s; the end is seen at 79.2.
    cadence = 30 / 2**CADENCE
    assert await _poll_times(forecast=True) == pytest.approx(
        [0, cadence, 2 * cadence, 3 * cadence, 4 * cadence]
    )
