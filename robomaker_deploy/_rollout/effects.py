"""Running the core's commands against the service: the only I/O of a rollout, shared by every driver.

:func:`execute` runs one command with the client's public API and returns
its result as the small data :func:`core.apply` takes. Every command may run
twice (a driver that crashed after running it, before saving its result,
runs it again): a create or a sync re-sends the core's client token and gets
the job already made; a cancel of an ended job changes nothing; a watch or a
wait looks again; a gate is asked again.

The watch follows the job with ``deployment_events(...).polls()`` (one
group of events per poll), checks the early-abort rule after each poll and
stops at the first where it holds (the core then cancels the job, and
watches it to its end: so an aborted job always ends ``Canceled``), and
stops at the command's deadline, looking once more if the deadline passed
before it began (a process that was down past it). Its result holds counts
and ARNs, never a snapshot.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from contextlib import aclosing
from datetime import datetime, timezone
from typing import TYPE_CHECKING, TypeAlias, cast

import anyio
import attrs

from .._enums import DeploymentStatus, FailureCode, RobotStatus
from .._errors import ValidationError
from .._models import DeploymentApplicationConfig, DescribedDeploymentJob
from .._outcome import WaiterTimeoutError
from .._waiting.checkpoint import WaitCheckpoint
from .checks import check_plan
from .core import (
    AskGate,
    CancelJob,
    Cancelled,
    Command,
    CreateJob,
    Finish,
    GateAnswered,
    JobCreated,
    Previous,
    Result,
    RolloutState,
    SyncJob,
    Waited,
    WaitUntil,
    WatchEnded,
    WatchJob,
    abort_counts,
)
from .gates import run_gate
from .plan import RolloutPlan

if TYPE_CHECKING:
    # Types only: the watch machinery loads on a rollout's first watch, as on a client's first wait.
    from .._client import ClientCore as DeploymentClient
    from .._waiting.stream import PollEvents

__all__ = ["Progress", "execute", "prepare", "summary", "verify_jobs", "watch"]

Progress: TypeAlias = "Callable[[PollEvents], Awaitable[None]]"
"""Called after each poll of a watch with its events and the stream's checkpoint (a driver saves there)."""


async def prepare(client: DeploymentClient, plan: RolloutPlan) -> tuple[Previous, ...]:
    """Check the plan against the service (every problem in one ValidationError) and read what each
    stage's fleet runs now: the ``previous`` of :func:`core.begin`."""
    if not plan.stages:
        raise ValidationError("stages", "()", "must list at least one stage (a rollout of nothing)")
    inspection = await check_plan(client, plan)
    if inspection.problems:
        raise ValidationError("plan", "<plan>", "cannot be rolled out", inspection.problems)
    previous: list[Previous] = []
    for fleet in inspection.fleets:
        assert fleet is not None
        previous.append(await _last_success(client, fleet.name))
    return tuple(previous)


async def verify_jobs(client: DeploymentClient, state: RolloutState, *, what: str) -> None:
    """Refuse a saved state whose running jobs are not of their stage's fleet (an edited or foreign
    checkpoint): each job still to be watched or cancelled is described and its fleet compared."""
    for index, stage in enumerate(state.report.stages):
        for attempt in (*stage.attempts, stage.rollback):
            if attempt is None or attempt.job is None or attempt.status is not None:
                continue
            job = await client.describe_deployment_job(attempt.job)
            if job.fleet != stage.fleet:
                raise ValidationError(
                    what,
                    attempt.job,
                    f"is a job of fleet {job.fleet}, not of stage {index + 1}'s fleet {stage.fleet}: the"
                    " checkpoint was edited or is another rollout's, and is not resumed",
                )


async def _last_success(client: DeploymentClient, fleet_name: str) -> Previous:
    async for job in client.list_deployment_jobs(fleet_name=fleet_name):
        if job.status is DeploymentStatus.SUCCEEDED:
            configs: tuple[DeploymentApplicationConfig, ...] = job.deployment_application_configs
            return configs
    return None


async def execute(
    client: DeploymentClient,
    plan: RolloutPlan,
    command: Command,
    *,
    progress: Progress | None = None,
    resume: WaitCheckpoint | None = None,
    min_delay: float | None = None,
    max_delay: float | None = None,
) -> Result:
    """Run ``command`` against ``client`` and return its result (see the module docs).

    ``progress`` is called once per poll of a watch; ``resume`` continues a
    watch's event stream where a saved checkpoint left it; ``min_delay`` and
    ``max_delay`` pace the watch (``None``: the client's).
    """
    if isinstance(command, WatchJob):
        async with aclosing(
            watch(client, command, resume=resume, min_delay=min_delay, max_delay=max_delay)
        ) as w:
            async for item in w:
                if isinstance(item, WatchEnded):
                    return item
                if progress is not None:
                    await progress(item)
        raise AssertionError("a watch ends with its result")  # pragma: no cover
    if isinstance(command, CreateJob):
        job = await client.create_deployment_job(
            fleet=command.fleet,
            application_configs=command.configs,
            deployment_config=command.deployment_config,
            client_request_token=command.client_token,
        )
        return JobCreated(arn=job.arn, fleet=job.fleet)
    if isinstance(command, SyncJob):
        job = await client.sync_deployment_job(fleet=command.fleet, client_request_token=command.client_token)
        return JobCreated(arn=job.arn, fleet=job.fleet)
    if isinstance(command, CancelJob):
        await client.cancel_deployment_job(command.job_arn)
        return Cancelled()
    if isinstance(command, WaitUntil):
        await anyio.sleep(max(0.0, (command.until - _now()).total_seconds()))
        return Waited()
    if isinstance(command, AskGate):
        if plan.gate is None:
            raise ValueError("AskGate for a plan without a gate")
        return GateAnswered(result=await run_gate(plan.gate, command.report, timeout=plan.gate_timeout))
    assert isinstance(command, Finish)
    raise ValueError("Finish is not run: it ends the driver's loop")


