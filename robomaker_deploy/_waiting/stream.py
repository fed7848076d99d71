"""The event stream: a watch turned into typed events, checkpointable after any of them.

``client.deployment_events(job)`` yields the :mod:`events` of each snapshot
its watch sees, one by one, and ends with :class:`JobEnded`. The state it
checkpoints is the state after the *delivered* events (each is folded in as
it is handed out), so a checkpoint saved after handling an event resumes
right after it: the first poll of the resumed stream is compared with that
state, and whatever changed meanwhile (or was computed but not delivered
before a crash) comes out as events.

A consumer that saves its checkpoint wants to do so once per poll, not once
per event (a 1,000-robot job's first poll is 1,000 events). :meth:`polls`
hands out the same events grouped by the poll that saw them, each group with
the checkpoint after it: the poll boundary.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator
from datetime import datetime, timezone

import attrs

from .._models import DescribedDeploymentJob
from .checkpoint import WaitCheckpoint
from .events import DeploymentEvent, JobEnded, JobState, diff
from .loop import DeploymentWatch
from .outcome import DeploymentOutcome

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

    def __init__(self, watch: DeploymentWatch) -> None:
        self._watch = watch
        # Where the watch started (a resumed one: the state its checkpoint delivered up to).
        self._state: JobState = watch._origin.state
        self._pending: deque[DeploymentEvent] = deque()
        self._outcome: DeploymentOutcome | None = None

    def __aiter__(self) -> DeploymentEvents:
        return self

    async def __anext__(self) -> DeploymentEvent:
        while not self._pending:
            if not await self._poll():
                raise StopAsyncIteration
        return self._deliver()

    async def polls(self) -> AsyncIterator[PollEvents]:
        """The events a poll at a time, each group with the checkpoint after it, until the job ends.

        Events already taken one by one are not repeated: if some of a
        poll's events were taken with ``async for event in events``, the
        first group holds the rest of that poll.
        """
        while True:
            if not self._pending and not await self._poll():
                return
            snapshot = self._pending[0].snapshot
            batch = tuple(self._deliver() for _ in range(len(self._pending)))
            yield PollEvents(snapshot=snapshot, events=batch, checkpoint=self.checkpoint())

    async def _poll(self) -> bool:
        """Queue the events of the next poll that changed something; ``False`` once the stream is over."""
        while not self._pending:
            if self._state.ended:
                await self._watch.aclose()
                return False
            snapshot = await self._watch.__anext__()
            now = datetime.now(timezone.utc)
            # Nothing is pending, so the state delivered so far is the state to compare with.
            events = diff(self._state, snapshot, now)
            if snapshot.status.is_terminal:
                outcome = self._watch.outcome()
                assert outcome is not None
                self._outcome = outcome
                events.append(JobEnded(observed_at=now, snapshot=snapshot, outcome=outcome))
            self._pending.extend(events)
        return True

    def _deliver(self) -> DeploymentEvent:
        event = self._pending.popleft()
        self._state = self._state.apply(event)
        self._watch._trace.event(event)  # the watch's span is the stream's (see watch_job's traced_as)
        return event

    def checkpoint(self) -> WaitCheckpoint:
        """Where the stream stands: the state after the events delivered so far."""
        return self._watch._checkpoint(self._state)

    @property
    def outcome(self) -> DeploymentOutcome | None:
        """How the job ended, once :class:`JobEnded` was computed (``None`` before)."""
        return self._outcome

    async def aclose(self) -> None:
        """Stop now (a cancelled task closing it applies the exit policy)."""
        await self._watch.aclose()
