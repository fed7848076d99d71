"""Checks a wire-shaped value against the service model's constraints.

botocore's own parameter validation checks types, required members and
minimums only; the service also enforced maximums, patterns and enums. Both
the client (before anything is sent) and the emulator (as the service did)
call :func:`violations`, so the two always agree on what is valid. A value
that holds a secret (see ``secrets``) is never echoed in a violation.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs
from botocore.model import MapShape, Shape, StructureShape

from .._errors import ValidationError
from .model import operation_model
from .names import python_name
from .secrets import holds_secret

__all__ = ["Arguments", "MapKey", "Path", "Violation", "check", "dotted", "violations"]

Path = tuple[str | int, ...]

_REDACTED = "<redacted>"


class MapKey(str):
    """A part of a :data:`Path` that is a map's key, not a member name (so it is never renamed)."""

    __slots__ = ()


@attrs.frozen
class Violation:
    """One broken constraint: where (a path of wire names), what rule, and the value."""

    path: Path
    rule: str
    value: str
    """A short repr of the offending value, or ``<redacted>`` for sensitive shapes."""

    def dotted(self, rename: Callable[[str], str] | None = None) -> str:
        """The path as ``a.b[0].c``; ``rename`` maps each wire name to a display name."""
        return dotted(self.path, rename) or "<input>"


def dotted(path: Path, rename: Callable[[str], str] | None = None) -> str:
    """``path`` as ``a.b[0].c``; ``rename`` maps each member name (not map keys) to a display name."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            name = rename(part) if rename and not isinstance(part, MapKey) else part
            out += f".{name}" if out else name
    return out


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _show(value: object, shape: Shape) -> str:
    # A container is shown whole, so one holding a secret anywhere (an environment-variable map with
    # too many entries, a list of launch configs) is redacted as the secret itself would be.
    if holds_secret(shape):
        return _REDACTED
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def violations(shape: Shape, value: object, path: Path = ()) -> Iterator[Violation]:
    """Yield every constraint of ``shape`` that ``value`` breaks, depth first."""
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        yield from _structure(shape, value, path)  # type: ignore[arg-type]
    elif kind == "list":
        if not isinstance(value, Sequence) or isinstance(value, (str, bytes)):
            yield Violation(path, "must be a list", _show(value, shape))
            return
        yield from _length(shape, value, len(value), path, "items")
        member = shape.member  # type: ignore[attr-defined]
        for index, item in enumerate(value):
            yield from violations(member, item, (*path, index))
    elif kind == "map":
        if not isinstance(value, Mapping):
            yield Violation(path, "must be a mapping", _show(value, shape))
            return
        yield from _length(shape, value, len(value), path, "entries")
        assert isinstance(shape, MapShape)
        for key, item in value.items():
            key_path = (*path, MapKey(str(key)))
            yield from violations(shape.key, key, (*path, MapKey(f"<key {key!r}>")))
            yield from violations(shape.value, item, key_path)
    elif kind == "string":
        if not isinstance(value, str):
            yield Violation(path, "must be a string", _show(value, shape))
            return
        enum = meta.get("enum")
        if enum and value not in enum:
            yield Violation(path, f"must be one of {', '.join(enum)}", _show(value, shape))
            return
        yield from _length(shape, value, len(value), path, "characters")
        pattern = meta.get("pattern")
        if pattern is not None and not _compiled(pattern).fullmatch(value):
            yield Violation(path, f"must match the pattern {pattern}", _show(value, shape))
    elif kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            yield Violation(path, "must be an integer", _show(value, shape))
            return
        yield from _range(shape, value, path)
    elif kind in ("float", "double"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            yield Violation(path, "must be a finite number", _show(value, shape))
            return
        yield from _range(shape, value, path)
    elif kind == "boolean":
        if not isinstance(value, bool):
            yield Violation(path, "must be a boolean", _show(value, shape))
    elif kind == "timestamp":
        if not isinstance(value, (datetime, int, float)) or isinstance(value, bool):
            yield Violation(path, "must be a timestamp", _show(value, shape))


def _structure(shape: StructureShape, value: object, path: Path) -> Iterator[Violation]:
    if not isinstance(value, Mapping):
        yield Violation(path, "must be a structure", _show(value, shape))
        return
    members = shape.members
    for name in shape.required_members:
        if value.get(name) is None:
            yield Violation((*path, name), "is required", "None")
    for name, item in value.items():
        member = members.get(name)
        if member is None:
            yield Violation((*path, name), "is not a member of " + shape.name, "...")
        elif item is not None:
            yield from violations(member, item, (*path, name))


def _length(shape: Shape, value: object, size: int, path: Path, unit: str) -> Iterator[Violation]:
    low = shape.metadata.get("min")
    high = shape.metadata.get("max")
    if (low is not None and size < low) or (high is not None and size > high):
        bounds = _bounds(low, high)
        yield Violation(path, f"must have {bounds} {unit} (has {size})", _show(value, shape))


def _range(shape: Shape, value: float, path: Path) -> Iterator[Violation]:
    low = shape.metadata.get("min")
    high = shape.metadata.get("max")
    if (low is not None and value < low) or (high is not None and value > high):
        yield Violation(path, f"must be {_bounds(low, high)}", _show(value, shape))


def _bounds(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"between {low} and {high}"
    if low is not None:
        return f"at least {low}"
    return f"at most {high}"


Arguments = Mapping[Path, str]
"""Where a method's argument lands in the request, when not at its own snake_case name: a wire
path prefix -> the argument. Errors under that prefix are reported under the argument's name."""

_NONE: Arguments = {}

_LATEST_HINT = (
    "must be a numbered version such as '1': $LATEST cannot be deployed; "
    "create one with create_robot_application_version() and deploy its number"
)


def check(operation: str, wire: Mapping[str, Any], arguments: Arguments = _NONE) -> None:
    """Refuse ``wire`` if it breaks the model: a :class:`ValidationError` in the caller's terms."""
    shape = operation_model(operation).input_shape
    assert shape is not None  # every operation of the model has an input
    problems = list(violations(shape, wire))
    if not problems:
        return

    def name(problem: Violation) -> str:
        # Named as the caller wrote it: the argument the value came from, snake_case below it.
        for prefix, argument in arguments.items():
            if problem.path[: len(prefix)] == prefix:
                rest = dotted(problem.path[len(prefix) :], python_name)
                return argument + ("" if not rest else rest if rest[0] == "[" else f".{rest}")
        return problem.dotted(python_name)

    first = problems[0]
    rule = first.rule
    if first.path and first.path[-1] == "applicationVersion" and first.value == "'$LATEST'":
        rule = _LATEST_HINT
    raise ValidationError(
        name(first), first.value, rule, [f"{name(p)}={p.value}: {p.rule}" for p in problems]
    )
