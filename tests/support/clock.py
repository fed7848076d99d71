"""A waiter clock that only moves when slept on, so a schedule can be tested without waiting."""

from __future__ import annotations

from collections.abc import Callable

import anyio

from robomaker_deploy import WaitClock

__all__ = ["FakeClock"]


def _middle(low: float, high: float) -> float:
    return (low + high) / 2


class FakeClock:
    """Time that passes only in ``sleep`` (recorded in ``sleeps``); jitter by ``pick`` (the middle)."""

    def __init__(self, pick: Callable[[float, float], float] = _middle) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self.pick = pick

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await anyio.lowlevel.checkpoint()

    def clock(self) -> WaitClock:
        return WaitClock(sleep=self.sleep, now=lambda: self.now, random=self.pick)
