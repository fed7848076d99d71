"""One watch per job: its policy, its poll loop, the fold of its snapshots into job state, its checkpoint.

A :class:`Watch` is everything one wait on one job is: it polls through the
client's :class:`~.source.Poller` by its :class:`WaitPolicy` (the first poll
at once, then the backoff, or a cadence set by its robots in flight when it
watches them), stops at the job's end, gives up at the deadline, applies the exit
policy when it is left unfinished, and keeps the :class:`JobState` of what
it reported, from which its checkpoint is made. What users hold are views of
it: :class:`DeploymentWatch` (its snapshots), ``DeploymentEvents`` (the
typed events, ``stream``), and :meth:`Watch.result` (the end), each reading
its outcome. The client's wait methods are short wrappers that build one.

A fleet wait (:class:`FleetWait`) is the same poll loop (:class:`Polling`)
on DescribeFleet, without the job's state.
"""

from __future__ import annotations

import logging
import math
from collections.abc import AsyncIterator, Hashable
from datetime import datetime, timedelta, timezone
from typing import Any, Generic, TypeVar

import anyio
import attrs

from .._enums import DeploymentStatus, RobotStatus
from .._errors import RoboMakerError, ValidationError
from .._models import DeploymentJob, DescribedDeploymentJob, Fleet, RobotDeployment
from .._outcome import (
    DeploymentFailedError,
    DeploymentOutcome,
    DeploymentWaitTimeoutError,
    WaiterTimeoutError,
)
from .checkpoint import WaitCheckpoint
from .events import DeploymentEvent, JobState, diff
from .forecast import in_flight
from .policy import WaitPolicy
from .source import Entry, Poller
from .tracing import WaitSpan

__all__ = ["DeploymentWatch"]  # what the package gives; the rest is for the client and the stream

log = logging.getLogger("robomaker_deploy.waiters")

S = TypeVar("S", bound=DeploymentJob | Fleet)

_UNSEEN: Any = object()
_GAVE_UP = (DeploymentStatus.FAILED, DeploymentStatus.CANCELED)
#: How long a wait leaving an unfinished job with ``on_exit="cancel"`` tries to cancel it.
CANCEL_TIMEOUT = 10.0


class Polling(Generic[S]):
    """The poll loop: poll, hand out each snapshot whose key changed, stop at the end, sleep, give up.

    Retryable errors (throttling, 5xx, connection) cost a poll, not the wait;
    ``ResourceNotFoundError`` and other non-retryable errors end it at once.
    What a poll is, what a change is and what the end is are the subclass's.
    """

    def __init__(
        self, what: str, policy: WaitPolicy, given: S | None, *, polls: int = 0, elapsed: float = 0.0
    ) -> None:
        self._what = what
        self._policy = policy
        self._given = given
        """What the caller passed (if a model): the timeout reports it when no poll succeeded."""
        clock = policy.clock
        self._start = clock.now()
        self._real_deadline = None if policy.timeout is None else anyio.current_time() + policy.timeout
        self._deadline = None if policy.timeout is None else self._start + policy.timeout
        self._polls = polls
        self._elapsed_before = elapsed
        self._slowest = 0.0
        self._seen: Hashable = _UNSEEN
        self._final = False
        """The next poll is the last before the deadline."""
        self._pause_first = False  # the last step returned a snapshot: wait before polling again
        self._done = False
        self.last: S | None = None
        """The last snapshot seen."""

    @property
    def polls(self) -> int:
        """Polls made so far (those before a resume included)."""
        return self._polls

    @property
    def elapsed(self) -> float:
        """Seconds waited so far (before a resume included), on the policy's clock."""
        return self._elapsed_before + self._policy.clock.now() - self._start

    # -- what a subclass says --------------------------------------------------------------------------

    async def _fetch(self) -> S:
        raise NotImplementedError

    def _key(self, snapshot: S) -> Hashable:
        raise NotImplementedError

    def _finished(self, snapshot: S) -> bool:
        raise NotImplementedError

    def _saw(self, snapshot: S) -> None:
        """Take in a snapshot a poll returned."""

    def _in_flight(self) -> float:
        """How many robots can end before the next poll (``0``: not counted; the backoff then)."""
        return 0.0

    async def _nap(self, seconds: float) -> None:
        await self._policy.clock.sleep(seconds)

    def _timed_out(self) -> WaiterTimeoutError:
        self._done = True
        last = self.last if self.last is not None else self._given
        return WaiterTimeoutError(self._what, last=last, elapsed=self.elapsed, polls=self._polls)

    # -- the loop ------------------------------------------------------------------------------------------

    async def _step(self) -> S | None:
        """The next snapshot whose key changed (the first one too); ``None`` once the end was handed out."""
        clock = self._policy.clock
        while not self._done:
            if self._pause_first:
                self._pause_first = False
                await self._pause()
            cut = None if self._real_deadline is None else self._real_deadline - anyio.current_time()
            if cut is not None and cut <= 0:
                raise self._timed_out()
            self._polls += 1
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
                self._saw(snapshot)
                self._done = self._finished(snapshot)
                key = self._key(snapshot)
                if key != self._seen:
                    self._seen = key
                    self._pause_first = True
                    return snapshot
                if self._done:
                    break
            await self._pause()
        return None

    async def _pause(self) -> None:
        now = self._policy.clock.now()
        if self._final or (self._deadline is not None and now >= self._deadline):
            raise self._timed_out()
        remaining = None if self._deadline is None else self._deadline - now
        delay, self._final = self._policy.next_delay(
            self._polls, remaining, lead=2 * self._slowest, in_flight=self._in_flight()
        )
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


