"""When a waiter polls and when it gives up: the Smithy waiter delay rule, on an injectable clock.

Kept apart from the loop that follows it so that a schedule can be read,
tested and reasoned about as arithmetic: :meth:`WaitPolicy.next_delay` is a
pure function of the attempt number, the time left, how long nothing is
expected to happen (a watch's forecast, ``forecast``) and the clock's jitter.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Awaitable, Callable
from typing import Literal

import attrs

from .._config import DEFAULT_MAX_DELAY, DEFAULT_MIN_DELAY, DEFAULT_TIMEOUT, check_seconds
from .._errors import ValidationError

__all__ = ["ExitPolicy", "WaitClock", "WaitPolicy"]

ExitPolicy = Literal["detach", "cancel"]
"""What a wait does to the job when it is left unfinished: ``detach`` (the job goes on) or ``cancel``."""


# anyio is imported when a wait first sleeps or reads the time, not with the package's plain data.
async def _anyio_sleep(seconds: float) -> None:
    import anyio

    await anyio.sleep(seconds)


def _anyio_now() -> float:
    import anyio

    return anyio.current_time()


@attrs.frozen(kw_only=True)
class WaitClock:
    """Where a waiter gets its time, its sleep and its jitter; anyio's and :mod:`random`'s by default.

    Inject a fake to test a schedule without waiting: ``sleep`` must move
    ``now`` forward by what it is asked to sleep. The hard deadline that
    cancels a poll still in flight follows the event loop's clock (it cannot
    follow a fake one), so a fake clock decides when a wait times out and
    the real one only stops a poll that hangs.
    """

    sleep: Callable[[float], Awaitable[None]] = _anyio_sleep
    """Sleep this many seconds."""
    now: Callable[[], float] = _anyio_now
    """Seconds on a monotonic clock."""
    random: Callable[[float, float], float] = random.uniform
    """A number between the two bounds, uniformly (the jitter)."""
    wall: Callable[[], float] = time.time
    """The time of day in seconds since the epoch, the clock of the service's timestamps: a watch
    reads its robots' start and finish times, and the time they say remains, against it."""


@attrs.frozen(kw_only=True)
class WaitPolicy:
    """How long a waiter waits and how often it polls (the Smithy waiter rule, in float seconds).

    After poll number *n* (the first poll is made at once) the waiter sleeps a
    delay drawn uniformly from ``[min_delay, min(max_delay, min_delay * 2**(n-1))]``
    (``max_delay`` alone once *n* passes ``log2(max_delay / min_delay) + 1``).
    A watch that expects no robot to end for a while (its forecast: no robot
    has started yet, or each is still downloading for a time it reported)
    counts that delay from the end of that quiet time instead of from now,
    and never sleeps past ``max_delay``. When that delay would leave less
    than ``min_delay`` before the deadline, the next poll is the last and is
    moved to the deadline itself, less the ``lead`` a poll takes (the slowest
    poll of the wait so far, at most ``min_delay``), so that it still
    completes in time; if it does not show an end the wait raises
    :class:`WaiterTimeoutError`. ``timeout=None`` waits without limit
    (cancel it from outside).
    """

    timeout: float | None = DEFAULT_TIMEOUT
    """Seconds the whole wait may take; ``None`` for no limit."""
    min_delay: float = DEFAULT_MIN_DELAY
    """The first delay between polls, and the least."""
    max_delay: float = DEFAULT_MAX_DELAY
    """The longest delay between polls."""
    clock: WaitClock = attrs.field(factory=WaitClock)
    on_exit: ExitPolicy = attrs.field(default="detach", validator=attrs.validators.in_(("detach", "cancel")))
    """When the awaiting task is cancelled or the deadline passes before the job ended: ``detach``
    leaves the job running; ``cancel`` cancels it (shielded from the cancellation that caused it,
    bounded by a timeout of its own, never hiding the original exception)."""

    def __attrs_post_init__(self) -> None:
        check_seconds("min_delay", self.min_delay)
        check_seconds("max_delay", self.max_delay)
        if self.max_delay < self.min_delay:
            raise ValidationError(
                "max_delay", repr(self.max_delay), f"must be at least min_delay ({self.min_delay!r})"
            )
        if self.timeout is not None:
            check_seconds("timeout", self.timeout)

    @property
    def attempt_ceiling(self) -> float:
        """The attempt past which the delay's upper bound is ``max_delay`` (Smithy's ``attemptCeiling``)."""
        return math.log2(self.max_delay / self.min_delay) + 1

    def next_delay(
        self, attempt: int, remaining: float | None, lead: float = 0.0, quiet: float = 0.0
    ) -> tuple[float, bool]:
        """The sleep after poll number ``attempt``, and whether the poll after it is the last.

        ``remaining`` is the time left before the deadline (``None``: no
        deadline), ``lead`` how long before the deadline a last poll should
        start, and ``quiet`` how long nothing is expected to change (``0``:
        anything may change at once; ``math.inf``: nothing will before
        ``max_delay``), from whose end the backoff's delay counts.
        """
        if attempt > self.attempt_ceiling:
            upper = self.max_delay
        else:
            upper = min(self.max_delay, self.min_delay * 2 ** (attempt - 1))
        delay = self.clock.random(self.min_delay, upper) if upper > self.min_delay else self.min_delay
        delay = min(max(delay, self.min_delay), upper)
        if quiet > 0:  # a NaN forecast is not: the plain backoff then
            delay = min(self.max_delay, quiet + delay)
        if remaining is None:
            return delay, False
        if remaining - delay <= self.min_delay:
            return max(0.0, remaining - max(0.0, min(lead, self.min_delay))), True
        return delay, False
