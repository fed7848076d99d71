"""The emulator's state: resources in memory, optionally written through to SQLite.

Records (``_records``) are frozen values; a change replaces the record (and
writes one row when a state file is used). Indexes that follow from the
records (which robots a fleet holds, which job last deployed to a robot) are
rebuilt on load rather than stored, so the file cannot hold them out of step.
The rules read those indexes only through the query methods below.
"""

from __future__ import annotations

import bisect
import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Generic, TypeVar

import cattrs

from ._records import Fleet, IdempotencyEntry, Job, Record, Robot, RobotApplication
from ._simulation import RobotPlan

R = TypeVar("R", bound=Record)

#: The record classes by the kind the state file names them with.
_KINDS: dict[str, type[Record]] = {"fleet": Fleet, "robot": Robot, "app": RobotApplication, "job": Job}
_converter = cattrs.Converter()


class _Backend:
    """Where changes go: nowhere for an in-memory store."""

    def put(self, kind: str, key: str, seq: int, value: Any) -> None:
        """Record the new value of one record."""

    def delete(self, kind: str, key: str) -> None:
        """Forget one record."""

    def put_meta(self, key: str, value: Any) -> None:
        """Record a store-wide value (clock offset, counters)."""

    def put_token(self, key: str, value: Any) -> None:
        """Record one idempotency token."""

    def clear(self) -> None:
        """Forget everything."""

    def close(self) -> None:
        """Release the backing file."""


class _SQLiteBackend(_Backend):
    """Write-through to a SQLite file: one row per record, JSON bodies."""

    def __init__(self, path: Path) -> None:
        # The server touches the store from one thread at a time (its event loop's), but that
        # thread may not be the one that opened the file (background-thread emulators).
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS records"
            " (kind TEXT, key TEXT, seq INTEGER, body TEXT, PRIMARY KEY (kind, key))"
        )
        self._db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, body TEXT)")
        self._db.execute("CREATE TABLE IF NOT EXISTS tokens (key TEXT PRIMARY KEY, body TEXT)")

    def put(self, kind: str, key: str, seq: int, value: Any) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?)", (kind, key, seq, json.dumps(value))
        )

    def delete(self, kind: str, key: str) -> None:
        self._db.execute("DELETE FROM records WHERE kind = ? AND key = ?", (kind, key))

    def put_meta(self, key: str, value: Any) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, json.dumps(value)))

    def put_token(self, key: str, value: Any) -> None:
        self._db.execute("INSERT OR REPLACE INTO tokens VALUES (?, ?)", (key, json.dumps(value)))

    def clear(self) -> None:
        self._db.execute("DELETE FROM records")
        self._db.execute("DELETE FROM meta")
        self._db.execute("DELETE FROM tokens")

    def close(self) -> None:
        self._db.close()

    def load(self) -> tuple[list[tuple[str, Any]], dict[str, Any], dict[str, Any]]:
        """Records in creation order (a job's robots load before it), meta values and tokens."""
        rows = self._db.execute("SELECT kind, body FROM records ORDER BY seq").fetchall()
        meta = self._db.execute("SELECT key, body FROM meta").fetchall()
        tokens = self._db.execute("SELECT key, body FROM tokens").fetchall()
        return (
            [(kind, json.loads(body)) for kind, body in rows],
            {k: json.loads(v) for k, v in meta},
            {k: json.loads(v) for k, v in tokens},
        )


