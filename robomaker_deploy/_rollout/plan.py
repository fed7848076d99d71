"""A rollout plan: what to deploy, to which fleets in which order, and the policies around it.

Plain frozen data, built in code or read from a TOML file (the standard
library's ``tomllib``; ``tomli`` on Python 3.10). Reading a file checks every
key and lists every problem at once, naming the file and the key, so that a
plan with three mistakes costs one round trip, not three. Whether the plan
fits the account (fleets, versions, architectures) is checked against the
service by ``checks``.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from .._errors import ValidationError
from .._models import DeploymentApplicationConfig, DeploymentConfig, LaunchConfig
from .gates import Gate

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["AbortRule", "RetryPolicy", "RolloutPlan", "Stage"]


def _positive(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value < 0
    ):
        raise ValidationError(attribute.name, repr(value), "must be a finite number of seconds, 0 or more")


def _at_least(low: int) -> Callable[[object, attrs.Attribute[int], int], None]:
    def check(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValidationError(attribute.name, repr(value), f"must be a whole number, at least {low}")

    return check


def _percent(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 100:
        raise ValidationError(
            attribute.name, repr(value), "must be a percentage from 0 up to (not including) 100"
        )


@attrs.frozen(kw_only=True)
class Stage:
    """One step of a rollout: a fleet, how its deployment rolls out, and how long to let it bake."""

    fleet: str
    """The fleet's ARN (a robot belongs to one fleet, so a stage is a set of robots)."""
    deployment_config: DeploymentConfig | None = None
    """Concurrency, failure threshold and robot timeout of this stage's deployment (the service's)."""
    bake: float = attrs.field(default=0.0, validator=_positive)
    """Seconds to wait after the stage succeeded, before its gate and the next stage."""

    @property
    def name(self) -> str:
        """The fleet's name, from its ARN (``...:deployment-fleet/NAME/ID``)."""
        parts = self.fleet.split(":", 5)[-1].split("/")
        return parts[1] if len(parts) >= 2 else self.fleet


@attrs.frozen(kw_only=True)
class AbortRule:
    """Stop a stage early: once ``min_finished`` robots finished, more than ``max_failed_percent`` failed.

    Checked on every robot that ends, client-side, so the job is cancelled
    before the service's own failure threshold would stop it.
    """

    min_finished: int = attrs.field(validator=_at_least(1))
    max_failed_percent: float = attrs.field(validator=_percent)

    def holds(self, finished: int, failed: int) -> bool:
        """Whether a stage with ``finished`` robots done, ``failed`` of them failed, must stop."""
        return finished >= self.min_finished and failed * 100 > self.max_failed_percent * finished


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """Try again the robots whose failure is transient (the taxonomy's retryable codes); never the others."""

    attempts: int = attrs.field(default=0, validator=_at_least(0))
    """More attempts after the first, per stage."""
    backoff: float = attrs.field(default=30.0, validator=_positive)
    """Seconds before the first retry; each further one waits twice as long."""

    def delay(self, retry: int) -> float:
        """Seconds to wait before retry number ``retry`` (1 for the first)."""
        return float(self.backoff * 2 ** (retry - 1))


def _configs(items: Sequence[DeploymentApplicationConfig]) -> tuple[DeploymentApplicationConfig, ...]:
    return tuple(items)


def _stages(items: Sequence[Stage]) -> tuple[Stage, ...]:
    return tuple(items)


