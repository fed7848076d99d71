"""OpenTelemetry spans for waits, watches and event streams, when the ``otel`` extra is installed.

A wait, a watch and an event stream each get one span, named
``robomaker_deploy.<method>`` (``wait_for_deployment_job``,
``wait_until_deployment_succeeded``, ``watch_deployment_job``,
``deployment_events``): it starts with the first poll, in the caller's
current context, is the current span while the waiter polls (so the per-call
spans of the botocore instrumentation nest under it, in the client's
background tasks too: they run in a copy of their starter's context), and
ends however the waiter does: it returns, raises, is cancelled, is exhausted,
closed, or dropped after a ``break``. An event stream adds a span event per
typed event it delivers.

Without OpenTelemetry nothing here imports it: :func:`_tracer` looks for the
package once, and every :class:`WaitSpan` is then a no-op. With the API but
no tracer provider set, spans are OpenTelemetry's non-recording ones.
"""

from __future__ import annotations

import importlib.util
import logging
import sys
from functools import cache
from typing import TYPE_CHECKING, Protocol

import anyio

from .._background import Job
from .._models import DeploymentJob, DescribedDeploymentJob, RobotDeployment
from .._outcome import DeploymentOutcome, WaiterTimeoutError
from .events import (
    DeploymentEvent,
    JobEnded,
    JobStatusChanged,
    RobotEvent,
    RobotFailed,
    RobotLeft,
    RobotStatusChanged,
)
from .policy import WaitPolicy

if TYPE_CHECKING:
    from contextvars import Token

    from opentelemetry.context import Context
    from opentelemetry.trace import Span, Tracer
    from opentelemetry.util.types import AttributeValue

__all__ = ["WaitSpan", "unparented"]

log = logging.getLogger("robomaker_deploy.waiters")

_PREFIX = "robomaker_deploy."


class Progress(Protocol):
    """What a span reads off a watch when it ends."""

    @property
    def last(self) -> DeploymentJob | None: ...

    @property
    def polls(self) -> int: ...

    @property
    def elapsed(self) -> float: ...


@cache
def _tracer() -> Tracer | None:
    """The package's tracer, or ``None`` when the OpenTelemetry API is not installed (nothing imported)."""
    try:
        if importlib.util.find_spec("opentelemetry") is None:
            return None
        from opentelemetry import trace
    except (ImportError, ValueError):  # ValueError: a module blocked or half-imported in sys.modules
        return None
    # The package is loaded (this module is in it): its version is read, not imported back up.
    version: str = sys.modules["robomaker_deploy"].__version__
    return trace.get_tracer("robomaker_deploy", version)


class WaitSpan:
    """The span of one wait, watch or event stream; a no-op without OpenTelemetry.

    Started by the first :meth:`current`, ended once by the first
    :meth:`end` (later calls, and :meth:`current` after the end, do
    nothing), so every way out of a waiter may call :meth:`end`.
    """

    __slots__ = ("_attributes", "_ended", "_job_canceled", "_name", "_span")

    def __init__(self, method: str, job: str, policy: WaitPolicy) -> None:
        self._name = _PREFIX + method
        self._attributes: dict[str, AttributeValue] = {
            "robomaker_deploy.job.arn": job,
            "robomaker_deploy.wait.on_exit": policy.on_exit,
        }
        if policy.timeout is not None:
            self._attributes["robomaker_deploy.wait.timeout"] = float(policy.timeout)
        self._span: Span | None = None
        self._ended = False
        self._job_canceled = False

    def current(self) -> _Current:
        """A context manager: the span (started if new) is the current one inside it."""
        if self._span is None and not self._ended:
            tracer = _tracer()
            if tracer is None:
                self._ended = True  # nothing to trace, now or later
            else:
                self._span = tracer.start_span(self._name, attributes=self._attributes)
        return _Current(None if self._ended else self._span)

    def event(self, event: DeploymentEvent) -> None:
        """Add ``event`` to the span, named for its class, stamped with when it was observed."""
        span = self._span
        if span is None or self._ended or not span.is_recording():
            return
        timestamp = int(event.observed_at.timestamp() * 1e9)
        span.add_event(type(event).__name__, _event_attributes(event), timestamp=timestamp)

    def job_canceled(self) -> None:
        """The exit policy canceled the job as the waiter left it unfinished."""
        self._job_canceled = True

    def end(self, progress: Progress, error: BaseException | None = None, *, cancelled: bool = False) -> None:
        """End the span with how the waiter ended: ``error`` it raised, or ``cancelled`` while leaving.

        Never raises: it runs on every way out, ``__del__`` included.
        """
        span, self._span = self._span, None
        if self._ended:
            return
        self._ended = True
        if span is None:
            return
        try:
            if span.is_recording():
                _finish(span, progress, error, cancelled=cancelled, job_canceled=self._job_canceled)
        except Exception:  # a span is not worth a wait, or an error in __del__
            log.debug("could not record the end of %s", self._name, exc_info=True)
        finally:
            span.end()


