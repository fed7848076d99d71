"""One waiter's loop: poll, yield what changed, stop at the end, sleep by the policy, give up at the deadline.

:class:`Poll` is the loop for anything polled (a job, a fleet): retryable
errors (throttling, 5xx, connection) cost a poll, not the wait;
``ResourceNotFoundError`` and other non-retryable errors end it at once.
What a change is and when it ends are the caller's (``loop``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from typing import Any, TypeVar

import anyio

from .._errors import RoboMakerError, WaiterTimeoutError
from .._models import DeploymentJob, Fleet
from .forecast import Outlook
from .policy import WaitPolicy

__all__ = ["Poll"]

log = logging.getLogger("robomaker_deploy.waiters")

S = TypeVar("S", bound=DeploymentJob | Fleet)

_UNSEEN: Any = object()


class Poll(AsyncIterator[S]):
    """Poll with ``fetch`` until ``finished``; yield each snapshot whose ``key`` changed (the first too).

    With a ``forecast`` (a watch's), every snapshot is folded into it, and the
    policy's delay counts from the end of the time it says nothing is expected.

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
        polls: int = 0,
        elapsed: float = 0.0,
        forecast: Outlook[S] | None = None,
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
        self._polls = polls
        self._elapsed_before = elapsed
        self._slowest = 0.0
        self._forecast = forecast
        """What the snapshots say of when something can change (``None``: the plain backoff)."""
        self._final = False
        self._pause_first = False  # the previous __anext__ returned a snapshot: wait before polling again
        self._done = False

    def __aiter__(self) -> Poll[S]:
        return self

    @property
    def polls(self) -> int:
        """Polls made so far (those before a resume included)."""
        return self._polls

    @property
    def elapsed(self) -> float:
        """Seconds waited so far (before a resume included), on the policy's clock."""
        return self._elapsed_before + self._policy.clock.now() - self._start

    async def aclose(self) -> None:
        """Stop: the next ``__anext__`` ends the iteration."""
        self._done = True

    def _timed_out(self) -> WaiterTimeoutError:
        self._done = True
        last = self.last if self.last is not None else self._given
        return WaiterTimeoutError(self._what, last=last, elapsed=self.elapsed, polls=self._polls)

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
                if self._forecast is not None:
                    self._forecast = self._forecast.observe(snapshot, clock.wall())
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
        quiet = 0.0 if self._forecast is None else self._forecast.quiet(self._policy.clock.wall())
        delay, self._final = self._policy.next_delay(
            self._polls, remaining, lead=2 * self._slowest, quiet=quiet
        )
        await self._nap(delay)
