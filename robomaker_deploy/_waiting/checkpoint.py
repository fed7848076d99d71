"""Where a wait stands, as a small JSON document that survives the process: resume it after a restart.

Orchestration processes are redeployed, evicted and killed mid-wait. A
:class:`WaitCheckpoint` holds what a wait needs to continue as if nothing had
happened: the job, when the wait started and its absolute deadline (so a
resumed wait does not get a fresh timeout), the polls made so far, and the
state its events have reported (so events already delivered are not
delivered again, and what changed while the process was away is). It is
plain, schema-tagged JSON (``to_json``/``from_json``), never pickle.

Semantics: an event is delivered at least once; only the events after the
last saved checkpoint can be delivered again.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import attrs

from .._documents import dump, load
from .events import JobState

__all__ = ["SCHEMA", "WaitCheckpoint"]

#: The document's kind and version; a document with another is refused, never guessed at.
SCHEMA = "robomaker-deploy/deployment-wait/1"


@attrs.frozen(kw_only=True)
class WaitCheckpoint:
    """Where a watch or an event stream stands; pass it back as ``resume=`` to continue."""

    job: str
    """The job's ARN."""
    started_at: datetime
    """When the wait first started (UTC)."""
    deadline: datetime | None
    """When the wait gives up (UTC), however often it is resumed; ``None``: never."""
    polls: int
    """Polls made so far."""
    state: JobState = attrs.field(factory=JobState)
    """What the delivered events said: the job's status, each robot's, and whether it ended."""

    def to_json(self) -> str:
        """The checkpoint as an indented JSON document."""
        return dump(self, SCHEMA)

    @classmethod
    def from_json(cls, text: str | bytes) -> WaitCheckpoint:
        """Read a document :meth:`to_json` wrote; a :class:`ValidationError` names what is wrong."""
        return load(text, cls, SCHEMA, what="checkpoint")

    def remaining(self, now: datetime | None = None) -> float | None:
        """Seconds left before the deadline (never negative); ``None`` without one."""
        if self.deadline is None:
            return None
        left = self.deadline - (now or datetime.now(timezone.utc))
        return max(0.0, left / timedelta(seconds=1))

    def elapsed(self, now: datetime | None = None) -> float:
        """Seconds since the wait first started."""
        return max(0.0, ((now or datetime.now(timezone.utc)) - self.started_at) / timedelta(seconds=1))
