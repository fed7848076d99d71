"""Time in tests that does not depend on the machine: fake clocks, and the emulator's driven one.

A waiter can be given a :class:`FakeClock` (time passes only when it
sleeps) or an :class:`EmulatorClock` (its sleeps jump the emulator's
virtual time). An emulator with ``clock="manual"`` never moves on its own:
:func:`advance_on_polls` moves it by a small step after each poll it
receives, so a deployment ends after a number of polls rather than of
seconds, however slow the machine, and no step is skipped.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Sequence

import anyio

from robomaker_deploy import WaitClock
from robomaker_deploy.emulator import Emulator


def _middle(low: float, high: float) -> float:
    return (low + high) / 2


class FakeClock:
    """A clock that only moves when slept on; jitter by ``pick`` (the middle of its range).

    Its time of day (``wall``) is its own time as epoch seconds, so snapshots
    built with timestamps ``datetime.fromtimestamp(t, timezone.utc)`` are on it.
    """

    def __init__(self, pick: Callable[[float, float], float] = _middle) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self.pick = pick

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await anyio.lowlevel.checkpoint()

    def clock(self) -> WaitClock:
        return WaitClock(
            sleep=self.sleep,
            now=lambda: self.now,
            random=self.pick,
        )


class EmulatorClock:
    """The emulator's virtual clock, moved forward by whatever one waiter sleeps; jitter at the middle.

    For one waiter at a time: its sleeps jump the emulator's time instead of
    passing it, so a deployment of minutes is watched in well under a second.
    """

    def __init__(self, emu: Emulator) -> None:
        self._emu = emu

    async def sleep(self, seconds: float) -> None:
        self._emu.advance_clock(seconds)
        await anyio.lowlevel.checkpoint()

    def clock(self) -> WaitClock:
        return WaitClock(
            sleep=self.sleep,
            now=self._emu.now,
            random=_middle,
        )


#: The calls that look at a deployment's progress.
POLLS = ("DescribeDeploymentJob", "ListDeploymentJobs", "DescribeFleet")


async def until(condition: Callable[[], bool], *, within: float = 60.0) -> None:
    """Wait until ``condition()`` holds, checking every few milliseconds.

    ``within`` only keeps a broken test from hanging: it is far beyond what
    the condition needs on any machine, never what the test measures.
    """
    with anyio.fail_after(within):
        for _ in itertools.count():
            if condition():
                return
            await anyio.sleep(0.005)


def polls(emu: Emulator, operations: Sequence[str] = POLLS) -> int:
    """How many of ``operations`` the emulator has received."""
    calls = emu.stats()["calls"]
    return sum(calls.get(operation, 0) for operation in operations)


@contextlib.asynccontextmanager
async def advance_on_polls(
    emu: Emulator, seconds: float, operations: Sequence[str] = POLLS
) -> AsyncIterator[None]:
    """Inside, move ``emu``'s clock by ``seconds`` after each poll (an emulator on the test's loop)."""

    async def run() -> None:
        seen = polls(emu, operations)
        while True:
            await anyio.sleep(0.001)
            now = polls(emu, operations)
            if now > seen:
                emu.advance_clock(seconds)
                seen = now

    async with anyio.create_task_group() as group:
        group.start_soon(run)
        try:
            yield
        finally:
            group.cancel_scope.cancel()


@contextlib.contextmanager
def advance_on_polls_in_background(
    emu: Emulator, seconds: float, operations: Sequence[str] = POLLS
) -> Iterator[None]:
    """The same for an emulator on its own thread (``run_in_background``), from a thread of its own."""
    stop = threading.Event()

    def run() -> None:
        seen = polls(emu, operations)
        while not stop.wait(0.001):
            now = polls(emu, operations)
            if now > seen:
                emu.advance_clock(seconds)
                seen = now

    thread = threading.Thread(target=run, name="advance-on-polls", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
