"""ARNs as AWS formats them, and the error for an ARN of the wrong kind (issue 13).

The formats are those of AWS's documented examples: the CloudFormation
reference's ``Ref`` values (``deployment-fleet/MyFleet/1539894765711``,
``robot/MyRobot/1544035373264``,
``robot-application/MyRobotApplication/1546541208251``) and the AWS CLI's
RoboMaker examples (``deployment-job/deployment-xl8qssl6pbcn``).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiobotocore.client import AioBaseClient

from robomaker_deploy._cli.output import robot_label
from tests.support.raw import deploy, error_of, make_app, make_fleet

PREFIX = r"arn:aws:robomaker:us-east-1:123456789012:"


def _millis(arn: str) -> int:
    return int(arn.rsplit("/", 1)[1])


@pytest.mark.asyncio
async def test_every_arn_has_the_format_aws_gives_it(client: AioBaseClient) -> None:
    app, _ = await make_app(client, name="MyRobotApplication")
    fleet = await client.create_fleet(name="MyFleet")
    robot = await client.create_robot(name="MyRobot", architecture="X86_64", greengrassGroupId="g")
    await client.register_robot(fleet=fleet["arn"], robot=robot["arn"])
    job = await deploy(client, fleet["arn"], app)
    described_app = await client.describe_robot_application(application=app)

    assert re.fullmatch(PREFIX + r"deployment-fleet/MyFleet/\d{13}", fleet["arn"])
    assert re.fullmatch(PREFIX + r"robot/MyRobot/\d{13}", robot["arn"])
    assert re.fullmatch(PREFIX + r"robot-application/MyRobotApplication/\d{13}", app)
    assert re.fullmatch(PREFIX + r"deployment-job/deployment-[a-z0-9]{12}", job["arn"])
    # The number is the creation time, in epoch milliseconds.
    assert _millis(fleet["arn"]) == int(fleet["createdAt"].timestamp() * 1000)
    assert _millis(robot["arn"]) == int(robot["createdAt"].timestamp() * 1000)
    assert _millis(app) == int(described_app["lastUpdatedAt"].timestamp() * 1000)
    # Everything that shows them shows the same ones.
    assert job["fleet"] == fleet["arn"]
    summary = (await client.describe_deployment_job(job=job["arn"]))["robotDeploymentSummary"]
    assert [r["arn"] for r in summary] == [robot["arn"]]
    assert robot_label(robot["arn"]) == "MyRobot"


@pytest.mark.robomaker_emulator(clock="manual")
@pytest.mark.asyncio
async def test_a_deleted_resource_never_lends_its_arn_to_the_next(client: AioBaseClient) -> None:
    # On a clock that stands still, the next fleet of the same name is made in the same millisecond.
    app, _ = await make_app(client)
    fleet, (robot,) = await make_fleet(client, 1, name="again")
    job = await deploy(client, fleet, app)
    await client.delete_fleet(fleet=fleet)
    successor = (await client.create_fleet(name="again"))["arn"]
    assert successor != fleet
    assert _millis(successor) == _millis(fleet) + 1  # the same instant: the ARN was really taken
    await client.register_robot(fleet=successor, robot=robot)
    # The old job stays the old fleet's: the new one has no deployments, and may deploy at once.
    assert "lastDeploymentJob" not in await client.describe_fleet(fleet=successor)
    assert (await client.describe_deployment_job(job=job["arn"]))["fleet"] == fleet
    await deploy(client, successor, app, token="second")


FLEET = "arn:aws:robomaker:us-east-1:123456789012:deployment-fleet/f/1700000000000"
ROBOT = "arn:aws:robomaker:us-east-1:123456789012:robot/r/1700000000000"
APP = "arn:aws:robomaker:us-east-1:123456789012:robot-application/a/1700000000000"
JOB = "arn:aws:robomaker:us-east-1:123456789012:deployment-job/deployment-0123456789ab"
OLD_FLEET = "arn:aws:robomaker:us-east-1:123456789012:fleet/f/1700000000000"

Call = Callable[[AioBaseClient], Awaitable[Any]]

#: An ARN of the wrong kind where each operation expects one, and what the message must say.
WRONG: dict[str, tuple[Call, str]] = {
    "describe-fleet-with-a-robot": (
        lambda c: c.describe_fleet(fleet=ROBOT),
        "the ARN of a robot, not of a fleet",
    ),
    "describe-fleet-old-format": (lambda c: c.describe_fleet(fleet=OLD_FLEET), "not of a fleet"),
    "describe-robot-with-a-fleet": (
        lambda c: c.describe_robot(robot=FLEET),
        "the ARN of a fleet, not of a robot",
    ),
    "describe-job-with-a-fleet": (
        lambda c: c.describe_deployment_job(job=FLEET),
        "the ARN of a fleet, not of a deployment job",
    ),
    "cancel-job-with-an-app": (lambda c: c.cancel_deployment_job(job=APP), "not of a deployment job"),
    "describe-app-with-a-job": (
        lambda c: c.describe_robot_application(application=JOB),
        "the ARN of a deployment job, not of a robot application",
    ),
    "register-swapped": (lambda c: c.register_robot(fleet=ROBOT, robot=FLEET), "not of a fleet"),
    "delete-robot-with-a-fleet": (lambda c: c.delete_robot(robot=FLEET), "not of a robot"),
    "deploy-to-a-robot": (
        lambda c: deploy(c, ROBOT, "arn:aws:robomaker:us-east-1:123456789012:robot-application/a/1"),
        "not of a fleet",
    ),
    "malformed": (lambda c: c.describe_fleet(fleet="arn:nonsense"), "not a valid RoboMaker ARN"),
    "another-service": (
        lambda c: c.describe_robot(robot="arn:aws:s3:::robot/r/1"),
        "not a valid RoboMaker ARN",
    ),
    "tag-another-service": (
        lambda c: c.list_tags_for_resource(resourceArn="arn:aws:s3:::bucket"),
        "not a valid RoboMaker ARN",
    ),
}


@pytest.mark.parametrize("case", list(WRONG), ids=list(WRONG))
@pytest.mark.asyncio
async def test_an_arn_of_the_wrong_kind_is_an_invalid_parameter(client: AioBaseClient, case: str) -> None:
    call, message = WRONG[case]
    code, status, text = await error_of(call(client))
    assert (code, status) == ("InvalidParameterException", 400)
    assert message in text


@pytest.mark.parametrize("arn", [FLEET, ROBOT, APP, JOB])
@pytest.mark.asyncio
async def test_an_arn_of_the_right_kind_that_names_nothing_is_not_found(
    client: AioBaseClient, arn: str
) -> None:
    calls: dict[str, Call] = {
        FLEET: lambda c: c.describe_fleet(fleet=arn),
        ROBOT: lambda c: c.describe_robot(robot=arn),
        APP: lambda c: c.describe_robot_application(application=arn),
        JOB: lambda c: c.describe_deployment_job(job=arn),
    }
    assert (await error_of(calls[arn](client)))[:2] == ("ResourceNotFoundException", 400)
    # Tags take any kind: a well-formed ARN of any resource that is not there is not found.
    assert (await error_of(client.list_tags_for_resource(resourceArn=arn)))[0] == "ResourceNotFoundException"