@attrs.frozen(kw_only=True)
class RolloutPlan:
    """What to deploy, stage by stage, and what to do when a stage goes wrong."""

    application_configs: tuple[DeploymentApplicationConfig, ...] = attrs.field(converter=_configs)
    """The application version (and its launch config) every stage deploys."""
    stages: tuple[Stage, ...] = attrs.field(converter=_stages)
    """The fleets in the order they are deployed to."""
    abort: AbortRule | None = None
    """Stop a stage early when too many of its first robots fail (``None``: leave it to the service)."""
    retry: RetryPolicy = attrs.field(factory=RetryPolicy)
    """Try again robots whose failure is transient."""
    rollback: bool = True
    """When the rollout stops (a failure, an abort, a refused gate), redeploy what changed fleets ran."""
    stage_timeout: float = attrs.field(default=3600.0, validator=_positive)
    """Seconds one stage's deployment may take before the rollout gives up waiting (exit code 3)."""
    gate: Gate | None = None
    """Asked after each stage's bake; a refusal stops the rollout (see gates)."""
    gate_timeout: float = attrs.field(default=300.0, validator=_positive)
    """Seconds a gate may take when it sets no timeout of its own."""
    gate_command: tuple[str, ...] | None = None
    """For the command line: a program run after each stage's bake with its report as JSON on stdin;
    exiting 0 lets the rollout go on."""

    @property
    def digest(self) -> str:
        """A fingerprint of the plan: a checkpoint is only ever resumed with the plan it was made for."""
        from .._converter import unstructure

        data = {
            "configs": unstructure(list(self.application_configs)),
            "stages": [[s.fleet, unstructure(s.deployment_config), s.bake] for s in self.stages],
            "abort": None if self.abort is None else attrs.astuple(self.abort),
            "retry": attrs.astuple(self.retry),
            "rollback": self.rollback,
        }
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()

    @classmethod
    def from_toml(cls, path: str | Path) -> RolloutPlan:
        """Read a plan file (see the Rollouts guide for its keys); every problem is listed at once."""
        source = Path(path)
        try:
            data = tomllib.loads(source.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ValidationError(str(source), "<file>", f"cannot be read: {exc.strerror or exc}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ValidationError(str(source), "<file>", f"is not valid TOML: {exc}") from exc
        return _Reader(str(source)).plan(data)


# -- reading a plan file ----------------------------------------------------------------------------------


class _Reader:
    """Turns a plan file's tables into a plan, collecting every problem before raising them together."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []

    def fail(self, key: str, value: object, rule: str) -> None:
        self.problems.append(f"{key}={_short(value)}: {rule}")

    def take(self, table: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            self.fail(f"{where}{key}", value, f"must be {_article(names)}")
            return None
        return value

    def unknown(self, table: Mapping[str, Any], known: set[str], where: str) -> None:
        for key in sorted(set(table) - known):
            self.fail(
                f"{where}{key}", table[key], f"is not a key of this table (known: {', '.join(sorted(known))})"
            )

    def plan(self, data: Mapping[str, Any]) -> RolloutPlan:
        self.unknown(
            data, {"application", "stages", "abort", "retry", "rollback", "stage_timeout", "gate"}, ""
        )
        config = self.application(data.get("application"))
        stages = [self.stage(index, item) for index, item in enumerate(self.list_of(data, "stages"))]
        if not stages:
            self.fail("stages", None, "must list at least one [[stages]] table")
        abort = self.abort(data.get("abort"))
        retry = self.retry(data.get("retry"))
        rollback = self.take(data, "rollback", bool, "")
        timeout = self.take(data, "stage_timeout", (int, float), "")
        gate = self.gate(data.get("gate"))
        if self.problems or config is None:
            raise ValidationError(self.source, "<plan>", "is not a valid rollout plan", self.problems)
        plan: RolloutPlan = self.build(
            RolloutPlan,
            "",
            application_configs=[config],
            stages=[s for s in stages if s is not None],
            abort=abort,
            retry=retry,
            rollback=rollback,
            stage_timeout=timeout,
            gate_command=gate,
        )
        return plan

    def build(self, cls: type[Any], where: str, **kwargs: Any) -> Any:
        # What the file leaves out (``None``) is left to the class, so a plan read from a file and
        # one built in code get the same defaults.
        try:
            return cls(**{key: value for key, value in kwargs.items() if value is not None})
        except ValidationError as exc:
            self.fail(f"{where}{exc.field}", exc.value, exc.rule)
        except (TypeError, ValueError) as exc:
            self.fail(where.rstrip(".") or "plan", "<table>", str(exc))
        if where == "":
            raise ValidationError(self.source, "<plan>", "is not a valid rollout plan", self.problems)
        return None

    def list_of(self, data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
        items = data.get(key, [])
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            self.fail(key, items, "must be an array of tables ([[stages]])")
            return []
        return items

    def table(self, value: Any, key: str) -> Mapping[str, Any] | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            self.fail(key, value, "must be a table")
            return None
        return value

    def application(self, value: Any) -> DeploymentApplicationConfig | None:
        table = self.table(value, "application")
        if table is None:
            self.fail("application", None, "is required: a table with arn, version, package and launch_file")
            return None
        where = "application."
        known = {
            "arn",
            "version",
            "package",
            "launch_file",
            "pre_launch_file",
            "post_launch_file",
            "environment",
        }
        self.unknown(table, known, where)
        fields = {key: self.take(table, key, str, where) for key in known - {"environment", "version"}}
        version = self.take(table, "version", (str, int), where)
        environment = self.table(table.get("environment"), f"{where}environment") or {}
        for key, text in environment.items():
            if not isinstance(text, str):
                self.fail(f"{where}environment.{key}", "<value>", "must be a string")
        for key in ("arn", "package", "launch_file"):
            if fields[key] is None and key not in table:
                self.fail(f"{where}{key}", None, "is required")
        if version is None and "version" not in table:
            self.fail(f"{where}version", None, 'is required (a numbered version such as "3")')
        if any(fields[key] is None for key in ("arn", "package", "launch_file")) or version is None:
            return None
        launch = self.build(
            LaunchConfig,
            where,
            package_name=fields["package"],
            launch_file=fields["launch_file"],
            pre_launch_file=fields["pre_launch_file"],
            post_launch_file=fields["post_launch_file"],
            environment_variables={k: v for k, v in environment.items() if isinstance(v, str)},
        )
        if launch is None:
            return None
        result: DeploymentApplicationConfig | None = self.build(
            DeploymentApplicationConfig,
            where,
            application=fields["arn"],
            application_version=str(version),
            launch_config=launch,
        )
        return result

    def stage(self, index: int, table: Mapping[str, Any]) -> Stage | None:
        where = f"stages[{index}]."
        known = {"fleet", "bake", "concurrency", "failure_threshold", "robot_timeout"}
        self.unknown(table, known, where)
        fleet = self.take(table, "fleet", str, where)
        if fleet is None:
            if "fleet" not in table:
                self.fail(f"{where}fleet", None, "is required (the fleet's ARN)")
            return None
        bake = self.take(table, "bake", (int, float), where)
        rollout = {
            key: self.take(table, key, int, where)
            for key in ("concurrency", "failure_threshold", "robot_timeout")
        }
        config = None
        if any(value is not None for value in rollout.values()):
            config = DeploymentConfig(
                concurrent_deployment_percentage=rollout["concurrency"],
                failure_threshold_percentage=rollout["failure_threshold"],
                robot_deployment_timeout_in_seconds=rollout["robot_timeout"],
            )
        result: Stage | None = self.build(Stage, where, fleet=fleet, deployment_config=config, bake=bake)
        return result

    def abort(self, value: Any) -> AbortRule | None:
        table = self.table(value, "abort")
        if table is None:
            return None
        self.unknown(table, {"min_finished", "max_failed_percent"}, "abort.")
        finished = self.take(table, "min_finished", int, "abort.")
        percent = self.take(table, "max_failed_percent", (int, float), "abort.")
        if finished is None or percent is None:
            self.fail("abort", table, "needs both min_finished and max_failed_percent")
            return None
        rule: AbortRule | None = self.build(
            AbortRule, "abort.", min_finished=finished, max_failed_percent=percent
        )
        return rule

    def retry(self, value: Any) -> RetryPolicy | None:
        table = self.table(value, "retry")
        if table is None:
            return None
        self.unknown(table, {"attempts", "backoff"}, "retry.")
        attempts = self.take(table, "attempts", int, "retry.")
        backoff = self.take(table, "backoff", (int, float), "retry.")
        policy: RetryPolicy | None = self.build(
            RetryPolicy,
            "retry.",
            attempts=attempts,
            backoff=backoff,
        )
        return policy

    def gate(self, value: Any) -> tuple[str, ...] | None:
        table = self.table(value, "gate")
        if table is None:
            return None
        self.unknown(table, {"command"}, "gate.")
        command = table.get("command")
        if isinstance(command, str):
            return (command,)
        if isinstance(command, list) and command and all(isinstance(part, str) for part in command):
            return tuple(command)
        self.fail(
            "gate.command", command, "must be a program and its arguments, as a string or a list of strings"
        )
        return None


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _article(names: str) -> str:
    return ("an " if names[:1] in "aeiou" else "a ") + names
