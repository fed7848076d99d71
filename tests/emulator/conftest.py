"""Fixtures for the emulator's tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from aiobotocore.client import AioBaseClient

from robomaker_deploy.emulator import Emulator

# The package may not be installed in this venv, so the pytest11 entry point may not have
# loaded the plugin: take its fixtures (and its marker declaration) explicitly.
from robomaker_deploy.pytest_plugin import (  # noqa: F401
    pytest_configure,
    robomaker_emulator,
    robomaker_emulator_background,
    robomaker_emulator_factory,
)

from ._helpers import raw_client


@pytest_asyncio.fixture
async def client(
    robomaker_emulator: Emulator,  # noqa: F811 - a fixture, not the imported function
) -> AsyncIterator[AioBaseClient]:
    """A non-retrying raw client on the default emulator, so every error reaches the test."""
    async with raw_client(robomaker_emulator) as c:
        yield c
