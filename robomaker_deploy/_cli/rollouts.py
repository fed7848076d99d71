"""``robomaker-deploy rollout PLAN.toml``: a progressive rollout from the shell, and its live view.

The rollout itself is the SDK's (``client.rollout``, its gate included);
this module reads the plan file, shows each stage live, and ends with the
report as a table (or JSON) and the exit code of how it ended. A checkpoint
file is always kept (next to the plan unless ``--checkpoint`` says where),
so that an interrupted rollout can be resumed with the command it prints.
Ctrl-C and SIGTERM both cancel the rollout (a gate program's process group
is killed with it), and the printed command repeats every option given.
"""

from __future__ import annotations

import enum
import re
import shlex
import signal
from collections import Counter
from collections.abc import Awaitable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import anyio
import attrs
import click
from click.core import ParameterSource
from rich.table import Table

from .. import (
    DeploymentEvent,
    GateRefused,
    RolledBack,
    RolloutPlan,
    RolloutReport,
    StageAborted,
    StageEvent,
    StageFinished,
    StageRetried,
    StageStarted,
)
from .exits import EXIT_DEPLOYMENT_FAILED, EXIT_INTERRUPTED, EXIT_TIMEOUT, EXIT_USAGE, CliError, Failed
from .options import Polling, Settings, command, settings_of
from .output import console, echo_json, to_json
from .progress import LiveProgress, PlainProgress, renderer

if TYPE_CHECKING:
    from rich.console import Console

    from .. import DeploymentClient

__all__ = ["COMMANDS", "RolloutView", "report_table", "resume_command"]

T = TypeVar("T")


class RolloutView:
    """Stage lines, and live progress of the job each stage is running (one renderer per job)."""

    def __init__(self, out: Console, quiet: bool) -> None:
        self._out = out
        self._quiet = quiet
        self._view: LiveProgress | PlainProgress | None = None
        self._job: str | None = None

    def show(self, event: object) -> None:
        if self._quiet:
            return
        if isinstance(event, DeploymentEvent):
            if event.job != self._job:
                self.close()
                self._job = event.job
                self._view = renderer(self._out)
                self._view.__enter__()
            assert self._view is not None
            self._view.update(event.snapshot)
        elif isinstance(event, StageEvent):
            self.close()
            self._out.print(_line(event))

    def close(self) -> None:
        if self._view is not None:
            self._view.__exit__(None, None, None)
            self._view = None
            self._job = None


def _line(event: StageEvent) -> str:
    where = f"stage {event.stage + 1} ({event.report.name})"
    if isinstance(event, StageStarted):
        return f"{where}: deploying, job {event.attempt.job}"
    if isinstance(event, StageRetried):
        return f"{where}: retrying {len(event.robots)} robot(s) that failed for a transient reason"
    if isinstance(event, StageAborted):
        return f"{where}: aborting, {event.failed} of the first {event.finished} robot(s) failed"
    if isinstance(event, RolledBack):
        return f"{where}: rolled back to its previous version ({event.attempt.status})"
    if isinstance(event, GateRefused) and event.report.note:
        return f"{where}: {event.report.note}"  # the gate's own words: refused, timed out, killed...
    if isinstance(event, StageFinished):
        return f"{where}: {event.report.status.replace('_', ' ')}"
    return f"{where}: {_words(type(event).__name__.removeprefix('Stage'))}"


