"""Hostile or odd responses: known data is kept, or a clear RoboMakerError is raised (issue 8).

A tiny aiohttp server answers every request with whatever the test set for it; the client need not
sign correctly for it.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import attrs
import pytest
import pytest_asyncio
from aiohttp import web

from robomaker_deploy import (
    ClientConfig,
    DeploymentClient,
    DeploymentStatus,
    FailureCode,
    MalformedResponseError,
    RoboMakerError,
    RobotDeploymentStep,
    RobotStatus,
)

JOB_ARN = "arn:aws:robomaker:us-east-1:123456789012:deployment-job/j1"
FLEET_ARN = "arn:aws:robomaker:us-east-1:123456789012:deployment-fleet/f/1"


@attrs.define
class Reply:
    status: int = 200
    body: bytes = b"{}"
    headers: dict[str, str] = attrs.field(factory=lambda: {"Content-Type": "application/json"})
    cut: bool = False
    """Promise more bytes than are sent, then close the connection."""


@attrs.define
class Hostile:
    client: DeploymentClient
    replies: dict[str, Reply] = attrs.field(factory=dict)
    """By request path (``/describeDeploymentJob``...); anything else gets ``default``."""
    default: Reply = attrs.field(factory=Reply)
    requests: int = 0


@pytest_asyncio.fixture
async def hostile() -> AsyncIterator[Hostile]:
    state: Hostile | None = None

    async def handle(request: web.Request) -> web.StreamResponse:
        assert state is not None
        state.requests += 1
        await request.read()
        reply = state.replies.get(request.path, state.default)
        if reply.cut:
            response = web.StreamResponse(
                status=reply.status, headers={**reply.headers, "Content-Length": str(len(reply.body) + 100)}
            )
            await response.prepare(request)
            await response.write(reply.body)
            assert request.transport is not None
            request.transport.close()
            return response
        return web.Response(status=reply.status, body=reply.body, headers=reply.headers)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with DeploymentClient(
            endpoint_url=f"http://127.0.0.1:{port}",
            region_name="us-east-1",
            aws_access_key_id="any",
            aws_secret_access_key="any",
            config=ClientConfig(max_attempts=2, backoff_base=0.001, backoff_cap=0.002),
        ) as client:
            state = Hostile(client)
            yield state
    finally:
        await runner.cleanup()


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


def _job(**extra: Any) -> dict[str, Any]:
    return {
        "arn": JOB_ARN,
        "fleet": FLEET_ARN,
        "status": "InProgress",
        "createdAt": 1_700_000_000.5,
        "deploymentApplicationConfigs": [
            {
                "application": "arn:aws:robomaker:us-east-1:123456789012:robot-application/a/1",
                "applicationVersion": "1",
                "launchConfig": {"packageName": "p", "launchFile": "l"},
            }
        ],
        **extra,
    }


def _robot(index: int, **extra: Any) -> dict[str, Any]:
    return {
        "arn": f"arn:aws:robomaker:us-east-1:123456789012:robot/r{index}/1",
        "status": "Deploying",
        **extra,
    }


# -- odd but readable: known data kept ------------------------------------------------------------------


@pytest.mark.asyncio
async def test_unknown_enum_values_are_kept_as_they_came(hostile: Hostile) -> None:
    body = _job(
        status="Paused",
        failureCode="QuantumFluxFailure",
        robotDeploymentSummary=[
            _robot(
                0, status="Hibernating", progressDetail={"currentProgress": "Teleporting", "percentDone": 5}
            ),
            _robot(1, status="InSync", failureCode="BadPermissionError"),
        ],
    )
    hostile.default = Reply(body=_json(body))
    job = await hostile.client.describe_deployment_job(JOB_ARN)
    assert job.status == DeploymentStatus("Paused")
    assert not job.status.is_known and not job.status.is_terminal
    assert job.failure_code is not None and job.failure_code.value == "QuantumFluxFailure"
    assert job.robot_deployment_summary is not None
    first, second = job.robot_deployment_summary
    assert first.status is not None and first.status.value == "Hibernating"
    assert first.progress_detail is not None
    assert first.progress_detail.current_progress == RobotDeploymentStep("Teleporting")
    assert first.progress_detail.percent_done == 5.0
    assert second.status is RobotStatus.IN_SYNC
    assert second.failure_code is FailureCode.BAD_PERMISSION_ERROR


@pytest.mark.asyncio
async def test_missing_optional_extra_and_empty_members(hostile: Hostile) -> None:
    body = _job(
        robotDeploymentSummary=[],
        deploymentApplicationConfigs=[],
        somethingNew={"nested": [1, 2, 3]},
        tags={},
    )
    hostile.default = Reply(body=_json(body))
    job = await hostile.client.describe_deployment_job(JOB_ARN)
    assert job.arn == JOB_ARN
    assert job.robot_deployment_summary == ()
    assert job.deployment_application_configs == ()
    assert job.deployment_config is None and job.failure_code is None and job.failure_reason is None
    assert job.tags == {}
    # A robot with only what the service always sends (its ARN and status), and members the model
    # never had.
    robot = {"arn": "r", "status": "Deploying", "extra": True}
    hostile.default = Reply(body=_json(_job(robotDeploymentSummary=[robot])))
    job = await hostile.client.describe_deployment_job(JOB_ARN)
    assert job.robot_deployment_summary[0].arn == "r"
    assert job.robot_deployment_summary[0].progress_detail is None
    # Without a member the service always sends, the response is not one the service gives.
    hostile.default = Reply(body=_json(_job(robotDeploymentSummary=[{"arn": "r"}])))
    with pytest.raises(MalformedResponseError, match="status"):
        await hostile.client.describe_deployment_job(JOB_ARN)
    # Empty listings and an empty tag map.
    hostile.default = Reply(body=_json({"fleetDetails": [], "robots": [], "deploymentJobs": [], "tags": {}}))
    assert await hostile.client.list_fleets().collect() == []
    assert await hostile.client.list_deployment_jobs(status=["InProgress", "Pending"]).collect() == []
    assert await hostile.client.list_tags_for_resource(FLEET_ARN) == {}


@pytest.mark.asyncio
async def test_a_huge_robot_list(hostile: Hostile) -> None:
    robots = [
        _robot(i, progressDetail={"currentProgress": "Launching", "percentDone": 50.0}) for i in range(20_000)
    ]
    hostile.default = Reply(body=_json(_job(robotDeploymentSummary=robots)))
    job = await hostile.client.describe_deployment_job(JOB_ARN)
    assert job.robot_deployment_summary is not None
    assert len(job.robot_deployment_summary) == 20_000
    assert job.robot_deployment_summary[-1].arn == robots[-1]["arn"]


# -- unreadable: a clear RoboMakerError ------------------------------------------------------------------

CALLS: dict[str, Callable[[DeploymentClient], Awaitable[Any]]] = {
    "describe": lambda c: c.describe_deployment_job(JOB_ARN),
    "list": lambda c: c.list_fleets().collect(),
    "merged-list": lambda c: c.list_deployment_jobs(status=["InProgress", "Pending"]).collect(),
    "tags": lambda c: c.list_tags_for_resource(FLEET_ARN),
    "cancel": lambda c: c.cancel_deployment_job(JOB_ARN),
}

UNREADABLE: dict[str, Reply] = {
    "not-json": Reply(body=b"<html><body>hello</body></html>", headers={"Content-Type": "text/html"}),
    "non-utf8": Reply(body=b'{"arn": "\xff\xfe"}'),
    "truncated": Reply(body=b'{"arn": "arn:aws:robomaker:us-east-1:1:deployment-job/j", "fle'),
    "json-list": Reply(body=b"[1, 2, 3]"),
    "json-string": Reply(body=b'"hello"'),
    "json-null": Reply(body=b"null"),
}


@pytest.mark.parametrize("call", list(CALLS))
@pytest.mark.parametrize("reply", list(UNREADABLE))
@pytest.mark.asyncio
async def test_unreadable_bodies_raise_malformed_response(hostile: Hostile, reply: str, call: str) -> None:
    hostile.default = UNREADABLE[reply]
    if call == "cancel" and reply == "json-null":
        pytest.skip("CancelDeploymentJob's output is empty: a null body holds nothing to misread")
    with pytest.raises(MalformedResponseError) as caught:
        await CALLS[call](hostile.client)
    assert caught.value.code == "MalformedResponse"
    assert caught.value.operation is not None


WRONG_SHAPES: dict[str, Any] = {
    "missing-required": {k: v for k, v in _job().items() if k != "arn"},
    "wrong-type-time": _job(createdAt="yesterday"),
    "wrong-type-list": _job(robotDeploymentSummary={"not": "a list"}),
    "wrong-type-robot": _job(robotDeploymentSummary=["not a robot"]),
    "wrong-type-enum": _job(status=42),
    "wrong-type-percent": _job(robotDeploymentSummary=[_robot(0, progressDetail={"percentDone": "half"})]),
}


@pytest.mark.parametrize("shape", list(WRONG_SHAPES))
@pytest.mark.asyncio
async def test_bodies_of_the_wrong_shape_raise_malformed_response(hostile: Hostile, shape: str) -> None:
    hostile.default = Reply(body=_json(WRONG_SHAPES[shape]))
    with pytest.raises(MalformedResponseError):
        await hostile.client.describe_deployment_job(JOB_ARN)
    # The same job inside a listing page (where robots are not read: a listed job has none).
    if shape not in ("wrong-type-list", "wrong-type-robot", "wrong-type-percent"):
        hostile.default = Reply(body=_json({"deploymentJobs": [WRONG_SHAPES[shape]]}))
        with pytest.raises(MalformedResponseError):
            await hostile.client.list_deployment_jobs().collect()


@pytest.mark.parametrize(
    "page",
    [
        {"fleetDetails": {"not": "a list"}},
        {"fleetDetails": [], "nextToken": 12345},
        {"fleetDetails": [], "nextToken": "has spaces and ! marks"},
        {"fleetDetails": [], "nextToken": "x" * 5000},
        {"fleetDetails": [{"arn": FLEET_ARN}]},  # a fleet without its required name
    ],
    ids=["items-not-a-list", "token-not-a-string", "token-bad-characters", "token-too-long", "item-missing"],
)
@pytest.mark.asyncio
async def test_odd_listing_pages_raise_malformed_response(hostile: Hostile, page: dict[str, Any]) -> None:
    hostile.default = Reply(body=_json(page))
    with pytest.raises(MalformedResponseError):
        await hostile.client.list_fleets().collect()


@pytest.mark.asyncio
async def test_a_body_cut_off_mid_transfer_is_a_connection_error_after_retries(hostile: Hostile) -> None:
    hostile.default = Reply(body=_json(_job())[:40], cut=True)
    with pytest.raises(RoboMakerError) as caught:
        await hostile.client.describe_deployment_job(JOB_ARN)
    assert caught.value.code == "EndpointConnectionError"
    assert caught.value.retryable
    assert hostile.requests == 2  # retried, then given up


ERROR_PAGES: dict[str, tuple[Reply, int]] = {
    "proxy-html-502": (
        Reply(
            status=502,
            body=b"<html><head><title>502 Bad Gateway</title></head>"
            b"<body><center>nginx</center></body></html>",
            headers={"Content-Type": "text/html"},
        ),
        2,
    ),
    "empty-503": (Reply(status=503, body=b"", headers={}), 2),
    "html-403": (Reply(status=403, body=b"<html>Forbidden</html>", headers={"Content-Type": "text/html"}), 1),
    "non-utf8-400": (Reply(status=400, body=b"\xff\xfe\xfa"), 1),
    "non-utf8-400-typed": (Reply(status=400, body=b"\xff{", headers={"x-amzn-ErrorType": "OddException"}), 1),
    "json-list-400": (Reply(status=400, body=b"[1, 2]"), 1),
    "json-string-500": (Reply(status=500, body=b'"boom"'), 2),
    "text-400": (Reply(status=400, body=b"garbage", headers={"Content-Type": "text/plain"}), 1),
}


@pytest.mark.parametrize("call", ["describe", "list", "tags"])
@pytest.mark.parametrize("page", list(ERROR_PAGES))
@pytest.mark.asyncio
async def test_error_pages_raise_robomaker_errors(hostile: Hostile, page: str, call: str) -> None:
    reply, tries = ERROR_PAGES[page]
    hostile.default = reply
    with pytest.raises(RoboMakerError) as caught:
        await CALLS[call](hostile.client)
    error = caught.value
    assert error.http_status == reply.status
    assert error.operation is not None
    assert error.code  # the service's type when it named one, else the status
    assert error.retryable == (reply.status >= 500)
    assert hostile.requests == tries  # 5xx retried (max_attempts=2), 4xx not