class _Current:
    """Attaches a span to the current OpenTelemetry context for the span of a ``with``."""

    __slots__ = ("_span", "_token")

    def __init__(self, span: Span | None) -> None:
        self._span = span
        self._token: Token[Context] | None = None

    def __enter__(self) -> None:
        if self._span is not None:
            from opentelemetry import context, trace

            self._token = context.attach(trace.set_span_in_context(self._span))

    def __exit__(self, *exc_info: object) -> None:
        if self._token is not None:
            from opentelemetry import context

            context.detach(self._token)


def unparented(job: Job) -> Job:
    """``job`` run outside any span: for background work that serves many waiters and belongs to none."""
    if _tracer() is None:
        return job

    async def run() -> None:
        from opentelemetry import context

        token = context.attach(context.Context())
        try:
            await job()
        finally:
            context.detach(token)

    return run


# -- attributes -------------------------------------------------------------------------------------------


def _how(last: DeploymentJob | None, error: BaseException | None, cancelled: bool) -> str:
    if last is not None and last.status.is_terminal:
        return "finished"
    if isinstance(error, WaiterTimeoutError):
        return "timed_out"
    if cancelled or (error is not None and isinstance(error, anyio.get_cancelled_exc_class())):
        return "cancelled"
    if isinstance(error, Exception) and not isinstance(error, StopAsyncIteration):
        return "error"
    return "left"


def _finish(
    span: Span, progress: Progress, error: BaseException | None, *, cancelled: bool, job_canceled: bool
) -> None:
    from opentelemetry.trace import StatusCode

    last = progress.last
    how = _how(last, error, cancelled)
    attributes: dict[str, AttributeValue] = {
        "robomaker_deploy.wait.end": how,
        "robomaker_deploy.wait.polls": progress.polls,
        "robomaker_deploy.wait.job_canceled": job_canceled,
    }
    if last is not None:
        attributes["robomaker_deploy.job.status"] = last.status.value
        if last.failure_code is not None:
            attributes["robomaker_deploy.job.failure_code"] = last.failure_code.value
        if isinstance(last, DescribedDeploymentJob):
            outcome = DeploymentOutcome(job=last, polls=progress.polls, elapsed=0.0)
            attributes["robomaker_deploy.job.robots"] = len(outcome.robots)
            attributes["robomaker_deploy.job.robots_failed"] = len(outcome.failed)
    if how in ("timed_out", "error") and isinstance(error, Exception):
        span.record_exception(error)
        span.set_status(StatusCode.ERROR, f"{type(error).__name__}: {error}")
    span.set_attributes(attributes)
    # Last, as it may fail: a waiter dropped outside its event loop has no clock to read.
    span.set_attribute("robomaker_deploy.wait.elapsed_seconds", progress.elapsed)


def _robot_attributes(robot: RobotDeployment) -> dict[str, AttributeValue]:
    attributes: dict[str, AttributeValue] = {
        "robomaker_deploy.robot.arn": robot.arn,
        "robomaker_deploy.robot.status": robot.status.value,
    }
    detail = robot.progress_detail
    if detail is not None:
        if detail.current_progress is not None:
            attributes["robomaker_deploy.robot.step"] = detail.current_progress.value
        if detail.percent_done is not None:
            attributes["robomaker_deploy.robot.percent_done"] = float(detail.percent_done)
        if detail.estimated_time_remaining_seconds is not None:
            attributes["robomaker_deploy.robot.time_remaining_seconds"] = (
                detail.estimated_time_remaining_seconds
            )
    if robot.failure_code is not None:
        attributes["robomaker_deploy.robot.failure_code"] = robot.failure_code.value
    return attributes


def _event_attributes(event: DeploymentEvent) -> dict[str, AttributeValue]:
    attributes: dict[str, AttributeValue] = {"robomaker_deploy.job.status": event.snapshot.status.value}
    if isinstance(event, JobStatusChanged) and event.previous is not None:
        attributes["robomaker_deploy.job.previous_status"] = event.previous.value
    if isinstance(event, RobotEvent):
        attributes.update(_robot_attributes(event.robot))
    if isinstance(event, RobotFailed):
        attributes["robomaker_deploy.robot.failure_category"] = event.category.value
        attributes["robomaker_deploy.robot.retryable"] = event.retryable
    if isinstance(event, RobotStatusChanged):
        attributes["robomaker_deploy.robot.previous_status"] = event.previous.value
    if isinstance(event, RobotLeft):
        attributes["robomaker_deploy.robot.arn"] = event.arn
        attributes["robomaker_deploy.robot.status"] = event.last.status.value
        if event.last.step is not None:
            attributes["robomaker_deploy.robot.step"] = event.last.step.value
    if isinstance(event, JobEnded):
        attributes["robomaker_deploy.job.succeeded"] = event.outcome.succeeded
        attributes["robomaker_deploy.wait.polls"] = event.outcome.polls
    return attributes
