"""The emulator's state: resources in memory, optionally written through to SQLite.

Records are frozen values; a change replaces the record (and writes one row
when a state file is used). Indexes that follow from the records (which
robots a fleet holds, which job last touched a robot) are rebuilt on load
rather than stored, so the file cannot hold them out of step.
"""

from __future__ import annotations

import bisect
import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import attrs
import cattrs

from ._simulation import JobPlan

T = TypeVar("T")


@attrs.frozen
class Fleet:
    """A fleet. Its robots are an index of the store, not a field, so registration writes one row."""

    arn: str
    name: str
    created_at: float
    seq: int
    tags: dict[str, str] = attrs.field(factory=dict)


@attrs.frozen
class Robot:
    """A robot, and the fleet it is registered to."""

    arn: str
    name: str
    architecture: str
    greengrass_group_id: str
    created_at: float
    seq: int
    fleet_arn: str | None = None
    registered_seq: int = 0
    """Sequence number of its last (de)registration: jobs older than that no longer describe it."""
    tags: dict[str, str] = attrs.field(factory=dict)


@attrs.frozen
class Source:
    """One bundle of an application version, for one architecture."""

    s3_bucket: str
    s3_key: str
    etag: str
    architecture: str


@attrs.frozen
class AppVersion:
    """An application's content at one version (``$LATEST`` or a number)."""

    version: str
    sources: tuple[Source, ...]
    revision_id: str
    last_updated_at: float
    environment_uri: str | None = None
    image_digest: str | None = None


@attrs.frozen
class RobotApplication:
    """A robot application with its ``$LATEST`` and numbered versions."""

    arn: str
    name: str
    created_at: float
    seq: int
    suite_name: str
    suite_version: str | None
    latest: AppVersion
    versions: tuple[AppVersion, ...] = ()
    next_version: int = 1
    tags: dict[str, str] = attrs.field(factory=dict)

    def version(self, name: str) -> AppVersion | None:
        """The version called ``name`` (``$LATEST`` included), if it exists."""
        if name == "$LATEST":
            return self.latest
        return next((v for v in self.versions if v.version == name), None)


@attrs.frozen
class Job:
    """A deployment job: the request as it came, the robots it covers and its plan."""

    arn: str
    seq: int
    fleet_arn: str
    fleet_name: str
    """Kept with the job: ListDeploymentJobs filters on it even after the fleet is deleted."""
    created_at: float
    deployment_config: dict[str, Any] | None
    application_configs: list[dict[str, Any]]
    plan: JobPlan
    canceled_at: float | None = None
    tags: dict[str, str] = attrs.field(factory=dict)


@attrs.frozen
class IdempotencyEntry:
    """What a client request token was first used for."""

    fingerprint: str
    job_arn: str


_KINDS: dict[str, type[Any]] = {"fleet": Fleet, "robot": Robot, "app": RobotApplication, "job": Job}
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


