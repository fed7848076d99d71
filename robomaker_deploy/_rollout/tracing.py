"""OpenTelemetry spans for a rollout, when the ``otel`` extra is installed.

A rollout is one span (``robomaker_deploy.rollout``); each stage it works on
is a span under it (``robomaker_deploy.rollout.stage``), and so is each
rollback (``robomaker_deploy.rollout.rollback``). A command runs with its
stage's (or rollback's) span current, so the spans of the waits
(``robomaker_deploy.deployment_events``) and of the API calls nest under
it. Spans are per process: a resumed rollout gets new ones.

The span is made current only around each step a driver awaits, never
across a ``yield``, so it never leaks into the code iterating the rollout.
Without OpenTelemetry nothing here imports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._waiting.tracing import _Current, _tracer
from .core import CancelJob, Command, CreateJob, Finish, RolloutState, WatchJob

if TYPE_CHECKING:
    from opentelemetry.trace import Span

__all__ = ["RolloutSpans"]

_PREFIX = "robomaker_deploy.rollout"


class RolloutSpans:
    """The spans of one run of a rollout; every method is a no-op without OpenTelemetry."""

    def __init__(self, digest: str) -> None:
        self._tracer = _tracer()
        self._root: Span | None = None
        self._open: dict[tuple[int, bool], Span] = {}
        self._digest = digest

    def start(self, state: RolloutState) -> None:
        """Start the rollout's span (in the caller's current context)."""
        if self._tracer is None or self._root is not None:
            return
        self._root = self._tracer.start_span(
            _PREFIX,
            attributes={
                "robomaker_deploy.rollout.plan": self._digest,
                "robomaker_deploy.rollout.stages": len(state.report.stages),
            },
        )

    def current(self, state: RolloutState, command: Command) -> _Current:
        """A context manager: the span of ``command``'s stage or rollback is current inside it."""
        if self._tracer is None or self._root is None or isinstance(command, Finish):
            return _Current(None)
        rollback = (isinstance(command, CreateJob) and command.kind == "rollback") or (
            isinstance(command, (WatchJob, CancelJob)) and command.rollback
        )
        key = (command.stage, rollback)
        span = self._open.get(key)
        if span is None:
            from opentelemetry import trace

            name = f"{_PREFIX}.{'rollback' if rollback else 'stage'}"
            span = self._tracer.start_span(
                name,
                context=trace.set_span_in_context(self._root),
                attributes={
                    "robomaker_deploy.rollout.stage": command.stage,
                    "robomaker_deploy.fleet.arn": state.report.stages[command.stage].fleet,
                },
            )
            self._open[key] = span
        return _Current(span)

    def update(self, state: RolloutState) -> None:
        """End the spans of stages and rollbacks that ``state`` shows over."""
        for (index, rollback), span in list(self._open.items()):
            stage = state.report.stages[index]
            if rollback:
                over = stage.rollback is not None and stage.rollback.status is not None
                status = None if stage.rollback is None else stage.rollback.status
                value = "" if status is None else status.value
            else:
                over = stage.status not in ("pending", "running") and (
                    not stage.attempts or stage.attempts[-1].status is not None
                )
                value = stage.status
            if over:
                span.set_attribute("robomaker_deploy.rollout.status", value)
                span.end()
                del self._open[(index, rollback)]

    def end(self, state: RolloutState | None, error: BaseException | None = None) -> None:
        """End every open span: the rollout finished, raised, or was stopped (to resume later)."""
        for span in self._open.values():
            span.end()
        self._open.clear()
        root, self._root = self._root, None
        if root is None:
            return
        if state is not None:
            root.set_attribute("robomaker_deploy.rollout.status", state.report.status)
            if state.report.reason:
                root.set_attribute("robomaker_deploy.rollout.reason", state.report.reason)
        if isinstance(error, Exception):
            from opentelemetry.trace import StatusCode

            root.record_exception(error)
            root.set_status(StatusCode.ERROR, f"{type(error).__name__}: {error}")
        root.end()
