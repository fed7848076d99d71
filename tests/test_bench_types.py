"""The benchmarks measure what the client returns (issue 22).

The decode and memory rows of ``bench/bench_describe.py`` read a body through the client's own
path (``read``) with the client's own entry of its table of outputs; these tests fail if a row and
``describe_deployment_job`` disagree on the type, or if a row stops reading the table.
"""

from __future__ import annotations

from typing import Any

import pytest

from bench import bench_describe
from robomaker_deploy import DeploymentClient, DeploymentConfig, DescribedDeploymentJob
from robomaker_deploy._client import calls
from robomaker_deploy._client.outputs import OUTPUTS, Output
from robomaker_deploy._wire.model import service_model
from robomaker_deploy.emulator import TAG_FAIL_STEP, Emulator
from tests.support.world import build_world

STILL = pytest.mark.robomaker_emulator(clock="manual")


@STILL
@pytest.mark.asyncio
async def test_the_describe_rows_decode_into_what_describe_returns(
    robomaker_emulator: Emulator, client: DeploymentClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = await build_world(client, robots=3, robot_tags={1: {TAG_FAIL_STEP: "DownloadingExtracting"}})
    job = await client.create_deployment_job(
        fleet=world.fleet,
        application_configs=[world.config()],
        deployment_config=DeploymentConfig(concurrent_deployment_percentage=100),
    )
    robomaker_emulator.advance_clock(30)  # robots under way and one failed: progress, times, a code
    described = await client.describe_deployment_job(job)
    assert type(described) is OUTPUTS["DescribeDeploymentJob"].model is DescribedDeploymentJob
    assert bench_describe.DESCRIBE is OUTPUTS["DescribeDeploymentJob"]

    # The rows' decode of the same response (the clock stands still) is the client's result.
    read_with: list[Output[Any]] = []

    def recording_read(output: Output[Any], body: bytes) -> Any:
        read_with.append(output)
        return calls.read(output, body)

    monkeypatch.setattr(bench_describe, "read", recording_read)
    body = await bench_describe._body(client, job.arn)
    decoded = bench_describe.decode(body)
    assert type(decoded) is type(described) and decoded == described
    assert len(decoded.robot_deployment_summary) == 3  # the robots are read, not dropped
    assert any(robot.progress_detail for robot in decoded.robot_deployment_summary)
    assert any(robot.failure_code for robot in decoded.robot_deployment_summary)

    # The decode row and the memory row both go through it.
    read_with.clear()
    bench_describe._decode_pairs(body, 2)
    assert read_with == [bench_describe.DESCRIBE] * 2
    read_with.clear()
    typed_bytes, dict_bytes, peak = bench_describe._memory(body)
    assert read_with and set(read_with) == {bench_describe.DESCRIBE}
    assert 0 < typed_bytes < dict_bytes and peak > 0


def test_the_table_names_operations_of_the_model() -> None:
    operations = set(service_model().operation_names)
    for name, output in OUTPUTS.items():
        assert name == output.operation and name in operations
        shape = service_model().operation_model(name).output_shape
        assert shape is not None
        assert output.items is None or output.items in shape.members
