"""A watch's schedule as arithmetic: the backoff counted from the robots' forecast, on a fake clock."""

from __future__ import annotations

import math
from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from robomaker_deploy import (
    DeploymentStatus,
    DescribedDeploymentJob,
    ProgressDetail,
    RobotDeployment,
    RobotDeploymentStep,
    RobotStatus,
    WaitClock,
    WaitPolicy,
)
from robomaker_deploy._waiting.forecast import Forecast
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
    *robots: RobotDeployment, status: DeploymentStatus = DeploymentStatus.IN_PROGRESS
) -> DescribedDeploymentJob:
    return DescribedDeploymentJob(
        arn="arn:aws:robomaker:us-east-1:123456789012:deployment-job/forecast",
        fleet="arn:aws:robomaker:us-east-1:123456789012:deployment-fleet/f/1",
        status=status,
        created_at=_at(0),
        robot_deployment_summary=robots,
    )


def pending(name: str) -> RobotDeployment:
    return robot(name, RobotStatus.PENDING_NEW_DEPLOYMENT)


# -- the policy: quiet time, then the backoff ----------------------------------------------------------


def test_the_backoff_counts_from_the_end_of_the_quiet_time() -> None:
    policy = WaitPolicy(min_delay=2, max_delay=30, timeout=None, clock=MIDDLE)
    # Without a forecast, the Smithy rule as before (middle jitter: 2, 3, 5, 9, 16).
    assert [policy.next_delay(n, None)[0] for n in range(1, 6)] == [2, 3, 5, 9, 16]
    assert policy.next_delay(3, None, quiet=0.0) == (5, False)
    # Nothing expected for 7 s: the backoff's delay starts then.
    assert policy.next_delay(1, None, quiet=7.0) == (9, False)
    assert policy.next_delay(3, None, quiet=7.0) == (12, False)
    # Never past max_delay, whatever the forecast says.
    assert policy.next_delay(5, None, quiet=20.0) == (30, False)
    assert policy.next_delay(1, None, quiet=math.inf) == (30, False)
    # A forecast that is not a number is no forecast.
    assert policy.next_delay(3, None, quiet=math.nan) == (5, False)


def test_a_quiet_time_past_the_deadline_moves_the_last_poll_to_it() -> None:
    policy = WaitPolicy(min_delay=2, max_delay=30, timeout=100, clock=MIDDLE)
    delay, final = policy.next_delay(5, remaining=20.0, lead=0.5, quiet=math.inf)
    assert final
    assert delay == pytest.approx(19.5)
    assert policy.next_delay(5, remaining=50.0, lead=0.5, quiet=10.0) == (26, False)


# -- the forecast --------------------------------------------------------------------------------------


def test_nothing_is_expected_before_a_robot_starts() -> None:
    assert Forecast().quiet(0.0) == 0.0  # nothing seen yet: no forecast
    assert (
        Forecast().observe(job(pending("a"), pending("b"), status=DeploymentStatus.PENDING), 5).quiet(5)
        == math.inf
    )
    assert Forecast().observe(job(status=DeploymentStatus.PREPARING), 5).quiet(5) == math.inf


def test_a_downloading_robot_is_quiet_until_its_download_ends() -> None:
    snapshot = job(robot("a", start=90, step=DOWNLOADING, percent=40.0, eta=20), pending("b"))
    forecast = Forecast().observe(snapshot, at=100.0)
    assert forecast.quiet(100.0) == 20.0
    assert forecast.quiet(112.5) == 7.5
    assert forecast.quiet(130.0) == 0.0  # past it: its end may come any moment


def test_a_robot_nothing_is_known_of_may_end_any_moment() -> None:
    validating = robot("b", start=99, step=RobotDeploymentStep.VALIDATING)
    snapshot = job(robot("a", start=90, step=DOWNLOADING, percent=40.0, eta=20), validating)
    assert Forecast().observe(snapshot, at=100.0).quiet(100.0) == 0.0


def test_finished_robots_teach_how_long_the_rest_takes() -> None:
    first = Forecast().observe(
        job(
            robot("a", start=90, step=DOWNLOADING, percent=50.0, eta=10),
            robot("b", start=90, step=DOWNLOADING, eta=30),
        ),
        at=100.0,
    )
    # a succeeded at 118: 8 s after its download (which ended at 110), 28 s after its start.
    done = robot("a", RobotStatus.IN_SYNC, start=90, finish=118, step=RobotDeploymentStep.FINISHED)
    downloading, validating = robot("b", start=90, step=DOWNLOADING, eta=12), robot("c", start=118)
    snapshot = job(done, downloading, validating)
    later = first.observe(snapshot, at=118.0)
    assert later.after_step == {DOWNLOADING: 8.0}
    assert later.shortest_run == 28.0
    assert later.expected_end(downloading) == 138.0  # its download ends at 130, plus 8
    assert later.expected_end(validating) == 146.0  # it started at 118, plus 28
    assert later.quiet(118.0) == 20.0
    # What it learned stays; each robot is learned from once.
    assert later.observe(snapshot, at=119.0).after_step == {DOWNLOADING: 8.0}


