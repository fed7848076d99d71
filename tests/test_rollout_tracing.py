"""A rollout's spans: the rollout, a span per stage and per rollback, and the waits and calls under them.

Uses the in-memory exporter and aiobotocore instrumentation of ``test_tracing``
(OpenTelemetry accepts one tracer provider per process, so it is shared).
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from robomaker_deploy import DeploymentApplicationConfig, DeploymentClient, LaunchConfig, RobotDeploymentStep
from robomaker_deploy.emulator import TAG_FAIL_STEP
from tests.test_rollout import FAST, _plan, _site, _version, client, robomaker_emulator
from tests.test_tracing import _attributes, _named, _one, spans

# The fixtures, shared: spans with test_tracing; client and its emulator (on either backend) with
# test_rollout.
__all__ = ["client", "robomaker_emulator", "spans"]

FAILING = {TAG_FAIL_STEP: RobotDeploymentStep.EXECUTING_PRE_LAUNCH.value}


def _children(found: Sequence[ReadableSpan], parent: ReadableSpan) -> list[ReadableSpan]:
    return [s for s in found if s.parent is not None and s.parent.span_id == parent.context.span_id]


@pytest.mark.anyio
@pytest.mark.robomaker_emulator(speed=300)
@pytest.mark.parametrize("read_events", [True, False], ids=["events", "result-only"])
async def test_a_rollout_is_a_span_with_its_stages_rollbacks_waits_and_calls_under_it(
    client: DeploymentClient, spans: InMemorySpanExporter, read_events: bool
) -> None:
    good, _ = await _site(client, [{}], name="t-good")
    bad, _ = await _site(client, [{}, FAILING], name="t-bad")
    before = await _version(client, "t-before")
    old = DeploymentApplicationConfig(
        application=before[0],
        application_version=before[1],
        launch_config=LaunchConfig(package_name="pkg", launch_file="app.launch"),  # no failing pre-launch
    )
    for fleet in (good, bad):
        job = await client.create_deployment_job(fleet=fleet, application_configs=[old])
        await client.wait_until_deployment_succeeded(job, **FAST)
    spans.clear()
    after = await _version(client, "t-after")
    with trace.get_tracer("tests").start_as_current_span("release") as outer:
        rollout = client.rollout(_plan(after, [good, bad]), **FAST)
        if read_events:  # followed robot by robot: an event stream per job
            _ = [event async for event in rollout]
        report = await rollout.result()  # else awaited in shared polls, as a waiter does
    assert report.status == "stopped"
    found = spans.get_finished_spans()
    root = _one(found, "robomaker_deploy.rollout")
    assert root.parent is not None and root.parent.span_id == outer.get_span_context().span_id
    assert _attributes(root)["robomaker_deploy.rollout.status"] == "stopped"
    stages = _named(found, "robomaker_deploy.rollout.stage")
    rollbacks = _named(found, "robomaker_deploy.rollout.rollback")
    assert sorted(_attributes(s)["robomaker_deploy.rollout.stage"] for s in stages) == [0, 1]
    assert sorted(_attributes(s)["robomaker_deploy.rollout.stage"] for s in rollbacks) == [0, 1]
    for span in (*stages, *rollbacks):
        assert span.parent is not None and span.parent.span_id == root.context.span_id
        # The job's create call and its watch (with the describes under it) nest under the stage.
        under = _children(found, span)
        creates = [s for s in under if _attributes(s).get("rpc.method") == "CreateDeploymentJob"]
        kind = "deployment_events" if read_events else "wait_for_deployment_job"
        (watch,) = [s for s in under if s.name == f"robomaker_deploy.{kind}"]
        assert len(creates) == 1
        describes = [
            s for s in _children(found, watch) if _attributes(s).get("rpc.method") == "DescribeDeploymentJob"
        ]
        assert describes
    statuses = {
        _attributes(s)["robomaker_deploy.rollout.stage"]: _attributes(s)["robomaker_deploy.rollout.status"]
        for s in stages
    }
    assert statuses == {0: "succeeded", 1: "failed"}
