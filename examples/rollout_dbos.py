"""Roll a version out across fleets as a DBOS workflow, with its state in a SQLite file.

    python examples/rollout_dbos.py plan.toml --database rollouts.sqlite

Needs ``pip install 'robomaker-deploy[dbos]'``. The plan file is the one the
Rollouts guide describes. The rollout runs as a DBOS Transact workflow whose
every step is checkpointed in the SQLite file (created readable by you
only: it holds the plan's launch configs). Killed at any moment, the same
command run again continues the rollout where its last recorded step left
it; once finished, it prints the same report again without deploying
anything. ``--key`` starts a separate rollout of the same plan.
Connection settings come from the environment (AWS_ENDPOINT_URL for the
emulator). Exits 0 if every stage went through, 1 if the rollout stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from robomaker_deploy import ClientConfig, DeploymentClient, RolloutPlan
from robomaker_deploy.dbos import RolloutWorker


async def roll_out(args: argparse.Namespace) -> int:
    plan = RolloutPlan.from_toml(args.plan)
    # The watches of the rollout's steps poll at the client's pace.
    config = ClientConfig(wait_min_delay=args.min_delay, wait_max_delay=args.max_delay)
    async with DeploymentClient(config=config) as client, RolloutWorker(client, args.database) as worker:
        report = await worker.run(plan, key=args.key)
    print(f"rollout {report.status}" + (f": {report.reason}" if report.reason else ""))
    for stage in report.stages:
        print(f"  {stage.name}: {stage.status}, {len(stage.attempts)} attempt(s)")
    return 0 if report.succeeded else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("plan", help="the plan file (TOML)")
    parser.add_argument(
        "--database", default="rollouts.sqlite", help="the DBOS system database (SQLite file)"
    )
    parser.add_argument("--key", default="", help="tells this rollout of the plan from earlier ones")
    parser.add_argument("--min-delay", type=float, default=2.0)
    parser.add_argument("--max-delay", type=float, default=30.0)
    # DBOS runs workflows on asyncio only (not trio).
    sys.exit(asyncio.run(roll_out(parser.parse_args())))


if __name__ == "__main__":
    main()
