"""Waiters: poll a deployment job (or a fleet) until it ends, sharing the polling between waiters.

Three layers:

* :class:`WaitPolicy` is the timing: the Smithy waiter delay rule in float
  seconds, with the clock, the sleep and the randomness it uses injectable
  (:class:`WaitClock`) so schedules can be tested without waiting.
* :func:`_poll` is one waiter's loop: poll, yield a snapshot when it
  changed, stop on a terminal one, sleep by the policy, give up at the
  deadline with :class:`WaiterTimeoutError`. Retryable errors (throttling,
  5xx, connection) cost a poll, not the wait; ``ResourceNotFoundError`` and
  other non-retryable errors end it at once.
* :class:`Waiters` is the per-client hub that the loops fetch through, so
  that concurrent waiters share their calls:

  - *single flight*: at most one DescribeDeploymentJob (DescribeFleet) in
    flight per ARN; every waiter asking for that ARN meanwhile gets the same
    result. The call runs in the client's background tasks, so a waiter that is
    cancelled stops waiting for it without cancelling it for the others; the
    last one to leave cancels it.
  - *active-set polling*: once ``list_threshold`` or more distinct jobs are
    waited on (by waiters that do not need robot progress, i.e. the
    ``wait_for_*`` methods), a poll of one of them joins the next *pass*: one
    ListDeploymentJobs walk over the statuses Pending, Preparing and
    InProgress, shared by every waiter. A job found there is still running
    (the listing's job, without robot summaries, is the poll's snapshot); a
    job missing from it is described, which gives the final job with its
    robot summaries. A missing job is only ever described, never presumed
    finished, so a job too new to be listed yet or a status that moved during
    the walk costs one describe and nothing else. Passes run on demand, at
    most one per ``min_delay`` of the waiters asking; a pass also wakes early
    the sleeping waiters whose job it found gone, so a job's end is noticed
    within about one pass interval even by a waiter whose backoff grew long.

Cancelling a waiter leaves nothing behind: its registration is removed in a
``finally``, the shared call or pass it waited on is cancelled when no waiter
is left on it, and the pass loop ends when no pass is asked for.
"""

from __future__ import annotations

import logging
import math
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Hashable
from contextlib import aclosing
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

import anyio
import attrs

from ._config import DEFAULT_MAX_DELAY, DEFAULT_MIN_DELAY, DEFAULT_TIMEOUT
from ._enums import DeploymentStatus, RobotStatus
from ._errors import DeploymentFailedError, RoboMakerError, ValidationError, WaiterTimeoutError
from ._models import DeploymentJob, Fleet, RobotDeployment
from ._wire.model import page_limit

if TYPE_CHECKING:
    from ._pagination import Pager

__all__ = [
    "DEFAULT_MAX_DELAY",
    "DEFAULT_MIN_DELAY",
    "DEFAULT_TIMEOUT",
    "DeploymentWatch",
    "WaitClock",
    "WaitPolicy",
    "Waiters",
]

log = logging.getLogger("robomaker_deploy.waiters")

T = TypeVar("T")
S = TypeVar("S", DeploymentJob, Fleet)

_ACTIVE = (DeploymentStatus.PENDING, DeploymentStatus.PREPARING, DeploymentStatus.IN_PROGRESS)
_GAVE_UP = (DeploymentStatus.FAILED, DeploymentStatus.CANCELED)


# -- timing -------------------------------------------------------------------------------------------


async def _anyio_sleep(seconds: float) -> None:
    await anyio.sleep(seconds)


def _anyio_now() -> float:
    return anyio.current_time()


@attrs.frozen(kw_only=True)
class WaitClock:
    """Where a waiter gets its time, its sleep and its jitter; anyio's and :mod:`random`'s by default.

    Inject a fake to test a schedule without waiting: ``sleep`` must move
    ``now`` forward by what it is asked to sleep. The hard deadline that
    cancels a poll still in flight follows the event loop's clock (it cannot
    follow a fake one), so a fake clock decides when a wait times out and
    the real one only stops a poll that hangs.
    """

    sleep: Callable[[float], Awaitable[None]] = _anyio_sleep
    """Sleep this many seconds."""
    now: Callable[[], float] = _anyio_now
    """Seconds on a monotonic clock."""
    random: Callable[[float, float], float] = random.uniform
    """A number between the two bounds, uniformly (the jitter)."""


