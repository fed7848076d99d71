"""Requests for every operation, captured as they would go on the wire.

Run with a botocore that still ships RoboMaker (1.40.59, in a throwaway
virtualenv) to record the reference::

    python -m venv /tmp/bc && /tmp/bc/bin/pip install botocore==1.40.59
    /tmp/bc/bin/python tests/support/wire_cases.py --write tests/data/wire_golden.json

``test_wire.py`` captures the same cases with current botocore on the
project's own model and compares them byte for byte. Only botocore is
imported here, so the script runs in that bare virtualenv.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import botocore.session
from botocore.awsrequest import AWSResponse, HTTPHeaders

_FLEET = "arn:aws:robomaker:us-west-2:123456789012:fleet/demo/1700000000000"
_ROBOT = "arn:aws:robomaker:us-west-2:123456789012:robot/r1/1700000000001"
_APP = "arn:aws:robomaker:us-west-2:123456789012:robot-application/app/1700000000002"
_JOB = "arn:aws:robomaker:us-west-2:123456789012:deployment-job/dep-0123456789ab"

#: (operation method, parameters): at least one per operation, with every member kind.
CASES: list[tuple[str, dict[str, Any]]] = [
    (
        "create_deployment_job",
        {
            "deploymentConfig": {
                "concurrentDeploymentPercentage": 25,
                "failureThresholdPercentage": 50,
                "robotDeploymentTimeoutInSeconds": 600,
                "downloadConditionFile": {"bucket": "my-bucket", "key": "cond.sh", "etag": "abc"},
            },
            "clientRequestToken": "token-1",
            "fleet": _FLEET,
            "deploymentApplicationConfigs": [
                {
                    "application": _APP,
                    "applicationVersion": "3",
                    "launchConfig": {
                        "packageName": "pkg",
                        "preLaunchFile": "pre.sh",
                        "launchFile": "main.launch",
                        "postLaunchFile": "post.sh",
                        "environmentVariables": {"A": "1", "B_C": "x y"},
                    },
                }
            ],
            "tags": {"team": "robots", "env": "dev"},
        },
    ),
    (
        "create_deployment_job",
        {
            "clientRequestToken": "token-2",
            "fleet": _FLEET,
            "deploymentApplicationConfigs": [
                {
                    "application": _APP,
                    "applicationVersion": "1",
                    "launchConfig": {"packageName": "p", "launchFile": "l"},
                }
            ],
        },
    ),
    ("describe_deployment_job", {"job": _JOB}),
    ("list_deployment_jobs", {}),
    (
        "list_deployment_jobs",
        {"filters": [{"name": "status", "values": ["InProgress"]}], "nextToken": "abc/+=", "maxResults": 200},
    ),
    ("sync_deployment_job", {"clientRequestToken": "token-3", "fleet": _FLEET}),
    ("cancel_deployment_job", {"job": _JOB}),
    ("create_fleet", {"name": "demo", "tags": {"a": "b"}}),
    ("delete_fleet", {"fleet": _FLEET}),
    ("describe_fleet", {"fleet": _FLEET}),
    ("list_fleets", {"filters": [{"name": "name", "values": ["demo"]}], "maxResults": 5}),
    (
        "create_robot",
        {"name": "r1", "architecture": "ARM64", "greengrassGroupId": "gg-1", "tags": {"k": "v"}},
    ),
    ("delete_robot", {"robot": _ROBOT}),
    ("describe_robot", {"robot": _ROBOT}),
    ("list_robots", {"filters": [{"name": "fleetName", "values": ["demo"]}], "nextToken": "t"}),
    ("register_robot", {"fleet": _FLEET, "robot": _ROBOT}),
    ("deregister_robot", {"fleet": _FLEET, "robot": _ROBOT}),
    (
        "create_robot_application",
        {
            "name": "app",
            "sources": [{"s3Bucket": "bucket-1", "s3Key": "x86.tar", "architecture": "X86_64"}],
            "robotSoftwareSuite": {"name": "ROS2", "version": "Foxy"},
            "tags": {"a": "b"},
            "environment": {"uri": "123.dkr.ecr.us-west-2.amazonaws.com/app:1"},
        },
    ),
    (
        "create_robot_application_version",
        {
            "application": _APP,
            "currentRevisionId": "rev-1",
            "s3Etags": ["e1", "e2"],
            "imageDigest": "sha256:" + "a" * 64,
        },
    ),
    ("describe_robot_application", {"application": _APP, "applicationVersion": "2"}),
    ("list_robot_applications", {"versionQualifier": "ALL", "maxResults": 100}),
    ("delete_robot_application", {"application": _APP, "applicationVersion": "2"}),
    ("tag_resource", {"resourceArn": _ROBOT, "tags": {"x": "y", "z": ""}}),
    ("untag_resource", {"resourceArn": _ROBOT, "tagKeys": ["x", "z", "a b"]}),
    ("list_tags_for_resource", {"resourceArn": _ROBOT}),
]

#: Headers that depend on the SDK version, the clock or the signature, not on the model.
VOLATILE_HEADERS = {
    "user-agent",
    "x-amz-date",
    "authorization",
    "amz-sdk-invocation-id",
    "amz-sdk-request",
    "x-amz-security-token",
}


def capture(session: Any) -> list[dict[str, Any]]:
    """Serialize every case with ``session``'s RoboMaker client and return what would be sent."""
    client = session.create_client(
        "robomaker",
        region_name="us-west-2",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
    )
    sent: list[dict[str, Any]] = []

    def intercept(request: Any, **_: Any) -> AWSResponse:
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        headers = {k.lower(): v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()}
        sent.append(
            {
                "method": request.method,
                "url": request.url,
                "headers": {k: v for k, v in sorted(headers.items()) if k not in VOLATILE_HEADERS},
                "body": body.decode(),
            }
        )
        return AWSResponse(request.url, 200, HTTPHeaders(), _Raw(b"{}"))

    client.meta.events.register_first("before-send.robomaker.*", intercept)
    for method, params in CASES:
        getattr(client, method)(**params)
    return sent


class _Raw:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Any:
        yield self._data


if __name__ == "__main__":
    if sys.argv[1:2] != ["--write"] or len(sys.argv) != 3:
        sys.exit("usage: wire_cases.py --write PATH")
    result = {"botocore": botocore.__version__, "requests": capture(botocore.session.get_session())}
    with open(sys.argv[2], "w") as out:
        json.dump(result, out, indent=1, sort_keys=True)
        out.write("\n")
