"""The waits the client offers: a job's loop subscribed to the hub, its exit policy, and the waits.

The loop itself is ``poll``'s :class:`Poll`. Here it learns what counts as
a change and as the end of a job (or a fleet), and becomes
:class:`DeploymentWatch`: a job's loop as users see it, subscribed to the
client's hub for as long as it runs, applying the exit policy when it is
left unfinished. The functions at the end are what the client's waiter
methods call: a wait goes policy -> loop -> hub -> client call, and back up
the same way.
"""

from __future__ import annotations

import logging
import math
from collections.abc import AsyncIterator, Hashable
from contextlib import aclosing
from datetime import datetime, timedelta, timezone
from functools import partial
from typing import TypeVar

import anyio
import attrs

from .._enums import DeploymentStatus, RobotStatus
from .._errors import DeploymentFailedError, ValidationError, WaiterTimeoutError
from .._models import DeploymentJob, DescribedDeploymentJob, Fleet, RobotDeployment
from .checkpoint import WaitCheckpoint
from .events import JobState, state_of
from .forecast import Forecast
from .hub import Subscription, Waiters
from .outcome import DeploymentOutcome
from .policy import WaitPolicy
from .poll import Poll
from .tracing import WaitSpan

__all__ = ["DeploymentWatch", "origin", "wait_fleet_in_sync", "wait_job", "wait_job_succeeded", "watch_job"]

log = logging.getLogger("robomaker_deploy.waiters")

J = TypeVar("J", bound=DeploymentJob)

_GAVE_UP = (DeploymentStatus.FAILED, DeploymentStatus.CANCELED)
#: How long a wait leaving an unfinished job with ``on_exit="cancel"`` tries to cancel it.
CANCEL_TIMEOUT = 10.0


# -- what counts as a change, and as the end ----------------------------------------------------------


def _robot_key(robot: RobotDeployment) -> Hashable:
    progress = robot.progress_detail
    return (
        robot.arn,
        robot.status,
        robot.failure_code,
        None if progress is None else progress.current_progress,
        None if progress is None else progress.percent_done,
        None if progress is None else progress.estimated_time_remaining_seconds,
    )


def _job_key(job: DescribedDeploymentJob) -> Hashable:
    return (job.status, tuple(_robot_key(r) for r in job.robot_deployment_summary))


def _job_status_key(job: DeploymentJob) -> Hashable:
    return job.status


def _job_finished(job: DeploymentJob) -> bool:
    # A terminal snapshot always comes from a describe (a listing only shows active jobs), so it has
    # the robots; the check guards against a service that ever lists a terminal job.
    return job.status.is_terminal and isinstance(job, DescribedDeploymentJob)


def _fleet_key(fleet: Fleet) -> Hashable:
    robots = tuple((robot.arn, robot.status, robot.last_deployment_job) for robot in fleet.robots or ())
    return (fleet.last_deployment_job, fleet.last_deployment_status, robots)


def _fleet_in_sync(fleet: Fleet) -> bool:
    return all(robot.status is RobotStatus.IN_SYNC for robot in fleet.robots or ())


# -- the waits the client offers ----------------------------------------------------------------------


