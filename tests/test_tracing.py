"""Tracing (the ``otel`` extra), against the emulator with the OpenTelemetry SDK's in-memory exporter.

One span per wait, watch or event stream, with how it ended; a span event per
typed event; the per-call spans of the standard aiobotocore instrumentation
nested under the wait's span, on asyncio and trio; and, without OpenTelemetry,
waits that work and import none of it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import aclosing
from functools import partial
from pathlib import Path
from typing import Any

import anyio
import pytest
import trio
from opentelemetry import trace
from opentelemetry.instrumentation.botocore import AiobotocoreInstrumentor
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from robomaker_deploy import (
    DeploymentClient,
    DeploymentFailedError,
    DeploymentJob,
    DeploymentStatus,
    FailureCode,
    ResourceNotFoundError,
    RobotDeploymentStep,
    RobotFailed,
    WaiterTimeoutError,
)
from robomaker_deploy.emulator import TAG_FAIL_STEP, Emulator
from tests.support.world import World, build_world, many_jobs, versioned_app

ROOT = Path(__file__).resolve().parent.parent
FAST: dict[str, Any] = {"min_delay": 0.01, "max_delay": 0.05, "timeout": 60.0}
FAILING = {TAG_FAIL_STEP: RobotDeploymentStep.EXECUTING_PRE_LAUNCH.value}
#: On the manual clock nothing moves unless a test moves it: the jobs of the tests marked so are still
#: running whenever the tests leave them, however slow the machine.
STILL = pytest.mark.robomaker_emulator(clock="manual")
MISSING_JOB = "arn:aws:robomaker:us-east-1:123456789012:deployment-job/does-not-exist"
DESCRIBE = "DescribeDeploymentJob"


class _Collecting(SimpleSpanProcessor):
    """Exports only while a test of this module runs: the global provider stays set for the process."""

    on = False

    def on_end(self, span: ReadableSpan) -> None:
        if self.on:
            super().on_end(span)


class _Responses:
    """The instrumentation's response hook: what each call answered, and an event for a first answer."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, Mapping[str, Any]]] = []
        self._expected: dict[str, anyio.Event] = {}

    def expect(self, operation: str) -> anyio.Event:
        """Set when ``operation`` next answers (ask before the call can be made)."""
        event = self._expected[operation] = anyio.Event()
        return event

    def __call__(self, span: object, service: str, operation: str, result: Mapping[str, Any]) -> None:
        self.seen.append((operation, result))
        event = self._expected.pop(operation, None)
        if event is not None:
            event.set()


_RESPONSES = _Responses()
_EXPORTER = InMemorySpanExporter()
_COLLECTING = _Collecting(_EXPORTER)
_PROVIDER = TracerProvider()
_PROVIDER.add_span_processor(_COLLECTING)


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """The spans the test's code finishes, with the aiobotocore instrumentation on for the test."""
    if trace.get_tracer_provider() is not _PROVIDER:
        trace.set_tracer_provider(_PROVIDER)  # once per process: OpenTelemetry refuses a second one
    instrumentor = AiobotocoreInstrumentor()  # type: ignore[no-untyped-call]
    instrumentor.instrument(tracer_provider=_PROVIDER, response_hook=_RESPONSES)
    _EXPORTER.clear()
    _RESPONSES.seen.clear()
    _COLLECTING.on = True
    try:
        yield _EXPORTER
    finally:
        _COLLECTING.on = False
        instrumentor.uninstrument()
        _EXPORTER.clear()


def _named(found: Sequence[ReadableSpan], name: str) -> list[ReadableSpan]:
    return [span for span in found if span.name == name]


def _one(found: Sequence[ReadableSpan], name: str) -> ReadableSpan:
    (span,) = _named(found, name)
    return span


def _attributes(span: ReadableSpan) -> Mapping[str, Any]:
    return dict(span.attributes or {})


def _calls_under(found: Sequence[ReadableSpan], parent: ReadableSpan, method: str) -> list[ReadableSpan]:
    """The per-call spans of ``method`` whose parent is ``parent``."""
    return [
        span
        for span in found
        if _attributes(span).get("rpc.method") == method
        and span.parent is not None
        and span.parent.span_id == parent.context.span_id
    ]


def _check_calls(found: Sequence[ReadableSpan], wait: ReadableSpan, method: str = DESCRIBE) -> int:
    """The standard attributes on each call under ``wait`` (a request id from the response); how many."""
    calls = _calls_under(found, wait, method)
    for call in calls:
        attributes = _attributes(call)
        assert attributes["rpc.system"] == "aws-api"
        assert attributes["rpc.service"] == "RoboMaker"
        assert call.name == f"RoboMaker.{method}"
        assert call.kind is trace.SpanKind.CLIENT
        assert attributes["aws.request_id"]
        assert call.context.trace_id == wait.context.trace_id
    assert len({_attributes(call)["aws.request_id"] for call in calls}) == len(calls)
    return len(calls)


