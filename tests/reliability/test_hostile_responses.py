"""Hostile or odd responses: known data is kept, or a clear RoboMakerError is raised (issues 8, 13).

A tiny aiohttp server (``tests/support/hostile.py``) answers every request with whatever the test
set for it; the client need not sign correctly for it.
"""

from __future__ import annotations

import json
import logging
import tracemalloc
import types
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import anyio
import attrs
import pytest
import pytest_asyncio

from robomaker_deploy import (
    ClientConfig,
    DeploymentClient,
    DeploymentStatus,
    EndpointConnectionError,
    FailureCode,
    MalformedResponseError,
    ResponseTooLargeError,
    RoboMakerError,
    RobotDeploymentStep,
    RobotStatus,
)
from robomaker_deploy._transport import transport
from tests.support.hostile import HostileServer, Reply, endless, hostile_server, trickle

JOB_ARN = "arn:aws:robomaker:us-east-1:123456789012:deployment-job/j1"
FLEET_ARN = "arn:aws:robomaker:us-east-1:123456789012:deployment-fleet/f/1"


@attrs.define
class Hostile:
    server: HostileServer
    client: DeploymentClient


@pytest_asyncio.fixture
async def hostile() -> AsyncIterator[Hostile]:
    async with (
        hostile_server() as server,
        DeploymentClient(
            endpoint_url=server.url,
            region_name="us-east-1",
            aws_access_key_id="any",
            aws_secret_access_key="any",
            config=ClientConfig(max_attempts=2, backoff_base=0.001, backoff_cap=0.002),
        ) as client,
    ):
        yield Hostile(server, client)


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
    hostile.server.default = Reply(body=_json(body))
    job = await hostile.client.describe_deployment_job(JOB_ARN)
    assert job.status == DeploymentStatus("Paused")
    assert not job.status.is_known and not job.status.is_terminal
    assert job.failure_code is not None and job.failure_code.value == "QuantumFluxFailure"
    assert [robot.arn for robot in job.robot_deployment_summary] == [_robot(0)["arn"], _robot(1)["arn"]]
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
    hostile.server.default = Reply(body=_json(body))
    job = await hostile.client.describe_deployment_job(JOB_ARN)
    assert job.arn == JOB_ARN
    assert job.robot_deployment_summary == ()
    assert job.deployment_application_configs == ()
    assert job.deployment_config is None and job.failure_code is None and job.failure_reason is None
    assert job.tags == {}
    # A robot with only what the service always sends (its ARN and status), and members the model
    # never had.
    robot = {"arn": "r", "status": "Deploying", "extra": True}
    hostile.server.default = Reply(body=_json(_job(robotDeploymentSummary=[robot])))
    job = await hostile.client.describe_deployment_job(JOB_ARN)
    assert job.robot_deployment_summary[0].arn == "r"
    assert job.robot_deployment_summary[0].progress_detail is None
    # Without a member the service always sends, the response is not one the service gives.
    hostile.server.default = Reply(body=_json(_job(robotDeploymentSummary=[{"arn": "r"}])))
    with pytest.raises(MalformedResponseError, match="status"):
        await hostile.client.describe_deployment_job(JOB_ARN)
    # Empty listings and an empty tag map.
    hostile.server.default = Reply(
        body=_json({"fleetDetails": [], "robots": [], "deploymentJobs": [], "tags": {}})
    )
    assert await hostile.client.list_fleets().collect() == []
    assert await hostile.client.list_deployment_jobs(status=["InProgress", "Pending"]).collect() == []
    assert await hostile.client.list_tags_for_resource(FLEET_ARN) == {}


@pytest.mark.asyncio
async def test_a_huge_robot_list(hostile: Hostile) -> None:
    robots = [
        _robot(i, progressDetail={"currentProgress": "Launching", "percentDone": 50.0}) for i in range(20_000)
    ]
    hostile.server.default = Reply(body=_json(_job(robotDeploymentSummary=robots)))
    job = await hostile.client.describe_deployment_job(JOB_ARN)
    assert len(job.robot_deployment_summary) == 20_000
    progress = job.robot_deployment_summary[0].progress_detail
    assert progress is not None and progress.percent_done == 50.0
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
    hostile.server.default = UNREADABLE[reply]
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
    hostile.server.default = Reply(body=_json(WRONG_SHAPES[shape]))
    with pytest.raises(MalformedResponseError):
        await hostile.client.describe_deployment_job(JOB_ARN)
    # The same job inside a listing page (where robots are not read: a listed job has none).
    if shape not in ("wrong-type-list", "wrong-type-robot", "wrong-type-percent"):
        hostile.server.default = Reply(body=_json({"deploymentJobs": [WRONG_SHAPES[shape]]}))
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
    hostile.server.default = Reply(body=_json(page))
    with pytest.raises(MalformedResponseError):
        await hostile.client.list_fleets().collect()


