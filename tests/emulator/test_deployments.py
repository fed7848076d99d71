"""Deployment behaviour over HTTP: lifecycle, real and injected failures, sync, cancel, idempotency."""

from __future__ import annotations

import pytest
from aiobotocore.client import AioBaseClient

from robomaker_deploy.emulator import JOB_RETENTION_SECONDS, Emulator
from tests.support.raw import deploy, error_of, finish, make_app, make_fleet, wait_for


@pytest.mark.asyncio
@pytest.mark.robomaker_emulator(speed=100, seed=3, clock="manual")
async def test_job_and_robots_walk_their_statuses(
    robomaker_emulator: Emulator, client: AioBaseClient
) -> None:
    # The test moves the clock a simulated second between polls: it sees every status and step.
    app, _ = await make_app(client)
    fleet, robots = await make_fleet(client, 2)
    job = await deploy(client, fleet, app, launch={"preLaunchFile": "pre.sh", "postLaunchFile": "post.sh"})
    seen_jobs: list[str] = [job["status"]]
    seen_steps: list[str] = []
    percents: list[float] = []
    while True:
        view = await client.describe_deployment_job(job=job["arn"])
        if not seen_jobs or seen_jobs[-1] != view["status"]:
            seen_jobs.append(view["status"])
        progress = view["robotDeploymentSummary"][0].get("progressDetail")
        if progress:
            assert progress["targetResource"] == job["arn"]
            if not seen_steps or seen_steps[-1] != progress["currentProgress"]:
                seen_steps.append(progress["currentProgress"])
            if "percentDone" in progress:
                percents.append(progress["percentDone"])
        if view["status"] in ("Succeeded", "Failed", "Canceled"):
            break
        robot_status = (await client.describe_robot(robot=robots[0]))["status"]
        assert robot_status in ("PendingNewDeployment", "Deploying", "InSync")
        robomaker_emulator.advance_clock(0.01)
    assert seen_jobs == ["Pending", "Preparing", "InProgress", "Succeeded"]
    assert seen_steps[0] == "Validating"
    assert seen_steps[-1] == "Finished"
    order = [
        "Validating",
        "DownloadingExtracting",
        "ExecutingPreLaunch",
        "Launching",
        "ExecutingPostLaunch",
        "Finished",
    ]
    assert seen_steps == [s for s in order if s in seen_steps]
    assert percents == sorted(percents)
    for robot in view["robotDeploymentSummary"]:
        assert robot["status"] == "InSync"
        assert robot["deploymentStartTime"] <= robot["deploymentFinishTime"]
    described = await client.describe_robot(robot=robots[1])
    assert described["status"] == "InSync"
    assert described["lastDeploymentJob"] == job["arn"]


@pytest.mark.asyncio
async def test_real_and_injected_robot_failures(robomaker_emulator: Emulator, client: AioBaseClient) -> None:
    app, _ = await make_app(client)
    fleet = (await client.create_fleet(name="mixed"))["arn"]
    specs = {
        "armhf": ("ARMHF", {}),
        "prelaunch": ("X86_64", {"emulator:fail-step": "ExecutingPreLaunch"}),
        "custom": (
            "ARM64",
            {"emulator:fail-step": "DownloadingExtracting", "emulator:failure-code": "EtagMismatch"},
        ),
        "offline": ("X86_64", {"emulator:offline": "true"}),
        "good": ("X86_64", {}),
    }
    arns = {}
    for name, (arch, tags) in specs.items():
        robot = await client.create_robot(name=name, architecture=arch, greengrassGroupId="g", tags=tags)
        await client.register_robot(fleet=fleet, robot=robot["arn"])
        arns[robot["arn"]] = name
    job = await deploy(client, fleet, app, launch={"preLaunchFile": "pre.sh"})
    view = await finish(robomaker_emulator, client, job["arn"])
    outcome = {arns[r["arn"]]: (r["status"], r.get("failureCode")) for r in view["robotDeploymentSummary"]}
    assert outcome == {
        "armhf": ("Failed", "MissingRobotApplicationArchitecture"),
        "prelaunch": ("Failed", "PreLaunchFileFailure"),
        "custom": ("Failed", "EtagMismatch"),
        "offline": ("NoResponse", "RobotDeploymentNoResponse"),
        "good": ("InSync", None),
    }
    assert view["status"] == "Failed"


