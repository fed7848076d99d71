"""Waiting: the client's waits, watch and event stream, each a short wrapper over one watch.

Each method turns its arguments into a :class:`WaitPolicy` and builds the
job's watch (``_waiting.watch``) on the client's shared poller; it returns a
view of it (the snapshots, the events) or runs it to its end. A wait goes
client method -> watch -> poller -> client call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeGuard

from .._config import DEFAULT_TIMEOUT, ClientConfig
from .._models import DeploymentJob, DescribedDeploymentJob, Fleet
from .calls import Operations

if TYPE_CHECKING:
    from .._waiting.checkpoint import WaitCheckpoint
    from .._waiting.policy import ExitPolicy, WaitClock, WaitPolicy
    from .._waiting.source import Poller
    from .._waiting.stream import DeploymentEvents
    from .._waiting.watch import DeploymentWatch, Watch

# ``_waiting`` is imported by each method, not above: a program that never waits (a deploy
# script, the command line's ``--help``) does not pay for loading the waiting machinery.

__all__ = ["WaitOperations"]


class WaitOperations(Operations):
    """The waiting part of :class:`DeploymentClient`."""

    _config: ClientConfig

    def _poller(self) -> Poller:
        raise NotImplementedError  # the client provides its poller

    async def wait_for_deployment_job(
        self,
        job: str | DeploymentJob,
        *,
        timeout: float | None = DEFAULT_TIMEOUT,
        min_delay: float | None = None,
        max_delay: float | None = None,
        clock: WaitClock | None = None,
        on_exit: ExitPolicy = "detach",
    ) -> DescribedDeploymentJob:
        """Wait until the job is Succeeded, Failed or Canceled and return it, robot summaries included.

        Polls at once, then after delays growing exponentially from
        ``min_delay`` to ``max_delay`` seconds with jitter (see
        :class:`WaitPolicy`); either left ``None`` is the client's
        (``ClientConfig.wait_min_delay`` and ``wait_max_delay``, moved to
        meet the other if that one is given and they would cross).
        ``timeout`` (seconds, ``None`` for no limit) bounds the whole wait:
        a poll still in flight at the deadline is cancelled and
        :class:`WaiterTimeoutError` carries the last job seen.
        Throttling, 5xx and connection errors cost a poll, not the wait;
        :class:`ResourceNotFoundError` (no such job, or expired) ends it at
        once. Concurrent waiters on this client share their calls: one
        describe in flight per job, and one shared ListDeploymentJobs pass
        over the active statuses when many jobs are waited on. ``clock``
        injects time, sleep and jitter (tests). ``on_exit="cancel"`` cancels
        the job if the wait is cancelled or times out before it ended
        (``"detach"``, the default, leaves it running).
        """
        policy = self._wait_policy(timeout, min_delay, max_delay, clock, on_exit)
        return await self._watch(job, policy, detail=False, traced_as="wait_for_deployment_job").result()

    async def wait_until_deployment_succeeded(
        self,
        job: str | DeploymentJob,
        *,
        timeout: float | None = DEFAULT_TIMEOUT,
        min_delay: float | None = None,
        max_delay: float | None = None,
        clock: WaitClock | None = None,
        on_exit: ExitPolicy = "detach",
    ) -> DescribedDeploymentJob:
        """Wait as :meth:`wait_for_deployment_job` does; return the job if it Succeeded.

        A job that ended Failed or Canceled raises
        :class:`DeploymentFailedError`, which carries the final job, its
        :class:`FailureCode` (description, category, retryability), the
        robots that failed with their own codes and reasons, and the
        :class:`DeploymentOutcome`.
        """
        policy = self._wait_policy(timeout, min_delay, max_delay, clock, on_exit)
        watch = self._watch(job, policy, detail=False, traced_as="wait_until_deployment_succeeded")
        return await watch.succeeded()

    def watch_deployment_job(
        self,
        job: str | DeploymentJob,
        *,
        timeout: float | None = DEFAULT_TIMEOUT,
        min_delay: float | None = None,
        max_delay: float | None = None,
        clock: WaitClock | None = None,
        resume: WaitCheckpoint | None = None,
        on_exit: ExitPolicy = "detach",
    ) -> DeploymentWatch:
        """Yield the job each time its status or any robot's progress changes, until it ends.

        ``async for job in client.watch_deployment_job(arn): ...`` sees the
        first snapshot at once, then one per change of status or of a
        robot's status, step, percent done or time remaining, and last the
        terminal snapshot (robot summaries included), after which the
        iteration ends. Every snapshot comes from DescribeDeploymentJob
        (shared with other waiters on the same job). Timing, timeout and
        errors as in :meth:`wait_for_deployment_job`. Leaving the loop early
        is fine; ``contextlib.aclosing`` releases the watch at once (and,
        when the task is being cancelled, applies ``on_exit``).
        ``watch.checkpoint()`` says where it stands; pass that back as
        ``resume=`` to continue after a restart with the original deadline.
        """
        from .._waiting.watch import DeploymentWatch

        policy = self._wait_policy(timeout, min_delay, max_delay, clock, on_exit)
        return DeploymentWatch(self._watch(job, policy, resume=resume))

    def deployment_events(
        self,
        job: str | DeploymentJob,
        *,
        timeout: float | None = DEFAULT_TIMEOUT,
        min_delay: float | None = None,
        max_delay: float | None = None,
        clock: WaitClock | None = None,
        resume: WaitCheckpoint | None = None,
        on_exit: ExitPolicy = "detach",
    ) -> DeploymentEvents:
        """Yield what changes in the job as typed events, until :class:`JobEnded` (with the outcome).

        The job's status changed (:class:`JobStatusChanged`); a robot
        appeared, started, moved to another step, succeeded, failed, or left
        (:class:`RobotAppeared`, :class:`RobotStarted`,
        :class:`RobotStepChanged`, :class:`RobotSucceeded`,
        :class:`RobotFailed`, :class:`RobotLeft`); each carries the time it
        was observed and the snapshot it came from. ``events.checkpoint()``
        after handling an event, saved and passed back as ``resume=``,
        continues the stream after a restart: the deadline keeps counting
        from the first start, events already delivered are not delivered
        again, and what changed meanwhile is. An event is delivered at least
        once: only those after the last saved checkpoint can repeat.
        Timing, timeout, errors and ``on_exit`` as in
        :meth:`watch_deployment_job`, which it is built on.
        """
        from .._waiting.stream import DeploymentEvents

        policy = self._wait_policy(timeout, min_delay, max_delay, clock, on_exit)
        return DeploymentEvents(self._watch(job, policy, resume=resume, traced_as="deployment_events"))

    async def wait_for_fleet_in_sync(
        self,
        fleet: str | Fleet,
        *,
        timeout: float | None = DEFAULT_TIMEOUT,
        min_delay: float | None = None,
        max_delay: float | None = None,
        clock: WaitClock | None = None,
    ) -> Fleet:
        """Wait until every robot of the fleet is InSync and return the fleet, robots included.

        If the fleet's last deployment ended Failed or Canceled while robots
        are not in sync, nothing brings them there short of a new deployment,
        so :class:`DeploymentFailedError` is raised for that job at once.
        Timing, timeout and errors as in :meth:`wait_for_deployment_job`.
        """
        from .._waiting.watch import FleetWait

        policy = self._wait_policy(timeout, min_delay, max_delay, clock)
        return await FleetWait(self._poller(), fleet, policy).result()

    def _watch(
        self,
        job: str | DeploymentJob,
        policy: WaitPolicy,
        *,
        resume: WaitCheckpoint | None = None,
        detail: bool = True,
        traced_as: str = "watch_deployment_job",
    ) -> Watch:
        from .._waiting.watch import Watch

        return Watch(self._poller(), job, policy, resume=resume, detail=detail, traced_as=traced_as)

    def _wait_policy(
        self,
        timeout: float | None,
        min_delay: float | None,
        max_delay: float | None,
        clock: WaitClock | None,
        on_exit: ExitPolicy = "detach",
    ) -> WaitPolicy:
        from .._waiting.policy import WaitClock, WaitPolicy

        # The client's delays, but never crossing one the caller gave (which WaitPolicy checks).
        if min_delay is None:
            min_delay = _clamp(self._config.wait_min_delay, high=max_delay)
        if max_delay is None:
            max_delay = _clamp(self._config.wait_max_delay, low=min_delay)
        return WaitPolicy(
            timeout=timeout,
            min_delay=min_delay,
            max_delay=max_delay,
            clock=clock or WaitClock(),
            on_exit=on_exit,
        )


def _clamp(value: float, *, low: float | None = None, high: float | None = None) -> float:
    """``value``, moved up to ``low`` or down to ``high`` (each ignored unless a positive number)."""
    if _positive(low) and low > value:
        return float(low)
    if _positive(high) and high < value:
        return float(high)
    return value


def _positive(value: object) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0