@pytest.mark.asyncio
async def test_a_body_cut_off_mid_transfer_is_a_connection_error_after_retries(hostile: Hostile) -> None:
    hostile.server.default = Reply(body=_json(_job())[:40], cut=True)
    with pytest.raises(RoboMakerError) as caught:
        await hostile.client.describe_deployment_job(JOB_ARN)
    assert caught.value.code == "EndpointConnectionError"
    assert caught.value.retryable
    assert hostile.server.requests == 2  # retried, then given up


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
    hostile.server.default = reply
    with pytest.raises(RoboMakerError) as caught:
        await CALLS[call](hostile.client)
    error = caught.value
    assert error.http_status == reply.status
    assert error.operation is not None
    assert error.code  # the service's type when it named one, else the status
    assert error.retryable == (reply.status >= 500)
    assert hostile.server.requests == tries  # 5xx retried (max_attempts=2), 4xx not


# -- what a server can make the client hold, and for how long (issue 13) ------------------------------

GIB = 1024**3
MIB = 1024**2
BACKENDS = pytest.mark.parametrize("backend", ["aiohttp", "httpx"])
DESCRIBE = "/describeDeploymentJob"


def _client(server: HostileServer, **settings: Any) -> DeploymentClient:
    settings = {"backoff_base": 0.001, "backoff_cap": 0.002, **settings}
    return DeploymentClient(
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id="any",
        aws_secret_access_key="any",
        config=ClientConfig(**settings),
    )


async def _peak(client: DeploymentClient, call: Callable[[], Awaitable[Any]]) -> tuple[BaseException, int]:
    """The error ``call`` raises, and the most memory Python held at once while it ran.

    A first call (answered before the test sets its reply) opens the connection pool, so that what
    is measured is the call's own.
    """
    await client.list_tags_for_resource(FLEET_ARN)
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        with anyio.fail_after(60):  # only a client that never gives up gets here: fail, do not hang
            await call()
    except Exception as error:
        return error, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    raise AssertionError("the call succeeded")


@BACKENDS
@pytest.mark.asyncio
async def test_a_body_declaring_a_gigabyte_is_refused_unread(backend: str) -> None:
    async with hostile_server() as server:
        server.replies[DESCRIBE] = Reply(headers={"Content-Length": str(GIB)}, stream=endless(limit=GIB))
        async with _client(server, http_backend=backend, max_attempts=3) as client:
            error, peak = await _peak(client, lambda: client.describe_deployment_job(JOB_ARN))
    assert isinstance(error, ResponseTooLargeError)
    assert isinstance(error, MalformedResponseError) and not error.retryable
    assert error.code == "ResponseTooLarge" and error.operation == "DescribeDeploymentJob"
    assert f"declares {GIB:,} bytes" in str(error) and f"{8 * MIB:,}" in str(error)
    assert server.paths.count(DESCRIBE) == 1  # the same request would bring the same body: not retried
    assert peak < MIB  # refused on its Content-Length: not one byte of the body was kept


@BACKENDS
@pytest.mark.asyncio
async def test_an_endless_chunked_body_is_refused_at_the_limit(backend: str) -> None:
    async with hostile_server() as server:
        # No length: chunked, and never a last chunk (at most 1 GiB is written, for a client that reads all).
        server.replies["/listFleets"] = Reply(stream=endless(limit=GIB))
        async with _client(server, http_backend=backend) as client:
            error, peak = await _peak(client, lambda: client.list_fleets().collect())
    assert isinstance(error, ResponseTooLargeError)
    assert "went on past" in str(error)
    assert server.paths.count("/listFleets") == 1
    limit = ClientConfig().max_response_bytes
    assert limit == 8 * MIB
    assert peak < 2 * limit  # the limit and a chunk, not the gigabyte; nowhere near limit x attempts


