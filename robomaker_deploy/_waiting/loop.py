"""One waiter's loop: poll, yield what changed, stop at the end, sleep by the policy, give up at the deadline.

:class:`Poll` is the loop for anything polled (a job, a fleet): retryable
errors (throttling, 5xx, connection) cost a poll, not the wait;
``ResourceNotFoundError`` and other non-retryable errors end it at once.
:class:`DeploymentWatch` is a job's loop as users see it, subscribed to the
client's hub (``hub``) for as long as it runs, and the functions at the end
are what the client's waiter methods call: a wait goes policy -> this loop ->
hub -> client call, and back up the same way.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import aclosing
from functools import partial
from typing import Any, TypeVar

import anyio

from .._enums import DeploymentStatus, RobotStatus
from .._errors import DeploymentFailedError, RoboMakerError, WaiterTimeoutError
from .._models import DeploymentJob, DescribedDeploymentJob, Fleet, RobotDeployment
from .hub import Subscription, Waiters
from .policy import WaitPolicy

__all__ = ["DeploymentWatch", "Poll", "wait_fleet_in_sync", "wait_job", "wait_job_succeeded", "watch_job"]

log = logging.getLogger("robomaker_deploy.waiters")

S = TypeVar("S", bound=DeploymentJob | Fleet)
J = TypeVar("J", bound=DeploymentJob)

_GAVE_UP = (DeploymentStatus.FAILED, DeploymentStatus.CANCELED)
_UNSEEN: Any = object()


class Poll(AsyncIterator[S]):
    """Poll with ``fetch`` until ``finished``; yield each snapshot whose ``key`` changed (the first too).

    A class rather than an async generator: a caller that leaves an
    ``async for`` early simply drops it, where an abandoned async generator
    is finalized later by the event loop (and trio warns about each one).
    """

    def __init__(
        self,
        *,
        what: str,
        fetch: Callable[[], Awaitable[S]],
        key: Callable[[S], Hashable],
        finished: Callable[[S], bool],
        policy: WaitPolicy,
        given: DeploymentJob | Fleet | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        self._what = what
        self._fetch: Callable[[], Awaitable[S]] = fetch
        self._key: Callable[[S], Hashable] = key
        self._finished: Callable[[S], bool] = finished
        self._policy = policy
        clock = policy.clock
        self._nap = sleep or clock.sleep
        self._start = clock.now()
        self._real_deadline = None if policy.timeout is None else anyio.current_time() + policy.timeout
        self._deadline = None if policy.timeout is None else self._start + policy.timeout
        self._given = given
        """What the caller passed (if a model): the timeout reports it when no poll succeeded."""
        self.last: S | None = None
        self._seen: Hashable = _UNSEEN
        self._polls = 0
        self._slowest = 0.0
        self._final = False
        self._pause_first = False  # the previous __anext__ returned a snapshot: wait before polling again
        self._done = False

    def __aiter__(self) -> Poll[S]:
        return self

    async def aclose(self) -> None:
        """Stop: the next ``__anext__`` ends the iteration."""
        self._done = True

    def _timed_out(self) -> WaiterTimeoutError:
        self._done = True
        last = self.last if self.last is not None else self._given
        return WaiterTimeoutError(
            self._what, last=last, elapsed=self._policy.clock.now() - self._start, polls=self._polls
        )

    async def __anext__(self) -> S:
        while not self._done:
            if self._pause_first:
                self._pause_first = False
                await self._pause()
            cut = None if self._real_deadline is None else self._real_deadline - anyio.current_time()
            if cut is not None and cut <= 0:
                raise self._timed_out()
            self._polls += 1
            clock = self._policy.clock
            began = clock.now()
            snapshot: S | None = None
            with anyio.move_on_after(cut):
                try:
                    snapshot = await self._fetch()
                except RoboMakerError as exc:
                    if not exc.retryable:
                        self._done = True
                        raise
                    log.debug("%s: poll %d failed with %s; waiting on", self._what, self._polls, exc.code)
            self._slowest = max(self._slowest, clock.now() - began)
            if snapshot is not None:
                self.last = snapshot
                self._done = self._finished(snapshot)
                now_key = self._key(snapshot)
                if now_key != self._seen:
                    self._seen = now_key
                    self._pause_first = True
                    return snapshot
                if self._done:
                    break
            await self._pause()
        raise StopAsyncIteration

    async def _pause(self) -> None:
        now = self._policy.clock.now()
        if self._final or (self._deadline is not None and now >= self._deadline):
            raise self._timed_out()
        remaining = None if self._deadline is None else self._deadline - now
        delay, self._final = self._policy.next_delay(self._polls, remaining, lead=2 * self._slowest)
        await self._nap(delay)


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
    """A job's loop, subscribed to the hub from its first poll until it ends or is left."""

    def __init__(self, subscription: Subscription, snapshots: Poll[J]) -> None:
        self._subscription = subscription
        self._snapshots = snapshots
        self._started = False
        self._closed = False

    def __aiter__(self) -> _Subscribed[J]:
        return self

    async def __anext__(self) -> J:
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
        except BaseException:
            self._close()
            raise
        self._subscription.created_at = snapshot.created_at
        return snapshot

    async def aclose(self) -> None:
        """Stop watching now."""
        self._close()

    def _close(self) -> None:
        if not self._closed:
            self._closed = True
            self._subscription.close()

    def __del__(self) -> None:
        self._close()


class DeploymentWatch(_Subscribed[DescribedDeploymentJob]):
    """The snapshots of a deployment job, as ``watch_deployment_job`` yields them.

    An async iterator: ``async for job in watch``, each a
    :class:`DescribedDeploymentJob`. Leaving the loop early (``break``, an
    exception, a cancellation) stops the watch at once or, at the latest,
    when the watch is dropped; ``aclose()`` (or ``contextlib.aclosing``)
    stops it explicitly.
    """

    def __aiter__(self) -> DeploymentWatch:
        return self


def _subscribe(hub: Waiters, job: str | DeploymentJob, *, detail: bool) -> Subscription:
    arn = job if isinstance(job, str) else job.arn
    return hub.subscribe(arn, detail=detail, created_at=None if isinstance(job, str) else job.created_at)


def watch_job(hub: Waiters, job: str | DeploymentJob, policy: WaitPolicy) -> DeploymentWatch:
    """Every robot's progress in ``job``, snapshot by snapshot, until it ends."""
    subscription = _subscribe(hub, job, detail=True)
    snapshots = Poll(
        what=f"deployment job {subscription.arn} to end",
        fetch=subscription.describe,
        key=_job_key,
        finished=_job_finished,
        policy=policy,
        given=None if isinstance(job, str) else job,
    )
    return DeploymentWatch(subscription, snapshots)


async def wait_job(hub: Waiters, job: str | DeploymentJob, policy: WaitPolicy) -> DescribedDeploymentJob:
    """The job once it is Succeeded, Failed or Canceled (polled through the hub's cheapest calls)."""
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
    last: DeploymentJob | None = None
    async with aclosing(_Subscribed(subscription, snapshots)) as polls:
        async for snapshot in polls:
            last = snapshot
    assert isinstance(last, DescribedDeploymentJob)  # the loop only ends on a described terminal job
    return last


async def wait_job_succeeded(
    hub: Waiters, job: str | DeploymentJob, policy: WaitPolicy
) -> DescribedDeploymentJob:
    """The job once Succeeded; :class:`DeploymentFailedError` if it ended otherwise."""
    final = await wait_job(hub, job, policy)
    if final.status is not DeploymentStatus.SUCCEEDED:
        raise DeploymentFailedError(final)
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
