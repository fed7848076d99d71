"""A rollout plan: what to deploy, to which fleets in which order, and the policies around it.

Plain frozen data, built in code or read from a TOML file (the standard
library's ``tomllib``; ``tomli`` on Python 3.10). A value of the wrong type
is a ``TypeError`` when the plan is made; values that cannot work (times out
of bounds, no stage) are one ``ValidationError`` listing them all, and
:func:`plan_problems` lists what only the whole plan shows. Reading a file
does all of it at once, naming the file and each key, so that a plan with
three mistakes costs one round trip, not three. Whether the plan fits the
account (fleets, versions, architectures) is checked against the service by
``checks``.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from .._errors import ValidationError
from .._models import DeploymentApplicationConfig, DeploymentConfig, LaunchConfig
from .gates import DEFAULT_GATE_TIMEOUT, MAX_GATE_TIMEOUT, CallableGate, CommandGate, Gate, HttpGate
from .rules import DAY, WEEK, Problem, Problems, at_least, in_seconds, raise_problems, short, span, typed

if TYPE_CHECKING:
    from .report import StageReport

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["AbortRule", "RetryPolicy", "RolloutPlan", "Stage", "plan_problems"]

T = TypeVar("T")

#: The bounds of a plan's times (seconds) and counts (the Rollouts guide, "What a plan refuses").
MAX_BAKE = WEEK
MIN_STAGE_TIMEOUT, MAX_STAGE_TIMEOUT = 1.0, WEEK
MAX_BACKOFF = DAY
MAX_RETRY_WAIT = WEEK
MAX_ATTEMPTS = 10

_SECONDS = typed("a number of seconds (int or float)", int, float)


@attrs.frozen(kw_only=True)
class Stage:
    """One step of a rollout: a fleet, how its deployment rolls out, and how long to let it bake."""

    fleet: str = attrs.field(validator=typed("a str (the fleet's ARN)", str))
    """The fleet's ARN (a robot belongs to one fleet, so a stage is a set of robots)."""
    deployment_config: DeploymentConfig | None = attrs.field(
        default=None, validator=typed("a DeploymentConfig", DeploymentConfig, optional=True)
    )
    """Concurrency, failure threshold and robot timeout of this stage's deployment (the service's)."""
    bake: float = attrs.field(default=0.0, validator=_SECONDS)
    """Seconds to wait after the stage succeeded, before its gate and the next stage (0 to 7 days)."""

    def __attrs_post_init__(self) -> None:
        raise_problems(in_seconds("bake", self.bake, 0, MAX_BAKE))

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

    min_finished: int = attrs.field(validator=typed("an int", int))
    max_failed_percent: float = attrs.field(validator=typed("a number (a percentage)", int, float))

    def __attrs_post_init__(self) -> None:
        problems = at_least("min_finished", self.min_finished, 1)
        if not 0 <= self.max_failed_percent < 100:  # NaN included
            rule = "must be a percentage from 0 up to (not including) 100"
            problems.append(("max_failed_percent", short(self.max_failed_percent), rule))
        raise_problems(problems)

    def holds(self, finished: int, failed: int) -> bool:
        """Whether a stage with ``finished`` robots done, ``failed`` of them failed, must stop."""
        return finished >= self.min_finished and failed * 100 > self.max_failed_percent * finished


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """Try again the robots whose failure is transient (the taxonomy's retryable codes); never the others."""

    attempts: int = attrs.field(default=0, validator=typed("an int", int))
    """More attempts after the first, per stage (0 to 10)."""
    backoff: float = attrs.field(default=30.0, validator=_SECONDS)
    """Seconds before the first retry (0 to 1 day); each further one waits twice as long."""

    def __attrs_post_init__(self) -> None:
        problems = at_least("attempts", self.attempts, 0, MAX_ATTEMPTS)
        problems += in_seconds("backoff", self.backoff, 0, MAX_BACKOFF)
        if not problems and self.attempts and self.delay(self.attempts) > MAX_RETRY_WAIT:
            rule = (
                f"waits {self.delay(self.attempts):g}s before retry {self.attempts} (it doubles each time):"
                f" at most {span(MAX_RETRY_WAIT)}; make it or attempts smaller"
            )
            problems.append(("backoff", short(self.backoff), rule))
        raise_problems(problems)

    def delay(self, retry: int) -> float:
        """Seconds to wait before retry number ``retry`` (1 for the first)."""
        return float(self.backoff * 2 ** (retry - 1))


