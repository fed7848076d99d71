"""Showing a deployment as it happens: live per-robot bars on a terminal, plain lines elsewhere.

The renderers only draw the :class:`DescribedDeploymentJob` snapshots they are handed
(``watch_deployment_job`` yields them); they never call the service. On a
terminal every robot gets a bar (its step, percent done and time remaining,
as the service reports them); when output goes to a file or a pipe, one line
is printed per change of status or step, so a CI log stays readable.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from types import TracebackType
from typing import Any, Protocol

from rich.console import Console
from rich.progress import BarColumn, Progress, Task, TaskID, TextColumn
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from .. import (
    DeploymentEvent,
    DeploymentOutcome,
    DeploymentStatus,
    DescribedDeploymentJob,
    JobEnded,
    JobStatusChanged,
    RobotDeployment,
    RobotEvent,
    RobotFailed,
    RobotLeft,
    RobotStatus,
)
from .output import blank, detail, percent, robot_label, text

__all__ = [
    "LiveProgress",
    "PlainProgress",
    "ProgressRenderer",
    "event_line",
    "final_line",
    "renderer",
    "summary_table",
]

_STATUS_STYLE = {
    RobotStatus.IN_SYNC: "green",
    RobotStatus.FAILED: "red",
    RobotStatus.NO_RESPONSE: "red",
    RobotStatus.DEPLOYING: "cyan",
    DeploymentStatus.SUCCEEDED: "bold green",
    DeploymentStatus.FAILED: "bold red",
    DeploymentStatus.CANCELED: "bold yellow",
}


def _style(status: object) -> str:
    return _STATUS_STYLE.get(status, "") if isinstance(status, (RobotStatus, DeploymentStatus)) else ""


def _robots_line(job: DescribedDeploymentJob) -> str:
    robots = job.robot_deployment_summary
    done = sum(1 for r in robots if r.status.is_terminal)
    failed = sum(1 for r in robots if r.status.is_failed)
    return f"{done}/{len(robots)} robots done" + (f", {failed} failed" if failed else "")


def _job_line(job: DescribedDeploymentJob) -> str:
    return f"job {job.status.value}: {_robots_line(job)}"


class ProgressRenderer(Protocol):
    """Draws successive snapshots of one deployment job."""

    def __enter__(self) -> ProgressRenderer: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def update(self, job: DescribedDeploymentJob) -> None:
        """Show ``job``, the latest snapshot."""


class _RobotBar(BarColumn):
    """A bar whose colour follows the robot's status; indeterminate while a step reports no percentage."""

    def render(self, task: Task) -> ProgressBar:
        status = task.fields.get("status")
        style = _style(status) or "cyan"
        self.complete_style = style
        self.finished_style = style
        return super().render(task)


#: Every field the columns read, so a refresh between adding and updating a task finds them all.
_BLANK: dict[str, Any] = {"percent": "", "status": "", "step": "", "eta": ""}


class LiveProgress:
    """Live bars, one per robot, under a line with the job's status (for terminals)."""

    def __init__(self, console: Console, names: Mapping[str, str] | None = None) -> None:
        self._names = names
        self._progress = Progress(
            TextColumn("{task.description}", style="bold"),
            _RobotBar(bar_width=30),
            TextColumn("{task.fields[percent]:>6}"),
            TextColumn("{task.fields[status]:<20}"),
            TextColumn("{task.fields[step]:<28}"),
            TextColumn("{task.fields[eta]}", style="dim"),
            console=console,
            refresh_per_second=10,
            transient=False,
        )
        self._job_task: TaskID | None = None
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> LiveProgress:
        self._progress.__enter__()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._progress.__exit__(exc_type, exc, tb)

    def update(self, job: DescribedDeploymentJob) -> None:
        robots = job.robot_deployment_summary
        done = sum(1 for r in robots if r.status.is_terminal)
        total = max(1, len(robots))
        status, summary = job.status.value, _robots_line(job)
        if self._job_task is None:
            self._job_task = self._progress.add_task("job", total=total, **_BLANK)
        completed = total if job.status.is_terminal else done
        self._progress.update(self._job_task, total=total, completed=completed, status=status, step=summary)
        for robot in robots:
            self._update_robot(robot)
        # Draw every snapshot, even those that arrive between two timed refreshes.
        self._progress.refresh()

    def _update_robot(self, robot: RobotDeployment) -> None:
        progress = detail(robot)
        done, eta = progress.percent_done, progress.estimated_time_remaining_seconds
        finished = robot.status.is_terminal
        if finished:
            total: float | None = 100.0
            completed = 100.0
        elif done is not None:
            total, completed = 100.0, done
        elif robot.status == RobotStatus.DEPLOYING:
            total, completed = None, 0.0  # a step without a percentage: the bar pulses
        else:
            total, completed = 100.0, 0.0  # waiting for a slot
        task = self._tasks.get(robot.arn)
        if task is None:
            task = self._progress.add_task(robot_label(robot.arn, self._names), total=total, **_BLANK)
            self._tasks[robot.arn] = task
        self._progress.update(
            task,
            total=total,
            completed=completed,
            percent="" if finished else percent(done),
            status=text(robot.status),
            step=blank(progress.current_progress),
            eta=f"{eta}s left" if eta is not None and not finished else "",
        )


