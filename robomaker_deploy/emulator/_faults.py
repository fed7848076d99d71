"""Transport-level fault injection and per-operation call counts.

Faults here are the service misbehaving (throttling, 500s, lost responses,
slowness), as opposed to robots failing, which the simulation does through
tags. With a seed, the same sequence of requests meets the same faults: each
eligible request draws the same three numbers whatever happens to it.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, TypedDict

import attrs

from .._wire.model import service_model

_KINDS = ("throttle", "internal_error", "drop", "latency")


def _rate(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be a probability between 0 and 1, not {value}")


def _non_negative(instance: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and value < 0:
        raise ValueError(f"{attribute.name} must not be negative, not {value}")


def _integer(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{attribute.name} must be an integer, not {value!r}")


def _count(instance: object, attribute: attrs.Attribute[Any], value: int) -> None:
    _integer(instance, attribute, value)
    _non_negative(instance, attribute, value)


def _operation_set(value: Iterable[str] | None) -> frozenset[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        raise ValueError("operations must be a list of operation names")
    names = frozenset(value)
    # A misspelt name would silently never fault, and the test relying on it would pass for nothing.
    unknown = names - set(service_model().operation_names)
    if unknown:
        raise ValueError(f"unknown operations: {', '.join(sorted(unknown))}")
    return names


@attrs.frozen(kw_only=True)
class FaultConfig:
    """What to inject, and into which operations.

    The admin route ``POST /_emulator/faults`` takes the same fields as JSON::

        {"throttle": 0.5, "internal_error": 0.2, "drop": 0.3, "latency_ms": 200,
         "operations": ["CreateDeploymentJob"], "seed": 1, "limit": 10}

    Every field is optional; ``{}`` turns injection off.
    """

    throttle: float = attrs.field(default=0.0, validator=_rate)
    """Probability of answering ``ThrottlingException`` (400) without acting."""
    internal_error: float = attrs.field(default=0.0, validator=_rate)
    """Probability of answering ``InternalServerException`` (500) without acting."""
    drop: float = attrs.field(default=0.0, validator=_rate)
    """Probability of acting, then closing the connection with no response."""
    latency_ms: float = attrs.field(default=0.0, validator=_non_negative)
    """Real milliseconds added before every eligible request (not scaled by speed)."""
    operations: frozenset[str] | None = attrs.field(default=None, converter=_operation_set)
    """Operation names the faults apply to; ``None`` for all."""
    seed: int | None = attrs.field(default=None, validator=attrs.validators.optional(_integer))
    """Seed for the draws, for runs that meet the same faults every time."""
    limit: int | None = attrs.field(default=None, validator=attrs.validators.optional(_count))
    """Stop injecting after this many faults (throttles, errors and drops), e.g. "fail the next 2 calls"."""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FaultConfig:
        """Build from the admin route's JSON; unknown keys are an error so typos do not pass silently."""
        known = {field.name for field in attrs.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        return cls(**data)

    def to_json(self) -> dict[str, Any]:
        """The admin route's JSON form."""
        out = attrs.asdict(self)
        out["operations"] = None if self.operations is None else sorted(self.operations)
        return out


class FaultSettings(TypedDict, total=False):
    """:class:`FaultConfig`'s fields as keywords, for :meth:`Emulator.set_faults` (each optional)."""

    throttle: float
    internal_error: float
    drop: float
    latency_ms: float
    operations: Iterable[str] | None
    seed: int | None
    limit: int | None


@attrs.frozen
class Decision:
    """What happens to one request."""

    latency_s: float = 0.0
    error: str | None = None
    """``ThrottlingException`` or ``InternalServerException``: answer this instead of acting."""
    drop: bool = False


_NONE = Decision()


class FaultInjector:
    """Decides each request's faults and keeps the counts ``GET /_emulator/stats`` reports."""

    def __init__(self) -> None:
        self.config = FaultConfig()
        self._rng = random.Random()
        self._injected = 0
        self.calls: Counter[str] = Counter()
        self.faults: dict[str, Counter[str]] = {kind: Counter() for kind in _KINDS}

    def configure(self, config: FaultConfig) -> None:
        """Replace the fault settings (and restart the seeded draws and the limit)."""
        self.config = config
        self._rng = random.Random(config.seed)
        self._injected = 0

    def reset(self) -> None:
        """No faults, no counts."""
        self.configure(FaultConfig())
        self.calls.clear()
        for counter in self.faults.values():
            counter.clear()

    def decide(self, operation: str) -> Decision:
        """Count the call and pick its faults."""
        self.calls[operation] += 1
        config = self.config
        if config.operations is not None and operation not in config.operations:
            return _NONE
        if not (config.throttle or config.internal_error or config.drop or config.latency_ms):
            return _NONE
        throttle, internal, drop = self._rng.random(), self._rng.random(), self._rng.random()
        latency = config.latency_ms / 1000.0
        if latency:
            self.faults["latency"][operation] += 1
        if config.limit is not None and self._injected >= config.limit:
            return Decision(latency_s=latency)
        if throttle < config.throttle:
            return self._count(operation, "throttle", Decision(latency, "ThrottlingException"))
        if internal < config.internal_error:
            return self._count(operation, "internal_error", Decision(latency, "InternalServerException"))
        if drop < config.drop:
            return self._count(operation, "drop", Decision(latency, drop=True))
        return Decision(latency_s=latency)

    def _count(self, operation: str, kind: str, decision: Decision) -> Decision:
        self._injected += 1
        self.faults[kind][operation] += 1
        return decision

    def stats(self) -> dict[str, Any]:
        """``{"calls": {op: n}, "faults": {"throttle": {op: n}, ...}}``."""
        return {
            "calls": dict(self.calls),
            "faults": {kind: dict(counter) for kind, counter in self.faults.items()},
        }
