"""Listing: maxResults bounds, stable keyset tokens, filters, and cost at scale."""

from __future__ import annotations

from typing import Any

import pytest
from aiobotocore.client import AioBaseClient

from robomaker_deploy.emulator import Emulator
from robomaker_deploy.emulator._service import Service
from robomaker_deploy.emulator._store import Store
from tests.support.raw import deploy, error_of, make_app, make_fleet


@pytest.mark.asyncio
async def test_max_results_bounds(client: AioBaseClient) -> None:
    for operation in (client.list_deployment_jobs, client.list_fleets, client.list_robots):
        assert (await error_of(operation(maxResults=0)))[0] == "InvalidParameterException"
        assert (await error_of(operation(maxResults=201)))[0] == "InvalidParameterException"
        await operation(maxResults=200)
    assert (await error_of(client.list_fleets(nextToken="bm9wZQ==")))[0] == "InvalidParameterException"


@pytest.mark.asyncio
async def test_job_pages_stay_stable_while_jobs_are_added(
    robomaker_emulator: Emulator, client: AioBaseClient
) -> None:
    app, _ = await make_app(client)
    fleet, _ = await make_fleet(client, 1)
    created = []
    for i in range(5):
        created.append((await deploy(client, fleet, app, token=f"t{i}"))["arn"])
        robomaker_emulator.advance_clock(3600)
    first = await client.list_deployment_jobs(maxResults=2)
    assert [j["arn"] for j in first["deploymentJobs"]] == created[::-1][:2]  # newest first
    # A new job arrives between pages: it must not shift or repeat anything.
    await deploy(client, fleet, app, token="late")
    seen = [j["arn"] for j in first["deploymentJobs"]]
    token = first.get("nextToken")
    while token:
        page = await client.list_deployment_jobs(maxResults=2, nextToken=token)
        seen += [j["arn"] for j in page["deploymentJobs"]]
        token = page.get("nextToken")
    assert seen == created[::-1]


@pytest.mark.asyncio
async def test_filters(robomaker_emulator: Emulator, client: AioBaseClient) -> None:
    app, _ = await make_app(client)
    east, east_robots = await make_fleet(client, 2, name="east")
    west, _ = await make_fleet(client, 1, name="west")
    await client.create_robot(name="loose", architecture="X86_64", greengrassGroupId="g")
    done = await deploy(client, east, app, token="a")
    robomaker_emulator.advance_clock(3600)
    running = await deploy(client, west, app, token="b")

    async def jobs(**filters: Any) -> list[str]:
        return [j["arn"] for j in (await client.list_deployment_jobs(filters=[filters]))["deploymentJobs"]]

    assert await jobs(name="status", values=["Succeeded"]) == [done["arn"]]
    assert await jobs(name="status", values=["Pending"]) == [running["arn"]]
    assert await jobs(name="fleetName", values=["west"]) == [running["arn"]]
    fleets = await client.list_fleets(filters=[{"name": "name", "values": ["east"]}])
    assert [f["arn"] for f in fleets["fleetDetails"]] == [east]
    robots = await client.list_robots(filters=[{"name": "fleetName", "values": ["east"]}])
    assert [r["arn"] for r in robots["robots"]] == east_robots
    available = await client.list_robots(filters=[{"name": "status", "values": ["Available"]}])
    assert [r["name"] for r in available["robots"]] == ["loose"]
    insync = await client.list_robots(filters=[{"name": "status", "values": ["InSync"]}])
    assert len(insync["robots"]) == 2
    assert (await error_of(client.list_fleets(filters=[{"name": "color", "values": ["x"]}])))[0] == (
        "InvalidParameterException"
    )


def test_scale_thousand_robot_describe_and_ten_thousand_job_lists() -> None:
    store = Store()
    service = Service(store, region="us-east-1", account_id="123456789012", speed=1.0, seed=1)
    app = service.handle(
        "CreateRobotApplication",
        {
            "name": "app",
            "sources": [{"s3Bucket": "bkt", "s3Key": "k", "architecture": "X86_64"}],
            "robotSoftwareSuite": {"name": "ROS"},
        },
    )
    service.handle("CreateRobotApplicationVersion", {"application": app["arn"]})
    config = [
        {
            "application": app["arn"],
            "applicationVersion": "1",
            "launchConfig": {"packageName": "p", "launchFile": "l"},
        }
    ]
    big = service.handle("CreateFleet", {"name": "big"})
    for i in range(1000):
        robot = service.handle(
            "CreateRobot", {"name": f"r{i}", "architecture": "X86_64", "greengrassGroupId": "g"}
        )
        service.handle("RegisterRobot", {"fleet": big["arn"], "robot": robot["arn"]})
    job = service.handle(
        "CreateDeploymentJob",
        {
            "clientRequestToken": "big",
            "fleet": big["arn"],
            "deploymentApplicationConfigs": config,
            "deploymentConfig": {"concurrentDeploymentPercentage": 20},
        },
    )
    store.advance_clock(60)  # mid-deployment: nothing cached
    view = service.handle("DescribeDeploymentJob", {"job": job["arn"]})
    assert len(view["robotDeploymentSummary"]) == 1000

    small = service.handle("CreateFleet", {"name": "small"})
    robot = service.handle(
        "CreateRobot", {"name": "solo", "architecture": "X86_64", "greengrassGroupId": "g"}
    )
    service.handle("RegisterRobot", {"fleet": small["arn"], "robot": robot["arn"]})
    for i in range(10_000):
        store.advance_clock(120)  # past the previous job's end, so the fleet is free
        service.handle(
            "CreateDeploymentJob",
            {"clientRequestToken": f"t{i}", "fleet": small["arn"], "deploymentApplicationConfigs": config},
        )
    token = None
    pages = 0
    while True:
        page = service.handle(
            "ListDeploymentJobs", {"maxResults": 200, **({"nextToken": token} if token else {})}
        )
        pages += 1
        token = page.get("nextToken")
        if not token:
            break
    assert pages == 51  # 10,001 jobs, 200 a page (how fast: `make bench`, not a timed test)
