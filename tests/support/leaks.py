"""Leak checks, call counts, loaded modules and process memory, shared by the tests (seeding: _seeding)."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio

from robomaker_deploy import DeploymentClient
from robomaker_deploy.emulator import Emulator

MARKER = "SECRET-MARKER-7f3a"


def loaded_after(statement: str) -> set[str]:
    """The modules a fresh interpreter has loaded after running ``statement``."""
    code = f"{statement}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return set(json.loads(out))


def free_port() -> int:
    """A TCP port nobody listens on right now (for an emulator that must come back on the same one)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def calls(emu: Emulator) -> dict[str, int]:
    """Requests the emulator received, per operation (faulted ones included)."""
    return dict(emu.stats()["calls"])


def total(counts: dict[str, int]) -> int:
    return sum(counts.values())


async def settle(client: DeploymentClient) -> None:
    """Wait for cancelled shared calls to unwind; fail if the waiters or the pagers leave anything behind."""
    hub = client._poller()
    background = client._background
    for _ in range(400):
        if hub.idle and (background is None or not background._scopes):
            return
        await anyio.sleep(0.005)
    scopes = None if background is None else len(background._scopes)
    raise AssertionError(f"left behind: hub {vars(hub)}, {scopes} background task(s)")


def other_tasks() -> set[asyncio.Task[Any]]:
    """Every task on the loop but the caller's and the in-process emulator's request handlers."""
    return {
        task
        for task in asyncio.all_tasks()
        if task is not asyncio.current_task()
        and getattr(task.get_coro(), "__qualname__", "") != "RequestHandler.start"
    }


def memory_kib(pid: int) -> dict[str, int]:
    """Resident (VmRSS) and peak resident (VmHWM) memory of a process, in KiB (Linux's /proc)."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return {name: int(fields[name].split()[0]) for name in ("VmRSS", "VmHWM")}