def _tuple_of(items: Sequence[T], cls: type[T], field: str, expected: str) -> tuple[T, ...]:
    if isinstance(items, (str, bytes, Mapping)) or not isinstance(items, Sequence):
        raise TypeError(f"RolloutPlan.{field} must be a list of {expected}s, not {short(items)}")
    for index, item in enumerate(items):
        if not isinstance(item, cls):
            raise TypeError(
                f"RolloutPlan.{field}[{index}] must be a {expected},"
                f" not a {type(item).__name__}: {short(item)}"
            )
    return tuple(items)


def _configs(items: Sequence[DeploymentApplicationConfig]) -> tuple[DeploymentApplicationConfig, ...]:
    return _tuple_of(items, DeploymentApplicationConfig, "application_configs", "DeploymentApplicationConfig")


def _stages(items: Sequence[Stage]) -> tuple[Stage, ...]:
    return _tuple_of(items, Stage, "stages", "Stage")


GateFunction = Callable[["StageReport"], Awaitable[bool]]
"""An async callable given a stage's report, ``True`` to go on: shorthand for a :class:`CallableGate`."""


def _gate(value: Gate | GateFunction | None) -> Gate | None:
    if value is None or isinstance(value, (CommandGate, HttpGate, CallableGate)):
        return value
    if callable(value):
        return CallableGate(func=value)
    raise TypeError(
        "RolloutPlan.gate must be a CommandGate, an HttpGate, a CallableGate (or an async callable) or None,"
        f" not a {type(value).__name__}: {short(value)}"
    )


@attrs.frozen(kw_only=True)
class RolloutPlan:
    """What to deploy, stage by stage, and what to do when a stage goes wrong.

    A value of the wrong type is a :class:`TypeError` naming the field; values
    that cannot work (no stage, a time out of bounds) are one
    :class:`ValidationError` listing them all. What only the whole plan shows
    (a robot's ARN where a fleet's belongs, a fleet twice, settings the API
    refuses) is listed by :func:`plan_problems`, which ``check_rollout``
    and ``rollout`` consult before anything changes.
    """

    application_configs: tuple[DeploymentApplicationConfig, ...] = attrs.field(converter=_configs)
    """The application version (and its launch config) every stage deploys."""
    stages: tuple[Stage, ...] = attrs.field(converter=_stages)
    """The fleets in the order they are deployed to."""
    abort: AbortRule | None = attrs.field(
        default=None, validator=typed("an AbortRule", AbortRule, optional=True)
    )
    """Stop a stage early when too many of its first robots fail (``None``: leave it to the service)."""
    retry: RetryPolicy = attrs.field(factory=RetryPolicy, validator=typed("a RetryPolicy", RetryPolicy))
    """Try again robots whose failure is transient."""
    rollback: bool = attrs.field(default=True, validator=typed("a bool", bool))
    """When the rollout stops (a failure, an abort, a refused gate), redeploy what changed fleets ran."""
    stage_timeout: float = attrs.field(default=3600.0, validator=_SECONDS)
    """Seconds one stage's deployment may take before the rollout gives up waiting (1 s to 7 days)."""
    gate: Gate | None = attrs.field(default=None, converter=_gate)
    """Asked after each stage's bake; anything but a pass stops the rollout (see :mod:`gates`)."""
    gate_timeout: float = attrs.field(default=DEFAULT_GATE_TIMEOUT, validator=_SECONDS)
    """Seconds a gate may take unless it sets its own timeout (more than 0, at most 1 day)."""

    def __attrs_post_init__(self) -> None:
        problems: Problems = []
        if not self.application_configs:
            problems.append(("application_configs", "()", "must hold the application config to deploy"))
        if not self.stages:
            problems.append(("stages", "()", "must list at least one stage"))
        problems += in_seconds("stage_timeout", self.stage_timeout, MIN_STAGE_TIMEOUT, MAX_STAGE_TIMEOUT)
        problems += in_seconds("gate_timeout", self.gate_timeout, 0, MAX_GATE_TIMEOUT, low_open=True)
        raise_problems(problems)

    @property
    def digest(self) -> str:
        """A fingerprint of the plan: a checkpoint is only ever resumed with the plan it was made for.

        The timeouts and the gate are left out: a rollout may be resumed with
        a longer timeout, or a fixed gate.
        """
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
        """Read a plan file (see the Rollouts guide for its keys); every problem is listed at once.

        The file must be UTF-8 TOML. Besides its keys and values, what
        :func:`plan_problems` finds is refused here, named by the file's keys.
        """
        source = Path(path)
        try:
            text = source.read_bytes().decode("utf-8")
            data = tomllib.loads(text)
        except OSError as exc:
            raise ValidationError(str(source), "<file>", f"cannot be read: {exc.strerror or exc}") from exc
        except UnicodeDecodeError as exc:
            raise ValidationError(
                str(source), "<file>", f"is not UTF-8 text (byte {exc.start}): a plan file is UTF-8 TOML"
            ) from exc
        except tomllib.TOMLDecodeError as exc:
            raise ValidationError(str(source), "<file>", f"is not valid TOML: {exc}") from exc
        return _Reader(str(source)).plan(data)


