"""The emulator in a process of its own: for tests that kill things, and benchmarks that must not share a GIL.

``python -m robomaker_deploy.emulator`` prints its endpoint URL alone on its
first line once it listens; :func:`emulator_process` starts it with the
options given, reads that line, and stops the process on the way out
(SIGTERM, so it checkpoints its state file; SIGKILL if it does not stop).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping

__all__ = ["emulator_process"]


@contextlib.contextmanager
def emulator_process(
    *args: str, env: Mapping[str, str] | None = None
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``python -m robomaker_deploy.emulator --port 0 ARGS`` in its own process: the process and its URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "robomaker_deploy.emulator", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        if not url.startswith("http://"):
            process.kill()
            _, stderr = process.communicate()
            raise RuntimeError(f"the emulator did not start: {stderr.strip() or url!r}")
        yield process, url
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        process.communicate()
