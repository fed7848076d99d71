"""The event stream: a view of a watch as typed events, checkpointable after any of them.

``client.deployment_events(job)`` yields the :mod:`events` of each snapshot
its watch sees, one by one, and ends with :class:`JobEnded`. The watch keeps
the state after the *delivered* events (each is handed to it as it is handed
out), so a checkpoint saved after handling an event resumes right after it:
the first poll of the resumed stream is compared with that state, and
whatever changed meanwhile (or was computed but not delivered before a
crash) comes out as events.

A consumer that saves its checkpoint wants to do so once per poll, not once
per event (a 1,000-robot job's first poll is 1,000 events). :meth:`polls`
hands out the same events grouped by the poll that saw them, each group with
the checkpoint after it: the poll boundary. Delivery is at least once: what
can repeat after a restart is what was delivered after the last checkpoint
saved (with :meth:`polls`, at most the events of the one poll being handled).
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator
from datetime import datetime, timezone

import attrs

from .._models import DescribedDeploymentJob
from .._outcome import DeploymentOutcome
from .checkpoint import WaitCheckpoint
from .events import DeploymentEvent, JobEnded, diff
from .watch import Watch

__all__ = ["DeploymentEvents", "PollEvents"]


@attrs.frozen(kw_only=True)
class PollEvents:
    """The events one poll brought, in order, and where the stream stands after all of them."""

    snapshot: DescribedDeploymentJob
    """The job as that poll saw it."""
    events: tuple[DeploymentEvent, ...]
    """What changed since the poll before (never empty; the last poll's ends with :class:`JobEnded`)."""
    checkpoint: WaitCheckpoint
    """The stream's checkpoint once these events are handled: save it after handling them."""


class DeploymentEvents(AsyncIterator[DeploymentEvent]):
    """The events of a deployment job, as ``deployment_events`` yields them, until :class:`JobEnded`.

    ``async for event in events`` (``match event:`` on the event classes
    reads well). :meth:`checkpoint` at any moment says where the stream
    stands; save it after handling an event and pass it back as
    ``resume=`` after a restart. ``async for poll in events.polls()`` gives
    the same events a poll at a time, each with its checkpoint, for a
    consumer that saves once per poll. Timeout, errors and exit policy are
    those of the watch underneath (``watch_deployment_job``).
    """

    def __init__(self, watch: Watch) -> None:
        self._watch = watch
        self._pending: deque[DeploymentEvent] = deque()
        self._outcome: DeploymentOutcome | None = None

    def __aiter__(self) -> DeploymentEvents:
        return self

    async def __anext__(self) -> DeploymentEvent:
        if not self._pending and not await self._poll():
            raise StopAsyncIteration
        return self._deliver()

    async def polls(self) -> AsyncIterator[PollEvents]:
        """The events a poll at a time, each group with the checkpoint after it, until the job ends.

        Events already taken one by one are not repeated: if some of a
        poll's events were taken with ``async for event in events``, the
        first group holds the rest of that poll.
        """
        while self._pending or await self._poll():
            snapshot = self._pending[0].snapshot
            batch = tuple(self._deliver() for _ in range(len(self._pending)))
            yield PollEvents(snapshot=snapshot, events=batch, checkpoint=self.checkpoint())

    async def _poll(self) -> bool:
        """Queue the events of the next poll that changed something; ``False`` once the stream is over."""
        watch = self._watch
        while not self._pending:
            if watch.state.ended:
                await watch.close()
                return False
            snapshot = await watch.next()
            if snapshot is None:  # closed
                return False
            if not isinstance(snapshot, DescribedDeploymentJob):  # pragma: no cover - a stream only describes
                raise TypeError(f"an event stream got a job without robots: {snapshot!r}")
            now = datetime.now(timezone.utc)
            # Nothing is pending, so the state the watch holds is the state delivered so far.
            events = diff(watch.state, snapshot, now)
            if snapshot.status.is_terminal:
                outcome = self._outcome = watch.outcome()
                assert outcome is not None  # the watch saw a snapshot: this one
                events.append(JobEnded(observed_at=now, snapshot=snapshot, outcome=outcome))
            self._pending.extend(events)
        return True

    def _deliver(self) -> DeploymentEvent:
        event = self._pending.popleft()
        self._watch.delivered(event)
        return event

    def checkpoint(self) -> WaitCheckpoint:
        """Where the stream stands: the state after the events delivered so far."""
        return self._watch.checkpoint()

    @property
    def outcome(self) -> DeploymentOutcome | None:
        """How the job ended, once :class:`JobEnded` was computed (``None`` before)."""
        return self._outcome

    async def aclose(self) -> None:
        """Stop now (a cancelled task closing it applies the exit policy)."""
        await self._watch.close()
