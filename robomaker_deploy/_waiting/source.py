"""The shared poller: one per client, the source every watch's polls go through so that they share calls.

A watch *joins* the poller at its first poll and leaves when it ends; each of
its polls is answered with the cheapest call that is true:

- a job whose watch needs robot progress (a watch or an event stream), or
  that is waited on by few watches, is described, one DescribeDeploymentJob
  in flight per job (``flights``);
- once ``list_threshold`` or more distinct jobs are waited on by watches that
  need no robot progress (the ``wait_for_*`` methods), their polls join the
  next shared listing pass (``passes``). A job found there is still running
  (the listing's job, without robot summaries, is the poll's snapshot); a job
  missing from it is described, which gives the final job with its robot
  summaries. A missing job is only ever described, never presumed finished;
- a job seen ending is remembered while anyone still waits on it (it never
  changes again), and a pass that finds a job gone wakes its sleeping
  watches early, so an end is noticed within about one pass interval even by
  a watch whose backoff grew long;
- the poller remembers the last status it saw of each job waited on, so that
  a pass lists only the statuses those jobs can still be in (one request
  stream, not three, once they are all InProgress).

Nothing here calls a watch back: a poll returns its snapshot, a pass returns
what it found (:class:`~.passes.Found`), which the poller reads as it hands
the pass's jobs out. Cancelling a watch leaves nothing behind: it leaves in a
``finally``, a shared call or pass is cancelled when no watch is left on it,
and the pass loop ends when no pass is asked for.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Protocol

import anyio
import attrs

from .._enums import DeploymentStatus
from .._models import DeploymentJob, DescribedDeploymentJob, Fleet
from .._pagination import Pager
from .flights import Flights, Spawn
from .passes import Found, Passes, still_possible
from .policy import WaitClock

__all__ = ["Entry", "Poller", "WaiterStats"]


class _Client(Protocol):
    """What the poller needs of a :class:`DeploymentClient`: its public calls."""

    async def describe_deployment_job(self, job: str | DeploymentJob) -> DescribedDeploymentJob: ...

    async def describe_fleet(self, fleet: str | Fleet) -> Fleet: ...

    async def cancel_deployment_job(self, job: str | DeploymentJob) -> None: ...

    def list_deployment_jobs(
        self, *, status: tuple[DeploymentStatus, ...], page_size: int, prefetch: int
    ) -> Pager[DeploymentJob]: ...


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


class Entry:
    """One watch as the poller knows it, from :meth:`Poller.join` to :meth:`Poller.leave`."""

    __slots__ = ("arn", "created_at", "detail", "gone", "seq", "sleeping", "wake")

    def __init__(self, arn: str, *, detail: bool, seq: int, created_at: datetime | None) -> None:
        self.arn = arn
        self.detail = detail
        """The watch needs robot progress: its polls are always describes."""
        self.seq = seq
        self.created_at = created_at
        """When the job was created, once known: how far back a shared pass must walk."""
        self.sleeping = False
        self.gone = False
        """A pass found the job out of the active set while the watch slept: describe it next."""
        self.wake = anyio.Event()


class Poller:
    """The watches of one client, and the calls they share (see the module docs)."""

    def __init__(self, client: _Client, spawn: Spawn, *, list_threshold: int = 8) -> None:
        self._client = client
        self.list_threshold = list_threshold
        """Distinct jobs waited on from which their polls go through shared listings."""
        self._counter = itertools.count(1)
        """Numbers watches and passes alike: "joined before this pass started" is a comparison."""
        self._jobs = Flights(client.describe_deployment_job, spawn)
        self._fleets = Flights(client.describe_fleet, spawn)
        self.passes = Passes(client, spawn, self._counter)
        """The shared listing passes (``passes.quiet_backoff`` paces them)."""
        self._read_up_to = 0
        """The last pass whose findings were read."""
        self._ended: dict[str, DescribedDeploymentJob] = {}
        """Terminal jobs (they never change again), kept while someone still waits on them."""
        self._seen: dict[str, DeploymentStatus] = {}
        """ARN -> the last status seen of a job waited on (statuses only move forward)."""
        self._entries: dict[str, list[Entry]] = {}
        self._light: dict[str, int] = {}
        """ARN -> how many watches not needing robot progress wait on it."""
        self._polls = 0
        self._remembered = 0
        self._early_wakes = 0

    @property
    def stats(self) -> WaiterStats:
        """What the watches asked for so far."""
        return WaiterStats(
            polls=self._polls,
            describes=self._jobs.calls,
            fleet_describes=self._fleets.calls,
            passes=self.passes.walks,
            shared=self._jobs.shared + self._fleets.shared + self.passes.shared + self._remembered,
            early_wakes=self._early_wakes,
        )

    @property
    def idle(self) -> bool:
        """True when nothing is registered, in flight or running: what every watch leaves behind."""
        return (
            self._jobs.idle
            and self._fleets.idle
            and self.passes.idle
            and not (self._ended or self._entries or self._light or self._seen)
        )

    def join(
        self, arn: str, *, detail: bool, created_at: datetime | None, status: DeploymentStatus | None
    ) -> Entry:
        """Count a watch on ``arn`` in; ``detail``: it needs robot progress, so every poll is a describe.

        ``created_at`` and ``status``, when the watch knows them (it was given
        a job, not an ARN), let the first shared pass find the job at its
        first poll: how far back to walk, and which statuses to list.
        """
        entry = Entry(arn, detail=detail, seq=next(self._counter), created_at=created_at)
        self._entries.setdefault(arn, []).append(entry)
        if status is not None:
            self._seen.setdefault(arn, status)
        if not detail:
            self._light[arn] = self._light.get(arn, 0) + 1
        return entry

    def leave(self, entry: Entry) -> None:
        """Count a watch out (once: the watch forgets its entry as it leaves)."""
        arn = entry.arn
        entries = self._entries.get(arn, [])
        if entry in entries:
            entries.remove(entry)
        if not entries:
            self._entries.pop(arn, None)
            self._ended.pop(arn, None)
            self._seen.pop(arn, None)
        if not entry.detail:
            left = self._light.get(arn, 0) - 1
            if left > 0:
                self._light[arn] = left
            else:
                self._light.pop(arn, None)

    async def poll(
        self, entry: Entry, delays: tuple[float, float], *, describe: bool = False
    ) -> DeploymentJob:
        """One poll of ``entry``'s job: a describe, or the next shared listing pass (``describe``: never).

        ``delays`` are the watch's ``min_delay`` and ``max_delay``, which pace the passes.
        """
        self._polls += 1
        if describe or entry.detail or entry.gone or not self._listing():
            entry.gone = False
            return await self.describe(entry.arn)
        found = await self.passes.next(delays, *self._plan())
        self._read(found)
        listed = found.active.get(entry.arn)
        if listed is not None:
            return listed
        return await self.describe(entry.arn)

    async def describe(self, arn: str) -> DescribedDeploymentJob:
        """The job now, shared with any describe of it in flight (a job seen ending is not asked again)."""
        ended = self._ended.get(arn)
        if ended is not None:
            self._remembered += 1
            return ended
        job = await self._jobs.get(arn)
        if arn in self._entries:
            self._seen[arn] = job.status
            if job.status.is_terminal:
                self._ended[arn] = job
        return job

    async def describe_fleet(self, arn: str) -> Fleet:
        """The fleet now, shared with any describe of it in flight."""
        return await self._fleets.get(arn)

    async def cancel(self, arn: str) -> None:
        """Cancel the job (a watch whose exit policy says so is leaving it unfinished)."""
        await self._client.cancel_deployment_job(arn)

    async def nap(self, entry: Entry, clock: WaitClock, seconds: float) -> None:
        """Sleep between polls, but wake as soon as a pass sees the job out of the active set."""
        entry.wake = anyio.Event()
        entry.sleeping = True
        try:
            async with anyio.create_task_group() as group:

                async def doze() -> None:
                    await clock.sleep(seconds)
                    group.cancel_scope.cancel()

                group.start_soon(doze)
                await entry.wake.wait()
                group.cancel_scope.cancel()
        finally:
            entry.sleeping = False

    def _listing(self) -> bool:
        jobs = len(self._light)
        # Listing pays when a pass costs fewer calls than describing the jobs would.
        return jobs >= self.list_threshold and jobs >= 2 * self.passes.cost

    def _light_entries(self) -> list[Entry]:
        return [entry for entries in self._entries.values() for entry in entries if not entry.detail]

    def _plan(self) -> tuple[datetime | None, tuple[DeploymentStatus, ...]]:
        """What a pass must walk: back to the oldest job waited on (``None`` if any is unknown), and
        every status the jobs waited on can still be in."""
        oldest: datetime | None = None
        unknown = False
        widest: tuple[DeploymentStatus, ...] = ()
        for entry in self._light_entries():
            if entry.created_at is None:
                unknown = True
            elif oldest is None or entry.created_at < oldest:
                oldest = entry.created_at
            possible = still_possible(self._seen.get(entry.arn))
            if len(possible) > len(widest):
                widest = possible
        return (None if unknown else oldest), (widest or still_possible(None))

    def _read(self, found: Found) -> None:
        """Take in what a pass found (once per pass): the statuses it saw, and which jobs left."""
        if found.seq <= self._read_up_to:
            return
        self._read_up_to = found.seq
        for arn, entries in self._entries.items():
            listed = found.active.get(arn)
            if listed is not None:
                self._seen[arn] = listed.status
                continue
            for entry in entries:
                if (
                    entry.sleeping
                    and not entry.detail
                    and not entry.gone
                    and entry.seq < found.seq
                    and found.covers(entry.created_at, self._seen.get(arn))
                ):
                    entry.gone = True
                    entry.wake.set()
                    self._early_wakes += 1
