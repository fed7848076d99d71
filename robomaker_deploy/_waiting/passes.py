"""Shared listing passes: one ListDeploymentJobs walk over the active statuses answers many waiters.

Once many jobs are waited on, describing each of them every round costs a
call per job. A *pass* lists the active jobs instead (one request per
status, plus one per further page), and every waiter that asked for the
next pass reads its job's fate off it: found means still running, missing
means it ended (or is too new to be listed, or moved during the walk), and
the waiter describes it to know which. Passes run on demand, at most one
per ``min_delay`` of the waiters asking, and further apart while they see
no job leave (:attr:`Passes.quiet_backoff`: a pass walked while nothing
ends is the one call above the floor of one describe per job that buys
nothing), in the client's background tasks;
a pass nobody waits for any more is cancelled. A pass calls nobody back:
:meth:`Passes.next` returns what it found (:class:`Found`), and the poller
that asked reads it.

A pass lists only the statuses a waited job can still be in, one after
another in the order a job goes through them: a job's status only moves
forward (Pending, Preparing, InProgress, then an end), so once every job
waited on was seen InProgress one request stream answers for all of them,
not three, and a job that moves on during the walk is found in a status
walked later. A job the pass did not find is described, as any missing job
is, so a status that moved otherwise costs a describe, never a wrong answer.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime
from typing import Protocol

import anyio
import attrs

from .._enums import DeploymentStatus
from .._models import DeploymentJob
from .._pagination import Pager
from .._wire.model import page_limit
from .flights import Spawn
from .tracing import unparented

__all__ = ["ACTIVE", "Found", "Passes", "still_possible"]

#: The statuses a pass may list, in the order a job goes through them: a job in none of them has ended.
ACTIVE = (DeploymentStatus.PENDING, DeploymentStatus.PREPARING, DeploymentStatus.IN_PROGRESS)


def still_possible(seen: DeploymentStatus | None) -> tuple[DeploymentStatus, ...]:
    """The active statuses a job last seen in ``seen`` (``None``: not seen yet) can be in now."""
    if seen is None or seen not in ACTIVE:
        return ACTIVE
    return ACTIVE[ACTIVE.index(seen) :]


_PAGE = "ListDeploymentJobs"


class _Lister(Protocol):
    def list_deployment_jobs(
        self, *, status: tuple[DeploymentStatus, ...], page_size: int, prefetch: int
    ) -> Pager[DeploymentJob]: ...


@attrs.frozen
class Found:
    """What one pass found: the active jobs it listed, and what it walked to find them."""

    seq: int
    """The pass's number, on the counter the poller numbers its watches with: a watch numbered
    below it was registered before the pass started."""
    active: dict[str, DeploymentJob]
    """ARN -> the job as listed, for every job the pass found in a status it walked."""
    oldest: datetime | None
    """Where the newest-first walk stopped (``None``: it walked every page)."""
    statuses: tuple[DeploymentStatus, ...]
    """The statuses it listed."""

    def covers(self, created_at: datetime | None, seen: DeploymentStatus | None) -> bool:
        """Whether a job created at ``created_at`` and last seen in ``seen`` was walked over."""
        if self.oldest is not None and (created_at is None or created_at < self.oldest):
            return False
        return set(still_possible(seen)) <= set(self.statuses)


class _Pass:
    """One shared walk: who waits on it, what it should walk, and what it found."""

    def __init__(
        self,
        interval: tuple[float, float],
        oldest: datetime | None,
        statuses: tuple[DeploymentStatus, ...],
    ) -> None:
        self.done = anyio.Event()
        self.scope = anyio.CancelScope()
        self.waiters = 0
        self.min_interval, self.max_interval = interval
        self.oldest = oldest
        self.statuses = statuses
        self.found: Found | None = None
        self.error: Exception | None = None


class Passes:
    """The passes of one client's waiters.

    ``counter`` numbers passes on the same counter as the poller numbers its
    watches, so that "registered before this pass started" is a comparison.
    """

    def __init__(self, client: _Lister, spawn: Spawn, counter: Iterator[int]) -> None:
        self._client = client
        self._spawn = spawn
        self._counter = counter
        self._pending: _Pass | None = None
        self._running = False
        self._last_start = -math.inf
        self._quiet = 0
        """Passes in a row that saw no job leave: each doubles the next interval (see quiet_backoff)."""
        self._previous: dict[str, datetime] = {}
        self.quiet_backoff = 2.0
        """How far passes back off while they see no job leave, in ``min_delay``: doubling from
        ``min_delay`` up to this many of them (never past ``max_delay``), back to ``min_delay`` once a
        pass sees a job leave.

        A pass is what notices an end early, so the cap bounds how late an end coming after a quiet
        time is noticed: ``quiet_backoff * min_delay`` at most. Ends that come in a burst right after
        one are all noticed that late, so a larger cap trades the tail of that latency for calls.
        On 500 jobs (bench_waiters): ``1`` (a pass every ``min_delay`` while anyone polls) costs
        1.16x the floor of one describe per job; ``2``, the default, about 1.12x with the same p95
        from a job's end to its wait's return; ``4`` 1.09x with a p95 7% later; ``math.inf``
        (back off up to ``max_delay``) 1.04x with a p95 of 12 s instead of 1. No pacing reaches
        1.05x with the p95 kept: see docs/benchmarks.md."""
        self.cost = len(ACTIVE)
        """Requests the last pass took: a pass pays when it costs fewer calls than describing would."""
        self.walks = 0
        """Passes walked."""
        self.shared = 0
        """Requests that joined a pass another waiter had already asked for."""

    @property
    def idle(self) -> bool:
        """No pass asked for and none running."""
        return self._pending is None and not self._running

    async def next(
        self,
        delays: tuple[float, float],
        oldest: datetime | None,
        statuses: tuple[DeploymentStatus, ...],
    ) -> Found:
        """Join the next pass (one not started yet) and return what it found.

        ``delays`` are the caller's ``min_delay`` and ``max_delay``: passes
        start at least ``min_delay`` apart (they back off while they see no
        job leave, up to :attr:`quiet_backoff` times that, and start over
        when one does). ``oldest`` is when the oldest job the caller's poller waits on was
        created (``None``: unknown, walk every page) and ``statuses`` the
        statuses those jobs can be in; the last caller before the pass starts
        knows the most, so its word is the pass's.
        """
        pending = self._pending
        if pending is None:
            pending = self._pending = _Pass(delays, oldest, statuses)
        else:
            pending.min_interval = min(pending.min_interval, delays[0])
            pending.max_interval = min(pending.max_interval, delays[1])
            pending.oldest, pending.statuses = oldest, statuses
            self.shared += 1
        if not self._running:
            self._running = True
            self._spawn(unparented(self._run))  # a pass serves many waits: it is none's child
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
        if pending.found is None:  # pragma: no cover - a cancelled pass has no waiter left
            raise RuntimeError("the shared listing pass ended without a result")
        return pending.found

    async def _run(self) -> None:
        try:
            while (current := self._pending) is not None:
                if current.waiters == 0:  # abandoned before it started
                    self._pending = None
                    current.done.set()
                    continue
                with current.scope:
                    wait = self._last_start + self._interval(current) - anyio.current_time()
                    if wait > 0:
                        await anyio.sleep(wait)
                    if self._pending is current:
                        self._pending = None  # from here on, new polls join the pass after this one
                    seq = next(self._counter)
                    self._last_start = anyio.current_time()
                    self.walks += 1
                    try:
                        active = await self._list_active(current.oldest, current.statuses)
                    except Exception as exc:  # handed to every waiter of the pass
                        current.error = exc
                    else:
                        current.found = Found(seq, active, current.oldest, current.statuses)
                        self._paced(current.found)
                if self._pending is current:  # cancelled before it started
                    self._pending = None
                current.done.set()
        finally:
            self._running = False

    def _interval(self, current: _Pass) -> float:
        return self.interval((current.min_interval, current.max_interval))

    def interval(self, delays: tuple[float, float]) -> float:
        """How long after the last pass started the next one starts, for waiters of ``delays``
        (``min_delay``, ``max_delay``): ``min_delay`` doubled for each pass in a row that saw no
        job leave, up to :attr:`quiet_backoff` times it and never past ``max_delay``."""
        low, high = delays
        backoff = low * 2.0 ** min(self._quiet, 30)
        return max(low, min(high, low * self.quiet_backoff, backoff))

    def _paced(self, found: Found) -> None:
        """Back off after a pass that saw no job leave; start over after one that did."""
        left = any(
            arn not in found.active and (found.oldest is None or created >= found.oldest)
            for arn, created in self._previous.items()
        )
        self._quiet = 0 if left else self._quiet + 1
        self._previous = {arn: job.created_at for arn, job in found.active.items()}

    async def _list_active(
        self, oldest: datetime | None, statuses: tuple[DeploymentStatus, ...]
    ) -> dict[str, DeploymentJob]:
        # One status after another, in the order a job goes through them: a job that moves on while
        # the pass walks moves into a status walked later, so only a job that ended is missed (a
        # merged walk of the three could miss one that moved behind it, and describe it for nothing).
        active: dict[str, DeploymentJob] = {}
        page = page_limit(_PAGE)
        cost = 0
        for status in statuses:
            # No prefetch: a walk left with ``break`` leaves no page in flight behind it.
            pager = self._client.list_deployment_jobs(status=(status,), page_size=page, prefetch=0)
            walked = 0
            async for job in pager:
                # Newest first: past the oldest job waited on, nothing further is of interest.
                if oldest is not None and job.created_at < oldest:
                    break
                active[job.arn] = job
                walked += 1
            cost += 1 + walked // page  # its first request, plus one per further page
        self.cost = cost
        return active
