"""A typed peer beside the SDK: boto3-dataclass-robomaker reading a described 1,000-robot job.

boto3-dataclass-robomaker (typed dataclasses over boto3's dicts: lazy, camelCase attributes, string
enums) is what a boto3 user would pick for typed RoboMaker results. It needs boto3 1.40.59 (run
here with botocore 1.40.59, the last release that shipped RoboMaker's model), which cannot share a
venv with aiobotocore's botocore, so it runs from a venv of its own
(``bench/.peer-venv``, made on first use with pip) in a child process (``_peer_child.py``). Each
round times one read there and one here on the same body, so the ratio is taken pair by pair.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from robomaker_deploy import DescribedDeploymentJob

from ._common import Report

Decode = Callable[[bytes], DescribedDeploymentJob]

HERE = Path(__file__).resolve().parent
VENV = HERE / ".peer-venv"
PACKAGES = ("boto3==1.40.59", "botocore==1.40.59", "boto3-dataclass-robomaker==1.40.0")
#: Longest a child may take to answer (installing, or one read), and most it may print per line.
INSTALL_TIMEOUT, READ_TIMEOUT, LINE_LIMIT = 600.0, 60.0, 4096


def _bounded(command: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    """``command`` in its own process group, killed with it on timeout; output capped."""
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    ) as process:
        try:
            out, _ = process.communicate(timeout=timeout)
        except BaseException:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise
    return subprocess.CompletedProcess(command, process.returncode, out[-LINE_LIMIT:], None)


def peer_python() -> Path | None:
    """The peer venv's interpreter, made (once) if pip can install the peer; None if it cannot."""
    python, stamp = VENV / "bin" / "python", VENV / ".installed"
    if stamp.exists() and stamp.read_text() == "\n".join(PACKAGES):
        return python
    try:
        for command in (
            [sys.executable, "-m", "venv", "--clear", str(VENV)],
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *PACKAGES],
        ):
            done = _bounded(command, INSTALL_TIMEOUT)
            if done.returncode != 0:
                print(f"  peer: {' '.join(command[2:4])} failed: {done.stdout.strip()}", flush=True)
                return None
    except subprocess.TimeoutExpired:
        print(f"  peer: installing {', '.join(PACKAGES)} took over {INSTALL_TIMEOUT:.0f} s", flush=True)
        return None
    stamp.write_text("\n".join(PACKAGES))
    return python


class _Child:
    """The peer's child process: one timed read per :meth:`run`."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self._process = process
        self._selector = selectors.DefaultSelector()
        assert process.stdout is not None
        self._selector.register(process.stdout, selectors.EVENT_READ)

    def line(self) -> str:
        """The child's next line, within READ_TIMEOUT."""
        assert self._process.stdout is not None
        if not self._selector.select(READ_TIMEOUT):
            raise TimeoutError(f"the peer did not answer within {READ_TIMEOUT:.0f} s")
        line = self._process.stdout.readline(LINE_LIMIT)
        if not line:
            raise RuntimeError(f"the peer exited ({self._process.wait()})")
        return line.strip()

    def run(self) -> float:
        """Seconds the peer took for one read."""
        assert self._process.stdin is not None
        self._process.stdin.write("run\n")
        self._process.stdin.flush()
        return float(self.line())


@contextlib.contextmanager
def peer_child(python: Path, body: bytes) -> Iterator[tuple[_Child, str]]:
    """The child reading ``body``, and its first line (the versions it runs on); killed on the way out."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "body.json"
        path.write_bytes(body)
        process = subprocess.Popen(
            [str(python), str(HERE / "_peer_child.py"), str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        try:
            child = _Child(process)
            yield child, child.line()
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.communicate()


def _sdk_read(decode: Decode, body: bytes) -> int:
    """The SDK doing what the peer does: the typed job, and each robot's ARN, status and percent done."""
    job = decode(body)
    seen = 0
    for robot in job.robot_deployment_summary:
        progress = robot.progress_detail
        seen += (
            bool(robot.arn)
            + bool(robot.status)
            + (progress is not None and progress.percent_done is not None)
        )
    return seen


def main(report: Report, body: bytes, decode: Decode, repeat: int = 60) -> None:
    """Add the typed peer's row to ``report`` (the SDK reading ``body`` with ``decode``), or say why not."""
    python = peer_python()
    if python is None:
        print("  peer: skipped (see docs/benchmarks.md for the one-off figure)", flush=True)
        return
    with peer_child(python, body) as (child, ready):
        _, versions, seen = ready.split(" ")
        assert int(seen) == _sdk_read(decode, body), "the peer and the SDK must read the same members"
        print(f"  peer: boto3-dataclass-robomaker 1.40.0 on {json.loads(versions)}", flush=True)
        samples: dict[str, list[float]] = {"sdk": [], "peer": []}
        _sdk_read(decode, body)
        for _ in range(repeat):
            samples["peer"].append(child.run())
            began = time.perf_counter()
            _sdk_read(decode, body)
            samples["sdk"].append(time.perf_counter() - began)
    report.paired(
        "read every robot of a described 1,000-robot job, SDK",
        samples,
        "sdk",
        "boto3-dataclass-robomaker",
        "peer",
        "<= 1",
    )
