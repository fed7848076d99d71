"""Bringing your own aiobotocore session and settings; the SDK's own settings stay on top (issue 12)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiobotocore.httpxsession
import anyio
import botocore.config
import botocore.credentials
import pytest
from aiobotocore.config import AioConfig
from aiobotocore.credentials import AioCredentials
from aiobotocore.httpsession import AIOHTTPSession
from aiobotocore.session import AioSession

from robomaker_deploy import (
    ClientConfig,
    ConfigurationError,
    DeploymentClient,
    ResponseTooLargeError,
    RoboMakerError,
)
from robomaker_deploy._wire.model import DATA_PATH
from robomaker_deploy.emulator import Emulator
from tests.support.hostile import Reply, endless, hostile_server

pytestmark = pytest.mark.usefixtures("aws_env")


class FromVault(botocore.credentials.CredentialProvider):
    """A credential provider of the user's own, as a company vault would plug in."""

    METHOD = "vault"
    CANONICAL_NAME = "vault"

    def __init__(self) -> None:
        self.loads = 0

    async def load(self) -> AioCredentials:
        self.loads += 1
        return AioCredentials("testing", "testing", method=self.METHOD)


def _anatomy(session: AioSession) -> tuple[Any, ...]:
    """What of a session the SDK must leave as it was."""
    return (
        session.get_component("response_parser_factory"),
        session.get_component("data_loader"),
        list(session.get_component("data_loader").search_paths),
        session.get_default_client_config(),
    )


@pytest.mark.asyncio
async def test_your_own_session_its_credential_provider_and_profile(
    robomaker_emulator: Emulator, aws_env: Path
) -> None:
    await anyio.Path(aws_env).write_text(f"[profile ops]\nregion = {robomaker_emulator.region}\n")
    session = AioSession(profile="ops")
    vault = FromVault()
    providers = session.get_component("credential_provider")
    providers.insert_before(providers.providers[0].METHOD, vault)
    session.set_default_client_config(AioConfig(user_agent_extra="ops-tooling/2"))
    before = _anatomy(session)

    # Credentials from the vault, the region from the session's profile.
    async with DeploymentClient(session=session, endpoint_url=robomaker_emulator.endpoint_url) as client:
        fleet = await client.create_fleet(name="own-session")
        assert [f.name for f in await client.list_fleets().collect()] == [fleet.name]
    assert vault.loads == 1

    # The user's session is as it was: the SDK's parser and model went to a private copy.
    after = _anatomy(session)
    assert after[0] is before[0] and after[1] is before[1] and after[3] is before[3]
    assert after[2] == before[2] and str(DATA_PATH) not in after[2]


@pytest.mark.asyncio
async def test_your_sessions_other_clients_are_not_changed() -> None:
    session = AioSession()
    session.set_credentials("any", "any")
    async with hostile_server() as server:
        server.default = Reply(body=b'{"Functions": [], "NextMarker": "m"}')
        async with DeploymentClient(
            session=session, endpoint_url=server.url, region_name="us-east-1"
        ) as ours:
            assert (
                await ours.list_tags_for_resource("arn:aws:robomaker:us-east-1:1:deployment-fleet/f/1") == {}
            )
            # Another service's client from the same session parses its responses as botocore does
            # (the SDK's raw-body parser would hand back bytes), and validates its input.
            async with session.create_client(
                "lambda", region_name="us-east-1", endpoint_url=server.url
            ) as theirs:
                listed = await theirs.list_functions()
                assert listed["Functions"] == [] and listed["NextMarker"] == "m"
                assert "__raw_body__" not in listed
                with pytest.raises(botocore.exceptions.ParamValidationError):
                    await theirs.get_function()


@pytest.mark.asyncio
async def test_aio_config_is_merged_under_the_sdks_own_settings() -> None:
    aio_config = AioConfig(
        user_agent_extra="fleet-ops/1.0",
        retries={"mode": "standard", "max_attempts": 7},  # the SDK's retries replace botocore's
        parameter_validation=True,
    )
    async with hostile_server() as server:
        server.default = Reply(status=503, body=b"", headers={})
        async with DeploymentClient(
            endpoint_url=server.url,
            region_name="us-east-1",
            aws_access_key_id="any",
            aws_secret_access_key="any",
            config=ClientConfig(max_attempts=2, backoff_base=0.001),
            aio_config=aio_config,
        ) as client:
            with pytest.raises(RoboMakerError) as caught:
                await client.list_fleets().collect()
    assert caught.value.http_status == 503
    assert server.requests == 2  # ClientConfig.max_attempts, not 7 botocore tries within each
    assert all("fleet-ops/1.0" in agent for agent in server.user_agents)


