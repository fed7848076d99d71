"""The deployment timeline, as a pure function of a job's facts and the (virtual) time.

At creation a job gets a :class:`JobPlan`: every robot's steps with their
start times, its outcome and when it happens, already placed into the job's
concurrency slots and cut short by the failure threshold. Describing the job
at time ``t`` only evaluates that plan. Nothing runs in the background, so a
restart resumes a deployment for free, advancing the clock is instant, and a
job of a thousand robots costs one pass at creation and a bisect per robot
per read.
"""

from __future__ import annotations

import bisect
import heapq
import math
import random
from collections.abc import Mapping

import attrs

from .._enums import DeploymentStatus, FailureCode, RobotDeploymentStep, RobotStatus

#: Tags a robot can carry to make the emulator fail it on purpose (any client can set them).
TAG_FAIL_STEP = "emulator:fail-step"
TAG_FAILURE_CODE = "emulator:failure-code"
TAG_OFFLINE = "emulator:offline"

_S = RobotDeploymentStep
# Seconds each step takes at speed 1, drawn uniformly from these ranges: a robot
# spends tens of seconds overall, most of it downloading, as real robots did.
_STEP_SECONDS: dict[str, tuple[float, float]] = {
    _S.VALIDATING.value: (2.0, 5.0),
    _S.DOWNLOADING_EXTRACTING.value: (15.0, 40.0),
    _S.EXECUTING_DOWNLOAD_CONDITION.value: (2.0, 5.0),
    _S.EXECUTING_PRE_LAUNCH.value: (3.0, 8.0),
    _S.LAUNCHING.value: (5.0, 12.0),
    _S.EXECUTING_POST_LAUNCH.value: (3.0, 8.0),
}
_PENDING_SECONDS = (2.0, 4.0)
_PREPARING_SECONDS = (3.0, 6.0)
# How long the service waited for an agent that never answers before calling it NoResponse.
AGENT_TIMEOUT_SECONDS = 60.0

# What a step fails with when a fault tag names the step but no code.
_DEFAULT_FAILURE: dict[str, str] = {
    _S.VALIDATING.value: FailureCode.MISSING_ROBOT_DEPLOYMENT_RESOURCE.value,
    _S.DOWNLOADING_EXTRACTING.value: FailureCode.EXTRACTING_BUNDLE_FAILURE.value,
    _S.EXECUTING_DOWNLOAD_CONDITION.value: FailureCode.DOWNLOAD_CONDITION_FAILED.value,
    _S.EXECUTING_PRE_LAUNCH.value: FailureCode.PRE_LAUNCH_FILE_FAILURE.value,
    _S.LAUNCHING.value: FailureCode.GREENGRASS_DEPLOYMENT_FAILED.value,
    _S.EXECUTING_POST_LAUNCH.value: FailureCode.POST_LAUNCH_FILE_FAILURE.value,
}


# Wire strings as plain constants: reading an enum member's .value is a descriptor call, and
# describing a thousand-robot job reads them thousands of times.
_IN_SYNC = RobotStatus.IN_SYNC.value
_FAILED = RobotStatus.FAILED.value
_PENDING_NEW = RobotStatus.PENDING_NEW_DEPLOYMENT.value
_DEPLOYING = RobotStatus.DEPLOYING.value
_NO_RESPONSE = RobotStatus.NO_RESPONSE.value
_ABORTED = FailureCode.ROBOT_DEPLOYMENT_ABORTED.value
_FINISHED = _S.FINISHED.value
_DOWNLOADING = _S.DOWNLOADING_EXTRACTING.value


@attrs.frozen
class RobotSpec:
    """What the plan needs to know about one robot, frozen at job creation."""

    arn: str
    architecture: str
    fail_step: str | None = None
    failure_code: str | None = None
    offline: bool = False

    @classmethod
    def from_tags(cls, arn: str, architecture: str, tags: Mapping[str, str]) -> RobotSpec:
        """Read the fault-injection tags; a step name the service does not have is ignored."""
        step = tags.get(TAG_FAIL_STEP)
        if step not in _STEP_SECONDS:
            step = None
        return cls(
            arn=arn,
            architecture=architecture,
            fail_step=step,
            failure_code=tags.get(TAG_FAILURE_CODE) or None,
            offline=tags.get(TAG_OFFLINE, "").lower() == "true",
        )


@attrs.frozen
class JobSpec:
    """The facts a deployment's timeline follows from."""

    created_at: float
    speed: float
    seed: int
    robots: tuple[RobotSpec, ...]
    source_architectures: frozenset[str]
    download_condition: bool = False
    pre_launch: bool = False
    post_launch: bool = False
    concurrent_percentage: int | None = None
    failure_threshold_percentage: int | None = None
    robot_timeout_seconds: int | None = None


@attrs.frozen
class RobotPlan:
    """One robot's part of a deployment, in absolute virtual time."""

    arn: str
    start: float | None
    """When the robot got a deployment slot; ``None`` if it never started."""
    end: float
    """When its status became final."""
    status: str
    step_names: tuple[str, ...] = ()
    step_starts: tuple[float, ...] = ()
    download: tuple[float, float] | None = None
    """Start and natural end of DownloadingExtracting, for ``percentDone``."""
    failure_code: str | None = None
    failure_reason: str | None = None
    answers: bool = True
    """False for an offline robot: it never reports a step."""


