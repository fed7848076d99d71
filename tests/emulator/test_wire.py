"""The wire: every operation through a plain botocore client, error format, validation, SigV4."""

from __future__ import annotations

import datetime
import json
from typing import Any
from unittest import mock
from urllib.parse import quote

import aiohttp
import pytest
from aiobotocore.client import AioBaseClient

from robomaker_deploy._wire.model import service_model
from robomaker_deploy.emulator import Emulator
from tests.support.raw import SOURCES, deploy, error_of, finish, make_app, make_fleet, raw_client


@pytest.mark.asyncio
async def test_every_operation_round_trips(robomaker_emulator: Emulator, client: AioBaseClient) -> None:
    called: set[str] = set()

    async def call(operation: str, **params: object) -> dict[str, Any]:
        called.add(operation)
        method = getattr(
            client, "".join("_" + c.lower() if c.isupper() else c for c in operation).lstrip("_")
        )
        result: dict[str, Any] = await method(**params)
        return result

    app = await call(
        "CreateRobotApplication",
        name="nav",
        sources=SOURCES,
        robotSoftwareSuite={"name": "ROS", "version": "Melodic"},
        tags={"team": "nav"},
    )
    assert app["version"] == "$LATEST"
    assert app["revisionId"]
    version = await call(
        "CreateRobotApplicationVersion", application=app["arn"], currentRevisionId=app["revisionId"]
    )
    assert version["version"] == "1"
    described = await call("DescribeRobotApplication", application=app["arn"], applicationVersion="1")
    assert [s["architecture"] for s in described["sources"]] == ["X86_64", "ARM64"]
    listed = await call("ListRobotApplications", versionQualifier="ALL")
    assert [s["version"] for s in listed["robotApplicationSummaries"]] == ["$LATEST", "1"]

    fleet = await call("CreateFleet", name="west")
    robot = await call("CreateRobot", name="r1", architecture="X86_64", greengrassGroupId="gg-1")
    assert (await call("DescribeRobot", robot=robot["arn"]))["status"] == "Available"
    await call("RegisterRobot", fleet=fleet["arn"], robot=robot["arn"])
    assert (await call("DescribeRobot", robot=robot["arn"]))["status"] == "Registered"
    assert (await call("ListFleets"))["fleetDetails"][0]["name"] == "west"
    assert (await call("ListRobots"))["robots"][0]["greenGrassGroupId"] == "gg-1"

    job = await call(
        "CreateDeploymentJob",
        clientRequestToken="t",
        fleet=fleet["arn"],
        deploymentApplicationConfigs=[
            {
                "application": app["arn"],
                "applicationVersion": "1",
                "launchConfig": {"packageName": "nav", "launchFile": "nav.launch"},
            }
        ],
    )
    assert job["status"] == "Pending"
    robomaker_emulator.advance_clock(3600)
    assert (await call("DescribeDeploymentJob", job=job["arn"]))["status"] == "Succeeded"
    assert len((await call("ListDeploymentJobs"))["deploymentJobs"]) == 1
    described_fleet = await call("DescribeFleet", fleet=fleet["arn"])
    assert described_fleet["lastDeploymentStatus"] == "Succeeded"
    assert described_fleet["lastDeploymentJob"] == job["arn"]

    robot2 = await call("CreateRobot", name="r2", architecture="ARM64", greengrassGroupId="gg-2")
    await call("RegisterRobot", fleet=fleet["arn"], robot=robot2["arn"])
    sync = await call("SyncDeploymentJob", clientRequestToken="s", fleet=fleet["arn"])
    await call("CancelDeploymentJob", job=sync["arn"])
    assert (await call("DescribeDeploymentJob", job=sync["arn"]))["status"] == "Canceled"

    await call("TagResource", resourceArn=job["arn"], tags={"a": "1", "b": "2"})
    await call("UntagResource", resourceArn=job["arn"], tagKeys=["a"])
    assert (await call("ListTagsForResource", resourceArn=job["arn"]))["tags"] == {"b": "2"}

    await call("DeregisterRobot", fleet=fleet["arn"], robot=robot2["arn"])
    await call("DeleteRobot", robot=robot2["arn"])
    await call("DeleteFleet", fleet=fleet["arn"])
    assert (await call("DescribeRobot", robot=robot["arn"]))["status"] == "Available"
    await call("DeleteRobotApplication", application=app["arn"], applicationVersion="1")
    await call("DeleteRobotApplication", application=app["arn"])
    assert called == set(service_model().operation_names)


@pytest.mark.asyncio
async def test_error_wire_format(robomaker_emulator: Emulator) -> None:
    missing = "arn:aws:robomaker:us-east-1:123456789012:deployment-fleet/nope/1"
    async with raw_client(robomaker_emulator) as c:
        code, status, message = await error_of(c.describe_fleet(fleet=missing))
    assert (code, status) == ("ResourceNotFoundException", 400)
    assert missing in message
    # Unsigned raw request: the front door refuses before any operation, with the same wire form.
    async with aiohttp.ClientSession() as http:
        async with http.post(
            robomaker_emulator.endpoint_url + "/describeFleet", json={"fleet": missing}
        ) as r:
            assert r.status == 403
            assert r.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
            assert r.headers["x-amzn-RequestId"]
            assert "message" in json.loads(await r.read())
        async with http.post(robomaker_emulator.endpoint_url + "/noSuchOperation", json={}) as r:
            assert r.status == 404
            assert r.headers["x-amzn-ErrorType"] == "UnknownOperationException"


