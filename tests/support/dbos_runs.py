"""DBOS rollout workers in processes of their own, and what their system database says.

:func:`worker` starts ``tests.support.dbos_worker`` in a new process group,
waits for its ``ready`` line and, on every way out, kills the whole group.
Its stderr goes to a file, of which only the tail is ever shown.
:class:`SystemDatabase` reads DBOS's tables (read-only queries) to see how
far each workflow got: the crash tests kill workers after progress, not
after a time.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import sqlalchemy as sa
from anyio.abc import Process

from tests.support.processes import first_line

ROOT = Path(__file__).resolve().parent.parent.parent
TAIL = 4096
#: Far beyond what starting a worker needs on any machine: only keeps a broken one from hanging the suite.
START_TIMEOUT = 120.0


def tail(path: Path) -> str:
    """The last few KiB of a log file."""
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    return data[-TAIL:].decode(errors="replace")


async def kill(process: Process) -> None:
    """SIGKILL ``process`` and its whole process group, and reap it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with anyio.CancelScope(shield=True):  # reaped even when the run that kills it is being cancelled
        await process.wait()


@contextlib.asynccontextmanager
async def worker(
    url: str, database: str, executor_id: str, log: Path, *, concurrency: int = 10
) -> AsyncIterator[Process]:
    """A worker process serving rollouts from ``database`` as ``executor_id``, once it is ready."""
    argv = [sys.executable, "-m", "tests.support.dbos_worker", url, database, executor_id, str(concurrency)]
    with log.open("ab") as errors:
        process = await anyio.open_process(
            argv,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=errors,
            start_new_session=True,
        )
    try:
        with anyio.fail_after(START_TIMEOUT):
            line = await first_line(process)
        if line != b"ready\n":
            raise AssertionError(f"worker {executor_id} did not start: {line!r} {tail(log)}")
        yield process
    finally:
        await kill(process)


class SystemDatabase:
    """Read-only looks at a DBOS system database (SQLite path or Postgres URL)."""

    def __init__(self, database: str) -> None:
        if "://" not in database:
            url = f"sqlite:///{database}"
            self._schema = ""
        else:
            url = database.replace("postgresql://", "postgresql+psycopg://", 1)
            self._schema = "dbos."
        self._engine = sa.create_engine(url, poolclass=sa.pool.NullPool)

    def _rows(self, query: str, **params: Any) -> list[Any]:
        for _ in range(50):  # SQLite may be busy for a moment while a worker writes
            try:
                with self._engine.connect() as connection:
                    return list(connection.execute(sa.text(query.format(s=self._schema)), params))
            except sa.exc.OperationalError as exc:
                if "locked" not in str(exc):
                    raise
        raise AssertionError("the system database stayed locked")

    def steps(self, workflow_id: str | None = None) -> int:
        """Recorded step outputs: of one workflow, or of all."""
        if workflow_id is None:
            return int(self._rows("SELECT count(*) FROM {s}operation_outputs")[0][0])
        query = "SELECT count(*) FROM {s}operation_outputs WHERE workflow_uuid = :id"
        return int(self._rows(query, id=workflow_id)[0][0])

    def statuses(self) -> dict[str, tuple[str, str | None, int]]:
        """Each workflow's status, executor and recovery attempts."""
        query = "SELECT workflow_uuid, status, executor_id, recovery_attempts FROM {s}workflow_status"
        return {row[0]: (row[1], row[2], int(row[3] or 0)) for row in self._rows(query)}

    def outputs(self, workflow_id: str) -> list[tuple[str, int]]:
        """One workflow's recorded steps in order: name and size of the stored output in bytes."""
        query = (
            "SELECT function_name, length(output) FROM {s}operation_outputs"
            " WHERE workflow_uuid = :id ORDER BY function_id"
        )
        return [(row[0], int(row[1] or 0)) for row in self._rows(query, id=workflow_id)]

    def close(self) -> None:
        self._engine.dispose()