def job_key(job: DeploymentJob) -> Hashable:
    """What a watch of robots calls a change: the job's status, or any robot's progress."""
    robots = job.robot_deployment_summary if isinstance(job, DescribedDeploymentJob) else ()
    return (job.status, tuple(_robot_key(r) for r in robots))


def job_finished(job: DeploymentJob) -> bool:
    """The end: a terminal job, described (a listing only shows active jobs, so it always is)."""
    return job.status.is_terminal and isinstance(job, DescribedDeploymentJob)


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
    left = start.remaining()
    if left is not None and left <= 0:
        raise WaiterTimeoutError(
            f"deployment job {start.job} to end (resumed)",
            last=None,
            elapsed=start.elapsed(),
            polls=start.polls,
        )
    return attrs.evolve(policy, timeout=left)


# -- the watch --------------------------------------------------------------------------------------------


class Watch(Polling[DeploymentJob]):
    """One wait on one job (see the module docs); ``detail``: it reports robots, so it only describes.

    A watch without detail (``wait_for_*``) only needs the job's status until
    it ends: its polls may be answered by the poller's shared listings, and
    only its end (and its last poll before the deadline) needs a describe.
    """

    def __init__(
        self,
        poller: Poller,
        job: str | DeploymentJob,
        policy: WaitPolicy,
        *,
        resume: WaitCheckpoint | None = None,
        detail: bool = True,
        forecast: bool = True,
        traced_as: str = "watch_deployment_job",
    ) -> None:
        start = origin(job, policy, resume)
        if resume is not None:
            policy = _resumed(policy, start)
        super().__init__(
            f"deployment job {start.job} to end",
            policy,
            None if isinstance(job, str) else job,
            polls=start.polls,
            elapsed=start.elapsed() if resume is not None else 0.0,
        )
        self.arn = start.job
        self._origin = start
        self._poller = poller
        self._detail = detail
        self._described = job if isinstance(job, DescribedDeploymentJob) else None
        self._forecast = forecast and detail
        """Poll on the cadence of the robots in flight (:mod:`.forecast`), not on the plain backoff."""
        self._entry: Entry | None = None
        self._closed = False
        self._exited = False
        self._state = start.state
        self._unfolded: list[DeploymentEvent] = []
        self._unfolded_snapshot: DescribedDeploymentJob | None = None
        self._trace = WaitSpan(traced_as, self.arn, policy)

    # -- the loop's questions ------------------------------------------------------------------------------

    async def _fetch(self) -> DeploymentJob:
        entry = self._entry
        if entry is None:
            given = self._given
            entry = self._entry = self._poller.join(
                self.arn,
                detail=self._detail,
                created_at=None if given is None else given.created_at,
                status=None if given is None else given.status,
            )
            # Let watches started together all join before the first poll, so that it already knows
            # how many jobs are waited on (and goes through a shared listing if they are many).
            await anyio.lowlevel.checkpoint()
        policy = self._policy
        return await self._poller.poll(entry, (policy.min_delay, policy.max_delay), describe=self._final)

    def _key(self, snapshot: DeploymentJob) -> Hashable:
        return job_key(snapshot) if self._detail else snapshot.status

    def _finished(self, snapshot: DeploymentJob) -> bool:
        return job_finished(snapshot)

    def _saw(self, snapshot: DeploymentJob) -> None:
        if self._entry is not None:
            self._entry.created_at = snapshot.created_at
        if isinstance(snapshot, DescribedDeploymentJob):
            self._described = snapshot

    def _in_flight(self) -> float:
        return in_flight(self._described) if self._forecast and self._described is not None else 0.0

    async def _nap(self, seconds: float) -> None:
        if self._entry is None:  # pragma: no cover - a watch sleeps only after its first poll
            await super()._nap(seconds)
        else:
            await self._poller.nap(self._entry, self._policy.clock, seconds)

    def _timed_out(self) -> WaiterTimeoutError:
        self._done = True
        if self._described is None:
            return super()._timed_out()
        return DeploymentWaitTimeoutError(
            self._what, last=self._described, elapsed=self.elapsed, polls=self._polls
        )

    # -- what the views use ---------------------------------------------------------------------------------

    async def next(self) -> DeploymentJob | None:
        """The next snapshot that changed something (the first one too); ``None`` once the watch is over.

        Left by an error, a cancellation or the deadline, the watch leaves
        the poller and, for a cancellation or the deadline, applies its exit
        policy before the exception goes on.
        """
        if self._closed:
            return None
        with self._trace.current():
            try:
                snapshot = await self._step()
            except BaseException as exc:
                self._leave()
                if isinstance(exc, (anyio.get_cancelled_exc_class(), WaiterTimeoutError)):
                    await self._exit()
                self._trace.end(self, exc)
                raise
        if snapshot is None:
            self._leave()
            self._trace.end(self)
        return snapshot

    async def result(self) -> DescribedDeploymentJob:
        """Run the watch to the job's end and return the final job (robots included)."""
        while await self.next() is not None:
            pass
        final = self.last
        if not isinstance(final, DescribedDeploymentJob) or not final.status.is_terminal:
            raise RuntimeError(f"the watch of {self.arn} was closed before the job ended")
        return final

    async def succeeded(self) -> DescribedDeploymentJob:
        """:meth:`result` if the job Succeeded; :class:`DeploymentFailedError` (with the outcome) if not."""
        final = await self.result()
        if final.status is not DeploymentStatus.SUCCEEDED:
            raise DeploymentFailedError(final, outcome=self.outcome())
        return final

    def outcome(self) -> DeploymentOutcome | None:
        """How the wait ended, or stands (``None`` before a first snapshot)."""
        last = self.last
        if last is None:
            return None
        return DeploymentOutcome(job=last, polls=self._polls, elapsed=self.elapsed)

    @property
    def state(self) -> JobState:
        """What the watch reported so far: its snapshots, or its events, folded into the job's state."""
        if self._unfolded_snapshot is not None:
            snapshot, self._unfolded_snapshot = self._unfolded_snapshot, None
            self._state = self._state.apply_all(diff(self._state, snapshot, snapshot.created_at))
        if self._unfolded:
            self._state = self._state.apply_all(self._unfolded)
            self._unfolded = []
        return self._state

    def reported(self, snapshot: DescribedDeploymentJob) -> None:
        """``snapshot`` was handed out whole: the state is the one it shows (folded when next read)."""
        self._unfolded.clear()
        self._unfolded_snapshot = snapshot

    def delivered(self, event: DeploymentEvent) -> None:
        """``event`` was handed out: the state includes it (folded when next read), the span records it."""
        self._unfolded.append(event)
        self._trace.event(event)

    def checkpoint(self) -> WaitCheckpoint:
        """Where the watch stands: pass it as ``resume=`` to continue after a restart."""
        return attrs.evolve(self._origin, polls=self._polls, state=self.state)

    async def close(self) -> None:
        """Stop now (a cancelled task closing it applies the exit policy)."""
        self._leave()
        # A task being cancelled sees an effective deadline of -inf: the watch is left because of
        # the cancellation, not by a `break`.
        cancelled = anyio.current_effective_deadline() == -math.inf
        if cancelled:
            with self._trace.current():
                await self._exit()
        self._trace.end(self, cancelled=cancelled)

    # -- leaving --------------------------------------------------------------------------------------------

    def _leave(self) -> None:
        self._closed = True
        entry, self._entry = self._entry, None
        if entry is not None:
            self._poller.leave(entry)

    async def _exit(self) -> None:
        last = self.last
        if self._exited or self._policy.on_exit != "cancel" or (last is not None and last.status.is_terminal):
            return
        self._exited = True
        arn = self.arn
        # Shielded from the cancellation that brought us here, bounded on its own, and never in
        # the way of the exception that is on its way out.
        with anyio.CancelScope(shield=True), anyio.move_on_after(CANCEL_TIMEOUT) as scope:
            try:
                await self._poller.cancel(arn)
            except Exception as exc:  # reported, not raised: the original exception goes on
                log.warning("could not cancel deployment job %s on leaving its wait: %s", arn, exc)
            else:
                log.info("canceled deployment job %s on leaving its wait (on_exit='cancel')", arn)
                self._trace.job_canceled()
        if scope.cancelled_caught:
            log.warning("could not cancel deployment job %s within %gs", arn, CANCEL_TIMEOUT)

    def __del__(self) -> None:
        if hasattr(self, "_trace"):  # not a watch whose __init__ refused its arguments
            self._leave()
            self._trace.end(self)


