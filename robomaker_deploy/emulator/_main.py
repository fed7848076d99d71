"""Running the emulator as a process: ``serve()``, behind ``robomaker-deploy emulator``
(and ``python -m robomaker_deploy.emulator``).

It prints the endpoint URL (alone on its line, so scripts can read it) once
the socket listens and, when it was seeded with a world, one line per
application and fleet it holds (with their ARNs) and a command line that
deploys to it. It stops cleanly on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable
from pathlib import Path

from ._clock import ClockMode
from ._emulator import Emulator
from ._seeding import Seeded, seed_world
from ._sigv4 import EmulatorCredentials
from ._world import load_world


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
    seed: int | str | Path | None = None,
    clock: ClockMode = "real",
    announce: Callable[[str], None] | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Serve until SIGINT/SIGTERM (or until ``stop`` is set).

    ``admin=None`` enables the ``/_emulator/`` routes only on a loopback host
    (``admin=True`` elsewhere warns). ``clock="manual"`` stops the simulated
    clock until ``POST /_emulator/clock`` moves it.
    ``seed``: an integer makes timings and identifiers repeat from run to run;
    ``"demo"`` or the path of a world file (see ``_world``) starts the
    emulator holding that world, which must then be empty (a
    :class:`~._world.WorldError`, a ``ValueError``, says why a world cannot
    be read or made; it is raised before anything is announced).
    ``announce`` receives each line to show once listening: the endpoint URL
    first, then what a world holds (default: print them).
    """
    # Read before binding the port: a world file that is wrong fails at once.
    world = None if seed is None or isinstance(seed, int) else load_world(seed)
    stop = stop or asyncio.Event()
    emulator = Emulator(
        host=host,
        port=port,
        speed=speed,
        credentials=EmulatorCredentials(access_key_id, secret_access_key, session_token),
        region=region,
        state_file=state_file,
        admin=admin,
        seed=seed if isinstance(seed, int) else None,
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
            made = seed_world(emulator, world) if world is not None else []
            for line in [emulator.endpoint_url, *_world_lines(emulator, made, access_key_id)]:
                (announce or _print)(line)
            await stop.wait()
    finally:
        for signum in installed:
            loop.remove_signal_handler(signum)


def _world_lines(emulator: Emulator, made: list[Seeded], access_key_id: str) -> list[str]:
    """What a seeded world holds, and a command that deploys its first application to its first fleet."""
    lines = [seeded.line() for seeded in made]
    app = next((seeded for seeded in made if seeded.version is not None), None)
    fleet = next((seeded for seeded in made if seeded.kind == "fleet"), None)
    if app is not None and fleet is not None:
        package = "".join(char if char.isalnum() else "_" for char in app.name)
        lines += [
            f"deploy: robomaker-deploy --endpoint-url {emulator.endpoint_url} --region {emulator.region}"
            f" deploy --fleet {fleet.arn} --application {app.arn} --version {app.version}"
            f" --package {package} --launch-file {package}.launch --wait",
            # The access key is no secret; the secret key is named, never printed.
            f"  (sign with AWS_ACCESS_KEY_ID={access_key_id} and AWS_SECRET_ACCESS_KEY set to the"
            " emulator's secret key: 'testing' unless --secret-access-key said otherwise)",
        ]
    return lines


def _print(line: str) -> None:
    print(line, flush=True)
