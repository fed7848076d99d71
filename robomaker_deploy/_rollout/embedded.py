"""The embedded driver: runs the core in this process, with its state in one checkpoint file.

The default behind ``client.rollout(plan, checkpoint=PATH)`` and the command
line. It loops :func:`core.decide`, :func:`effects.execute` (the watch poll
by poll, to pass its events on), :func:`core.apply`, and writes the state:

* once before the first command (the state :func:`core.begin` made, which
  holds what each fleet ran before), and once after each command, with its
  result applied, which is also the state saved before the next command;
* while a job is watched, at most once per poll (the event stream's
  checkpoint, so that a resumed run does not tell again the events already
  told), never once per event.

Every write goes through :meth:`CheckpointFile.save`, the only place that
writes rollout state. The file is replaced atomically (a crash leaves the
old state or the new one), is readable by its owner only (mode 0600: it
holds the launch config, environment values included), and is held under an
exclusive lock (``fcntl.flock`` on ``PATH.lock``, which names the holder's
pid) for the whole run: a second process on the same checkpoint is refused.
A checkpoint larger than :data:`MAX_CHECKPOINT_BYTES` is refused unread, and
every job it names is checked to belong to its stage's fleet before the run
goes on.
"""

from __future__ import annotations

import errno
import os
import uuid
from collections.abc import AsyncGenerator
from contextlib import aclosing
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from .._documents import dump, load, write_atomic
from .._errors import ValidationError
from .._waiting.checkpoint import WaitCheckpoint
from .core import (
    Command,
    CreateJob,
    Finish,
    Result,
    RolloutState,
    SyncJob,
    WatchEnded,
    WatchJob,
    apply,
    begin,
    decide,
)
from .effects import execute, prepare, verify_jobs, watch
from .events import (
    GatePassed,
    GateRefused,
    RolledBack,
    RolloutEvent,
    RolloutFinished,
    StageAborted,
    StageBaked,
    StageEvent,
    StageFinished,
    StageRetried,
    StageStarted,
)
from .plan import RolloutPlan
from .report import RolloutReport
from .tracing import RolloutSpans

if TYPE_CHECKING:
    from .._client import ClientCore as DeploymentClient

__all__ = ["MAX_CHECKPOINT_BYTES", "SCHEMA", "CheckpointFile", "CheckpointInUseError", "Runner"]

#: The checkpoint document's kind and version (version 1 was the engine before the core).
SCHEMA = "robomaker-deploy/rollout/2"

#: A rollout checkpoint larger than this is refused unread (a 1,000-robot stage's is about 0.25 MB).
MAX_CHECKPOINT_BYTES = 32 * 1024 * 1024


class CheckpointInUseError(RuntimeError):
    """Another process runs the rollout of this checkpoint file (it holds its lock)."""

    def __init__(self, path: Path, lock: Path, pid: int | None) -> None:
        holder = f"process {pid}" if pid is not None else "another process"
        super().__init__(
            f"{path}: {holder} is running this rollout (it holds {lock}); wait for it to end or stop it,"
            " then run this again to resume"
        )
        self.path = path
        self.pid = pid


@attrs.frozen(kw_only=True)
class RolloutCheckpoint:
    """What the checkpoint file holds: the core's state, and the event stream of the job being watched."""

    state: RolloutState
    watch: WaitCheckpoint | None = None


def _now() -> datetime:
    return datetime.now(timezone.utc)


