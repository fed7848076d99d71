"""DescribeDeploymentJob of a 1,000-robot job, small calls, decode and memory: typed vs raw.

The decode and memory rows read the body with :func:`decode`, which is the client's own path from
bytes to model (``read``) with the client's own entry for the operation (``DESCRIBE``): they
measure what ``describe_deployment_job`` returns, and cannot name another type.
"""

from __future__ import annotations

import contextlib
import gc
import json
import time
import tracemalloc
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.parsers import create_parser

from robomaker_deploy import DeploymentConfig, DescribedDeploymentJob
from robomaker_deploy._client.calls import read
from robomaker_deploy._client.outputs import DESCRIBE_DEPLOYMENT_JOB
from robomaker_deploy._wire.model import operation_model
from robomaker_deploy.emulator import TAG_FAIL_STEP, Emulator

from . import bench_peer
from ._common import (
    KEY_ID,
    REGION,
    SECRET,
    Report,
    emulator_process,
    interleaved,
    raw_client,
    seeded_state,
    typed_client,
)

#: The client's entry for the operation these rows measure.
DESCRIBE = DESCRIBE_DEPLOYMENT_JOB


def decode(body: bytes) -> DescribedDeploymentJob:
    """What ``describe_deployment_job`` makes of a response body; the decode and memory rows time this."""
    return read(DESCRIBE, body)


ROBOTS = 1000


def _seed(emulator: Emulator) -> None:
    app = emulator.call(
        "CreateRobotApplication",
        {
            "name": "bench-app",
            "sources": [{"s3Bucket": "bundles", "s3Key": "x.tar", "architecture": "X86_64"}],
            "robotSoftwareSuite": {"name": "ROS2", "version": "Foxy"},
        },
    )
    emulator.call("CreateRobotApplicationVersion", {"application": app["arn"]})
    configs = [
        {
            "application": app["arn"],
            "applicationVersion": "1",
            "launchConfig": {"packageName": "p", "launchFile": "l", "environmentVariables": {"A": "1"}},
        }
    ]
    # Every robot of the big job fails half-way through its download, so each one reports all a
    # robot can: a progress detail with its step, percent done and time left, a start and a finish
    # time, a failure code and reason (about 390 KB in all). The worst case for the decode.
    for name, size, tags in (("big", ROBOTS, {TAG_FAIL_STEP: "DownloadingExtracting"}), ("small", 1, {})):
        fleet = emulator.call("CreateFleet", {"name": name})
        for index in range(size):
            robot = emulator.call(
                "CreateRobot",
                {"name": f"{name}-{index}", "architecture": "X86_64", "greengrassGroupId": "g", "tags": tags},
            )
            emulator.call("RegisterRobot", {"fleet": fleet["arn"], "robot": robot["arn"]})
        emulator.call(
            "CreateDeploymentJob",
            {
                "clientRequestToken": name,
                "fleet": fleet["arn"],
                "deploymentApplicationConfigs": configs,
                "deploymentConfig": {"concurrentDeploymentPercentage": 10},
            },
        )
    # Both jobs are over (the seeding runs at speed 1000), so every describe returns the same body.
    emulator.advance_clock(60 * 5)


def _deep_size(snapshot_before: tracemalloc.Snapshot) -> int:
    after = tracemalloc.take_snapshot()
    return sum(stat.size_diff for stat in after.compare_to(snapshot_before, "filename"))


def _memory(body: bytes) -> tuple[int, int, int]:
    """Bytes held by the typed job and by botocore's dict for the same body, and the decode's peak."""
    shape = operation_model(DESCRIBE.operation).output_shape
    assert shape is not None
    parser = create_parser("rest-json")
    decode(body)  # the converter's functions are made once per process: not the job's memory
    results: list[Any] = []
    sizes = []
    for build in (
        lambda: decode(body),
        lambda: parser.parse({"status_code": 200, "headers": {}, "body": body}, shape),
    ):
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.take_snapshot()
        results.append(build())
        gc.collect()
        sizes.append(_deep_size(before))
        tracemalloc.stop()
    del results
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    job = decode(body)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    del job
    return sizes[0], sizes[1], peak


def _decode_pairs(body: bytes, repeat: int) -> dict[str, list[float]]:
    """``json.loads`` and :func:`decode` of ``body``, timed in pairs, one right after the other."""
    out: dict[str, list[float]] = {"json.loads": [], "decode": []}
    for _ in range(repeat):
        for name, call in (("json.loads", json.loads), ("decode", decode)):
            began = time.perf_counter()
            call(body)
            out[name].append(time.perf_counter() - began)
    return out