def _check_delay(name: str, value: float, low_open: float = 0.0) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValidationError(name, repr(value), "must be a finite number of seconds")
    if value <= low_open:
        raise ValidationError(name, repr(value), f"must be more than {low_open:g} seconds")


@attrs.frozen(kw_only=True)
class WaitPolicy:
    """How long a waiter waits and how often it polls (the Smithy waiter rule, in float seconds).

    After poll number *n* (the first poll is made at once) the waiter sleeps a
    delay drawn uniformly from ``[min_delay, min(max_delay, min_delay * 2**(n-1))]``
    (``max_delay`` alone once *n* passes ``log2(max_delay / min_delay) + 1``).
    When that delay would leave less than ``min_delay`` before the deadline,
    the next poll is the last and is moved to the deadline itself, less the
    ``lead`` a poll takes (the slowest poll of the wait so far, at most
    ``min_delay``), so that it still completes in time; if it does not show
    an end the wait raises :class:`WaiterTimeoutError`. ``timeout=None``
    waits without limit (cancel it from outside).
    """

    timeout: float | None = DEFAULT_TIMEOUT
    """Seconds the whole wait may take; ``None`` for no limit."""
    min_delay: float = DEFAULT_MIN_DELAY
    """The first delay between polls, and the least."""
    max_delay: float = DEFAULT_MAX_DELAY
    """The longest delay between polls."""
    clock: WaitClock = attrs.field(factory=WaitClock)

    def __attrs_post_init__(self) -> None:
        _check_delay("min_delay", self.min_delay)
        _check_delay("max_delay", self.max_delay)
        if self.max_delay < self.min_delay:
            raise ValidationError(
                "max_delay", repr(self.max_delay), f"must be at least min_delay ({self.min_delay!r})"
            )
        if self.timeout is not None:
            _check_delay("timeout", self.timeout)

    @property
    def attempt_ceiling(self) -> float:
        """The attempt past which the delay's upper bound is ``max_delay`` (Smithy's ``attemptCeiling``)."""
        return math.log2(self.max_delay / self.min_delay) + 1

    def next_delay(self, attempt: int, remaining: float | None, lead: float = 0.0) -> tuple[float, bool]:
        """The sleep after poll number ``attempt``, and whether the poll after it is the last.

        ``remaining`` is the time left before the deadline (``None``: no
        deadline) and ``lead`` how long before the deadline a last poll
        should start.
        """
        if attempt > self.attempt_ceiling:
            upper = self.max_delay
        else:
            upper = min(self.max_delay, self.min_delay * 2 ** (attempt - 1))
        delay = self.clock.random(self.min_delay, upper) if upper > self.min_delay else self.min_delay
        delay = min(max(delay, self.min_delay), upper)
        if remaining is None:
            return delay, False
        if remaining - delay <= self.min_delay:
            return max(0.0, remaining - max(0.0, min(lead, self.min_delay))), True
        return delay, False


# -- one waiter's loop --------------------------------------------------------------------------------

_UNSEEN: Any = object()