class DeploymentWatch(AsyncIterator[DescribedDeploymentJob]):
    """The snapshots of a deployment job, as ``watch_deployment_job`` yields them.

    An async iterator: ``async for job in watch``, each a
    :class:`DescribedDeploymentJob`. Leaving the loop early (``break``, an
    exception, a cancellation) stops the watch at once or, at the latest,
    when the watch is dropped; ``aclose()`` (or ``contextlib.aclosing``)
    stops it explicitly. :meth:`checkpoint` says where it stands, for
    ``resume=`` after a restart.
    """

    def __init__(self, watch: Watch) -> None:
        self._watch = watch

    def __aiter__(self) -> DeploymentWatch:
        return self

    async def __anext__(self) -> DescribedDeploymentJob:
        snapshot = await self._watch.next()
        if snapshot is None:
            raise StopAsyncIteration
        if not isinstance(snapshot, DescribedDeploymentJob):  # pragma: no cover - a watch only describes
            raise TypeError(f"a watch of robots got a job without them: {snapshot!r}")
        self._watch.reported(snapshot)
        return snapshot

    @property
    def last(self) -> DescribedDeploymentJob | None:
        """The last snapshot seen."""
        last = self._watch.last
        return last if isinstance(last, DescribedDeploymentJob) else None

    def outcome(self) -> DeploymentOutcome | None:
        """How the wait ended, or stands (``None`` before a first snapshot)."""
        return self._watch.outcome()

    def checkpoint(self) -> WaitCheckpoint:
        """Where the watch stands: pass it as ``resume=`` to continue after a restart."""
        return self._watch.checkpoint()

    async def aclose(self) -> None:
        """Stop now (a cancelled task closing it applies the exit policy)."""
        await self._watch.close()


