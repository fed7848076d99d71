"""Nothing gets in (SigV4 refusals, admin routes off loopback), nothing leaks (secret values) (issue 8)."""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest
from click.testing import CliRunner

from robomaker_deploy import (
    AuthenticationError,
    ClientConfig,
    DeploymentApplicationConfig,
    DeploymentClient,
    DeploymentFailedError,
    InvalidParameterError,
    LaunchConfig,
    ValidationError,
)
from robomaker_deploy._cli import main
from robomaker_deploy.emulator import TAG_FAIL_STEP, Emulator
from robomaker_deploy.emulator._seeding import seed_application, seed_fleets
from tests.support.leaks import MARKER, calls

NO_RETRY = ClientConfig(max_attempts=1)

# -- SigV4 -----------------------------------------------------------------------------------------------


async def _refused(emu: Emulator, client: DeploymentClient) -> AuthenticationError:
    before = calls(emu).get("ListFleets", 0)
    async with client:
        with pytest.raises(AuthenticationError) as caught:
            await client.list_fleets().collect()
    # Refused once and not retried: a signature does not get better by asking again.
    assert calls(emu).get("ListFleets", 0) == before + 1
    error = caught.value
    assert error.http_status == 403
    assert error.operation == "ListFleets"
    assert error.request_id
    return error


def _client(emu: Emulator, key: str, secret: str) -> DeploymentClient:
    return DeploymentClient(
        endpoint_url=emu.endpoint_url,
        region_name=emu.region,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=ClientConfig(max_attempts=3, backoff_base=0.001),
    )


@pytest.mark.asyncio
async def test_a_wrong_secret_is_refused(robomaker_emulator: Emulator) -> None:
    error = await _refused(robomaker_emulator, _client(robomaker_emulator, "testing", "not-the-secret"))
    assert error.code == "InvalidSignatureException"
    assert "signature we calculated does not match" in error.message


@pytest.mark.asyncio
async def test_an_unknown_key_is_refused(robomaker_emulator: Emulator) -> None:
    error = await _refused(robomaker_emulator, _client(robomaker_emulator, "AKIDUNKNOWN", "testing"))
    assert error.code == "UnrecognizedClientException"


@pytest.mark.parametrize("minutes", [16, -16, 24 * 60])
@pytest.mark.asyncio
async def test_a_signing_date_off_by_more_than_15_minutes_is_refused(
    robomaker_emulator: Emulator, monkeypatch: pytest.MonkeyPatch, minutes: int
) -> None:
    import botocore.auth

    real = botocore.auth.get_current_datetime  # type: ignore[attr-defined]

    def skewed(*args: Any, **kwargs: Any) -> datetime.datetime:
        moved: datetime.datetime = real(*args, **kwargs) + datetime.timedelta(minutes=minutes)
        return moved

    monkeypatch.setattr(botocore.auth, "get_current_datetime", skewed)
    error = await _refused(robomaker_emulator, robomaker_emulator.client(config=ClientConfig(max_attempts=3)))
    assert error.code == "InvalidSignatureException"
    assert ("not yet current" if minutes > 0 else "expired") in error.message
    assert "Signature" in error.message


@pytest.mark.parametrize("minutes", [14, -14])
@pytest.mark.asyncio
async def test_a_signing_date_within_15_minutes_is_accepted(
    robomaker_emulator: Emulator, monkeypatch: pytest.MonkeyPatch, minutes: int
) -> None:
    import botocore.auth

    real = botocore.auth.get_current_datetime  # type: ignore[attr-defined]
    monkeypatch.setattr(
        botocore.auth,
        "get_current_datetime",
        lambda *a, **k: real(*a, **k) + datetime.timedelta(minutes=minutes),
    )
    async with robomaker_emulator.client() as client:
        assert await client.list_fleets().collect() == []


@pytest.mark.asyncio
async def test_a_body_altered_after_signing_is_refused(robomaker_emulator: Emulator) -> None:
    client = robomaker_emulator.client(config=ClientConfig(max_attempts=3))
    async with client:
        # Sign a request for one fleet name, then send another.
        def tamper(request: Any, **_: Any) -> None:
            body = request.body
            if isinstance(body, bytes) and b"honest" in body:
                request.body = body.replace(b"honest", b"sneaky")

        client._transport._require().meta.events.register(  # type: ignore[attr-defined]
            "before-send.robomaker.CreateFleet", tamper
        )
        before = calls(robomaker_emulator).get("CreateFleet", 0)
        with pytest.raises(AuthenticationError) as caught:
            await client.create_fleet(name="honest")
        assert calls(robomaker_emulator).get("CreateFleet", 0) == before + 1
        assert caught.value.code == "InvalidSignatureException"
        assert await client.list_fleets().collect() == []  # nothing was made