async def _deploy(client: DeploymentClient, world: World) -> DeploymentJob:
    return await client.create_deployment_job(
        fleet=world.fleet, application_configs=[world.config(pre_launch_file="pre.sh")]
    )


# -- on asyncio and trio (each test marked anyio) ---------------------------------------------------


@pytest.mark.anyio
@pytest.mark.robomaker_emulator(speed=200)
async def test_a_wait_is_one_span_with_its_calls_nested(
    any_client: DeploymentClient, spans: InMemorySpanExporter
) -> None:
    client = any_client
    world = await build_world(client, robots=2)
    job = await _deploy(client, world)
    with trace.get_tracer("tests").start_as_current_span("orchestrate") as outer:
        final = await client.wait_for_deployment_job(job, **FAST)
    found = spans.get_finished_spans()
    wait = _one(found, "robomaker_deploy.wait_for_deployment_job")
    assert wait.parent is not None and wait.parent.span_id == outer.get_span_context().span_id
    attributes = _attributes(wait)
    assert attributes["robomaker_deploy.job.arn"] == job.arn
    assert attributes["robomaker_deploy.job.status"] == final.status.value == "Succeeded"
    assert attributes["robomaker_deploy.wait.end"] == "finished"
    assert attributes["robomaker_deploy.wait.on_exit"] == "detach"
    assert attributes["robomaker_deploy.wait.timeout"] == 60.0
    assert attributes["robomaker_deploy.wait.elapsed_seconds"] > 0
    assert attributes["robomaker_deploy.wait.job_canceled"] is False
    assert attributes["robomaker_deploy.job.robots"] == 2
    assert attributes["robomaker_deploy.job.robots_failed"] == 0
    assert wait.status.status_code is StatusCode.UNSET
    # Every poll of a lone waiter is a describe of its own, each a span under the wait's.
    assert _check_calls(found, wait) == attributes["robomaker_deploy.wait.polls"] >= 2
    # A response hook given to the instrumentation sees botocore's response metadata (the SDK decodes
    # the body itself, so the parsed members are not there).
    described = [result for operation, result in _RESPONSES.seen if operation == DESCRIBE]
    assert described and all(result["ResponseMetadata"]["RequestId"] for result in described)
    # The calls that built the world were made outside the wait, and are not under it.
    assert all(span.parent is None for span in found if _attributes(span).get("rpc.method") == "CreateFleet")


@pytest.mark.anyio
@pytest.mark.robomaker_emulator(speed=200)
async def test_a_failed_deployment_and_an_error_end_their_spans(
    any_client: DeploymentClient, spans: InMemorySpanExporter
) -> None:
    client = any_client
    world = await build_world(client, robots=2, robot_tags={0: FAILING})
    job = await _deploy(client, world)
    with pytest.raises(DeploymentFailedError):
        await client.wait_until_deployment_succeeded(job, **FAST)
    found = spans.get_finished_spans()
    wait = _one(found, "robomaker_deploy.wait_until_deployment_succeeded")
    attributes = _attributes(wait)
    assert attributes["robomaker_deploy.job.status"] == "Failed"
    assert attributes["robomaker_deploy.wait.end"] == "finished"
    assert attributes["robomaker_deploy.job.robots_failed"] == 1

    # A job that does not exist: the error ends the wait's span, and the failed call still has the
    # request id, read from the error response.
    spans.clear()
    with pytest.raises(ResourceNotFoundError):
        await client.wait_for_deployment_job(MISSING_JOB, **FAST)
    found = spans.get_finished_spans()
    wait = _one(found, "robomaker_deploy.wait_for_deployment_job")
    assert _attributes(wait)["robomaker_deploy.wait.end"] == "error"
    assert "robomaker_deploy.job.status" not in _attributes(wait)
    assert wait.status.status_code is StatusCode.ERROR
    assert [event.name for event in wait.events] == ["exception"]
    assert _check_calls(found, wait) == 1
    (call,) = _calls_under(found, wait, DESCRIBE)
    assert _attributes(call)["http.status_code"] == 400  # the service's status for a missing resource
    assert call.status.status_code is StatusCode.ERROR


