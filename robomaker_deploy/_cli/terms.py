"""The SDK's names in the command line's terms: the flag that fed each argument, the command for each method.

A :class:`ValidationError` names what the SDK was handed (``max_items=-3``,
``application_configs[0].launch_config.package_name=''``) and its rule may
mention an SDK method (``create_robot_application_version()``). Someone at
the shell typed flags and commands, so each problem is restated with the flag
(or argument) that fed it and the command to run instead:
``--max-items=-3``, ``'robomaker-deploy app create-version'``. Every problem
is listed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import click

from .. import ValidationError

__all__ = ["METHODS", "Flags", "restate"]

Flags = Mapping[str, str]
"""SDK argument path (``application_configs[0].application``) -> the flag or ARGUMENT that fed it."""

#: The client's methods and the command that does the same (``app create-version``), for rules that
#: name a method: the command line's user reads the command instead.
METHODS: Mapping[str, str] = {
    "create_deployment_job": "deploy",
    "describe_deployment_job": "describe",
    "list_deployment_jobs": "list",
    "watch_deployment_job": "watch",
    "wait_for_deployment_job": "wait",
    "wait_for_fleet_in_sync": "wait --fleet",
    "sync_deployment_job": "sync",
    "cancel_deployment_job": "cancel",
    "list_fleets": "fleets",
    "list_robots": "robots",
    "list_robot_applications": "apps",
    "create_fleet": "fleet create",
    "delete_fleet": "fleet delete",
    "register_robot": "fleet register",
    "deregister_robot": "fleet deregister",
    "create_robot": "robot create",
    "delete_robot": "robot delete",
    "create_robot_application": "app create",
    "create_robot_application_version": "app create-version",
    "delete_robot_application": "app delete",
}

_METHOD = re.compile(r"\b([a-z][a-z0-9_]*)\(\)")
#: An SDK name in a rule's text (``fleet_name``, ``min_delay``): snake_case with at least one underscore,
#: so that plain words of the rule ("fleet", "status") are left alone.
_SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def restate(exc: ValidationError, ctx: click.Context, flags: Flags) -> str:
    """``exc`` as one line about the command ``ctx`` runs: every problem, named by flag."""
    names = {**own_flags(ctx.command), **flags}
    root = ctx.find_root().info_name or "robomaker-deploy"
    first = f"{_head(exc.field, names)}={exc.value}: {_words(exc.rule, names, root)}"
    # The other problems are `name=value: rule` strings; only their name is restated, as the value
    # (a repr of anything the user typed) cannot be told apart from the rule reliably.
    details = "; ".join(_head(problem, names) for problem in exc.details)
    # After a summary (a plan file) the whole list follows; after a first problem, the others.
    joiner = ": " if exc.details == exc.problems else "; "
    said = f"{first}{joiner}{details}" if details else first
    return f"invalid input to '{ctx.command_path}': {said} (see '{ctx.command_path} --help')."


def own_flags(command: click.Command) -> dict[str, str]:
    """A command's parameters as ``{python name: what the user types}``: ``--max-items``, ``JOB_ARN``."""
    found: dict[str, str] = {}
    for param in command.params:
        if param.name is None:
            continue
        if isinstance(param, click.Option):
            long = [opt for opt in param.opts if opt.startswith("--")]
            found[param.name] = max(long or param.opts, key=len)
        elif isinstance(param, click.Argument):
            found[param.name] = param.metavar or param.name.upper()
    return found


def _head(text: str, names: Flags) -> str:
    """``text`` with the SDK argument path it starts with replaced by its flag (the longest that fits)."""
    for name in sorted(names, key=len, reverse=True):
        rest = text[len(name) :]
        if text.startswith(name) and (not rest or rest[0] in "=.["):
            # A member below a flag's value (a map key of --env, a field of one --source) follows it.
            return names[name] + (" " + rest[1:] if rest.startswith(".") else rest)
    return text


def _words(rule: str, names: Flags, root: str) -> str:
    """A rule's text with SDK method and argument names replaced by commands and flags."""

    def method(match: re.Match[str]) -> str:
        command = METHODS.get(match[1])
        return f"'{root} {command}'" if command is not None else match[0]

    rule = _METHOD.sub(method, rule)
    return _SNAKE.sub(lambda match: names.get(match[0], match[0]), rule)
