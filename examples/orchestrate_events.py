"""Follow a deployment as typed events, surviving restarts: a checkpoint file after every event.

    python examples/orchestrate_events.py JOB_ARN --checkpoint job.json

Run it, kill it (Ctrl-C, SIGKILL, a redeploy of your service), run it again
with the same checkpoint file: it goes on where it was, with the original
deadline, without repeating the events it had handled (only the event being
handled when it was killed can come again). Connection settings come from
the environment as for any AWS tool (AWS_ENDPOINT_URL for the emulator).
Exits 0 if the deployment succeeded, 1 if not.
"""

from __future__ import annotations

import argparse
import sys
from contextlib import aclosing

import anyio

from robomaker_deploy import (
    DeploymentClient,
    JobEnded,
    JobStatusChanged,
    RobotFailed,
    RobotStarted,
    RobotStepChanged,
    RobotSucceeded,
    WaitCheckpoint,
)


def describe(event: object) -> str:
    """One line per event, as an orchestrator's log would have it."""
    match event:
        case JobStatusChanged(status=status):
            return f"job {status}"
        case RobotStarted(robot=robot):
            return f"{robot.arn}: started"
        case RobotStepChanged(robot=robot):
            return f"{robot.arn}: {robot.progress_detail.current_progress if robot.progress_detail else '-'}"
        case RobotSucceeded(robot=robot):
            return f"{robot.arn}: in sync"
        case RobotFailed(robot=robot) as failed:
            retry = "retryable" if failed.retryable else "not retryable"
            return f"{robot.arn}: failed with {failed.failure_code} ({failed.category}, {retry})"
        case JobEnded(outcome=outcome):
            return f"ended {outcome.summary}"
    return type(event).__name__


async def follow(args: argparse.Namespace) -> int:
    saved = anyio.Path(args.checkpoint)
    resume = WaitCheckpoint.from_json(await saved.read_text()) if await saved.exists() else None
    if resume is not None:
        print(f"resuming after {resume.polls} poll(s), deadline {resume.deadline}")
    async with DeploymentClient() as client:
        events = client.deployment_events(
            args.job, resume=resume, timeout=args.timeout, min_delay=args.min_delay, max_delay=args.max_delay
        )
        async with aclosing(events):
            async for event in events:
                print(describe(event), flush=True)
                # After handling the event: a crash from here on does not deliver it again. Written
                # aside, then renamed over the old one, so a crash mid-write leaves a whole file.
                aside = anyio.Path(f"{saved}.tmp")
                await aside.write_text(events.checkpoint().to_json())
                await aside.replace(saved)
                if isinstance(event, JobEnded):
                    return 0 if event.outcome.succeeded else 1
    return 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("job", help="the deployment job's ARN")
    parser.add_argument("--checkpoint", required=True, help="file to save the stream's position in")
    parser.add_argument("--timeout", type=float, default=3600.0)
    parser.add_argument("--min-delay", type=float, default=2.0)
    parser.add_argument("--max-delay", type=float, default=30.0)
    sys.exit(anyio.run(follow, parser.parse_args()))


if __name__ == "__main__":
    main()
