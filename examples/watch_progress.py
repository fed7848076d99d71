"""Follow a running deployment robot by robot, with a rich progress bar per robot.

    python examples/watch_progress.py JOB_ARN

Uses ``watch_deployment_job``, which yields a snapshot of the job each time
its status or any robot's progress changes. Exits 0 if the job succeeded.
"""

from __future__ import annotations

import argparse
import sys

import anyio
from rich.progress import BarColumn, Progress, TaskID, TextColumn

from robomaker_deploy import DeploymentClient, DeploymentStatus


async def watch(job_arn: str, min_delay: float, max_delay: float) -> int:
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[step]}"))
    bars: dict[str, TaskID] = {}
    async with DeploymentClient() as client:
        final = await client.describe_deployment_job(job_arn)
        with Progress(*columns) as progress:
            async for job in client.watch_deployment_job(job_arn, min_delay=min_delay, max_delay=max_delay):
                for robot in job.robot_deployment_summary:
                    if robot.arn is None:
                        continue
                    if robot.arn not in bars:
                        bars[robot.arn] = progress.add_task(robot.arn.split("/")[1], total=100, step="")
                    detail = robot.progress_detail
                    step = str(detail.current_progress) if detail and detail.current_progress else ""
                    done = 100.0 if robot.status and robot.status.is_terminal else None
                    if done is None and detail is not None and detail.percent_done is not None:
                        done = detail.percent_done
                    progress.update(bars[robot.arn], completed=done or 0.0, step=f"{robot.status} {step}")
                final = job
    print(f"{final.arn}: {final.status}", f"({final.failure_code})" if final.failure_code else "")
    return 0 if final.status is DeploymentStatus.SUCCEEDED else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("job", help="deployment job ARN")
    parser.add_argument("--min-delay", type=float, default=2.0)
    parser.add_argument("--max-delay", type=float, default=30.0)
    args = parser.parse_args()
    return anyio.run(watch, args.job, args.min_delay, args.max_delay)


if __name__ == "__main__":
    sys.exit(main())