@pytest.mark.anyio
@pytest.mark.robomaker_emulator(speed=200)
async def test_an_event_stream_has_a_span_event_per_typed_event(
    any_client: DeploymentClient, spans: InMemorySpanExporter
) -> None:
    client = any_client
    world = await build_world(client, robots=3, robot_tags={1: FAILING})
    job = await _deploy(client, world)
    events = [event async for event in client.deployment_events(job, **FAST)]
    found = spans.get_finished_spans()
    assert _named(found, "robomaker_deploy.watch_deployment_job") == []  # one span: the stream's
    stream = _one(found, "robomaker_deploy.deployment_events")
    assert _attributes(stream)["robomaker_deploy.wait.end"] == "finished"
    assert _attributes(stream)["robomaker_deploy.job.status"] == "Failed"
    assert [e.name for e in stream.events] == [type(e).__name__ for e in events]
    for event, recorded in zip(events, stream.events, strict=True):
        assert recorded.timestamp == int(event.observed_at.timestamp() * 1e9)
        assert (recorded.attributes or {})["robomaker_deploy.job.status"] == event.snapshot.status.value
    (failed,) = [(e, r) for e, r in zip(events, stream.events, strict=True) if isinstance(e, RobotFailed)]
    assert dict(failed[1].attributes or {}) == {
        "robomaker_deploy.job.status": failed[0].snapshot.status.value,
        "robomaker_deploy.robot.arn": world.robots[1].arn,
        "robomaker_deploy.robot.status": "Failed",
        "robomaker_deploy.robot.step": "ExecutingPreLaunch",
        "robomaker_deploy.robot.failure_code": FailureCode.PRE_LAUNCH_FILE_FAILURE.value,
        "robomaker_deploy.robot.failure_category": FailureCode.PRE_LAUNCH_FILE_FAILURE.category.value,
        "robomaker_deploy.robot.retryable": False,
    }
    ended = dict(stream.events[-1].attributes or {})
    assert stream.events[-1].name == "JobEnded"
    assert ended["robomaker_deploy.job.succeeded"] is False
    assert _check_calls(found, stream) == _attributes(stream)["robomaker_deploy.wait.polls"]


@pytest.mark.anyio
@STILL
async def test_a_cancelled_wait_ends_its_span_and_so_does_its_exit_policy(
    any_client: DeploymentClient, spans: InMemorySpanExporter
) -> None:
    client = any_client
    world = await build_world(client, robots=1)
    job = await _deploy(client, world)
    described = _RESPONSES.expect(DESCRIBE)
    async with anyio.create_task_group() as group:
        group.start_soon(partial(client.wait_for_deployment_job, job, **FAST, on_exit="cancel"))
        await described.wait()  # the wait is polling: cancel it
        group.cancel_scope.cancel()
    found = spans.get_finished_spans()
    wait = _one(found, "robomaker_deploy.wait_for_deployment_job")
    attributes = _attributes(wait)
    assert attributes["robomaker_deploy.wait.end"] == "cancelled"
    assert not DeploymentStatus(attributes["robomaker_deploy.job.status"]).is_terminal
    assert attributes["robomaker_deploy.wait.job_canceled"] is True
    assert wait.status.status_code is StatusCode.UNSET  # a cancellation is not an error
    # The cancel call the exit policy made is under the wait's span too.
    assert _check_calls(found, wait, "CancelDeploymentJob") == 1
    assert (await client.describe_deployment_job(job)).status is DeploymentStatus.CANCELED


@pytest.mark.anyio
@STILL
async def test_watches_left_closed_or_timed_out_end_their_spans(
    any_client: DeploymentClient, spans: InMemorySpanExporter
) -> None:
    client = any_client
    world = await build_world(client, robots=1)
    job = await _deploy(client, world)

    # Left by `break` and dropped: the span ends when the watch goes.
    watch = client.watch_deployment_job(job, **FAST)
    async for _ in watch:
        break
    assert _named(spans.get_finished_spans(), "robomaker_deploy.watch_deployment_job") == []
    del watch
    left = _one(spans.get_finished_spans(), "robomaker_deploy.watch_deployment_job")
    assert _attributes(left)["robomaker_deploy.wait.end"] == "left"
    assert _attributes(left)["robomaker_deploy.wait.polls"] == 1

    # Closed with aclose (an event stream, closed after its first event).
    spans.clear()
    async with aclosing(client.deployment_events(job, **FAST)) as stream:
        async for _ in stream:
            break
    closed = _one(spans.get_finished_spans(), "robomaker_deploy.deployment_events")
    assert _attributes(closed)["robomaker_deploy.wait.end"] == "left"
    assert [event.name for event in closed.events] == ["JobStatusChanged"]

    # Past its deadline.
    spans.clear()
    with pytest.raises(WaiterTimeoutError):
        async for _ in client.watch_deployment_job(job, timeout=0.05, min_delay=0.01, max_delay=0.01):
            pass
    timed_out = _one(spans.get_finished_spans(), "robomaker_deploy.watch_deployment_job")
    assert _attributes(timed_out)["robomaker_deploy.wait.end"] == "timed_out"
    assert timed_out.status.status_code is StatusCode.ERROR
    assert [event.name for event in timed_out.events] == ["exception"]
    await client.cancel_deployment_job(job)


