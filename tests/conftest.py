"""Fixtures every test folder may use.

The emulator fixtures (``robomaker_emulator``, ``..._factory``,
``..._background``) come from the package's own pytest plugin, as they do for
users; the helpers tests share live in ``tests/support``. The emulator's wire
tests (``tests/emulator``) override ``client`` with a raw aiobotocore client.

**asyncio and trio.** A test marked ``@pytest.mark.anyio`` runs twice, on
asyncio and on trio (anyio's backend parametrisation: ``anyio_backend``
below). Such a test takes its emulator from ``robomaker_emulator_background``
(its own thread and loop, which both backends can call; the
``robomaker_emulator`` marker still sets it up) and opens its client inside
the test, or takes ``any_client``: the same as ``client``, on either backend.
The waiting, event-stream and checkpoint tests do so; a rollout test opts in
the same way.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from robomaker_deploy import DeploymentClient
from robomaker_deploy.emulator import Emulator


@pytest_asyncio.fixture
async def client(robomaker_emulator: Emulator) -> AsyncIterator[DeploymentClient]:
    """A :class:`DeploymentClient` on the test's emulator, open for the whole test."""
    async with robomaker_emulator.client() as opened:
        yield opened


#: aiobotocore warns that its httpx backend (the one it has for trio) is deprecated: not ours to fix.
TRIO_TRANSPORT_WARNING = "ignore:aiobotocore's httpx backend:DeprecationWarning"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("anyio") is not None:
            item.add_marker(pytest.mark.filterwarnings(TRIO_TRANSPORT_WARNING))
    # The slow tests first (in their order; the rest keep theirs): spread over make test's parallel
    # workers from the start, rather than one of them left to the end with the others idle.
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    """Every ``@pytest.mark.anyio`` test runs on asyncio and on trio."""
    return str(request.param)


@pytest.fixture
async def any_client(robomaker_emulator_background: Emulator) -> AsyncIterator[DeploymentClient]:
    """A :class:`DeploymentClient` on the test's background emulator, for ``@pytest.mark.anyio`` tests."""
    async with robomaker_emulator_background.client() as opened:
        yield opened


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An AWS environment of the test's own: no region, profile or key variables, and an empty shared
    config file (returned, for the test to fill), so the machine's own settings cannot leak in."""
    for name in ("REGION", "DEFAULT_REGION", "PROFILE", "DEFAULT_PROFILE", "DATA_PATH"):
        monkeypatch.delenv(f"AWS_{name}", raising=False)
    for name in ("ACCESS_KEY_ID", "SECRET_ACCESS_KEY", "SESSION_TOKEN"):
        monkeypatch.delenv(f"AWS_{name}", raising=False)
    config = tmp_path / "config"
    config.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    return config