def plan_problems(plan: RolloutPlan) -> list[Problem]:
    """What the plan's values show cannot work, as ``(path, value, rule)``, by attribute path; pure.

    A stage's fleet that is not a fleet's ARN (a robot's, say), a fleet in
    two stages, ``$LATEST`` (a rollout deploys a numbered version), and
    whatever the API's own rules refuse in the application configs and each
    stage's deployment config (a percentage outside 1-100...).
    """
    problems: Problems = []
    problems += _api_problems("application_configs", "deploymentApplicationConfigs", plan.application_configs)
    counts = Counter(stage.fleet for stage in plan.stages)
    first: dict[str, int] = {}
    for index, stage in enumerate(plan.stages):
        where = f"stages[{index}]."
        problems += _fleet_problems(f"{where}fleet", stage.fleet)
        earlier = first.setdefault(stage.fleet, index)
        if earlier != index:
            rule = (
                f"appears {counts[stage.fleet]} times (first in stages[{earlier}]): a fleet is deployed once"
            )
            problems.append((f"{where}fleet", short(stage.fleet), rule))
        if stage.deployment_config is not None:
            problems += _api_problems(
                f"{where}deployment_config", "deploymentConfig", stage.deployment_config
            )
    return problems


_FLEET_ARN = re.compile(r"arn:[^:]+:robomaker:[^:]*:[^:]*:deployment-fleet/[^/]+/[^/]+")


def _fleet_problems(path: str, fleet: str) -> Problems:
    if _FLEET_ARN.fullmatch(fleet):
        return []
    kind = fleet.split(":", 5)[-1].split("/")[0] if fleet.startswith("arn:") else ""
    if kind == "robot":
        rule = (
            "is a robot's ARN, not a fleet's: a stage deploys to a fleet (give the robot a fleet of its own)"
        )
    else:
        rule = "must be a fleet's ARN (arn:aws:robomaker:REGION:ACCOUNT:deployment-fleet/NAME/ID)"
    return [(path, short(fleet), rule)]


def _api_problems(path: str, member: str, value: object) -> Problems:
    """What the service model's rules refuse in ``value`` (a model, or a tuple of them), by attribute path."""
    from .._converter import unstructure
    from .._wire.model import operation_model
    from .._wire.names import python_name
    from .._wire.validation import violations

    shape = operation_model("CreateDeploymentJob").input_shape
    assert shape is not None
    wire = unstructure(list(value) if isinstance(value, tuple) else value)
    problems: Problems = []
    for violation in violations(shape.members[member], wire):
        below = violation.dotted(python_name) if violation.path else ""
        where = path + ("" if not below else below if below[0] == "[" else f".{below}")
        rule = violation.rule
        if violation.path[-1:] == ("applicationVersion",) and violation.value == "'$LATEST'":
            rule = "must be a numbered version such as '3': a rollout deploys a numbered version, not $LATEST"
        problems.append((where, violation.value, rule))
    return problems