class PlainProgress:
    """One plain line per change of the job's status or a robot's status or step (for logs and pipes)."""

    def __init__(self, console: Console, names: Mapping[str, str] | None = None) -> None:
        self._console = console
        self._names = names
        self._job_status: DeploymentStatus | None = None
        self._seen: dict[str, tuple[str, str]] = {}

    def __enter__(self) -> PlainProgress:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    def _print(self, text: str) -> None:
        now = datetime.now(timezone.utc).strftime("%H:%M:%S")
        self._console.print(f"{now} {text}", highlight=False, markup=False, soft_wrap=True)

    def update(self, job: DescribedDeploymentJob) -> None:
        # The job's line comes first, except its final one: that sums up the robots' lines before it.
        announce = job.status != self._job_status
        self._job_status = job.status
        if announce and not job.status.is_terminal:
            self._print(_job_line(job))
        self._update_robots(job)
        if announce and job.status.is_terminal:
            self._print(_job_line(job))

    def _update_robots(self, job: DescribedDeploymentJob) -> None:
        for robot in job.robot_deployment_summary:
            step = detail(robot).current_progress
            state = (text(robot.status), text(step))
            if self._seen.get(robot.arn) == state:
                continue
            self._seen[robot.arn] = state
            line = f"{robot_label(robot.arn, self._names)}: {state[0]}"
            if step is not None:
                line += f" ({state[1]})"
            if robot.failure_code is not None:
                line += f" {robot.failure_code.value}"
            self._print(line)


def renderer(console: Console, names: Mapping[str, str] | None = None) -> LiveProgress | PlainProgress:
    """Live bars when ``console`` is a terminal, plain lines otherwise."""
    if console.is_terminal and not console.is_dumb_terminal:
        return LiveProgress(console, names)
    return PlainProgress(console, names)


def summary_table(
    outcome: DeploymentOutcome,
    names: Mapping[str, str] | None = None,
    extra: Mapping[str, Mapping[str, str]] | None = None,
) -> Table:
    """Each robot's final status, failure code and what the code means, from a wait's outcome.

    ``extra`` adds columns: column title -> (robot ARN -> cell). The caption
    sums the outcome up: polls and time, and the failures by category with
    how many of them a retry may fix.
    """
    table = Table(title=f"Deployment {outcome.job.arn}", title_justify="left")
    table.add_column("robot", style="bold")
    for title in extra or {}:
        table.add_column(title)
    table.add_column("status")
    table.add_column("failure code")
    table.add_column("what it means")
    for robot in outcome.robots:
        code = robot.failure_code
        cells = [robot_label(robot.arn, names)]
        cells += [column.get(robot.arn, "") for column in (extra or {}).values()]
        table.add_row(
            *cells,
            Text(text(robot.status), style=_style(robot.status)),
            blank(code),
            code.description if code is not None else "",
        )
    categories = ", ".join(f"{len(r)} {c.value}" for c, r in outcome.failed_by_category.items())
    failures = f"; failed: {categories} ({len(outcome.retryable)} retryable)" if categories else ""
    table.caption = f"{outcome.polls} poll(s) in {outcome.elapsed:.1f}s{failures}"
    table.caption_justify = "left"
    return table


def final_line(outcome: DeploymentOutcome) -> Text:
    """The job's final status, with its failure code and reason when it failed."""
    job = outcome.job
    line = Text("Job ")
    line.append(job.status.value, style=_style(job.status))
    if job.failure_code is not None:
        line.append(f" with {job.failure_code.value}: {job.failure_code.description}")
    if job.failure_reason:
        line.append(f" ({job.failure_reason})")
    return line


def event_line(event: DeploymentEvent) -> str:
    """One plain line for a typed event (``watch --events``)."""
    if isinstance(event, JobStatusChanged):
        return f"job {event.status.value}"
    if isinstance(event, JobEnded):
        return f"job ended {event.outcome.summary}"
    if isinstance(event, RobotLeft):
        return f"{robot_label(event.arn)}: left the fleet"
    assert isinstance(event, RobotEvent)
    where = f"{robot_label(event.arn)}: {event.robot.status.value}"
    if isinstance(event, RobotFailed):
        retry = "retryable" if event.retryable else "not retryable"
        return f"{where} {blank(event.failure_code)} ({event.category.value}, {retry})"
    return f"{where} ({event.step.value})" if event.step is not None else where