def _now() -> datetime:
    return datetime.now(timezone.utc)


async def watch(
    client: DeploymentClient,
    command: WatchJob,
    *,
    resume: WaitCheckpoint | None = None,
    min_delay: float | None = None,
    max_delay: float | None = None,
    detail: bool = True,
) -> AsyncGenerator[PollEvents | WatchEnded, None]:
    """The watch of :func:`execute`, poll by poll: each poll's events, then the result, last.

    Robot progress costs a DescribeDeploymentJob per poll per job. When
    nobody needs it (``detail=False``: no consumer of the events) and there
    is no early-abort rule to check, the job is awaited like
    ``wait_for_deployment_job`` awaits it, in the client's shared listing
    passes, and only the result is yielded: many rollouts at once then poll
    as cheaply as many waiters.
    """
    left = (command.deadline - _now()).total_seconds()
    if resume is not None and resume.job == command.job_arn and not resume.state.ended:
        resume = attrs.evolve(resume, deadline=command.deadline)  # the core's deadline is the one
    else:
        resume = None
    if left <= 0:
        # Past the deadline before the watch began (the process was down): one last look.
        yield await _looked(client, command, timed_out=True)
        return
    if not detail and command.abort is None:
        try:
            final = await client.wait_for_deployment_job(
                command.job_arn, timeout=left, min_delay=min_delay, max_delay=max_delay
            )
        except WaiterTimeoutError:
            yield await _looked(client, command, timed_out=True)
            return
        _check_fleet(command, final)
        yield summary(final)
        return
    events = None
    try:
        events = client.deployment_events(
            command.job_arn, timeout=left, min_delay=min_delay, max_delay=max_delay, resume=resume
        )
        checked = False
        # polls() is an async generator: closed here when the watch stops early (trio warns otherwise).
        async with aclosing(cast("AsyncGenerator[PollEvents, None]", events.polls())) as stream:
            async for poll in stream:
                if not checked:
                    _check_fleet(command, poll.snapshot)
                    checked = True
                yield poll
                if command.abort is not None and not poll.snapshot.status.is_terminal:
                    counts = abort_counts(command.abort, poll.checkpoint.state)
                    if counts is not None:
                        yield WatchEnded(
                            status=poll.snapshot.status,
                            aborted_by_rule=True,
                            finished=counts[0],
                            failed_count=counts[1],
                        )
                        return
    except WaiterTimeoutError:
        # Raised by the stream at the deadline, or while it is built if the deadline just passed.
        yield await _looked(client, command, timed_out=True)
        return
    finally:
        if events is not None:
            await events.aclose()
    outcome = events.outcome
    if outcome is None or not isinstance(outcome.job, DescribedDeploymentJob):
        # A resumed stream whose end was delivered before the restart: the job as it is now.
        yield await _looked(client, command, timed_out=False)
        return
    yield summary(outcome.job)


async def _looked(client: DeploymentClient, command: WatchJob, *, timed_out: bool) -> WatchEnded:
    job = await client.describe_deployment_job(command.job_arn)
    _check_fleet(command, job)
    return summary(job, timed_out=timed_out and not job.status.is_terminal)


def _check_fleet(command: WatchJob, job: DescribedDeploymentJob) -> None:
    if job.fleet != command.fleet:
        raise ValidationError(
            "job",
            command.job_arn,
            f"belongs to fleet {job.fleet}, not to stage {command.stage + 1}'s fleet {command.fleet}:"
            " the rollout state was edited or is another rollout's",
        )


def summary(job: DescribedDeploymentJob, *, timed_out: bool = False) -> WatchEnded:
    """The small result of a watch: the job's status and its robots' ARNs by outcome."""
    succeeded: list[str] = []
    failed: dict[str, FailureCode | None] = {}
    cancelled: list[str] = []
    canceled_job = job.status is DeploymentStatus.CANCELED
    for robot in job.robot_deployment_summary:
        if robot.status is RobotStatus.IN_SYNC:
            succeeded.append(robot.arn)
        elif robot.failure_code is not None or robot.status.is_failed:
            if canceled_job and robot.failure_code is FailureCode.ROBOT_DEPLOYMENT_ABORTED:
                cancelled.append(robot.arn)  # stopped by the cancel, not failed on its own
            else:
                failed[robot.arn] = robot.failure_code
    return WatchEnded(
        status=job.status,
        succeeded=_sorted(succeeded),
        failed=dict(sorted(failed.items())),
        cancelled=_sorted(cancelled),
        timed_out=timed_out,
    )


def _sorted(arns: Sequence[str]) -> tuple[str, ...]:
    return tuple(sorted(arns))
