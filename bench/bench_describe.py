"""DescribeDeploymentJob of a 1,000-robot job, small calls, decode floor and memory: typed vs raw."""

from __future__ import annotations

import gc
import json
import time
import tracemalloc
from typing import Any

import orjson
from botocore.parsers import create_parser

from robomaker_deploy import DeploymentConfig, DeploymentJob
from robomaker_deploy._converter import structure
from robomaker_deploy._wire.model import operation_model
from robomaker_deploy.emulator import TAG_FAIL_STEP, Emulator

from ._common import (
    Report,
    emulator_process,
    interleaved,
    median_ms,
    raw_client,
    seeded_state,
    typed_client,
)

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


def _memory(body: bytes) -> tuple[int, int]:
    """Bytes held by the typed job and by botocore's dict for the same body."""
    shape = operation_model("DescribeDeploymentJob").output_shape
    assert shape is not None
    parser = create_parser("rest-json")
    results: list[Any] = []
    sizes = []
    for build in (
        lambda: structure(orjson.loads(body), DeploymentJob),
        lambda: parser.parse({"status_code": 200, "headers": {}, "body": body}, shape),
    ):
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.take_snapshot()
        results.append(build())
        gc.collect()
        sizes.append(_deep_size(before))
        tracemalloc.stop()
    return sizes[0], sizes[1]


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

            samples = await interleaved(
                {
                    "raw": lambda: raw.describe_deployment_job(job=big),
                    "typed": lambda: typed.describe_deployment_job(big),
                },
                repeat,
            )
            report.ratio(
                "describe 1,000 robots, typed",
                median_ms(samples["typed"]),
                "raw aiobotocore",
                median_ms(samples["raw"]),
                "<= 0.5",
            )

            # The client-side floor: what decoding the very same bytes costs.
            body = await _body(typed, big)
            floor = []
            ours = []
            for _ in range(repeat):
                began = time.perf_counter()
                json.loads(body)
                floor.append(time.perf_counter() - began)
                began = time.perf_counter()
                structure(orjson.loads(body), DeploymentJob)  # what the client does with a body
                ours.append(time.perf_counter() - began)
            report.ratio(
                "decode 1,000 robots to DeploymentJob",
                median_ms(ours),
                "json.loads of the body",
                median_ms(floor),
                "<= 3",
            )

            typed_bytes, dict_bytes = _memory(body)
            report.ratio(
                "memory of a 1,000-robot job",
                typed_bytes / 1024,
                "botocore's dict",
                dict_bytes / 1024,
                "<= 1",
                unit="KiB",
            )

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
                report.ratio(
                    f"{name}, typed",
                    median_ms(samples["typed"]),
                    "raw aiobotocore",
                    median_ms(samples["raw"]),
                    "<= 1.05",
                )


async def _body(client: Any, job: str) -> bytes:
    body: bytes = await client._transport.call("DescribeDeploymentJob", {"job": job})
    return body