@attrs.frozen
class JobPlan:
    """A deployment's whole timeline."""

    created_at: float
    preparing_at: float
    in_progress_at: float
    end: float
    status: str
    """The status the job ends in, unless canceled first."""
    robots: tuple[RobotPlan, ...]
    failure_code: str | None = None
    failure_reason: str | None = None


@attrs.frozen
class ProgressView:
    """``ProgressDetail`` at one instant."""

    step: str
    percent_done: float | None = None
    eta_seconds: int | None = None


@attrs.frozen
class RobotView:
    """A robot's ``RobotDeployment`` at one instant."""

    arn: str
    status: str
    start: float | None
    finish: float | None
    progress: ProgressView | None
    failure_code: str | None
    failure_reason: str | None


def plan_job(spec: JobSpec) -> JobPlan:
    """Lay out the whole deployment: phases, slots, each robot's steps and outcome."""
    rng = random.Random(spec.seed)
    speed = spec.speed
    preparing_at = spec.created_at + rng.uniform(*_PENDING_SECONDS) / speed
    in_progress_at = preparing_at + rng.uniform(*_PREPARING_SECONDS) / speed
    # A job of no robots (a sync with every robot already in sync) takes the same path: it
    # succeeds as it enters InProgress.
    total = len(spec.robots)
    pct = spec.concurrent_percentage
    slots = total if pct is None else max(1, total * pct // 100)
    threshold = spec.failure_threshold_percentage

    def breached(failures: int) -> bool:
        # "exceeds": strictly more than the percentage of the fleet, in integers to avoid rounding.
        return threshold is not None and failures * 100 > total * threshold

    free = [in_progress_at] * slots
    failure_times: list[float] = []
    breach_at: float | None = None
    plans: list[RobotPlan | None] = []
    for robot in spec.robots:
        if breach_at is None:
            start = heapq.heappop(free)
            # Only robots already placed can have failed by `start`: later ones start after it.
            failed_by_start = bisect.bisect_right(failure_times, start)
            if breached(failed_by_start):
                first_breaching = total * (threshold or 0) // 100 + 1
                breach_at = failure_times[first_breaching - 1]
            else:
                plan = _plan_robot(robot, start, spec, rng)
                heapq.heappush(free, plan.end)
                if plan.status != _IN_SYNC:
                    bisect.insort(failure_times, plan.end)
                plans.append(plan)
                continue
        plans.append(None)  # never started: filled in once the breach time is known

    robots = tuple(
        plan
        if plan is not None
        else RobotPlan(
            arn=robot.arn,
            start=None,
            end=breach_at if breach_at is not None else in_progress_at,
            status=_FAILED,
            failure_code=_ABORTED,
            failure_reason="The deployment stopped before this robot started: too many robots failed.",
        )
        for robot, plan in zip(spec.robots, plans, strict=True)
    )
    failed = [r for r in robots if r.status != _IN_SYNC]
    status = DeploymentStatus.SUCCEEDED.value
    code: str | None = None
    reason: str | None = None
    if breached(len(failed)) or breach_at is not None:
        status = DeploymentStatus.FAILED.value
        code = FailureCode.FAILURE_THRESHOLD_BREACHED.value
        reason = f"{len(failed)} of {total} robots failed, more than the failure threshold of {threshold}%."
    elif failed:
        # No threshold stopped it, but the fleet is not in sync: the job failed, for its first failure.
        status = DeploymentStatus.FAILED.value
        code = min(failed, key=lambda r: r.end).failure_code
        reason = f"{len(failed)} of {total} robots failed to deploy."
    end = max([in_progress_at, *(r.end for r in robots)])
    return JobPlan(spec.created_at, preparing_at, in_progress_at, end, status, robots, code, reason)


def _plan_robot(robot: RobotSpec, start: float, spec: JobSpec, rng: random.Random) -> RobotPlan:
    speed = spec.speed
    # Draw every duration even when unused, so one robot's faults never shift another's timings.
    drawn = {step: rng.uniform(low, high) / speed for step, (low, high) in _STEP_SECONDS.items()}
    timeout = None if spec.robot_timeout_seconds is None else spec.robot_timeout_seconds / speed

    if robot.offline:
        wait = AGENT_TIMEOUT_SECONDS / speed
        if timeout is not None:
            wait = min(wait, timeout)
        return RobotPlan(
            arn=robot.arn,
            start=start,
            end=start + wait,
            status=_NO_RESPONSE,
            failure_code=FailureCode.ROBOT_DEPLOYMENT_NO_RESPONSE.value,
            failure_reason="The robot did not respond to the deployment.",
            answers=False,
        )

    steps = [_S.VALIDATING.value, _DOWNLOADING]
    if spec.download_condition:
        steps.append(_S.EXECUTING_DOWNLOAD_CONDITION.value)
    if spec.pre_launch:
        steps.append(_S.EXECUTING_PRE_LAUNCH.value)
    steps.append(_S.LAUNCHING.value)
    if spec.post_launch:
        steps.append(_S.EXECUTING_POST_LAUNCH.value)

    fail_step: str | None = None
    code: str | None = None
    reason: str | None = None
    if robot.architecture not in spec.source_architectures:
        fail_step = _S.VALIDATING.value
        code = FailureCode.MISSING_ROBOT_APPLICATION_ARCHITECTURE.value
        reason = f"The robot application has no source for the robot's architecture {robot.architecture}."
    elif robot.fail_step in steps:
        fail_step = robot.fail_step
        code = robot.failure_code or _DEFAULT_FAILURE[robot.fail_step]
        reason = f"The robot failed at {robot.fail_step} ({code})."

    names: list[str] = []
    starts: list[float] = []
    download: tuple[float, float] | None = None
    at = start
    end: float | None = None
    for step in steps:
        names.append(step)
        starts.append(at)
        duration = drawn[step]
        if step == _DOWNLOADING:
            download = (at, at + duration)
        if step == fail_step:
            # Failures happen partway through a step, not at a boundary.
            end = at + duration / 2
            break
        at += duration
    if end is None:
        names.append(_FINISHED)
        starts.append(at)
        end = at
    status = _IN_SYNC if fail_step is None else _FAILED

    if timeout is not None and end - start > timeout:
        end = start + timeout
        keep = bisect.bisect_right(starts, end)
        # A step starting exactly at the deadline never ran.
        while keep > 1 and starts[keep - 1] >= end:
            keep -= 1
        names, starts = names[:keep], starts[:keep]
        status = _FAILED
        code = _ABORTED
        reason = f"The robot's deployment took longer than {spec.robot_timeout_seconds} seconds."
    return RobotPlan(
        arn=robot.arn,
        start=start,
        end=end,
        status=status,
        step_names=tuple(names),
        step_starts=tuple(starts),
        download=download,
        failure_code=code,
        failure_reason=reason,
    )


def job_status(plan: JobPlan, now: float, canceled_at: float | None = None) -> str:
    """The job's ``status`` at ``now``."""
    if canceled_at is not None and canceled_at < plan.end and now >= canceled_at:
        return DeploymentStatus.CANCELED.value
    if now < plan.preparing_at:
        return DeploymentStatus.PENDING.value
    if now < plan.in_progress_at:
        return DeploymentStatus.PREPARING.value
    if now < plan.end:
        return DeploymentStatus.IN_PROGRESS.value
    return plan.status


def is_finished(plan: JobPlan, now: float, canceled_at: float | None = None) -> bool:
    """Whether the job is in a status it never leaves."""
    return (canceled_at is not None and now >= canceled_at) or now >= plan.end


def settled_at(plan: JobPlan, canceled_at: float | None = None) -> float:
    """From when on the job's view never changes again (what a cache may key on)."""
    return plan.end if canceled_at is None else min(plan.end, canceled_at)


def job_failure(plan: JobPlan, now: float, canceled_at: float | None = None) -> tuple[str | None, str | None]:
    """``(failureCode, failureReason)`` at ``now``: only a job that ended Failed has them."""
    if job_status(plan, now, canceled_at) == DeploymentStatus.FAILED.value:
        return plan.failure_code, plan.failure_reason
    return None, None


def robot_view(robot: RobotPlan, now: float, canceled_at: float | None = None) -> RobotView:
    """One robot's deployment at ``now``."""
    if canceled_at is not None and canceled_at < robot.end and now >= canceled_at:
        # Canceled while pending or in flight: frozen where it was, reported as aborted.
        progress = (
            _progress(robot, canceled_at) if robot.start is not None and canceled_at >= robot.start else None
        )
        return RobotView(
            robot.arn,
            _FAILED,
            robot.start if progress is not None else None,
            canceled_at,
            progress,
            _ABORTED,
            "The deployment job was canceled.",
        )
    if now >= robot.end:
        progress = _progress(robot, robot.end) if robot.start is not None else None
        return RobotView(
            robot.arn,
            robot.status,
            robot.start,
            robot.end,
            progress,
            robot.failure_code,
            robot.failure_reason,
        )
    if robot.start is None or now < robot.start:
        return RobotView(robot.arn, _PENDING_NEW, None, None, None, None, None)
    if not robot.answers:
        return RobotView(robot.arn, _PENDING_NEW, robot.start, None, None, None, None)
    return RobotView(robot.arn, _DEPLOYING, robot.start, None, _progress(robot, now), None, None)


def _progress(robot: RobotPlan, at: float) -> ProgressView | None:
    if not robot.step_names:
        return None
    index = max(0, bisect.bisect_right(robot.step_starts, at) - 1)
    step = robot.step_names[index]
    if at >= robot.end and robot.status == _IN_SYNC:
        step = _FINISHED
    if step == _DOWNLOADING and robot.download is not None:
        began, done = robot.download
        fraction = min(1.0, max(0.0, (at - began) / (done - began))) if done > began else 1.0
        return ProgressView(step, round(fraction * 100, 1), max(0, math.ceil(done - at)))
    return ProgressView(step)
