"""Configuration as an AWS user expects it: the region's sources, settings checked early, waiter defaults.

Every test here runs with an AWS environment of its own (``aws_env``, in ``tests/conftest.py``), so
the machine's own settings cannot leak in.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import attrs
import orjson
import pytest
from mypy import api as mypy_api

from robomaker_deploy import (
    ClientConfig,
    ConfigurationError,
    DeploymentClient,
    ValidationError,
    WaiterTimeoutError,
)
from robomaker_deploy._transport import resolve_region
from robomaker_deploy.emulator import Emulator
from tests.support.clocks import FakeClock
from tests.support.hostile import Reply, hostile_server

ROOT = Path(__file__).resolve().parent.parent
JOB_ARN = "arn:aws:robomaker:us-east-1:123456789012:deployment-job/j1"


# -- the region ---------------------------------------------------------------------------------------

#: (region_name=, AWS_REGION, AWS_DEFAULT_REGION, the profile's region) -> the region used.
ORDER = {
    "argument-first": (("eu-west-1", "us-west-2", "ap-south-1", "sa-east-1"), "eu-west-1"),
    "AWS_REGION-next": ((None, "us-west-2", "ap-south-1", "sa-east-1"), "us-west-2"),
    "AWS_REGION-alone": ((None, "us-west-2", None, None), "us-west-2"),
    "AWS_DEFAULT_REGION-next": ((None, None, "ap-south-1", "sa-east-1"), "ap-south-1"),
    "profile-last": ((None, None, None, "sa-east-1"), "sa-east-1"),
    "empty-variables-are-unset": ((None, "", "", "sa-east-1"), "sa-east-1"),
}


def _set_sources(
    monkeypatch: pytest.MonkeyPatch, config_file: Path, sources: tuple[str | None, ...]
) -> str | None:
    argument, aws_region, default_region, profile_region = sources
    for name, value in (("AWS_REGION", aws_region), ("AWS_DEFAULT_REGION", default_region)):
        if value is not None:
            monkeypatch.setenv(name, value)
    if profile_region is not None:
        config_file.write_text(f"[default]\nregion = {profile_region}\n")
    return argument


@pytest.mark.parametrize("case", list(ORDER))
def test_the_region_comes_from_the_documented_sources_in_order(
    aws_env: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    sources, expected = ORDER[case]
    argument = _set_sources(monkeypatch, aws_env, sources)
    assert resolve_region(argument) == expected


@pytest.mark.parametrize("case", ["AWS_REGION-alone", "AWS_REGION-next", "profile-last"])
@pytest.mark.asyncio
async def test_the_client_signs_for_the_region_it_resolved(
    aws_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    robomaker_emulator_factory: Callable[..., Awaitable[Emulator]],
    case: str,
) -> None:
    sources, expected = ORDER[case]
    argument = _set_sources(monkeypatch, aws_env, sources)
    # The emulator refuses a signature scoped to any other region, as AWS does.
    emulator = await robomaker_emulator_factory(region=expected)
    async with DeploymentClient(
        region_name=argument,
        endpoint_url=emulator.endpoint_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ) as client:
        assert await client.list_fleets().collect() == []


def test_a_named_profile_and_its_region(aws_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    aws_env.write_text("[default]\nregion = us-east-1\n\n[profile ops]\nregion = eu-central-1\n")
    assert resolve_region(profile_name="ops") == "eu-central-1"
    monkeypatch.setenv("AWS_PROFILE", "ops")
    assert resolve_region() == "eu-central-1"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-1")
    assert resolve_region(profile_name="ops") == "us-west-1"


@pytest.mark.asyncio
async def test_no_region_names_every_source(aws_env: Path) -> None:
    client = DeploymentClient(
        endpoint_url="http://127.0.0.1:9", aws_access_key_id="a", aws_secret_access_key="b"
    )
    with pytest.raises(ConfigurationError) as caught:
        await client.__aenter__()
    error = caught.value
    assert error.code == "NoRegion"
    for source in ("region_name=", "AWS_REGION", "AWS_DEFAULT_REGION", "profile 'default'", str(aws_env)):
        assert source in error.message


@pytest.mark.asyncio
async def test_an_unknown_profile_is_a_configuration_error(aws_env: Path) -> None:
    client = DeploymentClient(profile_name="nowhere")
    with pytest.raises(ConfigurationError) as caught:
        await client.__aenter__()
    assert caught.value.code == "ProfileNotFound"
    assert "nowhere" in caught.value.message


# -- settings checked when the client is made ---------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"total_timeout": 0}, "ClientConfig.total_timeout=0: must be more than 0 seconds"),
        ({"total_timeout": float("inf")}, "ClientConfig.total_timeout=inf: must be a finite number"),
        ({"read_timeout": "60"}, "ClientConfig.read_timeout='60': must be a finite number"),
        ({"max_response_bytes": 0}, "ClientConfig.max_response_bytes=0: must be a whole number, at least 1"),
        ({"max_attempts": True}, "ClientConfig.max_attempts=True: must be a whole number"),
        ({"wait_min_delay": -1.0}, "ClientConfig.wait_min_delay=-1.0: must be more than 0"),
        (
            {"wait_min_delay": 5.0, "wait_max_delay": 1.0},
            "wait_max_delay=1.0: must be at least wait_min_delay",
        ),
    ],
)
def test_bad_settings_are_refused_naming_the_field(settings: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ClientConfig(**settings)
    assert problem in str(caught.value)


def test_the_defaults() -> None:
    config = ClientConfig()
    assert config.total_timeout == 120.0
    assert config.max_response_bytes == 8 * 1024 * 1024
    assert (config.wait_min_delay, config.wait_max_delay) == (2.0, 30.0)
    assert ClientConfig(total_timeout=None).total_timeout is None


# -- the waiters' delays come from the client ----------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "given", "bounds"),
    [
        (ClientConfig(), {}, (2.0, 30.0)),
        (ClientConfig(wait_min_delay=0.5, wait_max_delay=1.0), {}, (0.5, 1.0)),
        (
            ClientConfig(wait_min_delay=0.5, wait_max_delay=1.0),
            {"min_delay": 3.0, "max_delay": 4.0},
            (3.0, 4.0),
        ),
        # Only one given: the client's other one moves to meet it rather than cross it.
        (ClientConfig(wait_min_delay=0.5, wait_max_delay=1.0), {"min_delay": 2.0}, (2.0, 2.0)),
        (ClientConfig(), {"max_delay": 0.25}, (0.25, 0.25)),
    ],
)
@pytest.mark.asyncio
async def test_waiters_poll_at_the_clients_delays_unless_told(
    config: ClientConfig, given: dict[str, float], bounds: tuple[float, float]
) -> None:
    job = {"arn": JOB_ARN, "fleet": "f", "status": "InProgress", "createdAt": 1.0}
    async with hostile_server() as server:
        server.default = Reply(body=orjson.dumps(job))
        async with DeploymentClient(
            endpoint_url=server.url,
            region_name="us-east-1",
            aws_access_key_id="any",
            aws_secret_access_key="any",
            config=config,
        ) as client:
            fake = FakeClock(pick=lambda low, high: high)  # jitter at the top of its range
            with pytest.raises(WaiterTimeoutError):
                await client.wait_for_deployment_job(
                    JOB_ARN,
                    timeout=100.0,
                    clock=fake.clock(),
                    min_delay=given.get("min_delay"),
                    max_delay=given.get("max_delay"),
                )
    low, high = bounds
    *delays, _last = fake.sleeps  # the last one is cut to the deadline
    assert delays[0] == pytest.approx(low)
    assert max(delays) == pytest.approx(high)
    assert all(low <= delay <= high for delay in delays)


@pytest.mark.asyncio
async def test_an_emulators_client_polls_at_the_emulators_speed(robomaker_emulator: Emulator) -> None:
    speed = robomaker_emulator.speed
    assert speed == 50
    config = robomaker_emulator.client().config
    assert (config.wait_min_delay, config.wait_max_delay) == (2.0 / speed, 30.0 / speed)
    # Other settings are kept; so are delays the caller chose (the other one never crossing them).
    config = robomaker_emulator.client(config=ClientConfig(max_attempts=3)).config
    assert config.max_attempts == 3 and config.wait_min_delay == 2.0 / speed
    config = robomaker_emulator.client(config=ClientConfig(wait_min_delay=1.0)).config
    assert (config.wait_min_delay, config.wait_max_delay) == (1.0, 1.0)
    chosen = ClientConfig(wait_min_delay=0.001, wait_max_delay=0.002, total_timeout=9.0)
    assert robomaker_emulator.client(config=chosen).config == chosen
    assert attrs.evolve(chosen) == chosen


@pytest.mark.slow
def test_emulator_client_keywords_are_typed(tmp_path: Path) -> None:
    sample = tmp_path / "misuse.py"
    sample.write_text(
        "from robomaker_deploy import ClientConfig\n"
        "from robomaker_deploy.emulator import Emulator\n"
        "emulator = Emulator()\n"
        "emulator.client(config=ClientConfig(total_timeout=30.0, max_response_bytes=1024))\n"
        "emulator.client(speed=3)\n"
        "emulator.client(config={'max_attempts': 3})\n"
        "ClientConfig(total_timeout='soon')\n"
    )
    stdout, _stderr, status = mypy_api.run(
        ["--config-file", str(ROOT / "pyproject.toml"), "--no-error-summary", str(sample)]
    )
    assert status == 1
    errors = [line for line in stdout.splitlines() if ": error:" in line]
    assert [line.split(":")[1] for line in errors] == ["5", "6", "7"], stdout
    assert 'Unexpected keyword argument "speed"' in errors[0]


# -- many clients ------------------------------------------------------------------------------------


def test_clients_on_many_threads_and_loops_share_one_loader(robomaker_emulator_background: Emulator) -> None:
    loaders: list[object] = []
    errors: list[BaseException] = []

    def run() -> None:
        async def main() -> None:
            async with robomaker_emulator_background.client() as client:
                assert await client.list_fleets().collect() == []
                loaders.append(vars(client._transport._require())["_loader"])

        try:
            anyio.run(main)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(loaders) == 6
    assert all(loader is loaders[0] for loader in loaders)  # botocore's data, loaded once per process