class _SeqIndex:
    """Keys in creation order, for keyset pagination that stays stable while items are added."""

    def __init__(self) -> None:
        self._seqs: list[int] = []
        self._keys: list[str] = []

    def add(self, seq: int, key: str) -> None:
        at = bisect.bisect_left(self._seqs, seq)
        self._seqs.insert(at, seq)
        self._keys.insert(at, key)

    def remove(self, seq: int) -> None:
        at = bisect.bisect_left(self._seqs, seq)
        if at < len(self._seqs) and self._seqs[at] == seq:
            del self._seqs[at]
            del self._keys[at]

    def after(self, seq: int | None, *, newest_first: bool) -> Iterator[tuple[int, str]]:
        """Keys strictly past ``seq`` in the walking direction (all of them for ``None``)."""
        if newest_first:
            stop = len(self._seqs) if seq is None else bisect.bisect_left(self._seqs, seq)
            for i in range(stop - 1, -1, -1):
                yield self._seqs[i], self._keys[i]
        else:
            begin = 0 if seq is None else bisect.bisect_right(self._seqs, seq)
            for i in range(begin, len(self._seqs)):
                yield self._seqs[i], self._keys[i]


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
        self.fleets: dict[str, Fleet] = {}
        self.robots: dict[str, Robot] = {}
        self.apps: dict[str, RobotApplication] = {}
        self.jobs: dict[str, Job] = {}
        self.order: dict[str, _SeqIndex] = {kind: _SeqIndex() for kind in _KINDS}
        self.fleet_members: dict[str, dict[str, None]] = {}
        """Fleet ARN -> its robots' ARNs in registration order (a dict as an ordered set)."""
        self.robot_last_job: dict[str, str] = {}
        self.fleet_jobs: dict[str, list[str]] = {}
        """Fleet ARN -> its jobs' ARNs, oldest first."""
        self.idempotency: dict[str, IdempotencyEntry] = {}
        self.clock_offset = 0.0
        self._seq = 0

    def _load(self, backend: _SQLiteBackend) -> None:
        rows, meta, tokens = backend.load()
        self.clock_offset = float(meta.get("clock_offset", 0.0))
        self._seq = int(meta.get("seq", 0))
        self.idempotency = {
            key: _converter.structure(value, IdempotencyEntry) for key, value in tokens.items()
        }
        for kind, body in rows:
            self._index(kind, _converter.structure(body, _KINDS[kind]))
        # Rows come in creation order; a fleet lists its robots in registration order.
        for fleet_arn, members in self.fleet_members.items():
            ordered = sorted(members, key=lambda arn: self.robots[arn].registered_seq)
            self.fleet_members[fleet_arn] = dict.fromkeys(ordered)

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

    # -- records -------------------------------------------------------------------------------------

    def put(self, record: Fleet | Robot | RobotApplication | Job) -> None:
        """Insert or replace a record."""
        kind = _kind_of(record)
        self._index(kind, record)
        self._backend.put(kind, record.arn, record.seq, _converter.unstructure(record))

    def delete(self, record: Fleet | Robot | RobotApplication | Job) -> None:
        """Remove a record and its index entries."""
        kind = _kind_of(record)
        table: dict[str, Any] = getattr(self, _TABLES[kind])
        table.pop(record.arn, None)
        self.order[kind].remove(record.seq)
        if isinstance(record, Robot) and record.fleet_arn is not None:
            self.fleet_members.get(record.fleet_arn, {}).pop(record.arn, None)
            self.robot_last_job.pop(record.arn, None)
        if isinstance(record, Fleet):
            self.fleet_members.pop(record.arn, None)
        self._backend.delete(kind, record.arn)

    def remember_token(self, key: str, entry: IdempotencyEntry) -> None:
        """Tie a client request token to the job it created."""
        self.idempotency[key] = entry
        self._backend.put_token(key, _converter.unstructure(entry))

    def _index(self, kind: str, record: Any) -> None:
        table: dict[str, Any] = getattr(self, _TABLES[kind])
        previous = table.get(record.arn)
        table[record.arn] = record
        if previous is None:
            self.order[kind].add(record.seq, record.arn)
        if isinstance(record, Robot):
            old_fleet = previous.fleet_arn if previous is not None else None
            if old_fleet != record.fleet_arn or (
                previous is not None and previous.registered_seq != record.registered_seq
            ):
                if old_fleet is not None:
                    self.fleet_members.get(old_fleet, {}).pop(record.arn, None)
                self.robot_last_job.pop(record.arn, None)
            if record.fleet_arn is not None:
                self.fleet_members.setdefault(record.fleet_arn, {})[record.arn] = None
        elif isinstance(record, Fleet):
            self.fleet_members.setdefault(record.arn, {})
        elif isinstance(record, Job) and previous is None:
            self.fleet_jobs.setdefault(record.fleet_arn, []).append(record.arn)
            for robot_plan in record.plan.robots:
                robot = self.robots.get(robot_plan.arn)
                # A job older than the robot's last (de)registration no longer speaks for it.
                if robot is not None and robot.registered_seq < record.seq:
                    self.robot_last_job[robot_plan.arn] = record.arn


_TABLES = {"fleet": "fleets", "robot": "robots", "app": "apps", "job": "jobs"}


def _kind_of(record: object) -> str:
    for kind, cls in _KINDS.items():
        if isinstance(record, cls):
            return kind
    raise TypeError(f"not a stored record: {record!r}")
