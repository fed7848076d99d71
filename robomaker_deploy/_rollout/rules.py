"""The rules a rollout plan's values keep, and how breaking them is told: a wrong type or every problem.

Two kinds of mistake, two answers. A value of the wrong type (a ``dict``
where an :class:`AbortRule` belongs, a ``Fleet`` where its ARN belongs) is a
programming error: a :class:`TypeError` naming the field and the type it
takes, raised at once. A value of the right type that cannot work (a bake
of ``-1`` or ``1e308``, an empty command) is a problem: each object gathers
all of its problems and raises them in one :class:`ValidationError`, so a
plan with three mistakes costs one round trip, not three.

The time bounds are the plan's documented ones (the Rollouts guide's
"What a plan refuses"): past them, the times would overflow the clock's
arithmetic or mean a rollout nobody watches.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from .._errors import ValidationError

__all__ = [
    "DAY",
    "WEEK",
    "Problem",
    "Problems",
    "Validator",
    "at_least",
    "in_seconds",
    "raise_problems",
    "short",
    "span",
    "typed",
]

DAY = 86_400.0
WEEK = 7 * DAY

Problem = tuple[str, str, str]
"""One broken rule: the field's path, a short repr of its value, the rule."""
Problems = list[Problem]

Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


def short(value: object) -> str:
    """A repr of ``value`` short enough for one line of a message."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def typed(expected: str, *kinds: type, optional: bool = False) -> Validator:
    """An attrs validator: the value is one of ``kinds`` (``expected`` says so in words), else TypeError.

    A ``bool`` is refused where a number is expected (``True`` is an int).
    """

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is None and optional:
            return
        number = any(kind in (int, float) for kind in kinds)
        if isinstance(value, kinds) and not (number and isinstance(value, bool) and bool not in kinds):
            return
        raise TypeError(
            f"{type(instance).__name__}.{attribute.name} must be {expected}"
            f"{' or None' if optional else ''}, not {_kind(value)}: {short(value)}"
        )

    return check


def _kind(value: object) -> str:
    name = type(value).__name__
    return ("an " if name[:1].lower() in "aeiou" else "a ") + name


def in_seconds(
    path: str, value: float | None, low: float, high: float, *, low_open: bool = False
) -> Problems:
    """The problem with a time in seconds that must be finite and from ``low`` to ``high``, if any."""
    if value is None or (
        math.isfinite(value) and (low < value if low_open else low <= value) and value <= high
    ):
        return []
    start = f"more than {low:g}" if low_open else f"{low:g}"
    return [
        (path, short(value), f"must be a finite number of seconds from {start} to {high:g} ({span(high)})")
    ]


def at_least(path: str, value: int, low: int, high: int | None = None) -> Problems:
    """The problem with a whole number that must be ``low`` or more (and ``high`` or less), if any."""
    if value >= low and (high is None or value <= high):
        return []
    bounds = f"at least {low}" if high is None else f"from {low} to {high}"
    return [(path, short(value), f"must be a whole number {bounds}")]


def span(seconds: float) -> str:
    """``seconds`` in days, in words (``7 days``)."""
    days = seconds / DAY
    return f"{days:g} day" + ("s" if days != 1 else "")


def raise_problems(problems: Sequence[Problem]) -> None:
    """Raise every problem in one :class:`ValidationError` (the first names it); nothing if none."""
    if problems:
        path, value, rule = problems[0]
        raise ValidationError(path, value, rule, [f"{p}={v}: {r}" for p, v, r in problems])
