"""The emulator's virtual clock: the wall clock plus an offset, or a clock that moves only when told.

Deployments are timelines laid out at creation and read at "now"
(``_simulation``), so the clock is the only thing that makes them progress.
A real clock runs with the wall clock (sped up by ``speed`` in the plans,
not here); a manual one stands still until a test advances it, so whether a
deployment has ended never depends on how busy the machine is.
"""

from __future__ import annotations

import math
import time
from typing import Literal

#: ``"real"``: the wall clock, plus however far it was advanced. ``"manual"``: moves only when advanced.
ClockMode = Literal["real", "manual"]
MODES: tuple[ClockMode, ...] = ("real", "manual")


def check_mode(mode: str) -> None:
    """Refuse a mode that is not one of :data:`MODES`."""
    if mode not in MODES:
        raise ValueError(f"clock must be one of {', '.join(map(repr, MODES))}, not {mode!r}")


class Clock:
    """Virtual time as ``base + offset``: a real clock's base is the wall clock, a manual one's is fixed."""

    def __init__(self, mode: ClockMode, *, offset: float = 0.0, frozen_at: float | None = None) -> None:
        check_mode(mode)
        self.offset = offset
        """How far tests have moved it, in seconds."""
        self.frozen_at: float | None = None
        """A manual clock's base: the wall time it stood still at."""
        if mode == "manual":
            self.frozen_at = time.time() if frozen_at is None else frozen_at

    @property
    def mode(self) -> ClockMode:
        """``"manual"`` if it stands still until moved, ``"real"`` if it runs on from the wall clock."""
        return "real" if self.frozen_at is None else "manual"

    def now(self) -> float:
        """The virtual time, as epoch seconds."""
        base = time.time() if self.frozen_at is None else self.frozen_at
        return base + self.offset

    def advance(self, seconds: float) -> float:
        """Move forward (never back: jobs' pasts must stay past); returns the total offset."""
        if not math.isfinite(seconds):
            raise ValueError(f"the clock moves by a finite number of seconds, not {seconds}")
        self.offset += max(0.0, seconds)
        return self.offset

    def rewind(self) -> None:
        """Back to the wall clock's present (a reset: nothing is left whose past could change)."""
        self.offset = 0.0
        if self.frozen_at is not None:
            self.frozen_at = time.time()