def _words(name: str) -> str:
    """A class name as words: ``GatePassed`` is "gate passed"."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()


def report_table(report: RolloutReport) -> Table:
    """The report, one row per stage; why each stage ended as it did is a line below the table."""
    notes = [
        f"stage {number} ({stage.name}): {stage.note}"
        for number, stage in enumerate(report.stages, 1)
        if stage.note
    ]
    table = Table(
        title=f"Rollout {report.status.replace('_', ' ')}" + (f": {report.reason}" if report.reason else ""),
        caption="\n".join(notes) or None,
        caption_justify="left",
    )
    for title in ("stage", "fleet", "status", "attempts", "updated", "failed", "retried", "rollback", "time"):
        table.add_column(title)
    for number, stage in enumerate(report.stages, 1):
        rollback = "-" if stage.rollback is None else str(stage.rollback.status or "running")
        table.add_row(
            str(number),
            stage.name,
            stage.status.replace("_", " "),
            str(len(stage.attempts)),
            str(len(stage.updated)),
            str(len(stage.failed)),
            str(len(stage.retried)),
            rollback,
            f"{stage.duration.total_seconds():.0f}s",
        )
    return table


def resume_command(ctx: click.Context, checkpoint: Path) -> str:
    """The command line that resumes this rollout: every argument and option given, and its checkpoint.

    Read off the command's own parameters (and the group's, given before
    the command's name), so that an option added later is repeated too: a
    resume without ``--min-delay`` or ``--timeout`` would not run as the
    rollout it continues.
    """
    settings = settings_of(ctx)
    root = ctx.find_root()
    arguments: list[str] = []
    options: dict[str, list[str]] = {}
    for level in dict.fromkeys((ctx, root)):  # the command's values first: they win over the group's
        for param in level.command.params:
            name = param.name
            if (
                name is None
                or name in options
                or level.get_parameter_source(name) is not ParameterSource.COMMANDLINE
            ):
                continue
            # The connection options keep their values in the Settings, not in the parameters.
            value = level.params[name] if name in level.params else getattr(settings, name)
            if isinstance(param, click.Argument):
                arguments.extend(_spelled(item) for item in (value if param.multiple else [value]))
            elif isinstance(param, click.Option):
                options[name] = _option_words(param, value)
    options["checkpoint"] = ["--checkpoint", str(checkpoint)]
    words = [*ctx.command_path.split(), *arguments]
    return shlex.join(words + [word for given in options.values() for word in given])


def _option_words(param: click.Option, value: object) -> list[str]:
    flag = max((opt for opt in param.opts if opt.startswith("--")), key=len, default=param.opts[0])
    if param.is_flag:
        return [flag] if value else list(param.secondary_opts[:1])
    values = value if param.multiple and isinstance(value, (list, tuple)) else [value]
    return [word for item in values for word in (flag, _spelled(item))]


def _spelled(value: object) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)  # as typed: 600, 0.01
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(part, str) for part in value):
        return f"{value[0]}={value[1]}"  # a KEY=VALUE pair, as typed
    return str(value)


async def _dry_run(client: DeploymentClient, plan: RolloutPlan, out: Console) -> int:
    inspection = await client.check_rollout(plan)
    for number, (stage, fleet) in enumerate(zip(plan.stages, inspection.fleets, strict=True), 1):
        robots = fleet.robots or () if fleet is not None else ()
        kinds = Counter(robot.architecture.value for robot in robots)
        by_arch = ", ".join(f"{count} {arch}" for arch, count in sorted(kinds.items())) or "no robots"
        out.print(f"stage {number}: {stage.name} ({by_arch}), bake {stage.bake:g}s")
    if not inspection.problems:
        out.print("No problems found.")
        return 0
    out.print(f"{len(inspection.problems)} problem(s):")
    for problem in inspection.problems:
        out.print(f"  - {problem}", markup=False)
    return EXIT_USAGE


class _Signalled(Exception):
    """SIGINT or SIGTERM arrived, and the rollout was cancelled."""

    def __init__(self, number: int) -> None:
        self.name = signal.Signals(number).name
        super().__init__(self.name)


async def _until_signalled(work: Awaitable[T]) -> T:
    """Await ``work``, cancelled by SIGINT or SIGTERM (then :class:`_Signalled`).

    A cancellation, not an exception thrown in: the rollout's state is on
    disk before each step, and a gate program's process group is killed
    before the cancellation goes on, so nothing is left running.
    """
    caught: list[int] = []
    outcome: list[T] = []
    failure: list[Exception] = []
    async with anyio.create_task_group() as tasks:
        with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:

            async def listen() -> None:
                async for number in signals:
                    caught.append(number)
                    tasks.cancel_scope.cancel()
                    return

            tasks.start_soon(listen)
            try:
                outcome.append(await work)
            except Exception as exc:  # raised after the group, unwrapped (not an ExceptionGroup)
                failure.append(exc)
            tasks.cancel_scope.cancel()
    if failure:
        raise failure[0]
    if outcome:
        return outcome[0]
    raise _Signalled(caught[0])


@command(waits=True, flags={"stage_timeout": "--timeout"})
@click.argument("plan_file", metavar="PLAN.toml", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--checkpoint",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File that keeps the rollout's state (default: PLAN.rollout.json beside the plan).",
)
@click.option("--dry-run", is_flag=True, help="Check the plan and show its stages; change nothing.")
def rollout(
    settings: Settings, plan_file: Path, checkpoint: Path | None, dry_run: bool, polling: Polling
) -> None:
    """Roll an application version out across fleets, stage by stage, from a plan file.

    Each stage deploys to one fleet, bakes, and asks the plan's gate (a
    program given the stage's report as JSON on stdin, exit 0 goes on; or an
    HTTP check). A failing, aborted or refused stage stops the rollout and,
    unless the plan says otherwise, deploys each changed fleet's previous
    version back. Ctrl-C or SIGTERM stops it (a gate program is killed with
    its children) and prints the command that resumes it from the
    checkpoint. --timeout, when given, bounds each stage's deployment
    instead of the plan's stage_timeout. Exit codes: 0 every stage done, 1
    stopped, 3 a stage timed out, 130 interrupted.
    """
    plan = RolloutPlan.from_toml(plan_file)
    source = click.get_current_context().get_parameter_source("timeout")
    if source is ParameterSource.COMMANDLINE:
        plan = attrs.evolve(plan, stage_timeout=polling["timeout"])  # --timeout bounds each stage
    out = console()
    if dry_run:
        code = settings.run(lambda client: _dry_run(client, plan, out))
        if code:
            raise Failed(code)
        return
    saved = checkpoint or plan_file.with_suffix(".rollout.json")
    view = RolloutView(out, quiet=settings.json)

    events = 0

    async def follow(client: DeploymentClient) -> RolloutReport:
        nonlocal events
        running = client.rollout(
            plan, checkpoint=saved, min_delay=polling["min_delay"], max_delay=polling["max_delay"]
        )
        async with running:
            async for event in running:
                events += 1
                view.show(event)
            return await running.result()

    resuming = saved.exists()
    if not settings.json:
        verb = "Resuming" if resuming else "Rolling out"
        out.print(f"{verb} {plan_file} (checkpoint {saved})")
    ctx = click.get_current_context()
    try:
        report = settings.run(lambda client: _until_signalled(follow(client)))
    except (KeyboardInterrupt, _Signalled) as exc:
        how = "interrupted" if not isinstance(exc, _Signalled) else f"interrupted by {exc.name}"
        raise CliError(
            f"{how}; the checkpoint is saved. Resume with: {resume_command(ctx, saved)}", EXIT_INTERRUPTED
        ) from None
    finally:
        view.close()
    if resuming and events == 1:
        # Nothing ran: the checkpoint is of a rollout that had ended. Say so, or a second run of the
        # same command would look like a rollout that did nothing.
        click.echo(
            f"note: this rollout had already ended (checkpoint {saved}); its report is shown again."
            f" To roll out again, delete {saved} or pass another --checkpoint.",
            err=True,
        )
    if settings.json:
        echo_json(to_json(report))
    else:
        out.print(report_table(report))
    if report.status == "timed_out":
        raise Failed(EXIT_TIMEOUT)
    if not report.succeeded:
        raise Failed(EXIT_DEPLOYMENT_FAILED)


#: The group lists its commands by name.
COMMANDS = (rollout,)