# -- the admin routes --------------------------------------------------------------------------------------


def test_the_emulator_binds_loopback_by_default() -> None:
    emu = Emulator()
    assert emu.host == "127.0.0.1"
    assert emu.admin is True
    assert Emulator(host="0.0.0.0").admin is False
    assert Emulator(host="192.168.1.10").admin is False
    assert Emulator(host="::1").admin is True
    with pytest.warns(UserWarning, match="not a loopback address"):
        assert Emulator(host="0.0.0.0", admin=True).admin is True


async def _admin_status(emu: Emulator) -> tuple[int, int]:
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{emu.endpoint_url}/_emulator/faults", json={"throttle": 1.0}) as response:
            posted = response.status
        async with session.get(f"{emu.endpoint_url}/_emulator/stats") as response:
            read = response.status
    return posted, read


@pytest.mark.asyncio
async def test_admin_routes_are_off_on_a_non_loopback_host_unless_asked() -> None:
    async with Emulator(host="0.0.0.0") as emu:
        assert await _admin_status(emu) == (404, 404)
        # The faults were not set: the service answers normally.
        async with emu.client(config=NO_RETRY) as client:
            assert await client.list_fleets().collect() == []
    with pytest.warns(UserWarning, match="not a loopback address"):
        opted = Emulator(host="0.0.0.0", admin=True)
    async with opted as emu:
        assert await _admin_status(emu) == (200, 200)
    async with Emulator() as emu:
        assert emu.endpoint_url.startswith("http://127.0.0.1:")
        assert await _admin_status(emu) == (200, 200)


def test_the_cli_emulator_defaults_to_loopback() -> None:
    from robomaker_deploy.emulator import _main

    emulator_command = main.commands["emulator"]
    host = next(p for p in emulator_command.params if p.name == "host")
    assert host.default == "127.0.0.1"
    assert _main.serve.__kwdefaults__ is not None
    assert _main.serve.__kwdefaults__["host"] == "127.0.0.1"


# -- secrets -----------------------------------------------------------------------------------------------


@pytest.fixture
def sdk_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    with caplog.at_level(logging.DEBUG, logger="robomaker_deploy"):
        yield caplog


def _config(app: tuple[str, str], env: dict[str, str]) -> DeploymentApplicationConfig:
    return DeploymentApplicationConfig(
        application=app[0],
        application_version=app[1],
        launch_config=LaunchConfig(package_name="pkg", launch_file="app.launch", environment_variables=env),
    )


@pytest.mark.robomaker_emulator(speed=200)
@pytest.mark.asyncio
async def test_environment_values_never_appear(
    robomaker_emulator: Emulator, sdk_logs: pytest.LogCaptureFixture
) -> None:
    emu = robomaker_emulator
    app = seed_application(emu)
    good, failing, spare = seed_fleets(emu, 3, prefix="secret")
    robot = emu.call(
        "CreateRobot",
        {
            "name": "doomed",
            "architecture": "X86_64",
            "greengrassGroupId": "g",
            "tags": {TAG_FAIL_STEP: "Launching"},
        },
    )
    emu.call(
        "DeregisterRobot",
        {"fleet": failing, "robot": emu.call("DescribeFleet", {"fleet": failing})["robots"][0]["arn"]},
    )
    emu.call("RegisterRobot", {"fleet": failing, "robot": robot["arn"]})
    env = {"API_TOKEN": MARKER, "OTHER": f"prefix-{MARKER}-suffix"}
    texts: list[str] = []
    errors: list[BaseException] = []
    fast: dict[str, Any] = {"min_delay": 0.01, "max_delay": 0.05, "timeout": 30.0}

    async with emu.client() as client:
        job = await client.create_deployment_job(fleet=good, application_configs=[_config(app, env)])
        texts += [repr(job), str(job), repr(job.deployment_application_configs)]
        final = await client.wait_until_deployment_succeeded(job, **fast)
        texts += [repr(final), repr(await client.describe_deployment_job(job))]
        texts += [repr(j) for j in await client.list_deployment_jobs().collect()]
        async for snapshot in client.watch_deployment_job(job, **fast):
            texts.append(repr(snapshot))
        bad = await client.create_deployment_job(fleet=failing, application_configs=[_config(app, env)])
        with pytest.raises(DeploymentFailedError) as failed:
            await client.wait_until_deployment_succeeded(bad, **fast)
        errors.append(failed.value)
        texts.append(repr(failed.value.job))
        # Invalid input around the secret: too many variables, a bad key, a value too long, two configs,
        # each refused before sending, none showing a value.
        invalid_envs: list[Any] = [
            {f"K{i}": MARKER for i in range(21)},
            {"lower_case": MARKER},
            {"LONG": MARKER * 100},
        ]
        for bad_env in invalid_envs:
            config = _config(app, {})
            object.__setattr__(config.launch_config, "environment_variables", bad_env)
            with pytest.raises(ValidationError) as invalid:
                await client.create_deployment_job(fleet=spare, application_configs=[config])
            errors.append(invalid.value)
            texts += [repr(invalid.value.problems), invalid.value.value]
        with pytest.raises(ValidationError) as two:
            await client.create_deployment_job(fleet=spare, application_configs=[_config(app, env)] * 2)
        errors.append(two.value)
        # A call the service refuses, carrying the secret (no such version).
        with pytest.raises(InvalidParameterError) as refused:
            await client.create_deployment_job(
                fleet=spare, application_configs=[_config((app[0], "99"), env)]
            )
        errors.append(refused.value)
    for error in errors:
        texts += [str(error), repr(error), str(error.__cause__), str(error.__context__)]
    records = [record.getMessage() for record in sdk_logs.records]
    assert records  # the loggers did say things at DEBUG
    texts += records
    texts += [str(record.exc_info) for record in sdk_logs.records if record.exc_info]
    leaks = [text for text in texts if MARKER in text]
    assert not leaks


