"""The typed peer's side of ``bench_peer``: run by the peer's own venv, never imported by the bench.

It reads a DescribeDeploymentJob body from the file named on its command line, then answers each
``run`` line on stdin with the seconds one read took, on a line of its own: ``json.loads``, the
timestamps turned into datetimes as botocore's parser turns them, boto3-dataclass-robomaker's
wrapper, and every robot's ARN, status and percent done read off it.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from typing import Any


def main() -> None:
    with open(sys.argv[1], "rb") as file:
        body = file.read()
    caster = importlib.import_module("boto3_dataclass_robomaker").caster
    parse_timestamp = importlib.import_module("botocore.utils").parse_timestamp
    versions = {name: importlib.import_module(name).__version__ for name in ("boto3", "botocore")}

    def read() -> int:
        data: Any = json.loads(body)
        data["createdAt"] = parse_timestamp(data["createdAt"])
        for robot in data.get("robotDeploymentSummary", ()):
            for member in ("deploymentStartTime", "deploymentFinishTime"):
                if member in robot:
                    robot[member] = parse_timestamp(robot[member])
        job = caster.describe_deployment_job(data)
        seen = 0
        for robot in job.robotDeploymentSummary:
            seen += bool(robot.arn) + bool(robot.status)
            # Its attributes raise KeyError for a member the response left out: a user checks first.
            if "progressDetail" in robot.boto3_raw_data:
                progress = robot.progressDetail
                seen += "percentDone" in progress.boto3_raw_data and progress.percentDone is not None
        return seen

    read()  # imports and first-use costs are not the read's
    print(f"ready {json.dumps(versions, separators=(',', ':'))} {read()}", flush=True)
    for line in sys.stdin:
        if line.strip() != "run":
            break
        began = time.perf_counter()
        read()
        print(time.perf_counter() - began, flush=True)


if __name__ == "__main__":
    main()