# -- reading a plan file ----------------------------------------------------------------------------------

#: Attribute paths as the file names them (``stages[2].deployment_config.concurrent_deployment_percentage``
#: is ``stages[2].concurrency`` there), so that every problem names the key to fix.
_FILE_KEYS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(attribute), key)
    for attribute, key in (
        (r"^application_configs\[0\]\.launch_config\.package_name", "application.package"),
        (r"^application_configs\[0\]\.launch_config\.environment_variables", "application.environment"),
        (r"^application_configs\[0\]\.launch_config\.", "application."),
        (r"^application_configs\[0\]\.application_version", "application.version"),
        (r"^application_configs\[0\]\.application", "application.arn"),
        (r"^(stages\[\d+\]\.)deployment_config\.concurrent_deployment_percentage", r"\1concurrency"),
        (r"^(stages\[\d+\]\.)deployment_config\.failure_threshold_percentage", r"\1failure_threshold"),
        (r"^(stages\[\d+\]\.)deployment_config\.robot_deployment_timeout_in_seconds", r"\1robot_timeout"),
        (r"^gate\.argv", "gate.command"),
    )
)


def _file_key(problem: str) -> str:
    """A problem (``path=value: rule``) with its attribute path restated as the file's key."""
    for pattern, key in _FILE_KEYS:
        renamed, count = pattern.subn(key, problem, count=1)
        if count:
            return renamed
    return problem


