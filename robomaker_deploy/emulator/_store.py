"""The emulator's state: resources in memory, optionally written through to SQLite.

Records (``_records``) are frozen values; a change replaces the record (and
writes one row when a state file is used). Indexes that follow from the
records (which robots a fleet holds, which job last deployed to a robot) are
rebuilt on load rather than stored, so the file cannot hold them out of step.
The rules read those indexes only through the query methods below.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Generic, TypeVar

import cattrs

from ._clock import Clock, ClockMode
from ._records import Fleet, IdempotencyEntry, Job, Record, Robot, RobotApplication
from ._simulation import RobotPlan
from ._statefile import Backend, StateFile

R = TypeVar("R", bound=Record)
T = TypeVar("T")

#: The record classes by the kind the state file names them with.
_KINDS: dict[str, type[Record]] = {"fleet": Fleet, "robot": Robot, "app": RobotApplication, "job": Job}
_converter = cattrs.Converter()


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
    """All resources, their indexes, the virtual clock, the idempotency tokens and the identifier state.

    ``clock`` is the clock's mode (``_clock``); a state file keeps the
    clock's position, so a manual clock stands where it stood across a restart.
    ``id_key`` proposes the key of new identifiers (random if ``None``); a
    state file keeps the first one it was given, so its ids never repeat.
    """

    def __init__(
        self, state_file: str | Path | None = None, *, clock: ClockMode = "real", id_key: int | None = None
    ) -> None:
        self._file = StateFile(state_file) if state_file is not None else None
        self._backend: Backend = self._file or Backend()
        self._reset_memory()
        self._seq = 0
        self.id_key = random.getrandbits(63) if id_key is None else id_key
        """The key job and revision ids are permuted with (``_arns``): fixed for the store's life."""
        self._retired: set[str] = set()
        self.clock = Clock(clock)
        if self._file is None:
            return
        try:
            self._load(self._file)
        except BaseException:
            self._file.close()
            raise
        # The rest is written before anything that depends on it.
        self._backend.put_meta("id_key", self.id_key)
        self._save_clock()

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

    def _load(self, file: StateFile) -> None:
        meta = file.meta()
        self._seq = _integer(file, meta, "seq", 0)
        self.id_key = _integer(file, meta, "id_key", self.id_key)
        offset = _number(file, meta, "clock_offset", 0.0)
        # Set while a manual clock ran: it stands where it stood (a real clock runs on from the wall's).
        frozen_at = _number(file, meta, "clock_frozen_at", 0.0) if meta.get("clock_frozen_at") else None
        self.clock = Clock(self.clock.mode, offset=offset, frozen_at=frozen_at)
        for key, body in file.tokens().items():
            self._tokens[key] = _structure(file, f"client token {key!r}", body, IdempotencyEntry)
        for kind, key, seq, body in file.records():
            what = f"record {kind} {key}"
            cls = _KINDS.get(kind)
            if cls is None:
                raise file.damaged(what, f"unknown kind {kind!r} (known: {', '.join(_KINDS)})")
            record = _structure(file, what, body, cls)
            if (record.arn, record.seq) != (key, seq):
                raise file.damaged(
                    what, f"its body is of {record.arn} (seq {record.seq}), its row of seq {seq}"
                )
            self._index(record)
            # Never below a number the file holds, whatever its meta says.
            self._seq = max(self._seq, record.seq, record.registered_seq if isinstance(record, Robot) else 0)
        self._retired = file.retired()
        # Rows come in creation order; a fleet lists its robots in registration order.
        for fleet_arn, members in self._fleet_members.items():
            ordered = sorted(members, key=lambda arn: self.robots[arn].registered_seq)
            self._fleet_members[fleet_arn] = dict.fromkeys(ordered)

    def close(self) -> None:
        """Release the state file, if any (whole: its write-ahead log checkpointed)."""
        self._backend.close()

    def reset(self) -> None:
        """Forget every resource and token and rewind the clock; identifiers still never repeat."""
        self._backend.put_meta("seq", self._seq)  # the records that hold the numbers go next
        self._backend.clear()
        for table in self._tables.values():
            self._retired.update(record.arn for record in table.values())
        self._reset_memory()
        self.clock.rewind()
        self._save_clock()

    # -- clock and identifiers -----------------------------------------------------------------------

    def now(self) -> float:
        """The virtual clock (``_clock``)."""
        return self.clock.now()

    def advance_clock(self, seconds: float) -> float:
        """Move the virtual clock forward (never back: jobs' pasts must stay past); the total offset."""
        offset = self.clock.advance(seconds)
        self._save_clock()
        return offset

    def _save_clock(self) -> None:
        self._backend.put_meta("clock_offset", self.clock.offset)
        self._backend.put_meta("clock_frozen_at", self.clock.frozen_at)

    def next_seq(self) -> int:
        """A number larger than any handed out before, across restarts and resets.

        Not written here: a number lives in the record it was handed out for,
        and the file is opened at the highest one it holds. The counter is
        written only before records leave the file (a delete, a reset), so
        that their numbers are still never handed out again.
        """
        self._seq += 1
        return self._seq

    def retired(self, arn: str) -> bool:
        """Whether the ARN named a resource that was deleted (it must not name another)."""
        return arn in self._retired

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
        self._retired.add(record.arn)
        self._backend.put_meta("seq", self._seq)  # before its number leaves the file with it
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


def _structure(file: StateFile, what: str, body: Any, cls: type[T]) -> T:
    """A row's body as its record class, or an error naming the row and the members at fault."""
    try:
        return _converter.structure(body, cls)
    except Exception as error:  # cattrs raises what the field's own conversion raised, too
        if isinstance(error, cattrs.BaseValidationError):
            problem = "; ".join(cattrs.transform_error(error, path="body"))
        else:
            problem = f"{type(error).__name__}: {error}"
        raise file.damaged(what, problem) from None


def _number(file: StateFile, meta: dict[str, Any], key: str, default: float) -> float:
    """A numeric store-wide value, or an error naming it."""
    value = meta.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise file.damaged(f"store-wide value {key!r}", f"{value!r} is not a number")
    return value


def _integer(file: StateFile, meta: dict[str, Any], key: str, default: int) -> int:
    """An integer store-wide value, or an error naming it."""
    value = _number(file, meta, key, default)
    if not isinstance(value, int):
        raise file.damaged(f"store-wide value {key!r}", f"{value!r} is not an integer")
    return value