@pytest.mark.asyncio
async def test_failure_threshold_breach(robomaker_emulator: Emulator, client: AioBaseClient) -> None:
    app, _ = await make_app(client)
    fleet, _ = await make_fleet(
        client, 10, tags=lambda i: {"emulator:fail-step": "Validating"} if i < 3 else {}
    )
    job = await deploy(
        client,
        fleet,
        app,
        deploymentConfig={"concurrentDeploymentPercentage": 10, "failureThresholdPercentage": 10},
    )
    view = await finish(robomaker_emulator, client, job["arn"])
    assert (view["status"], view["failureCode"]) == ("Failed", "FailureThresholdBreached")
    codes = [r.get("failureCode") for r in view["robotDeploymentSummary"]]
    assert codes[:2] == ["MissingRobotDeploymentResource"] * 2
    assert codes[2:] == ["RobotDeploymentAborted"] * 8
    assert all("deploymentStartTime" not in r for r in view["robotDeploymentSummary"][2:])


@pytest.mark.asyncio
@pytest.mark.robomaker_emulator(seed=5, clock="manual")
async def test_robot_deployment_timeout(robomaker_emulator: Emulator, client: AioBaseClient) -> None:
    # The shortest timeout the service allows is a minute; with every optional step a robot takes
    # 30 to 78 simulated seconds, and seed 5 draws one that takes longer than 60.
    app, _ = await make_app(client)
    fleet, _ = await make_fleet(client, 1)
    rollout = {
        "robotDeploymentTimeoutInSeconds": 60,
        "downloadConditionFile": {"bucket": "ops-scripts", "key": "docked.sh"},
    }
    launch = {"preLaunchFile": "pre.sh", "postLaunchFile": "post.sh"}
    job = await deploy(client, fleet, app, deploymentConfig=rollout, launch=launch)
    robot = (await finish(robomaker_emulator, client, job["arn"]))["robotDeploymentSummary"][0]
    assert (robot["status"], robot["failureCode"]) == ("Failed", "RobotDeploymentAborted")
    assert robot["failureReason"] == "The robot's deployment took longer than 60 seconds."
    elapsed = (robot["deploymentFinishTime"] - robot["deploymentStartTime"]).total_seconds()
    assert elapsed == pytest.approx(60 / 50, abs=0.01)  # the fixture runs at speed 50


@pytest.mark.asyncio
async def test_refusals_at_creation(client: AioBaseClient) -> None:
    app, _ = await make_app(client)
    fleet, _ = await make_fleet(client, 1)
    empty = (await client.create_fleet(name="empty"))["arn"]
    assert (await error_of(deploy(client, fleet, app, version="$LATEST")))[0] == "InvalidParameterException"
    assert (await error_of(deploy(client, fleet, app, version="7")))[0] == "InvalidParameterException"
    unknown_app = app.rsplit("/", 1)[0] + "/1"
    assert (await error_of(deploy(client, fleet, unknown_app)))[0] == "ResourceNotFoundException"
    assert (await error_of(deploy(client, fleet + "9", app)))[0] == "ResourceNotFoundException"
    assert (await error_of(deploy(client, empty, app)))[0] == "InvalidParameterException"
    await deploy(client, fleet, app, token="first")
    code, _, message = await error_of(deploy(client, fleet, app, token="second"))
    assert code == "ConcurrentDeploymentException"
    assert fleet in message
    assert (await error_of(client.sync_deployment_job(clientRequestToken="s", fleet=fleet)))[0] == (
        "ConcurrentDeploymentException"
    )


@pytest.mark.asyncio
async def test_idempotency_tokens(robomaker_emulator: Emulator, client: AioBaseClient) -> None:
    app, _ = await make_app(client)
    fleet, _ = await make_fleet(client, 1)
    first = await deploy(client, fleet, app, token="same")
    again = await deploy(client, fleet, app, token="same")
    assert again["arn"] == first["arn"]
    code, _, _ = await error_of(
        deploy(client, fleet, app, token="same", deploymentConfig={"failureThresholdPercentage": 5})
    )
    assert code == "IdempotentParameterMismatchException"
    robomaker_emulator.advance_clock(3600)
    assert (await deploy(client, fleet, app, token="same"))["arn"] == first["arn"]
    assert len((await client.list_deployment_jobs())["deploymentJobs"]) == 1


