"""The state file: one SQLite file per emulator, marked as the emulator's, locked while in use.

What it guarantees:

* it is the emulator's: its header carries :data:`APPLICATION_ID` and a
  schema version, checked from the raw header before SQLite opens it, so an
  unrelated file (SQLite or not) is refused without being touched;
* one emulator at a time: the connection holds SQLite's exclusive lock from
  the start (``locking_mode=EXCLUSIVE``), a lock the operating system drops
  with the process, so a crash never leaves it stuck;
* it is whole once closed: closing checkpoints the write-ahead log into the
  file (and SQLite then deletes the log); after a crash the log beside the
  file (``<file>-wal``) holds the last writes, and the next open replays it;
* it is private: a new file is created readable by its owner only (it holds
  launch-config environment values); SQLite gives its log the same mode.

Rows are JSON: one per record, per store-wide value and per idempotency token.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: The header's application_id of an emulator state file ("RMDE").
APPLICATION_ID = 0x524D4445
#: The layout of the tables below; a file of a newer layout is refused, never rewritten.
SCHEMA_VERSION = 1
_MAGIC = b"SQLite format 3\x00"
_HEADER_SIZE = 100
_SCHEMA = (
    "CREATE TABLE records (kind TEXT, key TEXT, seq INTEGER, body TEXT, PRIMARY KEY (kind, key))",
    "CREATE TABLE meta (key TEXT PRIMARY KEY, body TEXT)",
    "CREATE TABLE tokens (key TEXT PRIMARY KEY, body TEXT)",
    # ARNs of deleted resources: never handed out again.
    "CREATE TABLE retired (arn TEXT PRIMARY KEY)",
)
#: Store-wide values that outlive a reset: identifiers must never repeat.
IDENTITY_KEYS = ("seq", "id_key")


class StateFileError(Exception):
    """The state file cannot be used: in use by another emulator, not the emulator's, or damaged.

    The message names the file and what is wrong with it; nothing was changed in it.
    """


class Backend:
    """Where changes go: nowhere, for an emulator that keeps its state in memory."""

    def put(self, kind: str, key: str, seq: int, value: Any) -> None:
        """Record the new value of one record."""

    def delete(self, kind: str, key: str) -> None:
        """Forget one record; its ARN is retired."""

    def put_meta(self, key: str, value: Any) -> None:
        """Record a store-wide value (clock, counters, the identifier key)."""

    def put_token(self, key: str, value: Any) -> None:
        """Record one idempotency token."""

    def clear(self) -> None:
        """Forget every record (retiring its ARN), token and store-wide value but :data:`IDENTITY_KEYS`."""

    def close(self) -> None:
        """Release the backing file."""


class StateFile(Backend):
    """Write-through to one SQLite file, with the guarantees of this module's docstring."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        fresh = _check_header(self.path)
        if fresh:
            _create_private(self.path)
        try:
            # The server touches the store from one thread at a time (its event loop's), but that
            # thread may not be the one that opened the file (background-thread emulators).
            # timeout=0: a file another emulator holds is refused at once, not waited for.
            self._db = sqlite3.connect(
                str(self.path), check_same_thread=False, isolation_level=None, timeout=0
            )
        except sqlite3.Error as error:
            raise StateFileError(f"cannot open the state file {self.path}: {error}") from error
        try:
            self._db.execute("PRAGMA locking_mode=EXCLUSIVE")
            try:
                # Take the lock now, and keep it: in exclusive mode SQLite never gives it back.
                self._db.execute("BEGIN EXCLUSIVE")
            except sqlite3.OperationalError as error:
                raise StateFileError(
                    f"the state file {self.path} is in use by another emulator ({error}); "
                    "stop that one first, or give this one another state file"
                ) from None
            if fresh:
                # In the rollback journal, before WAL: the header's marks reach the file itself at once.
                self._db.execute(f"PRAGMA application_id={APPLICATION_ID}")
                self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
                for statement in _SCHEMA:
                    self._db.execute(statement)
            self._db.execute("COMMIT")
            self._db.execute("PRAGMA journal_mode=WAL")
            # Every acknowledged write is in the log before the answer goes out; a process crash
            # loses nothing (NORMAL risks only the last writes on a power loss).
            self._db.execute("PRAGMA synchronous=NORMAL")
            # After a crash the last writes are in the log: put them into the file itself at once.
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except BaseException:
            self._db.close()
            raise

    def put(self, kind: str, key: str, seq: int, value: Any) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?)", (kind, key, seq, json.dumps(value))
        )

    def delete(self, kind: str, key: str) -> None:
        self._db.execute("BEGIN")
        self._db.execute("DELETE FROM records WHERE kind = ? AND key = ?", (kind, key))
        self._db.execute("INSERT OR IGNORE INTO retired VALUES (?)", (key,))
        self._db.execute("COMMIT")

    def put_meta(self, key: str, value: Any) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, json.dumps(value)))

    def put_token(self, key: str, value: Any) -> None:
        self._db.execute("INSERT OR REPLACE INTO tokens VALUES (?, ?)", (key, json.dumps(value)))

    def clear(self) -> None:
        self._db.execute("BEGIN")
        self._db.execute("INSERT OR IGNORE INTO retired SELECT key FROM records")
        self._db.execute("DELETE FROM records")
        self._db.execute("DELETE FROM tokens")
        kept = ", ".join("?" * len(IDENTITY_KEYS))
        self._db.execute(f"DELETE FROM meta WHERE key NOT IN ({kept})", IDENTITY_KEYS)
        self._db.execute("COMMIT")

    def close(self) -> None:
        try:
            # Everything into the file itself, so the file alone is the whole state once stopped.
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            self._db.close()

    # -- reading it back -----------------------------------------------------------------------------

    def records(self) -> Iterator[tuple[str, str, int, Any]]:
        """``(kind, key, seq, body)`` in creation order (a job's robots come before it)."""
        rows = self._db.execute("SELECT kind, key, seq, body FROM records ORDER BY seq").fetchall()
        for kind, key, seq, body in rows:
            yield kind, key, seq, self._decode(body, f"record {kind} {key}")

    def meta(self) -> dict[str, Any]:
        """The store-wide values by name."""
        rows = self._db.execute("SELECT key, body FROM meta").fetchall()
        return {key: self._decode(body, f"store-wide value {key!r}") for key, body in rows}

    def tokens(self) -> dict[str, Any]:
        """The idempotency tokens by key."""
        rows = self._db.execute("SELECT key, body FROM tokens").fetchall()
        return {key: self._decode(body, f"client token {key!r}") for key, body in rows}

    def retired(self) -> set[str]:
        """The ARNs of resources deleted over the file's life."""
        return {arn for (arn,) in self._db.execute("SELECT arn FROM retired").fetchall()}

    def damaged(self, what: str, problem: str) -> StateFileError:
        """The error for one bad row: the file, the row and what is wrong with it."""
        return StateFileError(f"the state file {self.path} is damaged: {what}: {problem}")

    def _decode(self, body: object, what: str) -> Any:
        if not isinstance(body, str):
            raise self.damaged(what, f"its body is {type(body).__name__}, not JSON text")
        try:
            return json.loads(body)
        except ValueError as error:
            raise self.damaged(what, f"its body is not JSON ({error})") from None