class Table(Generic[R]):
    """One kind of record by ARN, and in creation order for keyset pagination.

    The order is kept sorted by ``seq`` as records come, so a page stays where
    it was while records are added behind it.
    """

    def __init__(self) -> None:
        self._records: dict[str, R] = {}
        self._seqs: list[int] = []
        self._arns: list[str] = []

    def get(self, arn: str) -> R | None:
        """The record with this ARN, if any."""
        return self._records.get(arn)

    def __getitem__(self, arn: str) -> R:
        return self._records[arn]

    def __contains__(self, arn: object) -> bool:
        return arn in self._records

    def values(self) -> Iterator[R]:
        """Every record, in no particular order."""
        return iter(self._records.values())

    def after(self, seq: int | None, *, newest_first: bool) -> Iterator[tuple[int, R]]:
        """``(seq, record)`` strictly past ``seq`` in the walking direction (all of them for ``None``)."""
        if newest_first:
            stop = len(self._seqs) if seq is None else bisect.bisect_left(self._seqs, seq)
            indexes: range = range(stop - 1, -1, -1)
        else:
            begin = 0 if seq is None else bisect.bisect_right(self._seqs, seq)
            indexes = range(begin, len(self._seqs))
        for i in indexes:
            yield self._seqs[i], self._records[self._arns[i]]

    def _put(self, record: R) -> R | None:
        """Insert or replace; the record it replaced, if any."""
        previous = self._records.get(record.arn)
        self._records[record.arn] = record
        if previous is None:
            at = bisect.bisect_left(self._seqs, record.seq)
            self._seqs.insert(at, record.seq)
            self._arns.insert(at, record.arn)
        return previous

    def _remove(self, record: R) -> None:
        self._records.pop(record.arn, None)
        at = bisect.bisect_left(self._seqs, record.seq)
        if at < len(self._seqs) and self._seqs[at] == record.seq:
            del self._seqs[at]
            del self._arns[at]


