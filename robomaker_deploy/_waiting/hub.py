"""The waiting hub: one per client, through which every waiter's polls go so that they share calls.

A waiter *subscribes* to a job; each of its polls asks the hub, which answers
with the cheapest call that is true:

- a job whose waiter needs robot progress (a watch), or that is waited on by
  few waiters, is described, one DescribeDeploymentJob in flight per job
  (``flights``);
- once ``list_threshold`` or more distinct jobs are waited on by waiters that
  need no robot progress (the ``wait_for_*`` methods), their polls join the
  next shared listing pass (``passes``). A job found there is still running
  (the listing's job, without robot summaries, is the poll's snapshot); a job
  missing from it is described, which gives the final job with its robot
  summaries. A missing job is only ever described, never presumed finished;
- a job seen ending is remembered while anyone still waits on it (it never
  changes again), and a pass that finds a job gone wakes its sleeping waiters
  early, so an end is noticed within about one pass interval even by a waiter
  whose backoff grew long;
- the hub remembers the last status it saw of each job waited on, so that a
  pass lists only the statuses those jobs can still be in (one request
  stream, not three, once they are all InProgress).

Cancelling a waiter leaves nothing behind: its subscription is closed in a
``finally``, a shared call or pass is cancelled when no waiter is left on it,
and the pass loop ends when no pass is asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator, Mapping
from datetime import datetime
from typing import Any, Protocol

import anyio
import attrs

from .._enums import DeploymentStatus
from .._models import DeploymentJob, DescribedDeploymentJob, Fleet
from .._pagination import Pager
from .flights import Flights
from .passes import Passes, still_possible
from .policy import WaitClock

__all__ = ["Subscription", "WaiterStats", "Waiters"]


class _Client(Protocol):
    """What the hub needs of a :class:`DeploymentClient`."""

    async def describe_deployment_job(self, job: str | DeploymentJob) -> DescribedDeploymentJob: ...

    async def describe_fleet(self, fleet: str | Fleet) -> Fleet: ...

    async def cancel_deployment_job(self, job: str | DeploymentJob) -> None: ...

    def list_deployment_jobs(
        self, *, status: tuple[DeploymentStatus, ...], page_size: int, prefetch: int
    ) -> Pager[DeploymentJob]: ...

    def _spawn(self, func: Callable[[], Coroutine[Any, Any, None]]) -> object: ...


@attrs.frozen
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
    """Polls answered by a call another waiter had already started (or by a job seen ending)."""
    early_wakes: int = 0
    """Sleeping waiters woken because a pass saw their job end."""


class Subscription:
    """One waiter on one job, as the hub knows it (registered from ``open()`` to ``close()``)."""

    def __init__(self, hub: Waiters, arn: str, *, detail: bool, seq: int, created_at: datetime | None):
        self._hub = hub
        self.arn = arn
        self.detail = detail
        """The waiter needs robot progress: its polls are always describes."""
        self.seq = seq
        self.created_at = created_at
        """When the job was created, once known: how far back a shared pass must walk."""
        self.status: DeploymentStatus | None = None
        """The job's status as the caller gave it (the hub's own record takes over once it polls)."""
        self.sleeping = False
        self.gone = False
        """A pass found the job out of the active set while the waiter slept: describe it next."""
        self.wake = anyio.Event()
        self._open = False

    def open(self) -> None:
        """Count this waiter in (its first poll)."""
        if not self._open:
            self._open = True
            self._hub._register(self)

    def close(self) -> None:
        """Count this waiter out; safe to call twice."""
        if self._open:
            self._open = False
            self._hub._unregister(self)

    async def poll(self, min_delay: float) -> DeploymentJob:
        """One poll of the job: a describe, or the next shared listing pass."""
        return await self._hub._observe(self, min_delay)

    async def describe(self) -> DescribedDeploymentJob:
        """One poll of the job that needs its robots: always a (shared) describe."""
        return await self._hub._describe_for(self)

    async def nap(self, clock: WaitClock, seconds: float) -> None:
        """Sleep between polls, but wake as soon as a pass sees the job out of the active set."""
        self.wake = anyio.Event()
        self.sleeping = True
        try:
            async with anyio.create_task_group() as group:

                async def doze() -> None:
                    await clock.sleep(seconds)
                    group.cancel_scope.cancel()

                group.start_soon(doze)
                await self.wake.wait()
                group.cancel_scope.cancel()
        finally:
            self.sleeping = False


class Waiters:
    """The waiters of one client, and the calls they share (see the module docs)."""

    def __init__(self, client: _Client, *, list_threshold: int = 8) -> None:
        self._client = client
        self.list_threshold = list_threshold
        """Distinct jobs waited on from which their polls go through shared listings."""
        self._jobs = Flights(client.describe_deployment_job, client._spawn)
        self._fleets = Flights(client.describe_fleet, client._spawn)
        self._passes = Passes(
            client,
            client._spawn,
            next_seq=self._next_seq,
            oldest=self._oldest,
            statuses=self._statuses,
            walked=self._walked,
        )
        self._ended: dict[str, DescribedDeploymentJob] = {}
        """Terminal jobs (they never change again), kept while someone still waits on them."""
        self._seen: dict[str, DeploymentStatus] = {}
        """ARN -> the last status seen of a job waited on (statuses only move forward)."""
        self._subscriptions: dict[str, list[Subscription]] = {}
        self._light: dict[str, int] = {}
        """ARN -> how many waiters not needing robot progress wait on it."""
        self._seq = 0
        self._polls = 0
        self._remembered = 0
        self._early_wakes = 0

    @property
    def stats(self) -> WaiterStats:
        """What the waiters asked for so far."""
        return WaiterStats(
            polls=self._polls,
            describes=self._jobs.calls,
            fleet_describes=self._fleets.calls,
            passes=self._passes.walks,
            shared=self._jobs.shared + self._fleets.shared + self._passes.shared + self._remembered,
            early_wakes=self._early_wakes,
        )

    @property
    def idle(self) -> bool:
        """True when nothing is registered, in flight or running: what every waiter leaves behind."""
        return (
            self._jobs.idle
            and self._fleets.idle
            and self._passes.idle
            and not (self._ended or self._subscriptions or self._light or self._seen)
        )

    def subscribe(
        self,
        arn: str,
        *,
        detail: bool,
        created_at: datetime | None,
        status: DeploymentStatus | None = None,
    ) -> Subscription:
        """A waiter on ``arn``; ``detail``: it needs robot progress, so every poll is a describe.

        ``created_at`` and ``status``, when the caller knows them (it passed a
        job, not an ARN), let the first shared pass find the job at its first
        poll: how far back to walk, and which statuses to list.
        """
        subscription = Subscription(self, arn, detail=detail, seq=self._next_seq(), created_at=created_at)
        subscription.status = status
        return subscription

    async def describe_job(self, arn: str) -> DescribedDeploymentJob:
        """The job now, shared with any describe of it in flight (a job seen ending is not asked again)."""
        ended = self._ended.get(arn)
        if ended is not None:
            self._remembered += 1
            return ended
        job = await self._jobs.get(arn)
        if arn in self._subscriptions:
            self._saw(job)
            if job.status.is_terminal:
                self._ended[arn] = job
        return job

    async def describe_fleet(self, arn: str) -> Fleet:
        """The fleet now, shared with any describe of it in flight."""
        return await self._fleets.get(arn)

    async def cancel_job(self, arn: str) -> None:
        """Cancel the job (a wait whose exit policy says so is leaving it unfinished)."""
        await self._client.cancel_deployment_job(arn)

    # -- what subscriptions call ----------------------------------------------------------------------

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _saw(self, job: DeploymentJob) -> None:
        self._seen[job.arn] = job.status

    def _register(self, subscription: Subscription) -> None:
        self._subscriptions.setdefault(subscription.arn, []).append(subscription)
        if subscription.status is not None:
            self._seen.setdefault(subscription.arn, subscription.status)
        if not subscription.detail:
            self._light[subscription.arn] = self._light.get(subscription.arn, 0) + 1

    def _unregister(self, subscription: Subscription) -> None:
        arn = subscription.arn
        subscriptions = self._subscriptions.get(arn, [])
        if subscription in subscriptions:
            subscriptions.remove(subscription)
        if not subscriptions:
            self._subscriptions.pop(arn, None)
            self._ended.pop(arn, None)
            self._seen.pop(arn, None)
        if not subscription.detail:
            left = self._light.get(arn, 0) - 1
            if left > 0:
                self._light[arn] = left
            else:
                self._light.pop(arn, None)

    def _listing(self) -> bool:
        jobs = len(self._light)
        # Listing pays when a pass costs fewer calls than describing the jobs would.
        return jobs >= self.list_threshold and jobs >= 2 * self._passes.cost

    async def _describe_for(self, subscription: Subscription) -> DescribedDeploymentJob:
        self._polls += 1
        subscription.gone = False
        return await self.describe_job(subscription.arn)

    async def _observe(self, subscription: Subscription, min_delay: float) -> DeploymentJob:
        if subscription.detail or subscription.gone or not self._listing():
            return await self._describe_for(subscription)
        self._polls += 1
        active = await self._passes.next(min_delay)
        listed = active.get(subscription.arn)
        if listed is not None:
            return listed
        return await self.describe_job(subscription.arn)

    # -- what passes call -----------------------------------------------------------------------------

    def _waited(self, before: int) -> Iterator[Subscription]:
        """The waiters pass number ``before`` answers for: those needing no robots, registered before it."""
        for subscriptions in self._subscriptions.values():
            for subscription in subscriptions:
                if not subscription.detail and subscription.seq < before:
                    yield subscription

    def _oldest(self, before: int) -> datetime | None:
        """When the oldest job waited on was created (``None`` if any is unknown): where a walk may stop."""
        oldest: datetime | None = None
        for subscription in self._waited(before):
            if subscription.created_at is None:
                return None
            if oldest is None or subscription.created_at < oldest:
                oldest = subscription.created_at
        return oldest

    def _statuses(self, before: int) -> tuple[DeploymentStatus, ...]:
        """The statuses a pass lists: every one the jobs waited on can still be in."""
        widest: tuple[DeploymentStatus, ...] = ()
        for subscription in self._waited(before):
            possible = still_possible(self._seen.get(subscription.arn))
            if len(possible) > len(widest):
                widest = possible
        return widest or still_possible(None)

    def _walked(self, seq: int, active: Mapping[str, DeploymentJob]) -> None:
        """What pass ``seq`` found: the statuses of the jobs waited on, and which of them left."""
        for arn, subscriptions in self._subscriptions.items():
            listed = active.get(arn)
            if listed is not None:
                self._saw(listed)
                continue
            for subscription in subscriptions:
                if (
                    subscription.sleeping
                    and not subscription.detail
                    and subscription.seq < seq
                    and not subscription.gone
                ):
                    subscription.gone = True
                    subscription.wake.set()
                    self._early_wakes += 1