class _Reader:
    """Turns a plan file's tables into a plan, collecting every problem before raising them together."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []

    def fail(self, key: str, value: object, rule: str) -> None:
        self.problems.append(f"{key}={short(value)}: {rule}")

    def refuse(self) -> None:
        if self.problems:
            problems = [_file_key(problem) for problem in self.problems]
            raise ValidationError(self.source, "<plan>", "is not a valid rollout plan", problems)

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
        known = {
            "application",
            "stages",
            "abort",
            "retry",
            "rollback",
            "stage_timeout",
            "gate",
            "gate_timeout",
        }
        self.unknown(data, known, "")
        config = self.application(data.get("application"))
        stages = [self.stage(index, item) for index, item in enumerate(self.list_of(data, "stages"))]
        if not stages and isinstance(data.get("stages", []), list):
            self.fail("stages", None, "must list at least one [[stages]] table")
        abort = self.abort(data.get("abort"))
        retry = self.retry(data.get("retry"))
        rollback = self.take(data, "rollback", bool, "")
        timeout = self.take(data, "stage_timeout", (int, float), "")
        gate_timeout = self.take(data, "gate_timeout", (int, float), "")
        gate = self.gate(data.get("gate"))
        # Built even when parts are wrong, with stand-ins for them, so that the plan's own rules and
        # what only the whole plan shows are listed in the same round; the stand-ins' are dropped.
        missing = {f"stages[{index}]" for index, stage in enumerate(stages or [None]) if stage is None}
        if config is None:
            missing.add("application_configs[0]")
        plan: RolloutPlan | None = self.build(
            RolloutPlan,
            "",
            application_configs=[config or _STANDIN_CONFIG],
            stages=[stage or _standin(index) for index, stage in enumerate(stages)] or [_standin(0)],
            abort=abort,
            retry=retry,
            rollback=rollback,
            stage_timeout=timeout,
            gate=gate,
            gate_timeout=gate_timeout,
        )
        if plan is not None:
            for path, value, rule in plan_problems(plan):
                if path.split(".")[0] not in missing:
                    self.problems.append(f"{path}={value}: {rule}")
        self.refuse()
        assert plan is not None
        return plan

    def build(self, cls: type[T], where: str, **kwargs: Any) -> T | None:
        # What the file leaves out (``None``) is left to the class, so a plan read from a file and
        # one built in code get the same defaults.
        try:
            return cls(**{key: value for key, value in kwargs.items() if value is not None})
        except ValidationError as exc:
            self.problems.extend(f"{where}{problem}" for problem in exc.problems)
        except (TypeError, ValueError) as exc:
            self.fail(where.rstrip(".") or "plan", "<table>", str(exc))
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
            if value is None:
                self.fail(
                    "application", None, "is required: a table with arn, version, package and launch_file"
                )
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
        return self.build(
            DeploymentApplicationConfig,
            where,
            application=fields["arn"],
            application_version=str(version),
            launch_config=launch,
        )

    def stage(self, index: int, table: Mapping[str, Any]) -> Stage | None:
        where = f"stages[{index}]."
        known = {"fleet", "bake", "concurrency", "failure_threshold", "robot_timeout"}
        self.unknown(table, known, where)
        fleet = self.take(table, "fleet", str, where)
        if fleet is None and "fleet" not in table:
            self.fail(f"{where}fleet", None, "is required (the fleet's ARN)")
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
        if fleet is None:
            # Checked all the same, so that its other mistakes are listed too.
            self.build(Stage, where, fleet=_standin(index).fleet, deployment_config=config, bake=bake)
            return None
        return self.build(Stage, where, fleet=fleet, deployment_config=config, bake=bake)

    def abort(self, value: Any) -> AbortRule | None:
        table = self.table(value, "abort")
        if table is None:
            return None
        self.unknown(table, {"min_finished", "max_failed_percent"}, "abort.")
        finished = self.take(table, "min_finished", int, "abort.")
        percent = self.take(table, "max_failed_percent", (int, float), "abort.")
        if finished is None or percent is None:
            if "min_finished" not in table or "max_failed_percent" not in table:
                self.fail("abort", table, "needs both min_finished and max_failed_percent")
            return None
        return self.build(AbortRule, "abort.", min_finished=finished, max_failed_percent=percent)

    def retry(self, value: Any) -> RetryPolicy | None:
        table = self.table(value, "retry")
        if table is None:
            return None
        self.unknown(table, {"attempts", "backoff"}, "retry.")
        attempts = self.take(table, "attempts", int, "retry.")
        backoff = self.take(table, "backoff", (int, float), "retry.")
        return self.build(RetryPolicy, "retry.", attempts=attempts, backoff=backoff)

    def gate(self, value: Any) -> Gate | None:
        table = self.table(value, "gate")
        if table is None:
            return None
        self.unknown(table, {"command", "url", "expect_status", "timeout"}, "gate.")
        timeout = self.take(table, "timeout", (int, float), "gate.")
        if ("command" in table) == ("url" in table):
            self.fail("gate", table, "needs either command (a program) or url (an HTTP check), not both")
            return None
        if "url" in table:
            url = self.take(table, "url", str, "gate.")
            status = self.take(table, "expect_status", int, "gate.")
            if url is None:
                return None
            return self.build(HttpGate, "gate.", url=url, expect_status=status, timeout=timeout)
        if "expect_status" in table:
            self.fail("gate.expect_status", table["expect_status"], "goes with url, not with command")
        command = table["command"]
        if not isinstance(command, list) or not all(isinstance(part, str) for part in command):
            self.fail(
                "gate.command",
                command,
                'must be a list of strings, the program first (["./check.sh", "--strict"]); no shell runs it',
            )
            return None
        return self.build(CommandGate, "gate.", argv=command, timeout=timeout)


def _standin(index: int) -> Stage:
    """A stage standing in for a wrong one, so that the rest of the plan is still checked."""
    return Stage(fleet=f"arn:aws:robomaker:us-east-1:000000000000:deployment-fleet/standin-{index}/0")


_STANDIN_CONFIG = DeploymentApplicationConfig(
    application="arn:aws:robomaker:us-east-1:000000000000:robot-application/standin/0",
    application_version="1",
    launch_config=LaunchConfig(package_name="standin", launch_file="standin.launch"),
)


def _article(names: str) -> str:
    return ("an " if names[:1] in "aeiou" else "a ") + names
