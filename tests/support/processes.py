"""Processes a test starts or must see gone: a child's first line, a program that leaves a grandchild,
and whether a pid is dead."""

from __future__ import annotations

import os
from pathlib import Path

import anyio
from anyio.abc import Process

__all__ = ["FAMILY", "dead", "first_line"]


async def first_line(process: Process) -> bytes:
    """The first line ``process`` prints (``ready``, say), newline included; what it printed before it
    ended if it ends first (no newline then). Read a byte at a time, so nothing after it is taken.
    Bound it with ``anyio.fail_after``: a child that hangs never prints it."""
    assert process.stdout is not None
    received = b""
    while not received.endswith(b"\n"):
        try:
            received += await process.stdout.receive(1)
        except anyio.EndOfStream:
            break
    return received


#: A Python program (``python -c FAMILY PIDFILE``) that starts a grandchild in its own process group,
#: writes ``"its-pid grandchild-pid"`` to PIDFILE, then waits for ever: what a gate that hangs and
#: leaves a child behind looks like.
FAMILY = (
    "import os, subprocess, sys, time\n"
    "child = subprocess.Popen([sys.executable, '-c', 'import time\\nwhile True: time.sleep(60)'])\n"
    "open(sys.argv[1], 'w').write(f'{os.getpid()} {child.pid}')\n"
    "while True: time.sleep(60)"
)


def dead(pid: int) -> bool:
    """The process is gone, or a zombie waiting for whichever parent reaps it (it runs nothing)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")
