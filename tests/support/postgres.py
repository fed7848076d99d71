"""A real PostgreSQL server for the test that needs one, started and stopped by the test itself.

:func:`postgres_server` runs Debian's server binaries (``initdb``, then
``postgres``) in a temporary directory, listening on 127.0.0.1 and a free
port only (no Unix socket outside that directory), and yields its URL.
PostgreSQL refuses to run as root, so as root the server runs as the
``postgres`` user (``runuser``) in a directory that user owns. Its output goes
to a log file, of which only the tail is ever read. On every way out, the
server's whole process group is stopped (SIGTERM, then SIGKILL) and the
directory removed.

:func:`postgres_binaries` finds the binaries, or says why there are none:
outside CI a test may skip for that reason; in CI (``CI`` set, as
``.ci/run`` runs) a missing PostgreSQL fails the test, since ``.ci/run``
installs it.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg

__all__ = ["PostgresUnavailable", "postgres_binaries", "postgres_server"]

#: How long a step of starting the server may take before the harness gives up (never what a test measures).
STEP_TIMEOUT = 120.0
LOG_TAIL = 4096


class PostgresUnavailable(RuntimeError):
    """There is no PostgreSQL server binary on this machine (the message says where it looked)."""


def postgres_binaries() -> Path:
    """The directory of the newest PostgreSQL server binaries (``initdb``, ``postgres``)."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True
    )
    for directory in candidates:
        if os.access(Path(directory) / "initdb", os.X_OK) and os.access(
            Path(directory) / "postgres", os.X_OK
        ):
            return Path(directory)
    on_path = shutil.which("initdb")
    if on_path and shutil.which("postgres"):
        return Path(on_path).parent
    raise PostgresUnavailable(
        "no PostgreSQL server binaries (initdb, postgres) under /usr/lib/postgresql/*/bin or on PATH; "
        "install Debian's postgresql package (.ci/run does)"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _tail(path: Path) -> str:
    try:
        with path.open("rb") as log:
            log.seek(max(0, path.stat().st_size - LOG_TAIL))
            return log.read().decode(errors="replace")
    except OSError:
        return ""


def _as_owner(argv: list[str]) -> list[str]:
    """``argv`` run as the ``postgres`` user when we are root (PostgreSQL refuses root), else as we are."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server and everything in its process group: SIGINT (a fast shutdown), then SIGKILL."""
    for sig, grace in ((signal.SIGINT, 20.0), (signal.SIGKILL, 20.0)):
        if process.poll() is not None:
            break
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    # Whatever of the group outlived its leader (a backend mid-exit) goes too.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def _ready(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STEP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"PostgreSQL exited with {process.returncode}: {_tail(log)}")
        # A listening server may still refuse sessions while it starts up: wait for a real one.
        with contextlib.suppress(psycopg.OperationalError):
            psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres", connect_timeout=2).close()
            return
        time.sleep(0.05)
    raise RuntimeError(f"PostgreSQL did not listen within {STEP_TIMEOUT:.0f} s: {_tail(log)}")


@contextlib.contextmanager
def postgres_server(database: str = "rollouts") -> Iterator[str]:
    """A PostgreSQL server of the caller's own, for as long as the block runs: its URL, for ``database``.

    The database itself is not created (DBOS creates its system database);
    the server trusts connections from 127.0.0.1 only, as user ``postgres``.
    Raises :class:`PostgresUnavailable` if the machine has no server binaries.
    """
    binaries = postgres_binaries()
    # As root, the server's user must reach its directory: under /tmp, not a TMPDIR only root enters.
    root = Path(tempfile.mkdtemp(prefix="rd-postgres-", dir="/tmp" if os.geteuid() == 0 else None))
    process: subprocess.Popen[bytes] | None = None
    try:
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(root, owner.pw_uid, owner.pw_gid)
        root.chmod(0o700)
        data, log = root / "data", root / "server.log"
        init = subprocess.run(
            _as_owner(
                [str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync"]
            ),
            capture_output=True,
            cwd=root,  # initdb needs a working directory its user can enter
            timeout=STEP_TIMEOUT,
            check=False,
        )
        if init.returncode != 0:
            raise RuntimeError(
                f"initdb failed ({init.returncode}): {init.stderr[-LOG_TAIL:].decode(errors='replace')}"
            )
        port = _free_port()
        server = [
            str(binaries / "postgres"),
            "-D", str(data),
            "-p", str(port),
            "-c", "listen_addresses=127.0.0.1",
            "-c", f"unix_socket_directories={root}",
            "-c", "fsync=off",
            "-c", "max_connections=200",
        ]  # fmt: skip
        with (root / "server.log").open("wb") as out:
            if os.geteuid() == 0:
                os.chown(log, owner.pw_uid, owner.pw_gid)
            process = subprocess.Popen(
                _as_owner(server), stdout=out, stderr=subprocess.STDOUT, cwd=root, start_new_session=True
            )
        _ready(port, process, log)
        yield f"postgresql://postgres@127.0.0.1:{port}/{database}"
    finally:
        if process is not None:
            _stop(process)
        shutil.rmtree(root, ignore_errors=True)