# -- fleets -----------------------------------------------------------------------------------------------


def _fleet_in_sync(fleet: Fleet) -> bool:
    return all(robot.status is RobotStatus.IN_SYNC for robot in fleet.robots or ())


class FleetWait(Polling[Fleet]):
    """A wait until every robot of a fleet is InSync (see ``DeploymentClient.wait_for_fleet_in_sync``)."""

    def __init__(self, poller: Poller, fleet: str | Fleet, policy: WaitPolicy) -> None:
        self.arn = fleet if isinstance(fleet, str) else fleet.arn
        super().__init__(f"fleet {self.arn} to be in sync", policy, None if isinstance(fleet, str) else fleet)
        self._poller = poller

    async def _fetch(self) -> Fleet:
        return await self._poller.describe_fleet(self.arn)

    def _key(self, snapshot: Fleet) -> Hashable:
        robots = tuple(
            (robot.arn, robot.status, robot.last_deployment_job) for robot in snapshot.robots or ()
        )
        return (snapshot.last_deployment_job, snapshot.last_deployment_status, robots)

    def _finished(self, snapshot: Fleet) -> bool:
        return _fleet_in_sync(snapshot)

    async def result(self) -> Fleet:
        """The fleet once every robot is InSync; :class:`DeploymentFailedError` if it cannot get there."""
        while (snapshot := await self._step()) is not None:
            if _fleet_in_sync(snapshot):
                return snapshot
            if snapshot.last_deployment_status in _GAVE_UP and snapshot.last_deployment_job:
                # The fleet's last deployment is over and left robots behind: nothing will bring
                # them in sync but a new deployment, so say why now rather than at the timeout.
                raise DeploymentFailedError(await self._poller.describe(snapshot.last_deployment_job))
        raise AssertionError("unreachable: the poll ends on an in-sync fleet or raises")  # pragma: no cover
