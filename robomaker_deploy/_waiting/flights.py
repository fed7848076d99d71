"""Single flight: at most one call in flight per key, its result shared by everyone who asks meanwhile.

A hundred waiters on one job cost one DescribeDeploymentJob per round, not a
hundred. The call runs in the client's background tasks rather than in the
task of whoever asked first, so that a waiter that is cancelled stops waiting
for it without cancelling it for the others; the last one to leave cancels it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from functools import partial
from typing import Any, Generic, TypeVar

import anyio

__all__ = ["Flights", "Spawn"]

T = TypeVar("T")

Spawn = Callable[[Callable[[], Coroutine[Any, Any, None]]], object]
"""Starts a coroutine function in the client's background tasks."""


class _Flight(Generic[T]):
    """One shared call: its result (or error) for every waiter on it, cancelled when they all leave."""

    def __init__(self) -> None:
        self.done = anyio.Event()
        self.scope = anyio.CancelScope()
        self.waiters = 0
        self.value: T | None = None
        self.error: Exception | None = None


class Flights(Generic[T]):
    """The calls of one kind (``fetch``), one in flight per key."""

    def __init__(self, fetch: Callable[[str], Awaitable[T]], spawn: Spawn) -> None:
        self._fetch = fetch
        self._spawn = spawn
        self._flights: dict[str, _Flight[T]] = {}
        self._running = 0
        self.calls = 0
        """Calls started."""
        self.shared = 0
        """Requests answered by a call already in flight."""

    @property
    def idle(self) -> bool:
        """Nothing in flight and no background task left."""
        return not self._flights and not self._running

    async def get(self, key: str) -> T:
        """The result of a call for ``key``: the one in flight, or a new one."""
        flight = self._flights.get(key)
        if flight is None:
            flight = self._flights[key] = _Flight()
            self.calls += 1
            self._spawn(partial(self._fly, key, flight))
        else:
            self.shared += 1
        flight.waiters += 1
        try:
            await flight.done.wait()
        finally:
            flight.waiters -= 1
            if flight.waiters == 0 and not flight.done.is_set():
                # The last waiter left (cancelled): nobody needs the call any more.
                flight.scope.cancel()
                if self._flights.get(key) is flight:
                    del self._flights[key]
        if flight.error is not None:
            raise flight.error
        if flight.value is None:  # pragma: no cover - only a cancelled flight has neither (and no waiter)
            raise RuntimeError(f"the shared call for {key} ended without a result")
        return flight.value

    async def _fly(self, key: str, flight: _Flight[T]) -> None:
        self._running += 1
        try:
            with flight.scope:
                try:
                    flight.value = await self._fetch(key)
                except Exception as exc:  # handed to every waiter of the flight
                    flight.error = exc
        finally:
            if self._flights.get(key) is flight:
                del self._flights[key]
            flight.done.set()
            self._running -= 1