class _Subscribed(AsyncIterator[J]):
    """A job's loop, subscribed to the hub from its first poll until it ends or is left.

    It applies the policy's exit rule: left unfinished by a cancellation or
    the deadline, with ``on_exit="cancel"``, it cancels the job before the
    exception goes on.
    """

    def __init__(
        self,
        hub: Waiters,
        subscription: Subscription,
        snapshots: Poll[J],
        policy: WaitPolicy,
        origin: WaitCheckpoint,
        traced_as: str,
    ) -> None:
        self._trace = WaitSpan(traced_as, subscription.arn, policy)
        self._hub = hub
        self._subscription = subscription
        self._snapshots = snapshots
        self._policy = policy
        self._origin = origin
        self._started = False
        self._closed = False

    def __aiter__(self) -> _Subscribed[J]:
        return self

    async def __anext__(self) -> J:
        with self._trace.current():
            try:
                return await self._next()
            except BaseException as exc:
                self._trace.end(self._snapshots, exc)
                raise

    async def _next(self) -> J:
        if self._closed:
            raise StopAsyncIteration
        try:
            if not self._started:
                self._started = True
                self._subscription.open()
                # Let waiters started together all subscribe before the first poll, so that it already
                # knows how many jobs are waited on (and goes through a shared listing if they are many).
                await anyio.lowlevel.checkpoint()
            snapshot = await self._snapshots.__anext__()
        except BaseException as exc:
            self._close()
            if isinstance(exc, (anyio.get_cancelled_exc_class(), WaiterTimeoutError)):
                await self._exit()
            raise
        self._subscription.created_at = snapshot.created_at
        return snapshot

    @property
    def last(self) -> J | None:
        """The last snapshot seen."""
        return self._snapshots.last

    def outcome(self) -> DeploymentOutcome | None:
        """How the wait ended, or stands (``None`` before a first snapshot)."""
        last = self._snapshots.last
        if last is None:
            return None
        return DeploymentOutcome(job=last, polls=self._snapshots.polls, elapsed=self._snapshots.elapsed)

    def _checkpoint(self, state: JobState) -> WaitCheckpoint:
        return attrs.evolve(self._origin, polls=self._snapshots.polls, state=state)

    async def aclose(self) -> None:
        """Stop now (a cancelled task closing it applies the exit policy)."""
        self._close()
        # A task being cancelled sees an effective deadline of -inf: the loop is left because of
        # the cancellation, not by a `break`.
        cancelled = anyio.current_effective_deadline() == -math.inf
        if cancelled:
            with self._trace.current():
                await self._exit()
        self._trace.end(self._snapshots, cancelled=cancelled)

    def _close(self) -> None:
        if not self._closed:
            self._closed = True
            self._subscription.close()

    async def _exit(self) -> None:
        last = self._snapshots.last
        if self._policy.on_exit != "cancel" or (last is not None and last.status.is_terminal):
            return
        arn = self._subscription.arn
        # Shielded from the cancellation that brought us here, bounded on its own, and never in
        # the way of the exception that is on its way out.
        with anyio.CancelScope(shield=True), anyio.move_on_after(CANCEL_TIMEOUT) as scope:
            try:
                await self._hub.cancel_job(arn)
            except Exception as exc:  # reported, not raised: the original exception goes on
                log.warning("could not cancel deployment job %s on leaving its wait: %s", arn, exc)
            else:
                log.info("canceled deployment job %s on leaving its wait (on_exit='cancel')", arn)
                self._trace.job_canceled()
        if scope.cancelled_caught:
            log.warning("could not cancel deployment job %s within %gs", arn, CANCEL_TIMEOUT)

    def __del__(self) -> None:
        self._close()
        self._trace.end(self._snapshots)


class DeploymentWatch(_Subscribed[DescribedDeploymentJob]):
    """The snapshots of a deployment job, as ``watch_deployment_job`` yields them.

    An async iterator: ``async for job in watch``, each a
    :class:`DescribedDeploymentJob`. Leaving the loop early (``break``, an
    exception, a cancellation) stops the watch at once or, at the latest,
    when the watch is dropped; ``aclose()`` (or ``contextlib.aclosing``)
    stops it explicitly. :meth:`checkpoint` says where it stands, for
    ``resume=`` after a restart.
    """

    def __aiter__(self) -> DeploymentWatch:
        return self

    def checkpoint(self) -> WaitCheckpoint:
        """Where the watch stands: pass it as ``resume=`` to continue after a restart."""
        last = self.last
        return self._checkpoint(JobState() if last is None else state_of(last))


def origin(job: str | DeploymentJob, policy: WaitPolicy, resume: WaitCheckpoint | None) -> WaitCheckpoint:
    """Where a wait starts: the checkpoint it resumes (for the same job), or now and now + timeout."""
    arn = job if isinstance(job, str) else job.arn
    if resume is not None:
        if resume.job != arn:
            raise ValidationError("resume", repr(resume.job), f"is a checkpoint of another job, not {arn}")
        return resume
    now = datetime.now(timezone.utc)
    deadline = None if policy.timeout is None else now + timedelta(seconds=policy.timeout)
    return WaitCheckpoint(job=arn, started_at=now, deadline=deadline, polls=0)


def _resumed(policy: WaitPolicy, start: WaitCheckpoint) -> WaitPolicy:
    """``policy`` with what is left of the original deadline (a resumed wait keeps it)."""
    if start.polls == 0 and start.deadline is None:
        return policy
    left = start.remaining()
    if left is not None and left <= 0:
        raise WaiterTimeoutError(
            f"deployment job {start.job} to end (resumed)",
            last=None,
            elapsed=start.elapsed(),
            polls=start.polls,
        )
    return attrs.evolve(policy, timeout=left)


