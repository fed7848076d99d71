"""Running the emulator as a process: ``serve()``, behind ``robomaker-deploy emulator``
(and ``python -m robomaker_deploy.emulator``).

It prints the endpoint URL (alone on its line, so scripts can read it) once
the socket listens, and stops cleanly on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable
from pathlib import Path

from ._clock import ClockMode
from ._emulator import Emulator
from ._sigv4 import EmulatorCredentials


async def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 4566,
    speed: float = 1.0,
    access_key_id: str = "testing",
    secret_access_key: str = "testing",
    session_token: str | None = None,
    region: str = "us-east-1",
    state_file: str | Path | None = None,
    admin: bool | None = None,
    seed: int | None = None,
    clock: ClockMode = "real",
    announce: Callable[[str], None] | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Serve until SIGINT/SIGTERM (or until ``stop`` is set).

    ``admin=None`` enables the ``/_emulator/`` routes only on a loopback host
    (``admin=True`` elsewhere warns). ``clock="manual"`` stops the simulated
    clock until ``POST /_emulator/clock`` moves it. ``announce`` receives the
    endpoint URL once listening (default: print it).
    """
    stop = stop or asyncio.Event()
    emulator = Emulator(
        host=host,
        port=port,
        speed=speed,
        credentials=EmulatorCredentials(access_key_id, secret_access_key, session_token),
        region=region,
        state_file=state_file,
        admin=admin,
        seed=seed,
        clock=clock,
    )
    loop = asyncio.get_running_loop()
    installed = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Not every platform lets a loop own signals (Windows); there Ctrl-C arrives as KeyboardInterrupt.
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, stop.set)
            installed.append(signum)
    try:
        async with emulator:
            (announce or _print)(emulator.endpoint_url)
            await stop.wait()
    finally:
        for signum in installed:
            loop.remove_signal_handler(signum)


def _print(url: str) -> None:
    print(url, flush=True)