@pytest.mark.robomaker_emulator(speed=300)
def test_environment_values_never_appear_in_cli_output(robomaker_emulator_background: Emulator) -> None:
    emu = robomaker_emulator_background
    app = seed_application(emu)
    fleet, other = seed_fleets(emu, 2, prefix="cli")
    env = {
        "AWS_ACCESS_KEY_ID": emu.credentials.access_key_id,
        "AWS_SECRET_ACCESS_KEY": emu.credentials.secret_access_key,
        "AWS_DEFAULT_REGION": emu.region,
        "ROBOMAKER_DEPLOY_DEBUG": "1",
        "PASSED_THROUGH": MARKER,
    }
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(
            main, ["--endpoint-url", emu.endpoint_url, *args], env=env, catch_exceptions=False
        )
        return result.output + (result.stderr if result.stderr_bytes is not None else "")

    deploy = [
        "deploy", "--application", app[0], "--version", app[1], "--package", "pkg",
        "--launch-file", "a.launch", "-e", f"API_TOKEN={MARKER}", "-e", "PASSED_THROUGH",
    ]  # fmt: skip
    fast = ["--min-delay", "0.02", "--max-delay", "0.1", "--timeout", "30"]
    outputs = [
        run(*deploy, "--fleet", fleet, "--wait", *fast),
        run("--json", *deploy, "--fleet", other),
    ]
    job = json.loads(outputs[-1])["arn"]
    outputs += [
        run("describe", job),
        run("--json", "describe", job),
        run("list"),
        run("--json", "list"),
        run("wait", job, *fast),
        run("watch", job, *fast),
        # Refusals: a busy fleet, an invalid key next to the secret, too many variables.
        run(*deploy, "--fleet", fleet),
        run(*deploy, "--fleet", other, "-e", f"bad key={MARKER}"),
        run(*deploy, "--fleet", other, *[f"-eK{i}={MARKER}" for i in range(21)]),
    ]
    assert all(outputs)
    assert not [output for output in outputs if MARKER in output]


@pytest.mark.robomaker_emulator(speed=200)
@pytest.mark.asyncio
async def test_botocore_debug_logs_do_not_carry_environment_values(
    robomaker_emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    """botocore logs request and response bodies at DEBUG; the SDK redacts the launch config's values."""
    emu = robomaker_emulator
    app = seed_application(emu)
    (fleet,) = seed_fleets(emu, 1, prefix="logs")
    env = {"API_TOKEN": MARKER, "QUOTED": f'a "quoted" {{brace}} {MARKER}'}
    with caplog.at_level(logging.DEBUG):
        async with emu.client() as client:
            job = await client.create_deployment_job(fleet=fleet, application_configs=[_config(app, env)])
            await client.describe_deployment_job(job)
    bodies = [r.getMessage() for r in caplog.records if r.name.startswith(("botocore", "aiobotocore"))]
    assert any("environmentVariables" in body and "API_TOKEN" in body for body in bodies)
    assert not [body for body in bodies if MARKER in body]
