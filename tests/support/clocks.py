"""Clocks a waiter can be given instead of real time: a fake one, and the emulator's own.

With either, a schedule is tested without waiting and without depending on
how fast the machine is: time moves only when the waiter sleeps.
"""

from __future__ import annotations

from collections.abc import Callable

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
            wall=lambda: self.now,
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
            wall=self._emu.now,
            random=_middle,
        )