@pytest.mark.asyncio
async def test_validation_names_the_member_and_redacts_secrets(client: AioBaseClient) -> None:
    code, status, message = await error_of(client.create_fleet(name="no spaces allowed"))
    assert (code, status) == ("InvalidParameterException", 400)
    assert "'name'" in message
    code, _, message = await error_of(client.list_fleets(maxResults=201))
    assert code == "InvalidParameterException"
    assert "maxResults" in message
    app, _ = await make_app(client)
    fleet, _ = await make_fleet(client, 1)
    secret = "hunter2-" + "x" * 1100  # too long: a violation on a sensitive value
    code, _, message = await error_of(
        deploy(client, fleet, app, launch={"environmentVariables": {"PASSWORD": secret}})
    )
    assert code == "InvalidParameterException"
    assert "environmentVariables.PASSWORD" in message
    assert "hunter2" not in message
    code, _, message = await error_of(
        deploy(client, fleet, app, deploymentConfig={"concurrentDeploymentPercentage": 101})
    )
    assert code == "InvalidParameterException"
    assert "concurrentDeploymentPercentage" in message


@pytest.mark.asyncio
async def test_environment_values_are_returned_as_the_service_did(
    robomaker_emulator: Emulator, client: AioBaseClient
) -> None:
    app, _ = await make_app(client)
    fleet, _ = await make_fleet(client, 1)
    job = await deploy(client, fleet, app, launch={"environmentVariables": {"TOKEN": "s3cr3t"}})
    view = await finish(robomaker_emulator, client, job["arn"])
    assert view["deploymentApplicationConfigs"][0]["launchConfig"]["environmentVariables"] == {
        "TOKEN": "s3cr3t"
    }


@pytest.mark.asyncio
async def test_tag_routes_take_a_percent_encoded_arn(
    robomaker_emulator: Emulator, client: AioBaseClient
) -> None:
    fleet = await client.create_fleet(name="tagged", tags={"k1": "v1", "k2": "v2", "k:3": "v 3"})
    await client.untag_resource(resourceArn=fleet["arn"], tagKeys=["k1", "k:3"])
    assert (await client.list_tags_for_resource(resourceArn=fleet["arn"]))["tags"] == {"k2": "v2"}
    code, _, _ = await error_of(client.list_tags_for_resource(resourceArn=fleet["arn"] + "0"))
    assert code == "ResourceNotFoundException"
    # The path label arrives percent-encoded and is decoded exactly once.
    assert "%3A" in quote(str(fleet["arn"]), safe="")


@pytest.mark.asyncio
async def test_unknown_access_key_is_unrecognized(robomaker_emulator: Emulator) -> None:
    async with raw_client(robomaker_emulator, access_key_id="AKIDUNKNOWN") as c:
        assert await error_of(c.list_fleets()) == (
            "UnrecognizedClientException",
            403,
            "The security token included in the request is invalid.",
        )


@pytest.mark.asyncio
async def test_wrong_secret_is_an_invalid_signature(robomaker_emulator: Emulator) -> None:
    async with raw_client(robomaker_emulator, secret_access_key="wrong") as c:
        code, status, _ = await error_of(c.list_fleets())
    assert (code, status) == ("InvalidSignatureException", 403)


@pytest.mark.asyncio
async def test_wrong_region_scope_is_an_invalid_signature(robomaker_emulator: Emulator) -> None:
    async with raw_client(robomaker_emulator, region="eu-west-1") as c:
        code, status, message = await error_of(c.list_fleets())
    assert (code, status) == ("InvalidSignatureException", 403)
    assert "region" in message


@pytest.mark.asyncio
@pytest.mark.parametrize(("minutes", "passes"), [(-20, False), (-10, True), (20, False)])
async def test_clock_skew_over_fifteen_minutes_is_refused(
    robomaker_emulator: Emulator, minutes: int, passes: bool
) -> None:
    skewed = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) + datetime.timedelta(
        minutes=minutes
    )
    async with raw_client(robomaker_emulator) as c:
        with mock.patch("botocore.auth.get_current_datetime", return_value=skewed):
            if passes:
                await c.list_fleets()
                return
            code, status, message = await error_of(c.list_fleets())
    assert (code, status) == ("InvalidSignatureException", 403)
    assert message.startswith("Signature expired" if minutes < 0 else "Signature not yet current")


@pytest.mark.asyncio
async def test_tampered_body_fails_the_signature(robomaker_emulator: Emulator) -> None:
    async with raw_client(robomaker_emulator) as c:

        def tamper(request: object, **kwargs: object) -> None:
            request.body = b'{"name": "other"}'  # type: ignore[attr-defined]

        c.meta.events.register_last("before-send.robomaker.CreateFleet", tamper)  # type: ignore[attr-defined]
        code, status, _ = await error_of(c.create_fleet(name="fleet"))
    assert (code, status) == ("InvalidSignatureException", 403)