@pytest.mark.anyio
@pytest.mark.robomaker_emulator(speed=200)
async def test_a_shared_listing_pass_belongs_to_no_single_wait(
    any_client: DeploymentClient, spans: InMemorySpanExporter
) -> None:
    client = any_client
    app = await versioned_app(client)
    jobs = await many_jobs(client, app, 10, prefix="traced")
    spans.clear()
    async with anyio.create_task_group() as group:
        for job in jobs:
            group.start_soon(partial(client.wait_for_deployment_job, job, **FAST))
    found = spans.get_finished_spans()
    waits = _named(found, "robomaker_deploy.wait_for_deployment_job")
    assert len(waits) == len(jobs)
    assert all(_attributes(wait)["robomaker_deploy.wait.end"] == "finished" for wait in waits)
    passes = [span for span in found if _attributes(span).get("rpc.method") == "ListDeploymentJobs"]
    assert passes, "ten jobs waited on at once share listing passes"
    # A pass serves every waiter: it is the child of none (not of the waiter that happened to start it).
    assert all(span.parent is None for span in passes)


# -- trio ------------------------------------------------------------------------------------------


@pytest.mark.robomaker_emulator(speed=200)
def test_on_trio_the_calls_nest_under_the_wait(
    robomaker_emulator_background: Emulator, spans: InMemorySpanExporter
) -> None:
    emulator = robomaker_emulator_background

    async def main() -> None:
        async with emulator.client() as client:
            world = await build_world(client, robots=2)
            job = await _deploy(client, world)
            await client.wait_for_deployment_job(job, **FAST)
            events = [event async for event in client.deployment_events(job, **FAST)]
            assert type(events[-1]).__name__ == "JobEnded"

    trio.run(main)
    found = spans.get_finished_spans()
    wait = _one(found, "robomaker_deploy.wait_for_deployment_job")
    # Describes run in the client's background tasks: trio's system tasks, which carry the waiter's context.
    assert _check_calls(found, wait) == _attributes(wait)["robomaker_deploy.wait.polls"] >= 1
    stream = _one(found, "robomaker_deploy.deployment_events")
    assert _check_calls(found, stream) == _attributes(stream)["robomaker_deploy.wait.polls"] >= 1
    assert stream.events[-1].name == "JobEnded"


@STILL
def test_on_trio_a_cancelled_wait_ends_its_span(
    robomaker_emulator_background: Emulator, spans: InMemorySpanExporter
) -> None:
    emulator = robomaker_emulator_background

    async def main() -> None:
        async with emulator.client() as client:
            world = await build_world(client, robots=1)
            job = await _deploy(client, world)
            described = _RESPONSES.expect(DESCRIBE)
            async with trio.open_nursery() as nursery:
                nursery.start_soon(partial(client.wait_for_deployment_job, job, **FAST))
                await described.wait()
                nursery.cancel_scope.cancel()
            await client.cancel_deployment_job(job)

    trio.run(main)
    found = spans.get_finished_spans()
    wait = _one(found, "robomaker_deploy.wait_for_deployment_job")
    assert _attributes(wait)["robomaker_deploy.wait.end"] == "cancelled"
    assert _check_calls(found, wait) >= 1


# -- without OpenTelemetry ---------------------------------------------------------------------------

_WITHOUT = """
import importlib.abc, json, sys

class Absent(importlib.abc.MetaPathFinder):
    # What an environment without the otel extra looks like to an import.
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] == "opentelemetry":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, Absent())

import anyio
from robomaker_deploy.emulator import Emulator
from robomaker_deploy._waiting.tracing import _tracer
from tests.support.world import build_world, many_jobs, versioned_app

FAST = {"min_delay": 0.01, "max_delay": 0.05, "timeout": 60.0}

async def main():
    async with Emulator(speed=200) as emulator, emulator.client() as client:
        world = await build_world(client, robots=2)
        job = await client.create_deployment_job(fleet=world.fleet, application_configs=[world.config()])
        final = await client.wait_for_deployment_job(job, **FAST)
        events = [type(e).__name__ async for e in client.deployment_events(job, **FAST)]
        jobs = await many_jobs(client, await versioned_app(client), 10)
        async with anyio.create_task_group() as group:
            for other in jobs:
                group.start_soon(lambda other=other: client.wait_for_deployment_job(other, **FAST))
        return final.status.value, events[-1]

status, last = anyio.run(main)
loaded = sorted(name for name in sys.modules if name.partition(".")[0] == "opentelemetry")
print(json.dumps({"status": status, "last": last, "tracer": _tracer() is not None, "loaded": loaded}))
"""


def test_without_opentelemetry_waits_work_and_import_none_of_it() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _WITHOUT],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result == {"status": "Succeeded", "last": "JobEnded", "tracer": False, "loaded": []}