class _Poll(AsyncIterator[S]):
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
        initial: S | None = None,
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
        self.last: S | None = initial
        self._seen: Hashable = _UNSEEN
        self._polls = 0
        self._slowest = 0.0
        self._final = False
        self._pause_first = False  # the previous __anext__ returned a snapshot: wait before polling again
        self._done = False

    def __aiter__(self) -> _Poll[S]:
        return self

    async def aclose(self) -> None:
        """Stop: the next ``__anext__`` ends the iteration."""
        self._done = True

    def _timed_out(self) -> WaiterTimeoutError:
        self._done = True
        return WaiterTimeoutError(
            self._what, last=self.last, elapsed=self._policy.clock.now() - self._start, polls=self._polls
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


def _job_key(job: DeploymentJob) -> Hashable:
    robots = job.robot_deployment_summary
    return (job.status, None if robots is None else tuple(_robot_key(r) for r in robots))


def _job_status_key(job: DeploymentJob) -> Hashable:
    return job.status


def _job_finished(job: DeploymentJob) -> bool:
    # A terminal snapshot always comes from a describe (a listing only shows active jobs), so it has
    # the robot summaries; the check guards against a service that ever lists a terminal job.
    return job.status.is_terminal and job.robot_deployment_summary is not None


def _fleet_key(fleet: Fleet) -> Hashable:
    robots = tuple((robot.arn, robot.status, robot.last_deployment_job) for robot in fleet.robots or ())
    return (fleet.last_deployment_job, fleet.last_deployment_status, robots)


def _fleet_in_sync(fleet: Fleet) -> bool:
    return all(robot.status is RobotStatus.IN_SYNC for robot in fleet.robots or ())


# -- the shared hub -----------------------------------------------------------------------------------


class _Client(Protocol):
    """What the hub needs of a :class:`DeploymentClient`."""

    async def describe_deployment_job(self, job: str | DeploymentJob) -> DeploymentJob: ...

    async def describe_fleet(self, fleet: str | Fleet) -> Fleet: ...

    def list_deployment_jobs(
        self,
        *,
        status: Any = None,
        fleet_name: str | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        starting_token: str | None = None,
        prefetch: int = 1,
    ) -> Pager[DeploymentJob]: ...

    def _spawn(self, func: Callable[[], Coroutine[Any, Any, None]]) -> object: ...


class _Flight(Generic[T]):
    """One shared call: its result (or error) for every waiter on it, cancelled when they all leave."""

    def __init__(self) -> None:
        self.done = anyio.Event()
        self.scope = anyio.CancelScope()
        self.waiters = 0
        self.value: T | None = None
        self.error: Exception | None = None


class _Pass:
    """One shared ListDeploymentJobs walk over the active statuses."""

    def __init__(self, min_interval: float) -> None:
        self.done = anyio.Event()
        self.scope = anyio.CancelScope()
        self.waiters = 0
        self.min_interval = min_interval
        self.started = False
        self.seq = 0
        self.active: dict[str, DeploymentJob] | None = None
        self.error: Exception | None = None


class _Watcher:
    """A running job waiter, as the hub knows it (registered for the waiter's whole life)."""

    def __init__(self, arn: str, detail: bool, seq: int, created_at: datetime | None) -> None:
        self.arn = arn
        self.detail = detail
        self.seq = seq
        self.created_at = created_at
        self.sleeping = False
        self.gone = False
        """A pass found the job out of the active set while the waiter slept: describe it next."""
        self.wake = anyio.Event()


class DeploymentWatch(AsyncIterator[DeploymentJob]):
    """The snapshots of a deployment job, as ``watch_deployment_job`` yields them.

    An async iterator: ``async for job in watch``. Leaving the loop early
    (``break``, an exception, a cancellation) stops the watch at once or, at
    the latest, when the watch is dropped; ``aclose()`` (or
    ``contextlib.aclosing``) stops it explicitly.
    """

    def __init__(self, hub: Waiters, watcher: _Watcher, snapshots: _Poll[DeploymentJob]) -> None:
        self._hub = hub
        self._watcher = watcher
        self._snapshots = snapshots
        self._registered = False
        self._closed = False

    def __aiter__(self) -> DeploymentWatch:
        return self

    async def __anext__(self) -> DeploymentJob:
        if self._closed:
            raise StopAsyncIteration
        try:
            if not self._registered:
                self._hub._register(self._watcher)
                self._registered = True
                # Let waiters started together all register before the first poll, so that it already
                # knows how many jobs are waited on (and goes through a shared listing if they are many).
                await anyio.lowlevel.checkpoint()
            snapshot = await self._snapshots.__anext__()
        except BaseException:
            self._close()
            raise
        self._watcher.created_at = snapshot.created_at
        return snapshot

    async def aclose(self) -> None:
        """Stop watching now."""
        self._close()

    def _close(self) -> None:
        if not self._closed:
            self._closed = True
            if self._registered:
                self._hub._unregister(self._watcher)

    def __del__(self) -> None:
        self._close()


@attrs.define
class WaiterStats:
    """What a client's waiters asked the service for (describes made, list passes walked)."""

    polls: int = 0
    """Polls job waiters made (each would be one describe without sharing)."""
    describes: int = 0
    """DescribeDeploymentJob calls started."""
    fleet_describes: int = 0
    """DescribeFleet calls started."""
    passes: int = 0
    """ListDeploymentJobs walks over the active statuses."""
    shared: int = 0
    """Polls answered by a call another waiter had already started."""
    early_wakes: int = 0
    """Sleeping waiters woken because a pass saw their job end."""


class Waiters:
    """The waiters of one client, and the polling they share (see the module docs)."""

    def __init__(self, client: _Client, *, list_threshold: int = 8) -> None:
        self._client = client
        self.list_threshold = list_threshold
        """Distinct jobs waited on from which their polls go through shared listings."""
        self.stats = WaiterStats()
        self._job_flights: dict[str, _Flight[DeploymentJob]] = {}
        self._ended: dict[str, DeploymentJob] = {}
        """Terminal jobs (they never change again), kept while someone still waits on them."""
        self._fleet_flights: dict[str, _Flight[Fleet]] = {}
        self._watchers: dict[str, list[_Watcher]] = {}
        self._light: dict[str, int] = {}
        """ARN -> how many waiters not needing robot progress wait on it."""
        self._pending: _Pass | None = None
        self._lister_running = False
        self._last_pass_start = -math.inf
        self._list_cost = len(_ACTIVE)
        self._seq = 0
        self._tasks = 0

    @property
    def idle(self) -> bool:
        """True when nothing is registered, in flight or running: what every waiter leaves behind."""
        return not (
            self._job_flights
            or self._ended
            or self._fleet_flights
            or self._watchers
            or self._light
            or self._pending is not None
            or self._lister_running
            or self._tasks
        )

    # -- public operations (the client's thin methods call these) ---------------------------------

    def watch_job(
        self, job: str | DeploymentJob, policy: WaitPolicy, *, detail: bool = True
    ) -> DeploymentWatch:
        """Snapshots of ``job`` until it ends (see ``DeploymentClient.watch_deployment_job``)."""
        return self._watch_job(job, policy, detail)

    async def wait_job(self, job: str | DeploymentJob, policy: WaitPolicy) -> DeploymentJob:
        """The job once it is Succeeded, Failed or Canceled."""
        last: DeploymentJob | None = None
        async with aclosing(self._watch_job(job, policy, False)) as snapshots:
            async for snapshot in snapshots:
                last = snapshot
        assert last is not None  # _poll only ends on a terminal snapshot
        return last

    async def wait_job_succeeded(self, job: str | DeploymentJob, policy: WaitPolicy) -> DeploymentJob:
        """The job once Succeeded; :class:`DeploymentFailedError` if it ended otherwise."""
        final = await self.wait_job(job, policy)
        if final.status is not DeploymentStatus.SUCCEEDED:
            raise DeploymentFailedError(final)
        return final

    async def wait_fleet_in_sync(self, fleet: str | Fleet, policy: WaitPolicy) -> Fleet:
        """The fleet once every robot is InSync (see ``DeploymentClient.wait_for_fleet_in_sync``)."""
        arn = fleet if isinstance(fleet, str) else fleet.arn
        snapshots = _Poll(
            what=f"fleet {arn} to be in sync",
            fetch=partial(self._describe_fleet, arn),
            key=_fleet_key,
            finished=_fleet_in_sync,
            policy=policy,
            initial=None if isinstance(fleet, str) else fleet,
        )
        async with aclosing(snapshots):
            async for snapshot in snapshots:
                if _fleet_in_sync(snapshot):
                    return snapshot
                if snapshot.last_deployment_status in _GAVE_UP and snapshot.last_deployment_job:
                    # The fleet's last deployment is over and left robots behind: nothing will bring
                    # them in sync but a new deployment, so say why now rather than at the timeout.
                    raise DeploymentFailedError(await self._describe_job(snapshot.last_deployment_job))
        raise AssertionError("unreachable: the poll ends on an in-sync fleet or raises")  # pragma: no cover

    # -- one job waiter -------------------------------------------------------------------------------

    def _watch_job(self, job: str | DeploymentJob, policy: WaitPolicy, detail: bool) -> DeploymentWatch:
        arn = job if isinstance(job, str) else job.arn
        self._seq += 1
        watcher = _Watcher(arn, detail, self._seq, None if isinstance(job, str) else job.created_at)
        snapshots = _Poll(
            what=f"deployment job {arn} to end",
            fetch=partial(self._observe, watcher, policy.min_delay),
            key=_job_key if detail else _job_status_key,
            finished=_job_finished,
            policy=policy,
            initial=None if isinstance(job, str) else job,
            sleep=None if detail else partial(self._nap, watcher, policy.clock),
        )
        return DeploymentWatch(self, watcher, snapshots)

    def _register(self, watcher: _Watcher) -> None:
        self._watchers.setdefault(watcher.arn, []).append(watcher)
        if not watcher.detail:
            self._light[watcher.arn] = self._light.get(watcher.arn, 0) + 1

    def _unregister(self, watcher: _Watcher) -> None:
        watchers = self._watchers.get(watcher.arn, [])
        if watcher in watchers:
            watchers.remove(watcher)
        if not watchers:
            self._watchers.pop(watcher.arn, None)
            self._ended.pop(watcher.arn, None)
        if not watcher.detail:
            left = self._light.get(watcher.arn, 0) - 1
            if left > 0:
                self._light[watcher.arn] = left
            else:
                self._light.pop(watcher.arn, None)

    def _listing(self) -> bool:
        jobs = len(self._light)
        # Listing pays when a pass costs fewer calls than describing the jobs would.
        return jobs >= self.list_threshold and jobs >= 2 * self._list_cost

    async def _observe(self, watcher: _Watcher, min_delay: float) -> DeploymentJob:
        """One poll of a watched job: a describe, or the next shared listing pass."""
        self.stats.polls += 1
        if watcher.detail or watcher.gone or not self._listing():
            watcher.gone = False
            return await self._describe_job(watcher.arn)
        active = await self._next_pass(min_delay)
        listed = active.get(watcher.arn)
        if listed is not None:
            return listed
        return await self._describe_job(watcher.arn)

    async def _nap(self, watcher: _Watcher, clock: WaitClock, seconds: float) -> None:
        """Sleep between polls, but wake as soon as a pass sees the job out of the active set."""
        watcher.wake = anyio.Event()
        watcher.sleeping = True
        try:
            async with anyio.create_task_group() as group:

                async def doze() -> None:
                    await clock.sleep(seconds)
                    group.cancel_scope.cancel()

                group.start_soon(doze)
                await watcher.wake.wait()
                group.cancel_scope.cancel()
        finally:
            watcher.sleeping = False

    # -- single flight --------------------------------------------------------------------------------

    async def _describe_job(self, arn: str) -> DeploymentJob:
        ended = self._ended.get(arn)
        if ended is not None:
            self.stats.shared += 1
            return ended
        job = await self._single(self._job_flights, arn, self._client.describe_deployment_job, "describes")
        if job.status.is_terminal and arn in self._watchers:
            self._ended[arn] = job
        return job

    async def _describe_fleet(self, arn: str) -> Fleet:
        return await self._single(self._fleet_flights, arn, self._client.describe_fleet, "fleet_describes")

    async def _single(
        self,
        flights: dict[str, _Flight[T]],
        arn: str,
        fetch: Callable[[str], Awaitable[T]],
        counter: str,
    ) -> T:
        flight = flights.get(arn)
        if flight is None:
            flight = flights[arn] = _Flight()
            setattr(self.stats, counter, getattr(self.stats, counter) + 1)
            self._client._spawn(partial(self._fly, flights, arn, flight, fetch))
        else:
            self.stats.shared += 1
        flight.waiters += 1
        try:
            await flight.done.wait()
        finally:
            flight.waiters -= 1
            if flight.waiters == 0 and not flight.done.is_set():
                # The last waiter left (cancelled): nobody needs the call any more.
                flight.scope.cancel()
                if flights.get(arn) is flight:
                    del flights[arn]
        if flight.error is not None:
            raise flight.error
        if flight.value is None:  # pragma: no cover - only a cancelled flight has neither (and no waiter)
            raise RuntimeError(f"the shared call for {arn} ended without a result")
        return flight.value

    async def _fly(
        self,
        flights: dict[str, _Flight[T]],
        arn: str,
        flight: _Flight[T],
        fetch: Callable[[str], Awaitable[T]],
    ) -> None:
        self._tasks += 1
        try:
            with flight.scope:
                try:
                    flight.value = await fetch(arn)
                except Exception as exc:  # handed to every waiter of the flight
                    flight.error = exc
        finally:
            if flights.get(arn) is flight:
                del flights[arn]
            flight.done.set()
            self._tasks -= 1

    # -- active-set passes ----------------------------------------------------------------------------

    async def _next_pass(self, min_delay: float) -> dict[str, DeploymentJob]:
        """Join the next pass (one not started yet) and return the active jobs it found."""
        pending = self._pending
        if pending is None:
            pending = self._pending = _Pass(min_delay)
        else:
            pending.min_interval = min(pending.min_interval, min_delay)
            self.stats.shared += 1
        if not self._lister_running:
            self._lister_running = True
            self._client._spawn(self._run_passes)
        pending.waiters += 1
        try:
            await pending.done.wait()
        finally:
            pending.waiters -= 1
            if pending.waiters == 0 and not pending.done.is_set():
                if self._pending is pending:
                    self._pending = None
                pending.scope.cancel()
        if pending.error is not None:
            raise pending.error
        if pending.active is None:  # pragma: no cover - a cancelled pass has no waiter left
            raise RuntimeError("the shared listing pass ended without a result")
        return pending.active

    async def _run_passes(self) -> None:
        self._tasks += 1
        try:
            while (current := self._pending) is not None:
                if current.waiters == 0:  # abandoned before it started
                    self._pending = None
                    current.done.set()
                    continue
                with current.scope:
                    wait = self._last_pass_start + current.min_interval - anyio.current_time()
                    if wait > 0:
                        await anyio.sleep(wait)
                    if self._pending is current:
                        self._pending = None  # from here on, new polls join the pass after this one
                    self._seq += 1
                    current.seq = self._seq
                    current.started = True
                    self._last_pass_start = anyio.current_time()
                    self.stats.passes += 1
                    try:
                        current.active = await self._list_active(self._oldest(current.seq))
                    except Exception as exc:  # handed to every waiter of the pass
                        current.error = exc
                if self._pending is current:  # cancelled before it started
                    self._pending = None
                current.done.set()
                if current.active is not None:
                    self._wake_gone(current)
        finally:
            self._lister_running = False
            self._tasks -= 1

    def _oldest(self, before: int) -> datetime | None:
        """When the oldest job waited on was created (``None`` if any is unknown): where a walk may stop."""
        oldest: datetime | None = None
        for watchers in self._watchers.values():
            for watcher in watchers:
                if watcher.detail or watcher.seq > before:
                    continue
                if watcher.created_at is None:
                    return None
                if oldest is None or watcher.created_at < oldest:
                    oldest = watcher.created_at
        return oldest

    async def _list_active(self, oldest: datetime | None) -> dict[str, DeploymentJob]:
        active: dict[str, DeploymentJob] = {}
        pager = self._client.list_deployment_jobs(
            status=_ACTIVE, page_size=page_limit("ListDeploymentJobs"), prefetch=0
        )
        items: AsyncIterator[DeploymentJob] = pager.__aiter__()
        try:
            async for job in items:
                # Newest first: past the oldest job waited on, nothing further is of interest.
                if oldest is not None and job.created_at < oldest:
                    break
                active[job.arn] = job
        finally:
            close = getattr(items, "aclose", None)
            if close is not None:
                await close()
        # One request per status, plus one per further page of each.
        self._list_cost = len(_ACTIVE) + len(active) // page_limit("ListDeploymentJobs")
        return active

    def _wake_gone(self, done: _Pass) -> None:
        assert done.active is not None
        for arn, watchers in self._watchers.items():
            if arn in done.active:
                continue
            for watcher in watchers:
                if watcher.sleeping and not watcher.detail and watcher.seq < done.seq and not watcher.gone:
                    watcher.gone = True
                    watcher.wake.set()
                    self.stats.early_wakes += 1
