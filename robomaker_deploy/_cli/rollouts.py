"""``robomaker-deploy rollout PLAN.toml``: a progressive rollout from the shell, and its live view.

The rollout itself is the SDK's (``client.rollout``); this module reads the
plan file, turns the plan's gate command into a gate (the stage's report as
JSON on the program's stdin, exit 0 to go on), shows each stage live, and
ends with the report as a table (or JSON) and the exit code of how it ended.
A checkpoint file is always kept (next to the plan unless ``--checkpoint``
says where), so that an interrupted rollout can be resumed with the command
it prints.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import click
from rich.table import Table

from .. import (
    DeploymentEvent,
    RolledBack,
    RolloutPlan,
    RolloutReport,
    StageAborted,
    StageEvent,
    StageRetried,
    StageStarted,
)
from .exits import EXIT_DEPLOYMENT_FAILED, EXIT_INTERRUPTED, EXIT_TIMEOUT, EXIT_USAGE, CliError, Failed
from .options import Polling, Settings, command
from .output import console, echo_json, to_json
from .progress import LiveProgress, PlainProgress, renderer

if TYPE_CHECKING:
    from rich.console import Console

    from .. import DeploymentClient

__all__ = ["COMMANDS", "RolloutView", "report_table"]


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
    name = type(event).__name__.removeprefix("Stage")
    return f"{where}: {name.lower() if name != 'Finished' else event.report.status}"


def report_table(report: RolloutReport) -> Table:
    """The report, one row per stage."""
    table = Table(title=f"Rollout {report.status}" + (f": {report.reason}" if report.reason else ""))
    for title in ("stage", "fleet", "status", "attempts", "updated", "failed", "retried", "rollback", "time"):
        table.add_column(title)
    for number, stage in enumerate(report.stages, 1):
        rollback = "-" if stage.rollback is None else str(stage.rollback.status or "running")
        table.add_row(
            str(number),
            stage.name,
            stage.status,
            str(len(stage.attempts)),
            str(len(stage.updated)),
            str(len(stage.failed)),
            str(len(stage.retried)),
            rollback if stage.note is None or stage.rollback else stage.note,
            f"{stage.duration.total_seconds():.0f}s",
        )
    return table


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


@command(waits=True)
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

    Each stage deploys to one fleet, bakes, and asks the plan's gate command
    (given the stage's report as JSON on stdin; exit 0 goes on). A failing,
    aborted or refused stage stops the rollout and, unless the plan says
    otherwise, deploys each changed fleet's previous version back. Run the
    same command again after an interruption: it resumes from the checkpoint.
    --timeout, when given, bounds each stage's deployment instead of the
    plan's stage_timeout. Exit codes: 0 every stage done, 1 stopped, 3 a
    stage timed out, 130 interrupted.
    """
    plan = RolloutPlan.from_toml(plan_file)
    source = click.get_current_context().get_parameter_source("timeout")
    if source is click.core.ParameterSource.COMMANDLINE:
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

    async def run(client: DeploymentClient) -> RolloutReport:
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
    try:
        report = settings.run(run)
    except KeyboardInterrupt:
        resume = f"robomaker-deploy rollout {plan_file} --checkpoint {saved}"
        raise CliError(
            f"interrupted; the checkpoint is saved. Resume with: {resume}", EXIT_INTERRUPTED
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
