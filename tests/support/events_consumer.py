"""A process that consumes a job's events the way orchestration code should, for the crash test.

    python -m tests.support.events_consumer URL JOB LOG CHECKPOINT BACKEND

Each event is appended to LOG as one canonical line (no times: what it says
about the job and its robots), flushed to disk, and only then is the stream's
checkpoint saved to CHECKPOINT, atomically. Started again after a SIGKILL, it
resumes from CHECKPOINT: at most the event logged but not yet checkpointed is
logged again. Exits 0 once the job ended. It runs on anyio's BACKEND
(``asyncio`` or ``trio``, the crash test's own).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import anyio

from robomaker_deploy import (
    DeploymentEvent,
    JobEnded,
    JobStatusChanged,
    RobotEvent,
    RobotLeft,
    WaitCheckpoint,
)
from robomaker_deploy._documents import write_atomic
from tests.support.world import process_client


def line(event: DeploymentEvent) -> str:
    """What an event says, without when it was seen (two consumers of one job write the same lines)."""
    name = type(event).__name__
    if isinstance(event, JobStatusChanged):
        return f"{name} {event.previous} -> {event.status}"
    if isinstance(event, JobEnded):
        return f"{name} {event.outcome.job.status} failed={len(event.outcome.failed)}"
    if isinstance(event, RobotLeft):
        return f"{name} {event.arn}"
    assert isinstance(event, RobotEvent)
    return f"{name} {event.arn} {event.robot.status} {event.step} {event.robot.failure_code}"


async def consume(url: str, job: str, log: Path, saved: Path, resume: WaitCheckpoint | None) -> None:
    client = process_client(url)
    async with client:
        events = client.deployment_events(job, resume=resume, timeout=600)
        with log.open("a", encoding="utf-8") as out:
            async for event in events:
                out.write(line(event) + "\n")
                out.flush()
                os.fsync(out.fileno())
                write_atomic(saved, events.checkpoint().to_json())


if __name__ == "__main__":
    url, job, log, saved = sys.argv[1], sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
    resume = WaitCheckpoint.from_json(saved.read_text()) if saved.exists() else None
    anyio.run(consume, url, job, log, saved, resume, backend=sys.argv[5])
