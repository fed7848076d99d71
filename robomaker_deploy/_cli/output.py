"""What the commands print: tables and a job's details for people, JSON for scripts (``--json``).

All JSON goes through one display converter: the models' snake_case field
names as keys, enum members as their values, times in ISO 8601, and the
value of every field that ``_wire.secrets`` calls secret masked (a map keeps
its keys). It is a cattrs converter whose hook for each model class is
generated once, with the secret fields decided then rather than on every
value: a watch printing a 1,000-robot job per change spends its time on the
service, not on the printing. It is built on first use, so ``--help`` does
not import cattrs.
"""

from __future__ import annotations

import enum
import functools
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar, get_origin

import attrs
import click
from rich.console import Console, OverflowMethod
from rich.table import Table

from .. import DescribedDeploymentJob, ProgressDetail, RobotDeployment
from .._wire.secrets import is_secret_field, mask
from .options import Settings

if TYPE_CHECKING:
    import cattrs

__all__ = [
    "Columns",
    "blank",
    "console",
    "detail",
    "echo_json",
    "percent",
    "print_job",
    "robot_label",
    "show",
    "show_listing",
    "table",
    "text",
    "to_json",
    "when",
]

T = TypeVar("T")

#: A table's columns: each a title and the function that makes an item's cell.
Columns = Sequence[tuple[str, Callable[[T], str]]]


def console() -> Console:
    """The console to print to: off a terminal (a pipe, a CI log) lines are not cut at 80 columns."""
    probe = Console()
    return Console(highlight=False, width=None if probe.is_terminal else 250)


# -- one value -------------------------------------------------------------------------------------


def text(value: object | None) -> str:
    """A value as a cell: ``-`` when there is none."""
    return "-" if value is None else str(value)


def blank(value: object | None) -> str:
    """A value as a cell that stays empty when there is none (a failure code)."""
    return "" if value is None else str(value)


def when(value: datetime | None) -> str:
    """A time in the local zone, to the second."""
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S") if value is not None else "-"


def percent(value: float | None) -> str:
    """A percentage without decimals, empty when unknown."""
    return f"{value:.0f}%" if value is not None else ""


_NO_DETAIL = ProgressDetail()


def detail(robot: RobotDeployment) -> ProgressDetail:
    """The robot's progress, all unknown when the service reported none."""
    return robot.progress_detail if robot.progress_detail is not None else _NO_DETAIL


def robot_label(arn: str | None, names: Mapping[str, str] | None = None) -> str:
    """A short name for a robot: from ``names`` if given, else the name part of its ARN."""
    if arn is None:
        return "?"
    if names and arn in names:
        return names[arn]
    # arn:aws:robomaker:<region>:<account>:robot/<name>/<id>
    parts = arn.split(":", 5)[-1].split("/")
    return parts[1] if len(parts) >= 2 and parts[0] == "robot" else arn


# -- JSON ------------------------------------------------------------------------------------------


def _plain(value: str) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _is_sequence(kind: Any) -> bool:
    origin = get_origin(kind) or kind
    return isinstance(origin, type) and issubclass(origin, (list, tuple))


def _is_mapping(kind: Any) -> bool:
    origin = get_origin(kind) or kind
    return isinstance(origin, type) and issubclass(origin, Mapping)


@functools.cache
def _converter() -> cattrs.Converter:
    import cattrs
    from cattrs.gen import make_dict_unstructure_fn, override

    conv = cattrs.Converter()
    # The service's enums are str subclasses, which cattrs would hand on as they are.
    conv.register_unstructure_hook(str, _plain)
    conv.register_unstructure_hook(datetime, datetime.isoformat)
    conv.register_unstructure_hook_func(_is_sequence, lambda items: [conv.unstructure(i) for i in items])
    conv.register_unstructure_hook_func(
        _is_mapping, lambda items: {str(key): conv.unstructure(item) for key, item in items.items()}
    )

    def model(cls: type[Any]) -> Callable[[Any], dict[str, Any]]:
        secret: dict[str, Any] = {
            f.name: override(unstruct_hook=mask) for f in attrs.fields(cls) if is_secret_field(f.name)
        }
        return make_dict_unstructure_fn(cls, conv, **secret)

    conv.register_unstructure_hook_factory(attrs.has, model)
    return conv


