"""What ``client.rollout(plan)`` returns: a running rollout you iterate, and await for its report."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from types import TracebackType

from .embedded import Runner
from .events import RolloutEvent, RolloutFinished
from .report import RolloutReport

__all__ = ["Rollout"]


class Rollout(AsyncIterator[RolloutEvent]):
    """A rollout as it runs.

    ``async for event in rollout`` yields the stage events (started,
    retried, aborted, baked, gate passed or refused, finished, rolled back)
    between the deployment events of each stage's job, and last
    :class:`RolloutFinished`; ``await rollout.result()`` runs it to its end
    (or consumes what is left) and returns the :class:`RolloutReport`. Use
    it as ``async with`` (or ``contextlib.aclosing``) to stop it cleanly when
    you leave early; with a checkpoint file, a stopped or killed rollout
    continues where it was when started again with the same file.
    """

    def __init__(self, runner: Runner) -> None:
        self._runner = runner
        self._events: AsyncGenerator[RolloutEvent, None] = runner.run()
        self._final: RolloutReport | None = None
        self._started = False

    def __aiter__(self) -> Rollout:
        return self

    async def __anext__(self) -> RolloutEvent:
        self._started = True
        event = await self._events.__anext__()
        if isinstance(event, RolloutFinished):
            self._final = event.report
        return event

    async def result(self) -> RolloutReport:
        """Run the rollout to its end and return its report.

        Called before any event was read, the events are not wanted: each
        stage's job is then awaited in the client's shared polls (as
        ``wait_for_deployment_job`` does) rather than followed robot by robot,
        unless the plan's early-abort rule needs the robots' progress.
        """
        if self._final is None and not self._started:
            self._runner.detail = False
        async for _ in self:
            pass
        if self._final is None:  # pragma: no cover - the run always ends with RolloutFinished
            raise RuntimeError("the rollout ended without a report")
        return self._final

    @property
    def report(self) -> RolloutReport | None:
        """The report as it stands now (``None`` before the rollout started)."""
        return self._final or self._runner.report

    async def aclose(self) -> None:
        """Stop the rollout here (its checkpoint says where, to continue later)."""
        await self._events.aclose()

    async def __aenter__(self) -> Rollout:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
