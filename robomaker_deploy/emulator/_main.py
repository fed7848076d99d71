"""Running the emulator as a process: ``serve()`` for the project CLI, ``run(argv)`` standalone.

It prints the endpoint URL (alone on its line, so scripts can read it) once
the socket listens, and stops cleanly on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from ._emulator import Emulator, EmulatorCredentials


async def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 4566,
    speed: float = 1.0,
    access_key_id: str = "testing",
    secret_access_key: str = "testing",
    region: str = "us-east-1",
    state_file: str | Path | None = None,
    admin: bool | None = None,
    seed: int | None = None,
    announce: Callable[[str], None] | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Serve until SIGINT/SIGTERM (or until ``stop`` is set).

    ``admin=None`` enables the ``/_emulator/`` routes only on a loopback host.
    ``announce`` receives the endpoint URL once listening (default: print it).
    """
    stop = stop or asyncio.Event()
    emulator = Emulator(
        host=host,
        port=port,
        speed=speed,
        credentials=EmulatorCredentials(access_key_id, secret_access_key),
        region=region,
        state_file=state_file,
        admin=admin,
        seed=seed,
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


def run(argv: Sequence[str] | None = None) -> int:
    """``python -m robomaker_deploy.emulator [options]``; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="robomaker-deploy emulator", description="Local RoboMaker deployment service."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4566)
    parser.add_argument("--speed", type=float, default=1.0, help="divides every simulated duration")
    parser.add_argument("--access-key-id", default="testing")
    parser.add_argument("--secret-access-key", default="testing")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--state-file", default=None, help="SQLite file that keeps state across restarts")
    parser.add_argument(
        "--admin",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="expose /_emulator/ control routes (default: only on a loopback host)",
    )
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    if args.speed <= 0:
        parser.error("--speed must be positive")
    try:
        asyncio.run(
            serve(
                host=args.host,
                port=args.port,
                speed=args.speed,
                access_key_id=args.access_key_id,
                secret_access_key=args.secret_access_key,
                region=args.region,
                state_file=args.state_file,
                admin=args.admin,
                seed=args.seed,
            )
        )
    except KeyboardInterrupt:
        pass
    except OSError as error:
        print(f"cannot start the emulator: {error}", file=sys.stderr)
        return 1
    return 0