@pytest.mark.asyncio
async def test_your_http_session_class_is_used_and_still_bounded() -> None:
    used: list[str] = []

    class Traced(AIOHTTPSession):
        async def send(self, request: Any) -> Any:
            used.append(request.url)
            return await super().send(request)

    async with hostile_server() as server:
        server.default = Reply(stream=endless())
        async with DeploymentClient(
            endpoint_url=server.url,
            region_name="us-east-1",
            aws_access_key_id="any",
            aws_secret_access_key="any",
            config=ClientConfig(max_response_bytes=100_000),
            aio_config=AioConfig(http_session_cls=Traced),
        ) as client:
            with pytest.raises(ResponseTooLargeError):
                await client.list_fleets().collect()
    assert len(used) == 1


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"config": AioConfig()},
            "config must be robomaker_deploy.ClientConfig or None, not AioConfig; "
            "pass aiobotocore's AioConfig as aio_config=",
        ),
        ({"session": "default"}, "session must be aiobotocore.session.AioSession or None, not str"),
        (
            {"aio_config": botocore.config.Config()},
            "aio_config must be aiobotocore.config.AioConfig or None, not Config",
        ),
        ({"aio_config": AioConfig(http_session_cls=dict)}, "http_session_cls must be aiobotocore's"),
    ],
)
def test_a_setting_of_the_wrong_type_is_a_type_error_at_once(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(TypeError) as caught:
        DeploymentClient(region_name="us-east-1", **settings)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"aio_config": AioConfig(connect_timeout=3)},
            "aio_config sets connect_timeout=3 but the ClientConfig says 10.0: set it in one place",
        ),
        (
            {"aio_config": AioConfig(read_timeout=5), "config": ClientConfig(read_timeout=6)},
            "aio_config sets read_timeout=5",
        ),
        ({"session": AioSession(), "profile_name": "ops"}, "give profile_name= or session=, not both"),
        (
            {
                "aio_config": AioConfig(http_session_cls=AIOHTTPSession),
                "config": ClientConfig(http_backend="httpx"),
            },
            "http_session_cls is aiohttp's but ClientConfig.http_backend is 'httpx'",
        ),
    ],
)
def test_settings_at_odds_are_refused_at_once(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        DeploymentClient(region_name="us-east-1", **settings)


def test_agreeing_settings_are_fine() -> None:
    DeploymentClient(aio_config=AioConfig(connect_timeout=3), config=ClientConfig(connect_timeout=3))


# -- trio without the [trio] extra ------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["trio", "asyncio"])
def test_the_httpx_backend_missing_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, backend: str
) -> None:
    # What aiobotocore sees when neither httpx2 nor httpx is installed.
    monkeypatch.setattr(aiobotocore.httpxsession, "httpx", None)
    # On trio, "auto" picks httpx; on asyncio, asking for it does.
    config = ClientConfig(http_backend="auto" if backend == "trio" else "httpx")

    async def main() -> None:
        async with DeploymentClient(
            region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b", config=config
        ):
            pass

    with pytest.raises(ConfigurationError) as caught:
        anyio.run(main, backend=backend)
    assert caught.value.code == "MissingDependency"
    assert "pip install 'robomaker-deploy[trio]'" in caught.value.message


def _region_in_aio_config(region: str) -> dict[str, Any]:
    return {"aio_config": AioConfig(region_name=region)}


def _region_in_session_config(region: str) -> dict[str, Any]:
    session = AioSession()
    session.set_default_client_config(AioConfig(region_name=region))
    return {"session": session}


def _region_on_session(region: str) -> dict[str, Any]:
    session = AioSession()
    session.set_config_variable("region", region)
    return {"session": session}


@pytest.mark.parametrize("where", [_region_in_aio_config, _region_in_session_config, _region_on_session])
@pytest.mark.asyncio
async def test_a_region_set_in_code_beats_the_environment(
    robomaker_emulator: Emulator, monkeypatch: pytest.MonkeyPatch, where: Callable[[str], dict[str, Any]]
) -> None:
    monkeypatch.setenv("AWS_REGION", "us-west-2")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")
    assert robomaker_emulator.region == "us-east-1"  # which refuses signatures scoped to another region
    async with DeploymentClient(
        endpoint_url=robomaker_emulator.endpoint_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        **where(robomaker_emulator.region),
    ) as client:
        assert await client.list_fleets().collect() == []
