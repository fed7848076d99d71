"""Roll a version out across fleets from a plan file, with a gate between stages.

    python examples/rollout.py plan.toml --checkpoint rollout.json

The plan file lists the application version and the fleets in order (see
the Rollouts guide). Between stages, the gate below lets the rollout go on
only if the stage left no robot failed. With a checkpoint file, a rollout
that was interrupted goes on where it stopped when run again. Connection
settings come from the environment (AWS_ENDPOINT_URL for the emulator).
Exits 0 if every stage went through, 1 if the rollout stopped.
"""

from __future__ import annotations

import argparse
import sys

import anyio

from robomaker_deploy import (
    DeploymentClient,
    RolledBack,
    RolloutFinished,
    RolloutPlan,
    StageAborted,
    StageEvent,
    StageReport,
    StageRetried,
)


async def no_failed_robots(stage: StageReport) -> bool:
    """The gate: go on only if the stage's fleet is entirely on the new version."""
    return not stage.failed


async def roll_out(args: argparse.Namespace) -> int:
    plan = RolloutPlan.from_toml(args.plan)
    async with DeploymentClient() as client:
        rollout = client.rollout(
            plan,
            checkpoint=args.checkpoint,
            gate=no_failed_robots,
            min_delay=args.min_delay,
            max_delay=args.max_delay,
        )
        async with rollout:
            async for event in rollout:
                if isinstance(event, StageRetried):
                    robots = len(event.robots)
                    print(f"stage {event.stage + 1} ({event.report.name}): retrying {robots} robot(s)")
                elif isinstance(event, StageAborted):
                    print(f"stage {event.stage + 1}: aborted, {event.failed} of {event.finished} failed")
                elif isinstance(event, RolledBack):
                    print(f"stage {event.stage + 1} ({event.report.name}): rolled back")
                elif isinstance(event, StageEvent):
                    print(f"stage {event.stage + 1} ({event.report.name}): {type(event).__name__}")
                elif isinstance(event, RolloutFinished):
                    report = event.report
                    print(f"rollout {report.status}" + (f": {report.reason}" if report.reason else ""))
                    for stage in report.stages:
                        print(f"  {stage.name}: {stage.status}, {len(stage.attempts)} attempt(s)")
                    return 0 if report.succeeded else 1
    return 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("plan", help="the plan file (TOML)")
    parser.add_argument("--checkpoint", help="file that keeps the rollout's state across restarts")
    parser.add_argument("--min-delay", type=float, default=2.0)
    parser.add_argument("--max-delay", type=float, default=30.0)
    sys.exit(anyio.run(roll_out, parser.parse_args()))


if __name__ == "__main__":
    main()
