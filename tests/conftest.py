"""Fixtures every test folder may use.

The emulator fixtures (``robomaker_emulator``, ``..._factory``,
``..._background``) come from the package's own pytest plugin, as they do for
users; the helpers tests share live in ``tests/support``. The emulator's wire
tests (``tests/emulator``) override ``client`` with a raw aiobotocore client.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from robomaker_deploy import DeploymentClient
from robomaker_deploy.emulator import Emulator


@pytest_asyncio.fixture
async def client(robomaker_emulator: Emulator) -> AsyncIterator[DeploymentClient]:
    """A :class:`DeploymentClient` on the test's emulator, open for the whole test."""
    async with robomaker_emulator.client() as opened:
        yield opened
