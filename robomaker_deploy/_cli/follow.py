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
from typing import TYPE_CHECKING

from .. import DeploymentJob, DeploymentStatus, DescribedDeploymentJob
from .exits import EXIT_DEPLOYMENT_FAILED, Failed
from .options import Polling, Settings
from .output import console, echo_json, show, to_json
from .progress import final_line, renderer, summary_table

if TYPE_CHECKING:
    from rich.console import Console

    from .. import DeploymentClient

__all__ = ["exit_for", "follow", "follow_to_end", "start"]


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
    rather than only the final job (wait).
    """
    out = console()
    final: DescribedDeploymentJob | None = None
    if settings.json and not stream:
        final = await client.wait_for_deployment_job(job, **polling)
    elif settings.json:
        async with aclosing(client.watch_deployment_job(job, **polling)) as snapshots:
            async for snapshot in snapshots:
                echo_json(to_json(snapshot), compact=True)
                final = snapshot
    else:
        async with aclosing(client.watch_deployment_job(job, **polling)) as snapshots:
            with renderer(out) as view:
                async for snapshot in snapshots:
                    view.update(snapshot)
                    final = snapshot
    assert final is not None, "watch_deployment_job ended without a snapshot"
    if settings.json:
        if not stream:
            echo_json(to_json(final))
    else:
        out.print(summary_table(final))
        out.print(final_line(final))
    return final


def exit_for(job: DeploymentJob) -> None:
    """Exit 1 unless the job Succeeded (a clean return exits 0)."""
    if job.status != DeploymentStatus.SUCCEEDED:
        raise Failed(EXIT_DEPLOYMENT_FAILED)


def follow_to_end(settings: Settings, job: str, *, stream: bool, polling: Polling) -> None:
    """Follow an existing job to its end, then exit by its outcome (``watch``, ``wait``)."""
    exit_for(settings.run(lambda client: follow(client, job, settings, stream=stream, polling=polling)))


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
        exit_for(job)
        return

    def human(out: Console) -> None:
        out.print(f"Created {job.arn} ({job.status.value})")
        if hint:
            out.print(f"Follow it with: robomaker-deploy watch {job.arn}", style="dim")

    show(settings, job, human)