def to_json(value: Any) -> Any:
    """A model, or a list or dict of them, as JSON-ready data: snake_case keys, enum values, ISO 8601 times.

    A field whose repr the model redacts (a launch config's environment
    variables) keeps its keys and loses its values here too.
    """
    return _converter().unstructure(value)


def echo_json(value: Any, *, compact: bool = False) -> None:
    """Print JSON-ready data: indented, or ``compact`` on one line (one line per snapshot)."""
    click.echo(json.dumps(value, separators=(",", ":")) if compact else json.dumps(value, indent=2))


def show(settings: Settings, data: Any, human: Callable[[Console], object]) -> None:
    """Print ``data`` as JSON with ``--json``; else ``human`` prints it for people."""
    if settings.json:
        echo_json(to_json(data))
    else:
        human(console())


# -- tables ----------------------------------------------------------------------------------------


def table(items: Iterable[T], columns: Columns[T], *, overflow: OverflowMethod = "fold") -> Table:
    """``items`` as a table, one row each."""
    grid = Table()
    for title, _ in columns:
        grid.add_column(title, overflow=overflow)
    for item in items:
        grid.add_row(*(cell(item) for _, cell in columns))
    return grid


def show_listing(
    settings: Settings, key: str, page: tuple[Sequence[T], str | None], columns: Columns[T]
) -> None:
    """A page of a listing (:meth:`Settings.page`): ``{key: [...], "next_token": ...}`` with ``--json``.

    Else a table and, when the listing stopped short, how to go on.
    """
    items, token = page

    def human(out: Console) -> None:
        out.print(table(items, columns))
        if token is not None:
            out.print(f"More: add --starting-token {token}", style="dim")

    show(settings, {key: items, "next_token": token}, human)


_ROBOT_COLUMNS: Columns[RobotDeployment] = (
    ("robot", lambda robot: robot_label(robot.arn)),
    ("status", lambda robot: text(robot.status)),
    ("step", lambda robot: text(detail(robot).current_progress)),
    ("done", lambda robot: percent(detail(robot).percent_done)),
    ("failure code", lambda robot: blank(robot.failure_code)),
)


def print_job(out: Console, job: DescribedDeploymentJob) -> None:
    """A job's status, launch config (environment values hidden), rollout and every robot's progress."""
    out.print(f"[bold]{job.arn}[/bold]")
    out.print(f"  fleet:    {job.fleet}")
    out.print(f"  status:   {job.status.value}")
    out.print(f"  created:  {when(job.created_at)}")
    if job.failure_code is not None:
        out.print(f"  failure:  {job.failure_code.value}: {job.failure_code.description}")
    if job.failure_reason:
        out.print(f"  reason:   {job.failure_reason}")
    for config in job.deployment_application_configs:
        launch = config.launch_config
        out.print(f"  app:      {config.application} version {config.application_version}")
        out.print(f"  launch:   {launch.package_name} {launch.launch_file}")
        if launch.pre_launch_file:
            out.print(f"  pre:      {launch.pre_launch_file}")
        if launch.post_launch_file:
            out.print(f"  post:     {launch.post_launch_file}")
        if launch.environment_variables:
            # Keys only: the values are often secrets.
            out.print(f"  env:      {', '.join(sorted(launch.environment_variables))} (values hidden)")
    cfg = job.deployment_config
    if cfg is not None:
        out.print(
            f"  rollout:  {text(cfg.concurrent_deployment_percentage)}% at once,"
            f" fail above {text(cfg.failure_threshold_percentage)}%,"
            f" robot timeout {text(cfg.robot_deployment_timeout_in_seconds)}s"
        )
    if job.robot_deployment_summary:
        out.print(table(job.robot_deployment_summary, _ROBOT_COLUMNS, overflow="ellipsis"))
