"""Following a deployment job to its end, and exiting by how it ended.

``watch``, ``wait``, ``deploy --wait`` and ``sync --wait`` all end here: the
job is shown as it goes (live bars, plain lines, or JSON snapshots), then
summed up, and the exit code says whether it succeeded. ``deploy`` and
``sync`` also share what comes before: create a job, then either print it
or follow it (:func:`start`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import aclosing
from pathlib import Path
from typing import TYPE_CHECKING

import anyio

from .. import DeploymentJob, DeploymentStatus, DescribedDeploymentJob, WaitCheckpoint
from .._documents import write_atomic
from .exits import EXIT_DEPLOYMENT_FAILED, Failed
from .options import Polling, Settings
from .output import console, echo_json, event_json, show, to_json
from .progress import event_line, final_line, renderer, summary_table

if TYPE_CHECKING:
    from rich.console import Console

    from .. import DeploymentClient

__all__ = ["exit_for", "follow", "follow_events", "follow_to_end", "start"]


async def follow(
    client: DeploymentClient,
    job: DeploymentJob | str,
    settings: Settings,
    *,
    stream: bool,
    polling: Polling,
) -> DescribedDeploymentJob:
    """Wait for ``job`` to end, showing it as it goes; print the summary (or the JSON) at the end.

    ``stream``: with ``--json``, print every snapshot as one JSON line (watch)
    rather than only the final job (wait). The summary is drawn from the
    watch's :class:`DeploymentOutcome`.
    """
    out = console()
    watch = client.watch_deployment_job(job, **polling)
    async with aclosing(watch):
        if settings.json:
            async for snapshot in watch:
                if stream:
                    echo_json(to_json(snapshot), compact=True)
        else:
            with renderer(out) as view:
                async for snapshot in watch:
                    view.update(snapshot)
    outcome = watch.outcome()
    assert outcome is not None and isinstance(outcome.job, DescribedDeploymentJob), "a watch ends described"
    if settings.json:
        if not stream:
            echo_json(to_json(outcome.job))
    else:
        out.print(summary_table(outcome))
        out.print(final_line(outcome))
    return outcome.job


async def follow_events(
    client: DeploymentClient, job: str, settings: Settings, *, polling: Polling, checkpoint: Path | None
) -> DeploymentStatus:
    """Print each typed event of ``job`` (a line, or a JSON object with ``--json``) until it ends.

    With ``checkpoint``, the stream's position is saved there after each
    poll's events are printed (one write per poll, however many robots
    moved), and a run finding the file resumes from it: nothing printed
    before is printed again, but the events of the poll being printed when
    a run died can be.
    Returns how the job ended.
    """
    resume = None
    if checkpoint is not None and await anyio.Path(checkpoint).exists():
        resume = WaitCheckpoint.from_json(await anyio.Path(checkpoint).read_text())
    out = console()
    events = client.deployment_events(job, resume=resume, **polling)
    async with aclosing(events):
        async for poll in events.polls():
            for event in poll.events:
                if settings.json:
                    echo_json(event_json(event), compact=True)
                else:
                    out.print(event_line(event), markup=False, highlight=False)
            if checkpoint is not None:
                await anyio.to_thread.run_sync(write_atomic, checkpoint, poll.checkpoint.to_json())
    status = events.checkpoint().state.status
    assert status is not None  # the stream ran to the job's end, now or before the checkpoint
    if events.outcome is None and not settings.json:
        out.print(f"The job had already ended ({status.value}): nothing new since {checkpoint}.")
    return status


def exit_for(status: DeploymentStatus) -> None:
    """Exit 1 unless the job Succeeded (a clean return exits 0)."""
    if status is not DeploymentStatus.SUCCEEDED:
        raise Failed(EXIT_DEPLOYMENT_FAILED)


def follow_to_end(
    settings: Settings,
    job: str,
    *,
    stream: bool,
    polling: Polling,
    events: bool = False,
    checkpoint: Path | None = None,
) -> None:
    """Follow an existing job to its end, then exit by its outcome (``watch``, ``wait``)."""
    if events:
        exit_for(
            settings.run(
                lambda client: follow_events(client, job, settings, polling=polling, checkpoint=checkpoint)
            )
        )
        return
    exit_for(
        settings.run(lambda client: follow(client, job, settings, stream=stream, polling=polling)).status
    )


def start(
    settings: Settings,
    create: Callable[[DeploymentClient], Awaitable[DeploymentJob]],
    *,
    wait: bool,
    polling: Polling,
    hint: bool = False,
) -> None:
    """Create a job with ``create``; with ``wait`` follow it to its end, else print it (``deploy``, ``sync``).

    ``hint`` adds how to follow the job later to the printed job.
    """

    async def work(client: DeploymentClient) -> DeploymentJob:
        job = await create(client)
        if not wait:
            return job
        if not settings.json:
            console().print(f"Created {job.arn}")
        return await follow(client, job, settings, stream=False, polling=polling)

    job = settings.run(work)
    if wait:
        exit_for(job.status)
        return

    def human(out: Console) -> None:
        out.print(f"Created {job.arn} ({job.status.value})")
        if hint:
            out.print(f"Follow it with: robomaker-deploy watch {job.arn}", style="dim")

    show(settings, job, human)