@contextlib.asynccontextmanager
async def plain_post(url: str) -> AsyncIterator[Callable[[str, dict[str, Any]], Awaitable[Any]]]:
    """The transport floor: a SigV4-signed aiohttp POST of an operation, and ``json.loads`` of its body."""
    credentials = Credentials(KEY_ID, SECRET)
    model = operation_model(DESCRIBE.operation)
    path = model.http["requestUri"]
    async with aiohttp.ClientSession() as session:

        async def post(operation: str, params: dict[str, Any]) -> Any:
            assert operation == model.name, "the floor knows one operation's route"
            body = json.dumps(params).encode()
            request = AWSRequest(
                method="POST", url=url + path, data=body, headers={"Content-Type": "application/json"}
            )
            SigV4Auth(credentials, "robomaker", REGION).add_auth(request)
            async with session.post(url + path, data=body, headers=dict(request.headers.items())) as reply:
                answer = await reply.read()
                if reply.status != 200:
                    raise RuntimeError(f"the floor's request failed: {reply.status} {answer[:200]!r}")
            return json.loads(answer)

        yield post


async def main(report: Report, repeat: int = 30) -> None:
    """Run the describe and small-call benchmarks and add their rows to ``report``."""
    print("describe: seeding a 1,000-robot job ...", flush=True)
    with seeded_state(_seed) as state, emulator_process(state) as url:
        async with raw_client(url) as raw, typed_client(url) as typed:
            jobs = {
                job["fleet"].split("/")[-2]: job["arn"]
                for job in (await raw.list_deployment_jobs())["deploymentJobs"]
            }
            big, small = jobs["big"], jobs["small"]

            body = await _body(typed, big)
            assert len(decode(body).robot_deployment_summary) == ROBOTS
            async with plain_post(url) as post:
                samples = await interleaved(
                    {
                        "raw": lambda: raw.describe_deployment_job(job=big),
                        "typed": lambda: typed.describe_deployment_job(big),
                        "floor": lambda: post(DESCRIBE.operation, {"job": big}),
                    },
                    repeat,
                )
            report.paired(
                "describe 1,000 robots, typed",
                samples,
                "typed",
                "raw aiobotocore",
                "raw",
                "<= 0.5",
            )
            report.paired(
                "describe 1,000 robots, typed",
                samples,
                "typed",
                "aiohttp POST + json.loads (the floor)",
                "floor",
                "<= 2",
            )

            # The client-side floor: what decoding the very same bytes costs.
            pairs = _decode_pairs(body, repeat * 3)
            report.paired(
                "decode a described 1,000-robot job",
                pairs,
                "decode",
                "json.loads of the body",
                "json.loads",
                "<= 2",
            )

            typed_bytes, dict_bytes, peak = _memory(body)
            print(
                f"  a described job holds {typed_bytes / ROBOTS:,.0f} B per robot; the decode's transient"
                f" peak is {peak / 1024:,.0f} KiB for a {len(body) / 1024:,.0f} KiB body",
                flush=True,
            )
            report.ratio(
                "memory of a described 1,000-robot job",
                typed_bytes / 1024,
                "botocore's dict",
                dict_bytes / 1024,
                "<= 0.3",
                unit="KiB",
            )
            report.ratio(
                "transient peak decoding a 1,000-robot job",
                peak / 1024,
                "the body",
                len(body) / 1024,
                "reported",
                unit="KiB",
            )

            bench_peer.main(report, body, decode)

            fleet_arn = (await typed.describe_deployment_job(small)).fleet
            configs = (await typed.describe_deployment_job(small)).deployment_application_configs
            raw_configs = (await raw.describe_deployment_job(job=small))["deploymentApplicationConfigs"]
            small_calls: dict[str, tuple[Any, Any]] = {
                "describe 1 robot": (
                    lambda: raw.describe_deployment_job(job=small),
                    lambda: typed.describe_deployment_job(small),
                ),
                "create (idempotent replay)": (
                    lambda: raw.create_deployment_job(
                        fleet=fleet_arn,
                        deploymentApplicationConfigs=raw_configs,
                        deploymentConfig={"concurrentDeploymentPercentage": 10},
                        clientRequestToken="small",
                    ),
                    lambda: typed.create_deployment_job(
                        fleet=fleet_arn,
                        application_configs=configs,
                        deployment_config=DeploymentConfig(concurrent_deployment_percentage=10),
                        client_request_token="small",
                    ),
                ),
                "sync (idempotent replay)": (
                    lambda: raw.sync_deployment_job(fleet=fleet_arn, clientRequestToken="sync-bench"),
                    lambda: typed.sync_deployment_job(fleet=fleet_arn, client_request_token="sync-bench"),
                ),
            }
            for name, (raw_call, typed_call) in small_calls.items():
                samples = await interleaved({"raw": raw_call, "typed": typed_call}, repeat * 4)
                report.paired(
                    f"{name}, typed",
                    samples,
                    "typed",
                    "raw aiobotocore",
                    "raw",
                    "<= 1.05",
                )


async def _body(client: Any, job: str) -> bytes:
    body: bytes = await client._transport.call("DescribeDeploymentJob", {"job": job})
    return body