class CheckpointFile:
    """The checkpoint of one rollout on disk: locked for a run, capped in size, written in one place."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        # The file itself, whatever name reaches it: a symbolic link to a checkpoint must take the
        # same lock (else two processes run one rollout), and a write must not replace the link.
        self._file = Path(os.path.realpath(self.path))
        self.lock_path = self._file.with_name(self._file.name + ".lock")
        self._fd: int | None = None
        self.writes = 0
        """Documents written by this object (the benchmark counts them)."""

    def acquire(self) -> None:
        """Take the exclusive lock, or raise :class:`CheckpointInUseError` naming the holder."""
        import fcntl

        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            raise CheckpointInUseError(self.path, self.lock_path, self._holder()) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def _holder(self) -> int | None:
        try:
            return int(self.lock_path.read_text().strip())
        except (OSError, ValueError):
            return None

    def release(self) -> None:
        """Let go of the lock (the lock file stays: removing it would race with a process taking it)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # closing the descriptor releases the flock

    def load(self) -> RolloutCheckpoint | None:
        """The saved checkpoint (``None`` if there is no file); a ValidationError names what is wrong."""
        try:
            with self._file.open("rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                # Never more than the cap is read, even from a file that grows after fstat.
                data = b"" if size > MAX_CHECKPOINT_BYTES else handle.read(MAX_CHECKPOINT_BYTES + 1)
        except FileNotFoundError:
            return None
        size = max(size, len(data))
        if size > MAX_CHECKPOINT_BYTES:
            raise ValidationError(
                str(self.path),
                f"<{size} bytes>",
                f"is larger than a rollout checkpoint may be ({MAX_CHECKPOINT_BYTES} bytes): not one this"
                " SDK wrote",
            )
        return load(data, RolloutCheckpoint, SCHEMA, what=str(self.path))

    def save(self, state: RolloutState, watch: WaitCheckpoint | None) -> None:
        """Write the rollout's state: the one place that does (mode 0600, replaced atomically)."""
        write_atomic(self._file, dump(RolloutCheckpoint(state=state, watch=watch), SCHEMA))
        self.writes += 1


class Runner:
    """One run of a rollout (fresh, or resumed from its checkpoint), as an async iterator of events."""

    def __init__(
        self,
        client: DeploymentClient,
        plan: RolloutPlan,
        *,
        checkpoint: str | os.PathLike[str] | None,
        min_delay: float | None,
        max_delay: float | None,
    ) -> None:
        self._client = client
        self._plan = plan
        self.file = None if checkpoint is None else CheckpointFile(checkpoint)
        self._min_delay = min_delay
        self._max_delay = max_delay
        self._state: RolloutState | None = None
        self.commands = 0
        """Commands run by this object (the benchmark counts them)."""
        self.polls = 0
        """Polls of the watches that brought events (each saved once)."""
        self.detail = True
        """Someone reads the events: watches follow robot progress (``Rollout.result()`` alone turns
        it off, so the jobs are awaited in shared polls like ``wait_for_deployment_job``)."""

    @property
    def report(self) -> RolloutReport | None:
        """The report as it stands (``None`` before the run started)."""
        return None if self._state is None else self._state.report

    def _save(self, state: RolloutState, watching: WaitCheckpoint | None) -> None:
        self._state = state
        if self.file is not None:
            self.file.save(state, watching)

    async def run(self) -> AsyncGenerator[RolloutEvent, None]:
        """The rollout's events, to its end."""
        if self.file is not None:
            self.file.acquire()
        spans = RolloutSpans(self._plan.digest)
        error: BaseException | None = None
        try:
            state, watching = await self._start()
            spans.start(state)
            while True:
                command = decide(self._plan, state)
                if isinstance(command, Finish):
                    yield RolloutFinished(at=_now(), report=command.report)
                    return
                result: Result
                if isinstance(command, WatchJob):
                    ended: WatchEnded | None = None
                    steps = watch(
                        self._client,
                        command,
                        resume=watching,
                        min_delay=self._min_delay,
                        max_delay=self._max_delay,
                        detail=self.detail,
                    )
                    async with aclosing(steps):
                        while ended is None:
                            with spans.current(state, command):
                                item = await steps.__anext__()
                            if isinstance(item, WatchEnded):
                                ended = item
                                break
                            for event in item.events:
                                yield event
                            watching = item.checkpoint
                            self.polls += 1
                            self._save(state, watching)  # at most one write per poll
                    if not (ended.aborted_by_rule or ended.timed_out):
                        watching = None  # the job ended: its stream is done
                    # Stopped by the abort rule or the deadline, the job is cancelled and watched
                    # again: that watch continues this stream, so no robot is told twice.
                    result = ended
                else:
                    with spans.current(state, command):
                        result = await execute(self._client, self._plan, command)
                self.commands += 1
                before, state = state, apply(self._plan, state, command, result, now=_now())
                self._save(state, watching)  # the result, and the state before the next command
                spans.update(state)
                for told in stage_events(before, state, command, result, _now()):
                    yield told
        except BaseException as exc:
            error = exc
            raise
        finally:
            spans.end(self._state, error)
            if self.file is not None:
                self.file.release()

    async def _start(self) -> tuple[RolloutState, WaitCheckpoint | None]:
        saved = None if self.file is None else self.file.load()
        if saved is None:
            previous = await prepare(self._client, self._plan)
            token_seed = uuid.uuid4().hex  # chosen once: the tokens of every replay derive from it
            state = begin(self._plan, now=_now(), token_seed=token_seed, previous=previous)
            self._save(state, None)  # before anything changes: it holds what each fleet ran before
            return state, None
        assert self.file is not None
        if saved.state.plan != self._plan.digest:
            raise ValidationError(
                str(self.file.path),
                "<checkpoint>",
                "is the checkpoint of another plan (its digest differs): resume with the plan it was"
                " made for, or start with another checkpoint file",
            )
        self._state = saved.state
        if saved.state.report.status == "running":
            await verify_jobs(self._client, saved.state, what=str(self.file.path))
        return saved.state, saved.watch


def stage_events(
    before: RolloutState, after: RolloutState, command: Command, result: Result, at: datetime
) -> list[StageEvent]:
    """The stage events that one command's result made happen (a pure function of the two states)."""
    told: list[StageEvent] = []
    pairs = zip(before.report.stages, after.report.stages, strict=True)
    for index, (was, now) in enumerate(pairs):
        if len(now.attempts) > len(was.attempts):
            attempt = now.attempts[-1]
            if isinstance(command, (CreateJob, SyncJob)) and attempt.kind != "deploy" and was.attempts:
                robots = tuple(was.attempts[-1].failed)
                told.append(StageRetried(at=at, stage=index, report=now, attempt=attempt, robots=robots))
            else:
                told.append(StageStarted(at=at, stage=index, report=now, attempt=attempt))
        if now.attempts and now.attempts[-1].aborted and not (was.attempts and was.attempts[-1].aborted):
            last = now.attempts[-1]
            told.append(
                StageAborted(
                    at=at, stage=index, report=now, finished=last.abort_finished, failed=last.abort_failed
                )
            )
        if now.baked and not was.baked:
            told.append(StageBaked(at=at, stage=index, report=now))
        if now.gate is not None and was.gate is None:
            kind = GatePassed if now.gate.passed else GateRefused
            told.append(kind(at=at, stage=index, report=now))
        if was.status in ("pending", "running") and now.status not in ("pending", "running"):
            told.append(StageFinished(at=at, stage=index, report=now))
        rolled = now.rollback
        if (
            rolled is not None
            and rolled.status is not None
            and (was.rollback is None or was.rollback.status is None)
        ):
            told.append(RolledBack(at=at, stage=index, report=now, attempt=rolled))
    return told
