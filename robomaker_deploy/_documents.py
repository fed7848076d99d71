"""JSON documents the SDK writes and reads back: checkpoints of waits (and of rollouts).

A document must survive the process that wrote it and be readable by a
person with ``cat``: plain JSON, snake_case keys, ISO-8601 times, enum
values as the service spells them, and a ``schema`` tag naming what it is and
its version, so that a document is never silently misread as another kind
or another version. No pickle: a checkpoint is data, never code.

:func:`write_atomic` puts a document on disk so that a crash leaves either
the old document or the new one, never half of one.
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ._enums import _OpenEnum
from ._errors import ValidationError

if TYPE_CHECKING:
    import cattrs

__all__ = ["dump", "load", "write_atomic"]

T = TypeVar("T")


@functools.cache
def _converter() -> cattrs.Converter:
    import cattrs

    conv = cattrs.Converter()
    conv.register_unstructure_hook(datetime, datetime.isoformat)
    # Sets are written sorted, so that the same state always makes the same document.
    conv.register_unstructure_hook_func(
        lambda t: getattr(t, "__origin__", t) in (frozenset, set), lambda items: sorted(items)
    )
    conv.register_structure_hook(datetime, lambda value, _: _datetime(value))
    conv.register_unstructure_hook_func(lambda t: isinstance(t, type) and issubclass(t, _OpenEnum), str)
    conv.register_structure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, _OpenEnum), lambda value, t: _member(t, value)
    )
    return conv


def _datetime(value: Any) -> datetime:
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO-8601 time, got {value!r}")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"expected a time with its UTC offset, got {value!r}")
    return parsed


def _member(cls: type[_OpenEnum], value: Any) -> _OpenEnum:
    if not isinstance(value, str):
        raise TypeError(f"expected a {cls.__name__} value, got {value!r}")
    return cls(value)


def dump(value: Any, schema: str) -> str:
    """``value`` (an attrs value) as an indented JSON document tagged ``schema``."""
    data = _converter().unstructure(value)
    return json.dumps({"schema": schema, **data}, indent=2, ensure_ascii=False) + "\n"


def load(text: str | bytes, cls: type[T], schema: str, *, what: str) -> T:
    """The ``cls`` in a document; a :class:`ValidationError` naming ``what`` and the problem otherwise."""
    import cattrs

    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ValidationError(what, "<document>", f"is not JSON ({exc})") from exc
    except RecursionError:
        raise ValidationError(
            what, "<document>", "is nested too deeply to be a document this SDK wrote"
        ) from None
    if not isinstance(data, dict):
        raise ValidationError(what, "<document>", "must be a JSON object")
    found = data.pop("schema", None)
    if found != schema:
        raise ValidationError(f"{what}.schema", repr(found), f"must be {schema!r} (a document of this kind)")
    try:
        return _converter().structure(data, cls)
    except cattrs.BaseValidationError as exc:
        problems = cattrs.transform_error(exc, path=what)
        raise ValidationError(what, "<document>", "is not valid", problems) from exc
    except (TypeError, ValueError, KeyError) as exc:
        raise ValidationError(what, "<document>", f"is not valid: {exc}") from exc
    except RecursionError:
        raise ValidationError(
            what, "<document>", "is nested too deeply to be a document this SDK wrote"
        ) from None


def write_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Replace the file at ``path`` with ``text`` all at once, readable by its owner only.

    The text goes to a temporary file in the same folder, reaches the disk
    (fsync), then takes the target's name in one rename, and the folder is
    synced so that the rename itself survives a power cut.
    """
    target = Path(path)
    folder = target.parent
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    if hasattr(os, "O_DIRECTORY"):
        directory = os.open(folder, os.O_DIRECTORY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