class Store:
    """All resources, their indexes, the virtual clock and the idempotency tokens."""

    def __init__(self, state_file: str | Path | None = None) -> None:
        self._backend: _Backend
        self._sqlite: _SQLiteBackend | None = None
        if state_file is not None:
            self._sqlite = _SQLiteBackend(Path(state_file))
            self._backend = self._sqlite
        else:
            self._backend = _Backend()
        self._reset_memory()
        if self._sqlite is not None:
            self._load(self._sqlite)

    def _reset_memory(self) -> None:
        self.fleets: Table[Fleet] = Table()
        self.robots: Table[Robot] = Table()
        self.apps: Table[RobotApplication] = Table()
        self.jobs: Table[Job] = Table()
        self._tables: dict[str, Table[Any]] = {
            "fleet": self.fleets,
            "robot": self.robots,
            "app": self.apps,
            "job": self.jobs,
        }
        self._fleet_members: dict[str, dict[str, None]] = {}
        """Fleet ARN -> its robots' ARNs in registration order (a dict as an ordered set)."""
        self._fleet_jobs: dict[str, list[str]] = {}
        """Fleet ARN -> its jobs' ARNs, oldest first."""
        self._robot_last_job: dict[str, tuple[str, int]] = {}
        """Robot ARN -> the job that last deployed to it since its registration, and its place in the plan."""
        self._tokens: dict[str, IdempotencyEntry] = {}
        self.clock_offset = 0.0
        self._seq = 0

    def _load(self, backend: _SQLiteBackend) -> None:
        rows, meta, tokens = backend.load()
        self.clock_offset = float(meta.get("clock_offset", 0.0))
        self._seq = int(meta.get("seq", 0))
        self._tokens = {key: _converter.structure(value, IdempotencyEntry) for key, value in tokens.items()}
        for kind, body in rows:
            self._index(_converter.structure(body, _KINDS[kind]))
        # Rows come in creation order; a fleet lists its robots in registration order.
        for fleet_arn, members in self._fleet_members.items():
            ordered = sorted(members, key=lambda arn: self.robots[arn].registered_seq)
            self._fleet_members[fleet_arn] = dict.fromkeys(ordered)

    def close(self) -> None:
        """Release the state file, if any."""
        self._backend.close()

    def reset(self) -> None:
        """Forget every resource and token and rewind the clock."""
        self._backend.clear()
        self._reset_memory()

    # -- clock and sequence --------------------------------------------------------------------------

    def now(self) -> float:
        """The virtual clock: wall time plus however far tests advanced it."""
        return time.time() + self.clock_offset

    def advance_clock(self, seconds: float) -> float:
        """Move the virtual clock forward (never back: jobs' pasts must stay past)."""
        self.clock_offset += max(0.0, seconds)
        self._backend.put_meta("clock_offset", self.clock_offset)
        return self.clock_offset

    def next_seq(self) -> int:
        """A number larger than any handed out before, across restarts."""
        self._seq += 1
        self._backend.put_meta("seq", self._seq)
        return self._seq

    # -- queries -------------------------------------------------------------------------------------

    def members(self, fleet_arn: str) -> list[Robot]:
        """The robots registered to a fleet, in registration order."""
        return [self.robots[arn] for arn in self._fleet_members.get(fleet_arn, ())]

    def member_count(self, fleet_arn: str) -> int:
        """How many robots are registered to a fleet."""
        return len(self._fleet_members.get(fleet_arn, ()))

    def jobs_of(self, fleet_arn: str) -> Iterator[Job]:
        """A fleet's jobs, newest first (retention aside: that is the rules' to apply)."""
        for arn in reversed(self._fleet_jobs.get(fleet_arn, ())):
            yield self.jobs[arn]

    def last_job(self, fleet_arn: str) -> Job | None:
        """The fleet's newest job, if it ever had one."""
        return next(self.jobs_of(fleet_arn), None)

    def last_deployment(self, robot_arn: str) -> tuple[Job, RobotPlan] | None:
        """The job that last deployed to the robot since its registration, and the robot's part in it."""
        found = self._robot_last_job.get(robot_arn)
        if found is None:
            return None
        job = self.jobs[found[0]]
        return job, job.plan.robots[found[1]]

    def token(self, key: str) -> IdempotencyEntry | None:
        """What a client request token was first used for, if it was."""
        return self._tokens.get(key)

    # -- changes -------------------------------------------------------------------------------------

    def put(self, record: Record) -> None:
        """Insert or replace a record."""
        kind = _kind_of(record)
        self._index(record)
        self._backend.put(kind, record.arn, record.seq, _converter.unstructure(record))

    def delete(self, record: Record) -> None:
        """Remove a record and its index entries."""
        kind = _kind_of(record)
        self._tables[kind]._remove(record)
        if isinstance(record, Robot) and record.fleet_arn is not None:
            self._fleet_members.get(record.fleet_arn, {}).pop(record.arn, None)
            self._robot_last_job.pop(record.arn, None)
        if isinstance(record, Fleet):
            self._fleet_members.pop(record.arn, None)
        self._backend.delete(kind, record.arn)

    def remember_token(self, key: str, entry: IdempotencyEntry) -> None:
        """Tie a client request token to the job it created."""
        self._tokens[key] = entry
        self._backend.put_token(key, _converter.unstructure(entry))

    def _index(self, record: Record) -> None:
        if isinstance(record, Robot):
            previous_robot = self.robots._put(record)
            old_fleet = previous_robot.fleet_arn if previous_robot is not None else None
            if old_fleet != record.fleet_arn or (
                previous_robot is not None and previous_robot.registered_seq != record.registered_seq
            ):
                if old_fleet is not None:
                    self._fleet_members.get(old_fleet, {}).pop(record.arn, None)
                self._robot_last_job.pop(record.arn, None)
            if record.fleet_arn is not None:
                self._fleet_members.setdefault(record.fleet_arn, {})[record.arn] = None
        elif isinstance(record, Fleet):
            self.fleets._put(record)
            self._fleet_members.setdefault(record.arn, {})
        elif isinstance(record, Job):
            if self.jobs._put(record) is None:
                self._fleet_jobs.setdefault(record.fleet_arn, []).append(record.arn)
                for place, robot_plan in enumerate(record.plan.robots):
                    robot = self.robots.get(robot_plan.arn)
                    # A job older than the robot's last (de)registration no longer speaks for it.
                    if robot is not None and robot.registered_seq < record.seq:
                        self._robot_last_job[robot_plan.arn] = (record.arn, place)
        else:
            self.apps._put(record)


def _kind_of(record: Record) -> str:
    for kind, cls in _KINDS.items():
        if isinstance(record, cls):
            return kind
    raise TypeError(f"not a stored record: {record!r}")