def _subscribe(hub: Waiters, job: str | DeploymentJob, *, detail: bool) -> Subscription:
    if isinstance(job, str):
        return hub.subscribe(job, detail=detail, created_at=None)
    return hub.subscribe(job.arn, detail=detail, created_at=job.created_at, status=job.status)


def watch_job(
    hub: Waiters,
    job: str | DeploymentJob,
    policy: WaitPolicy,
    resume: WaitCheckpoint | None = None,
    *,
    forecast: bool = True,
    traced_as: str = "watch_deployment_job",
) -> DeploymentWatch:
    """Every robot's progress in ``job``, snapshot by snapshot, until it ends.

    Polls are placed by the robots' forecast (``forecast=False``: by the
    plain backoff alone, which the benchmarks compare it with).
    """
    start = origin(job, policy, resume)
    policy = _resumed(policy, start)
    subscription = _subscribe(hub, job, detail=True)
    snapshots = Poll(
        what=f"deployment job {subscription.arn} to end",
        fetch=subscription.describe,
        key=_job_key,
        finished=_job_finished,
        policy=policy,
        given=None if isinstance(job, str) else job,
        polls=start.polls,
        elapsed=start.elapsed() if resume is not None else 0.0,
        forecast=Forecast() if forecast else None,
    )
    return DeploymentWatch(hub, subscription, snapshots, policy, start, traced_as)


async def wait_job(hub: Waiters, job: str | DeploymentJob, policy: WaitPolicy) -> DescribedDeploymentJob:
    """The job once it is Succeeded, Failed or Canceled (polled through the hub's cheapest calls)."""
    final = (await _wait(hub, job, policy, "wait_for_deployment_job")).job
    assert isinstance(final, DescribedDeploymentJob)  # the loop only ends on a described terminal job
    return final


async def _wait(
    hub: Waiters, job: str | DeploymentJob, policy: WaitPolicy, traced_as: str
) -> DeploymentOutcome:
    subscription = _subscribe(hub, job, detail=False)
    snapshots = Poll(
        what=f"deployment job {subscription.arn} to end",
        fetch=partial(subscription.poll, policy.min_delay),
        key=_job_status_key,
        finished=_job_finished,
        policy=policy,
        given=None if isinstance(job, str) else job,
        sleep=partial(subscription.nap, policy.clock),
    )
    polls = _Subscribed(hub, subscription, snapshots, policy, origin(job, policy, None), traced_as)
    async with aclosing(polls):
        async for _ in polls:
            pass
    outcome = polls.outcome()
    assert outcome is not None  # the loop ended on a terminal snapshot
    return outcome


async def wait_job_succeeded(
    hub: Waiters, job: str | DeploymentJob, policy: WaitPolicy
) -> DescribedDeploymentJob:
    """The job once Succeeded; :class:`DeploymentFailedError` (with the outcome) if it ended otherwise."""
    outcome = await _wait(hub, job, policy, "wait_until_deployment_succeeded")
    final = outcome.job
    assert isinstance(final, DescribedDeploymentJob)  # the loop only ends on a described terminal job
    if final.status is not DeploymentStatus.SUCCEEDED:
        raise DeploymentFailedError(final, outcome=outcome)
    return final


async def wait_fleet_in_sync(hub: Waiters, fleet: str | Fleet, policy: WaitPolicy) -> Fleet:
    """The fleet once every robot is InSync (see ``DeploymentClient.wait_for_fleet_in_sync``)."""
    arn = fleet if isinstance(fleet, str) else fleet.arn
    snapshots = Poll(
        what=f"fleet {arn} to be in sync",
        fetch=partial(hub.describe_fleet, arn),
        key=_fleet_key,
        finished=_fleet_in_sync,
        policy=policy,
        given=None if isinstance(fleet, str) else fleet,
    )
    async with aclosing(snapshots):
        async for snapshot in snapshots:
            if _fleet_in_sync(snapshot):
                return snapshot
            if snapshot.last_deployment_status in _GAVE_UP and snapshot.last_deployment_job:
                # The fleet's last deployment is over and left robots behind: nothing will bring
                # them in sync but a new deployment, so say why now rather than at the timeout.
                raise DeploymentFailedError(await hub.describe_job(snapshot.last_deployment_job))
    raise AssertionError("unreachable: the poll ends on an in-sync fleet or raises")  # pragma: no cover
