"""When a waiter polls and when it gives up: the Smithy waiter delay rule, on an injectable clock.

Kept apart from the loop that follows it so that a schedule can be read,
tested and reasoned about as arithmetic: :meth:`WaitPolicy.next_delay` is a
pure function of the attempt number, the time left, how many robots can end
before the next poll (a watch's count of its robots in flight, ``forecast``)
and the clock's jitter.
"""

from __future__ import annotations

import math
import random
from collections.abc import Awaitable, Callable
from typing import Literal

import attrs

from .._config import DEFAULT_MAX_DELAY, DEFAULT_MIN_DELAY, DEFAULT_TIMEOUT, check_seconds
from .._errors import ValidationError

__all__ = ["ExitPolicy", "WaitClock", "WaitPolicy"]

#: How fast a watch's cadence tightens with its robots in flight: the delay is ``max_delay / k**CADENCE``.
#: The square root (0.5) would minimise the notice summed over robots at a fixed price per call, were
#: every end as likely at any moment; failures are not (a robot fails validation within seconds of its
#: start), and fleets that deploy many robots at once hold most of them. Measured on bench/bench_watch.py
#: against the plain backoff, calls / median failed notice: 0.5 gave 0.63x / 1.04x, 0.55 0.67x / 0.95-0.97x,
#: 0.59 0.69x / 0.89-1.07x, 0.6 0.70x / 0.83-0.89x: the least that kept them no later in every run
#: (with the floor of max_delay / 3 that next_delay adds, 0.69x / 0.88-0.91x).
CADENCE = 0.6

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


@attrs.frozen(kw_only=True)
class WaitPolicy:
    """How long a waiter waits and how often it polls (the Smithy waiter rule, in float seconds).

    After poll number *n* (the first poll is made at once) the waiter sleeps a
    delay drawn uniformly from ``[min_delay, min(max_delay, min_delay * 2**(n-1))]``
    (``max_delay`` alone once *n* passes ``log2(max_delay / min_delay) + 1``).
    A watch of robots polls on a cadence instead, while some can end: with
    *k* robots in flight (before any started, the share the service starts
    first) it sleeps ``max_delay / k**0.6`` (:data:`CADENCE`), but no less
    than ``max_delay / 3`` nor more than ``max_delay - min_delay``, give or
    take ``min_delay / 2`` of jitter (and never less than ``min_delay``):
    each robot in flight can end, or fail, at any moment, and the more there
    are the sooner one does (see ``forecast``). When that delay would leave
    less than ``min_delay`` before the deadline, the next poll is the last and is
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
        self, attempt: int, remaining: float | None, lead: float = 0.0, in_flight: float = 0.0
    ) -> tuple[float, bool]:
        """The sleep after poll number ``attempt``, and whether the poll after it is the last.

        ``remaining`` is the time left before the deadline (``None``: no
        deadline), ``lead`` how long before the deadline a last poll should
        start, and ``in_flight`` how many robots can end before the next poll
        (a watch's count; ``0``: none, or not counted, and the backoff applies).
        """
        if in_flight > 0:  # a NaN count is not: the plain backoff then
            # The longest sleep stays min_delay short of max_delay, which the backoff sleeps only by
            # chance (it draws its delays up to it) and a one-robot job would sleep at every poll.
            longest = self.max_delay - self.min_delay
            # Every poll describes all of the job's robots (and a checkpointed stream writes them all),
            # so a poll costs more the larger the job: past about six robots in flight the cadence
            # stops tightening, at three polls per max_delay.
            cadence = max(self.max_delay / 3, min(longest, self.max_delay / in_flight**CADENCE))
            # Jittered over min_delay around it, as the backoff's delays are, so that watches started
            # together do not poll in step; at the longest sleep the span ends there rather than being
            # clamped to it, which would put half the draws on the same instant.
            high = min(longest, cadence + self.min_delay / 2)
            delay = self.clock.random(high - self.min_delay, high)
            delay = max(self.min_delay, min(high, delay))
        elif attempt > self.attempt_ceiling:
            delay = self._jittered(self.max_delay)
        else:
            delay = self._jittered(min(self.max_delay, self.min_delay * 2 ** (attempt - 1)))
        if remaining is None:
            return delay, False
        if remaining - delay <= self.min_delay:
            return max(0.0, remaining - max(0.0, min(lead, self.min_delay))), True
        return delay, False

    def _jittered(self, upper: float) -> float:
        """The backoff's delay: uniform in ``[min_delay, upper]``, clamped there whatever the clock draws."""
        delay = self.clock.random(self.min_delay, upper) if upper > self.min_delay else self.min_delay
        return min(max(delay, self.min_delay), upper)