@pytest.mark.asyncio
async def test_sync_deploys_only_to_robots_out_of_sync(
    robomaker_emulator: Emulator, client: AioBaseClient
) -> None:
    app, _ = await make_app(client)
    fleet, _ = await make_fleet(client, 2)
    code, _, _ = await error_of(client.sync_deployment_job(clientRequestToken="early", fleet=fleet))
    assert code == "InvalidParameterException"  # nothing succeeded yet, nothing to sync to
    job = await deploy(client, fleet, app)
    assert (await finish(robomaker_emulator, client, job["arn"]))["status"] == "Succeeded"
    late = await client.create_robot(name="late", architecture="ARM64", greengrassGroupId="g")
    await client.register_robot(fleet=fleet, robot=late["arn"])
    assert (await client.describe_robot(robot=late["arn"]))["status"] == "Registered"
    sync = await client.sync_deployment_job(clientRequestToken="sync", fleet=fleet)
    assert sync["deploymentApplicationConfigs"] == job["deploymentApplicationConfigs"]
    view = await finish(robomaker_emulator, client, sync["arn"])
    assert [r["arn"] for r in view["robotDeploymentSummary"]] == [late["arn"]]
    assert view["status"] == "Succeeded"
    assert (await client.describe_robot(robot=late["arn"]))["status"] == "InSync"
    fleet_view = await client.describe_fleet(fleet=fleet)
    assert fleet_view["lastDeploymentJob"] == sync["arn"]
    assert {r["status"] for r in fleet_view["robots"]} == {"InSync"}


@pytest.mark.asyncio
@pytest.mark.robomaker_emulator(clock="manual")  # the job is pending when it is canceled
async def test_cancel_stops_a_running_job(robomaker_emulator: Emulator, client: AioBaseClient) -> None:
    app, _ = await make_app(client)
    fleet, _ = await make_fleet(client, 3)
    job = await deploy(client, fleet, app, deploymentConfig={"concurrentDeploymentPercentage": 34})
    # 20 simulated seconds at speed 50: in progress, its first robot still deploying (22 s at least).
    robomaker_emulator.advance_clock(0.4)
    running = await client.describe_deployment_job(job=job["arn"])
    assert running["status"] == "InProgress"
    assert running["robotDeploymentSummary"][0]["status"] == "Deploying"
    await client.cancel_deployment_job(job=job["arn"])
    view = await client.describe_deployment_job(job=job["arn"])
    assert view["status"] == "Canceled"
    assert {r["failureCode"] for r in view["robotDeploymentSummary"]} == {"RobotDeploymentAborted"}
    robomaker_emulator.advance_clock(3600)
    assert (await client.describe_deployment_job(job=job["arn"]))["status"] == "Canceled"
    await client.cancel_deployment_job(job=job["arn"])  # a finished job: a no-op
    # The fleet is free again.
    await deploy(client, fleet, app, token="next")


@pytest.mark.asyncio
async def test_jobs_expire_after_ninety_days(robomaker_emulator: Emulator, client: AioBaseClient) -> None:
    app, _ = await make_app(client)
    fleet, _ = await make_fleet(client, 1)
    job = await deploy(client, fleet, app)
    robomaker_emulator.advance_clock(JOB_RETENTION_SECONDS - 60)
    assert (await client.describe_deployment_job(job=job["arn"]))["status"] == "Succeeded"
    robomaker_emulator.advance_clock(120)
    assert (await error_of(client.describe_deployment_job(job=job["arn"])))[0] == "ResourceNotFoundException"
    assert (await client.list_deployment_jobs())["deploymentJobs"] == []


@pytest.mark.asyncio
@pytest.mark.robomaker_emulator(speed=1000)
async def test_wait_for_a_real_time_run(client: AioBaseClient) -> None:
    app, _ = await make_app(client)
    fleet, _ = await make_fleet(client, 3)
    job = await deploy(client, fleet, app, deploymentConfig={"concurrentDeploymentPercentage": 50})
    view = await wait_for(client, job["arn"], lambda v: v["status"] == "Succeeded", timeout=10)
    starts = sorted(r["deploymentStartTime"] for r in view["robotDeploymentSummary"])
    assert starts[0] < starts[-1]  # one slot: robots went one after another
