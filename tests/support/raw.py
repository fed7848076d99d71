"""Helpers for the emulator's tests: raw aiobotocore clients on the project's model, small set-ups."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from aiobotocore.client import AioBaseClient
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import ClientError

from robomaker_deploy._wire.model import register_data_path
from robomaker_deploy.emulator import Emulator

# No retries and no client-side validation: every request reaches the emulator, and every refusal is
# the emulator's own.
NO_RETRIES = AioConfig(retries={"total_max_attempts": 1, "mode": "standard"}, parameter_validation=False)


@contextlib.asynccontextmanager
async def raw_client(
    emu: Emulator,
    *,
    config: AioConfig | None = None,
    access_key_id: str | None = None,
    secret_access_key: str | None = None,
    region: str | None = None,
    endpoint_url: str | None = None,
    session_token: str | None = None,
) -> AsyncIterator[AioBaseClient]:
    """A plain aiobotocore client on the project's model, pointed at ``emu`` (or at ``endpoint_url``,
    an emulator with ``emu``'s settings in another process)."""
    session = get_session()
    register_data_path(session.get_component("data_loader"))
    async with session.create_client(
        "robomaker",
        region_name=region or emu.region,
        endpoint_url=endpoint_url or emu.endpoint_url,
        aws_access_key_id=access_key_id or emu.credentials.access_key_id,
        aws_secret_access_key=secret_access_key or emu.credentials.secret_access_key,
        aws_session_token=session_token,
        config=config or NO_RETRIES,
    ) as client:
        yield client


async def error_of(call: Awaitable[Any]) -> tuple[str, int, str]:
    """Run a call that must fail; return its error code, HTTP status and message."""
    try:
        await call
    except ClientError as error:
        info = error.response.get("Error", {})
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return str(info.get("Code")), int(status), str(info.get("Message"))
    raise AssertionError("the call succeeded")


SOURCES = [
    {"s3Bucket": "my-bucket", "s3Key": "app/x86.tar", "architecture": "X86_64"},
    {"s3Bucket": "my-bucket", "s3Key": "app/arm64.tar", "architecture": "ARM64"},
]


async def make_app(client: AioBaseClient, name: str = "app") -> tuple[str, str]:
    """A robot application with sources for X86_64 and ARM64, and its version "1"."""
    app = await client.create_robot_application(
        name=name, sources=SOURCES, robotSoftwareSuite={"name": "ROS", "version": "Melodic"}
    )
    version = await client.create_robot_application_version(application=app["arn"])
    return str(app["arn"]), str(version["version"])


async def make_fleet(
    client: AioBaseClient,
    robots: int,
    *,
    name: str = "fleet",
    architecture: str = "X86_64",
    tags: Callable[[int], dict[str, str]] | None = None,
) -> tuple[str, list[str]]:
    """A fleet with ``robots`` registered robots; ``tags(i)`` gives robot ``i``'s tags."""
    fleet = await client.create_fleet(name=name)
    arns = []
    for i in range(robots):
        robot = await client.create_robot(
            name=f"{name}-robot-{i}",
            architecture=architecture,
            greengrassGroupId=f"group-{i}",
            tags=tags(i) if tags else {},
        )
        await client.register_robot(fleet=fleet["arn"], robot=robot["arn"])
        arns.append(str(robot["arn"]))
    return str(fleet["arn"]), arns


def app_config(app_arn: str, version: str = "1", **launch: Any) -> list[dict[str, Any]]:
    """``deploymentApplicationConfigs`` for one application."""
    return [
        {
            "application": app_arn,
            "applicationVersion": version,
            "launchConfig": {"packageName": "pkg", "launchFile": "main.launch", **launch},
        }
    ]


async def deploy(
    client: AioBaseClient, fleet: str, app: str, *, token: str = "token-1", version: str = "1", **extra: Any
) -> dict[str, Any]:
    """CreateDeploymentJob with sensible defaults."""
    launch = extra.pop("launch", {})
    return await client.create_deployment_job(
        clientRequestToken=token,
        fleet=fleet,
        deploymentApplicationConfigs=app_config(app, version, **launch),
        **extra,
    )


async def finish(emu: Emulator, client: AioBaseClient, job: str) -> dict[str, Any]:
    """Jump the virtual clock past any deployment's end, then describe the job."""
    emu.advance_clock(24 * 3600)
    return await client.describe_deployment_job(job=job)


async def wait_for(
    client: AioBaseClient, job: str, done: Callable[[dict[str, Any]], bool], timeout: float = 20.0
) -> dict[str, Any]:
    """Poll DescribeDeploymentJob until ``done`` holds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        view = await client.describe_deployment_job(job=job)
        if done(view):
            return view
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out; last view: {view['status']}")
        await asyncio.sleep(0.02)
