"""Fixtures for the emulator's wire tests: `client` here is a raw aiobotocore client, not the SDK's."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from aiobotocore.client import AioBaseClient

from robomaker_deploy.emulator import Emulator
from tests.support.raw import raw_client


@pytest_asyncio.fixture
async def client(
    robomaker_emulator: Emulator,
) -> AsyncIterator[AioBaseClient]:
    """A non-retrying raw client on the default emulator, so every error reaches the test."""
    async with raw_client(robomaker_emulator) as c:
        yield c
