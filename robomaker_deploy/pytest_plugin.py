"""pytest fixtures that hand a test a running RoboMaker emulator.

Registered through the ``pytest11`` entry point, so installing the package is
the whole set-up::

    @pytest.mark.asyncio
    async def test_rollout(robomaker_emulator):
        async with robomaker_emulator.client() as client:
            ...

``robomaker_emulator`` runs at speed 50 (a minute-long deployment takes about
a second). Other settings come from a marker,
``@pytest.mark.robomaker_emulator(speed=5, seed=1)`` (any keyword of
:class:`~robomaker_deploy.emulator.Emulator`), or from
``robomaker_emulator_factory``, an async callable that starts emulators with
the keywords given and stops them after the test. Tests not on asyncio (trio,
threads, sync code) use ``robomaker_emulator_background``: the same emulator
on its own loop in a thread.

The async fixtures need pytest-asyncio; without it only the background one exists.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest

from robomaker_deploy.emulator import Emulator

#: Speed of the fixtures' emulators unless a marker or the factory says otherwise.
DEFAULT_SPEED = 50.0
MARKER = "robomaker_emulator"


def pytest_configure(config: pytest.Config) -> None:
    """Declare the marker, so ``--strict-markers`` and warnings-as-errors runs accept it."""
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**kwargs): settings (speed, seed, region...) for the robomaker_emulator fixtures",
    )


def _settings(request: pytest.FixtureRequest) -> dict[str, Any]:
    marker = request.node.get_closest_marker(MARKER)
    return {"speed": DEFAULT_SPEED, **(marker.kwargs if marker is not None else {})}


@pytest.fixture
def robomaker_emulator_background(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    """A running emulator on a background thread, usable from any event loop or none."""
    with Emulator(**_settings(request)).run_in_background() as emulator:
        yield emulator


try:
    import pytest_asyncio
except ImportError:  # pragma: no cover - the async fixtures are simply absent
    pass
else:

    @pytest_asyncio.fixture
    async def robomaker_emulator(request: pytest.FixtureRequest) -> AsyncIterator[Emulator]:
        """A running emulator on the test's event loop (speed 50 unless the marker says otherwise)."""
        async with Emulator(**_settings(request)) as emulator:
            yield emulator

    @pytest_asyncio.fixture
    async def robomaker_emulator_factory() -> AsyncIterator[Callable[..., Awaitable[Emulator]]]:
        """``await factory(speed=..., state_file=...)`` starts an emulator; all stop after the test."""
        started: list[Emulator] = []

        async def start(**kwargs: Any) -> Emulator:
            emulator = Emulator(**{"speed": DEFAULT_SPEED, **kwargs})
            await emulator.start()
            started.append(emulator)
            return emulator

        try:
            yield start
        finally:
            for emulator in reversed(started):
                await emulator.stop()
