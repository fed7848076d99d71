"""The deployment timeline as a pure function: slots, thresholds, timeouts, steps."""

from __future__ import annotations

import pytest

from robomaker_deploy.emulator import _simulation as sim

T0 = 1_000_000.0


def spec(robots: list[sim.RobotSpec], **kwargs: object) -> sim.JobSpec:
    settings: dict[str, object] = {
        "created_at": T0,
        "speed": 1.0,
        "seed": 7,
        "robots": tuple(robots),
        "source_architectures": frozenset({"X86_64"}),
    }
    settings.update(kwargs)
    return sim.JobSpec(**settings)  # type: ignore[arg-type]


def healthy(n: int) -> list[sim.RobotSpec]:
    return [sim.RobotSpec(f"arn:robot/{i}", "X86_64") for i in range(n)]


def test_phases_and_step_order_with_every_optional_step() -> None:
    plan = sim.plan_job(spec(healthy(1), download_condition=True, pre_launch=True, post_launch=True))
    assert T0 < plan.preparing_at < plan.in_progress_at < plan.end
    assert sim.job_status(plan, T0) == "Pending"
    assert sim.job_status(plan, plan.preparing_at) == "Preparing"
    assert sim.job_status(plan, plan.in_progress_at) == "InProgress"
    assert sim.job_status(plan, plan.end) == "Succeeded"
    robot = plan.robots[0]
    assert robot.step_names == (
        "Validating",
        "DownloadingExtracting",
        "ExecutingDownloadCondition",
        "ExecutingPreLaunch",
        "Launching",
        "ExecutingPostLaunch",
        "Finished",
    )
    assert robot.start is not None
    # Tens of seconds per robot at speed 1.
    assert 20 < robot.end - robot.start < 120


def test_optional_steps_are_skipped_without_their_files() -> None:
    robot = sim.plan_job(spec(healthy(1))).robots[0]
    assert robot.step_names == ("Validating", "DownloadingExtracting", "Launching", "Finished")


def test_download_progress_rises_and_eta_falls() -> None:
    robot = sim.plan_job(spec(healthy(1))).robots[0]
    assert robot.download is not None
    began, done = robot.download
    samples = [sim.robot_view(robot, began + (done - began) * f) for f in (0.1, 0.5, 0.9)]
    assert all(v.status == "Deploying" and v.progress is not None for v in samples)
    percents = [v.progress.percent_done or 0.0 for v in samples if v.progress]
    etas = [v.progress.eta_seconds or 0 for v in samples if v.progress]
    assert percents == sorted(percents)
    assert percents[0] is not None
    assert percents[0] < percents[-1]
    assert etas == sorted(etas, reverse=True)


def test_speed_divides_every_duration() -> None:
    slow = sim.plan_job(spec(healthy(3)))
    fast = sim.plan_job(spec(healthy(3), speed=10.0))
    assert fast.end - T0 == pytest.approx((slow.end - T0) / 10)


def test_concurrency_bounds_robots_in_flight() -> None:
    plan = sim.plan_job(spec(healthy(20), concurrent_percentage=10))  # 2 slots
    events = sorted(
        [(r.start, 1) for r in plan.robots if r.start is not None] + [(r.end, -1) for r in plan.robots]
    )
    in_flight = peak = 0
    for _, delta in events:
        in_flight += delta
        peak = max(peak, in_flight)
    assert peak == 2
    assert all(r.status == "InSync" for r in plan.robots)


def test_failure_threshold_stops_robots_not_started() -> None:
    robots = [sim.RobotSpec(f"arn:robot/{i}", "X86_64", fail_step="Validating") for i in range(3)]
    robots += healthy(7)
    plan = sim.plan_job(spec(robots, concurrent_percentage=10, failure_threshold_percentage=10))
    assert plan.status == "Failed"
    assert plan.failure_code == "FailureThresholdBreached"
    # One slot: robots 0 and 1 fail (2 of 10 > 10%), so robot 2 onwards never start.
    never = [r for r in plan.robots if r.start is None]
    assert len(never) == 8
    assert all(r.status == "Failed" and r.failure_code == "RobotDeploymentAborted" for r in never)
    breach = plan.robots[1].end
    assert all(r.end == breach for r in never)


def test_failures_within_threshold_let_the_rest_run() -> None:
    robots = [sim.RobotSpec("arn:robot/bad", "X86_64", fail_step="Launching", failure_code="LambdaDeleted")]
    plan = sim.plan_job(spec(robots + healthy(9), failure_threshold_percentage=50))
    assert [r.status for r in plan.robots].count("InSync") == 9
    assert plan.status == "Failed"
    assert plan.failure_code == "LambdaDeleted"


def test_robot_timeout_aborts_a_slow_robot() -> None:
    plan = sim.plan_job(spec(healthy(1), robot_timeout_seconds=10))
    robot = plan.robots[0]
    assert robot.status == "Failed"
    assert robot.failure_code == "RobotDeploymentAborted"
    assert robot.start is not None
    assert robot.end - robot.start == pytest.approx(10)
    assert "Finished" not in robot.step_names


def test_offline_robot_never_answers_then_is_no_response() -> None:
    plan = sim.plan_job(spec([sim.RobotSpec("arn:robot/off", "X86_64", offline=True)], speed=2.0))
    robot = plan.robots[0]
    assert robot.start is not None
    middle = sim.robot_view(robot, robot.start + 1)
    assert middle.status == "PendingNewDeployment"
    assert middle.progress is None
    assert robot.end - robot.start == pytest.approx(sim.AGENT_TIMEOUT_SECONDS / 2)
    final = sim.robot_view(robot, robot.end)
    assert (final.status, final.failure_code) == ("NoResponse", "RobotDeploymentNoResponse")


def test_missing_architecture_fails_validation() -> None:
    plan = sim.plan_job(spec([sim.RobotSpec("arn:robot/arm", "ARMHF")]))
    view = sim.robot_view(plan.robots[0], plan.end)
    assert view.failure_code == "MissingRobotApplicationArchitecture"
    assert view.progress is not None
    assert view.progress.step == "Validating"


def test_cancel_freezes_in_flight_robots_as_aborted() -> None:
    plan = sim.plan_job(spec(healthy(2), concurrent_percentage=50))
    first = plan.robots[0]
    assert first.start is not None
    cancel = first.start + 1
    assert sim.job_status(plan, cancel + 100, cancel) == "Canceled"
    assert sim.is_finished(plan, cancel, cancel)
    views = [sim.robot_view(r, cancel + 100, cancel) for r in plan.robots]
    assert [v.failure_code for v in views] == ["RobotDeploymentAborted"] * 2
    assert views[0].progress is not None
    assert views[1].progress is None


def test_fault_tags_are_read_and_unknown_steps_ignored() -> None:
    tagged = sim.RobotSpec.from_tags(
        "a", "X86_64", {"emulator:fail-step": "Launching", "emulator:failure-code": "LambdaDeleted"}
    )
    assert (tagged.fail_step, tagged.failure_code) == ("Launching", "LambdaDeleted")
    assert sim.RobotSpec.from_tags("a", "X86_64", {"emulator:fail-step": "Nope"}).fail_step is None
    assert sim.RobotSpec.from_tags("a", "X86_64", {"emulator:offline": "true"}).offline


def test_thousand_robots_plan() -> None:
    plan = sim.plan_job(spec(healthy(1000), concurrent_percentage=20, failure_threshold_percentage=50))
    views = [sim.robot_view(r, plan.in_progress_at + 30) for r in plan.robots]
    assert len(views) == 1000