@BACKENDS
@pytest.mark.asyncio
async def test_memory_stays_flat_across_retries(backend: str) -> None:
    async with hostile_server() as server:
        # 6 MiB of a chunked body, then the connection drops: a broken connection, retried each time.
        server.replies[DESCRIBE] = Reply(stream=endless(limit=6 * MIB))
        async with _client(server, http_backend=backend, max_attempts=4) as client:
            error, peak = await _peak(client, lambda: client.describe_deployment_job(JOB_ARN))
    assert isinstance(error, RoboMakerError) and error.code == "EndpointConnectionError"
    assert server.paths.count(DESCRIBE) == 4
    assert peak < 10 * MIB  # one attempt's partial body at a time, not four


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
@pytest.mark.asyncio
async def test_the_limit_is_exact(declared: bool) -> None:
    limit = 1000
    value = "v" * (limit - len(_json({"tags": {"k": ""}})))
    body = _json({"tags": {"k": value}})
    assert len(body) == limit

    async def chunked(write: Callable[[bytes], Awaitable[None]]) -> None:
        await write(payload)

    async with hostile_server() as server, _client(server, max_response_bytes=limit) as client:
        for payload, fits in ((body, True), (body[:-2] + b' "}', False)):
            headers = {"Content-Type": "application/json"}
            server.default = Reply(body=payload, headers=headers, stream=None if declared else chunked)
            if fits:
                assert await client.list_tags_for_resource(FLEET_ARN) == {"k": value}
            else:
                with pytest.raises(ResponseTooLargeError):
                    await client.list_tags_for_resource(FLEET_ARN)


@BACKENDS
@pytest.mark.asyncio
async def test_a_trickling_body_is_bounded_by_the_total_timeout(backend: str) -> None:
    async with hostile_server() as server:
        # A byte every 50 ms, forever: the read timeout (30 s) never fires, only the deadline can.
        server.replies[DESCRIBE] = Reply(headers={"Content-Length": "100000"}, stream=trickle(0.05))
        config = {"http_backend": backend, "total_timeout": 0.5, "read_timeout": 30.0, "max_attempts": 3}
        async with _client(server, **config) as client:
            error, _ = await _peak(client, lambda: client.describe_deployment_job(JOB_ARN))
    assert isinstance(error, EndpointConnectionError)
    assert error.operation == "DescribeDeploymentJob"
    assert "no complete response within total_timeout=0.5s" in str(error)
    assert server.paths.count(DESCRIBE) == 1


@pytest.mark.asyncio
async def test_the_total_timeout_bounds_the_retries() -> None:
    async with hostile_server() as server:
        server.replies[DESCRIBE] = Reply(status=503, body=b"", headers={})
        settings = {"max_attempts": 100_000, "backoff_base": 0.01, "backoff_cap": 0.05, "total_timeout": 0.5}
        async with _client(server, **settings) as client:
            error, _ = await _peak(client, lambda: client.describe_deployment_job(JOB_ARN))
    # The deadline passed either during an attempt or before a backoff that would have crossed it.
    assert isinstance(error, RoboMakerError) and error.retryable
    assert error.http_status == 503 or "no complete response within total_timeout=0.5s" in str(error)
    assert 1 <= server.paths.count(DESCRIBE) < 100_000


@pytest.mark.asyncio
async def test_a_backoff_past_the_deadline_is_not_slept(monkeypatch: pytest.MonkeyPatch) -> None:
    # Full jitter at its top: the first backoff is 100 s, far past the 30 s deadline.
    monkeypatch.setattr(transport, "random", types.SimpleNamespace(uniform=lambda low, high: high))
    async with hostile_server() as server:
        server.replies[DESCRIBE] = Reply(status=503, body=b"", headers={})
        settings = {"max_attempts": 10, "backoff_base": 100.0, "backoff_cap": 100.0, "total_timeout": 30.0}
        async with _client(server, **settings) as client:
            error, _ = await _peak(client, lambda: client.describe_deployment_job(JOB_ARN))
    # The last attempt's own error, at once: what went wrong, not a timeout.
    assert isinstance(error, RoboMakerError) and error.http_status == 503
    assert server.paths.count(DESCRIBE) == 1


@pytest.mark.asyncio
async def test_each_retry_is_logged_at_info(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="robomaker_deploy.transport")
    async with hostile_server() as server:
        server.default = Reply(status=503, body=b"", headers={})
        async with _client(server, max_attempts=3) as client:
            with pytest.raises(RoboMakerError):
                await client.describe_deployment_job(JOB_ARN)
    # A port nothing listens on: the connection is refused.
    async with _client(HostileServer(url="http://127.0.0.1:9"), max_attempts=2) as client:
        with pytest.raises(EndpointConnectionError):
            await client.list_fleets().collect()
    records = [r for r in caplog.records if r.name == "robomaker_deploy.transport"]
    assert all(r.levelno == logging.INFO for r in records)
    assert [r.getMessage() for r in records] == [
        "retrying DescribeDeploymentJob after 503, attempt 2 of 3",
        "retrying DescribeDeploymentJob after 503, attempt 3 of 3",
        "retrying ListFleets after EndpointConnectionError, attempt 2 of 2",
    ]
