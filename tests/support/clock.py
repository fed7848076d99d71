"""Driving an emulator's manual clock from a test: deployments move with the polls, not the wall clock.

With ``clock="manual"`` a deployment never moves on its own. A test that
must see it move (a watch that shows every step, a wait that must end)
moves the clock by a small step after each poll the emulator receives: each
poll then sees the deployment at most one step further on than the one
before, so no step is skipped however slow the machine, and the deployment
ends after a number of polls rather than of seconds.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Sequence

import anyio

from robomaker_deploy.emulator import Emulator

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