def test_a_service_clock_ahead_of_ours_is_read_back_on_ours() -> None:
    # The service's clock runs an hour ahead: a robot that just started says 3700 at our 100.
    done = robot("a", RobotStatus.IN_SYNC, start=3590, finish=3618, step=RobotDeploymentStep.FINISHED)
    forecast = Forecast().observe(job(done, robot("b", start=3700)), at=100.0)
    assert forecast.ahead == 3600.0
    assert forecast.quiet(100.0) == 28.0  # b started now and the shortest deployment took 28 s


def test_failed_robots_teach_nothing() -> None:
    first = Forecast().observe(job(robot("a", start=90, step=DOWNLOADING, eta=10)), at=100.0)
    failed = robot("a", RobotStatus.FAILED, start=90, finish=105, step=DOWNLOADING)
    later = first.observe(job(failed, robot("b", start=105)), at=106.0)
    assert later.after_step == {}
    assert later.shortest_run is None
    assert later.quiet(106.0) == 0.0


def test_without_a_time_remaining_the_rate_of_percent_done_says_it() -> None:
    first = Forecast().observe(job(robot("a", start=0, step=DOWNLOADING, percent=20.0)), at=0.0)
    assert first.quiet(0.0) == 0.0  # one percentage is no rate
    second = first.observe(job(robot("a", start=0, step=DOWNLOADING, percent=40.0)), at=10.0)
    assert second.quiet(10.0) == 30.0  # 2 % a second, 60 % to go
    third = second.observe(job(robot("a", start=0, step=DOWNLOADING, percent=70.0)), at=20.0)
    assert third.quiet(20.0) == 12.0  # 50 % in 20 s since the first sighting: 30 % to go


def test_once_no_robot_runs_the_jobs_end_is_due() -> None:
    done = robot("a", RobotStatus.IN_SYNC, start=10, finish=40, step=RobotDeploymentStep.FINISHED)
    assert Forecast().observe(job(done), at=41.0).quiet(41.0) == 0.0


@given(
    st.lists(
        st.tuples(
            st.sampled_from(list(RobotStatus)),
            st.one_of(st.none(), st.floats(0, 1000)),
            st.one_of(st.none(), st.integers(0, 600)),
            st.one_of(st.none(), st.floats(0, 100)),
        ),
        max_size=6,
    ),
    st.floats(0, 2000),
    st.floats(0, 600),
)
def test_the_forecast_is_never_negative_and_infinite_only_before_any_start(
    robots: list[tuple[RobotStatus, float | None, int | None, float | None]], at: float, later: float
) -> None:
    snapshot = job(
        *(
            robot(
                f"r{n}",
                status,
                start=start,
                step=DOWNLOADING if eta is not None or percent is not None else None,
                eta=eta,
                percent=percent,
            )
            for n, (status, start, eta, percent) in enumerate(robots)
        )
    )
    quiet = Forecast().observe(snapshot, at).quiet(at + later)
    assert quiet >= 0
    started = any(
        r.status.is_terminal
        or r.status is RobotStatus.DEPLOYING
        or r.deployment_start_time
        or r.progress_detail
        for r in snapshot.robot_deployment_summary
    )
    assert (quiet == math.inf) is not started


# -- the loop, on a scripted deployment ----------------------------------------------------------------


def _one_robot(t: float) -> DescribedDeploymentJob:
    """A job whose one robot starts at 8 s, downloads 12-42 s, launches until 50 s, and succeeds."""
    if t < 8:
        return job(pending("a"), status=DeploymentStatus.PENDING)
    if t < 12:
        return job(robot("a", start=8, step=RobotDeploymentStep.VALIDATING))
    if t < 42:
        return job(
            robot(
                "a", start=8, step=DOWNLOADING, percent=round((t - 12) / 30 * 100, 1), eta=math.ceil(42 - t)
            )
        )
    if t < 50:
        return job(robot("a", start=8, step=RobotDeploymentStep.LAUNCHING))
    done = robot("a", RobotStatus.IN_SYNC, start=8, finish=50, step=RobotDeploymentStep.FINISHED)
    return job(done, status=DeploymentStatus.SUCCEEDED)


async def _poll_times(forecast: bool) -> list[float]:
    fake = FakeClock()
    seen: list[float] = []

    async def describe() -> DescribedDeploymentJob:
        seen.append(fake.now)
        return _one_robot(fake.now)

    policy = WaitPolicy(min_delay=2, max_delay=30, timeout=300, clock=fake.clock())
    async with scripted_watch(describe, policy, forecast=forecast) as watch:
        await watch.result()
    return seen


@pytest.mark.anyio
async def test_a_watch_polls_when_the_robots_forecast_says_an_end_can_come() -> None:
    # The backoff alone (middle jitter): 0, 2, 5, 10, 19, 35, 51; the end (50 s) is seen at 51.
    assert await _poll_times(forecast=False) == [0, 2, 5, 10, 19, 35, 51]
    # Pending at 0: nothing before a robot starts, so max_delay. At 30 the download reports 12 s
    # left, so the backoff (3 s) counts from 42; at 45 it launches, its end due any moment (5 s).
    assert await _poll_times(forecast=True) == [0, 30, 45, 50]