def _check_header(path: Path) -> bool:
    """Whether ``path`` is to be created; refuse a file that is not an emulator state file.

    Only the raw header is read: an unrelated file must come out exactly as it was.
    """
    try:
        with path.open("rb") as file:
            header = file.read(_HEADER_SIZE)
    except FileNotFoundError:
        return True
    except OSError as error:
        raise StateFileError(f"cannot read the state file {path}: {error.strerror or error}") from error
    if not header:
        return True  # an empty file (a mktemp, say) is adopted
    if len(header) < _HEADER_SIZE or not header.startswith(_MAGIC):
        raise StateFileError(f"{path} is not a SQLite file, so not an emulator state file; it was left as is")
    application_id = int.from_bytes(header[68:72], "big")
    version = int.from_bytes(header[60:64], "big")
    if application_id != APPLICATION_ID:
        raise StateFileError(
            f"{path} is a SQLite file of another application (application_id {application_id:#x}, "
            f"not the emulator's {APPLICATION_ID:#x}); it was left as is: give the emulator a new file"
        )
    if version > SCHEMA_VERSION:
        raise StateFileError(
            f"the state file {path} has schema version {version}, newer than this emulator's "
            f"{SCHEMA_VERSION}: use the newer robomaker-deploy that wrote it"
        )
    return False


def _create_private(path: Path) -> None:
    """Create (or truncate an empty) ``path`` readable and writable by its owner only."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
        os.close(fd)
        # An empty file that already existed keeps its mode through O_CREAT; it is ours now.
        os.chmod(path, 0o600)
    except OSError as error:
        raise StateFileError(f"cannot create the state file {path}: {error.strerror or error}") from error
