"""List deployment jobs, fleets and robots with filters, a page at a time.

    python examples/list_with_filters.py [--status InProgress --status Failed] [--fleet-name NAME]

Shows ``async for`` over a pager, ``max_items`` and resuming from
``resume_token`` where the previous batch stopped.
"""

from __future__ import annotations

import argparse
import sys

import anyio

from robomaker_deploy import DeploymentClient, DeploymentStatus


async def show(statuses: list[str], fleet_name: str | None, batch: int) -> int:
    async with DeploymentClient() as client:
        print("fleets:")
        async for fleet in client.list_fleets():
            print(f"  {fleet.name}: last deployment {fleet.last_deployment_status}")

        if fleet_name is not None:
            print(f"robots of {fleet_name}:")
            async for robot in client.list_robots(fleet_name=fleet_name):
                print(f"  {robot.name} ({robot.architecture}): {robot.status}")

        wanted = [DeploymentStatus(status) for status in statuses] or None
        print(f"deployment jobs ({', '.join(statuses) or 'any status'}), {batch} at a time:")
        token: str | None = None
        batches = 0
        while True:
            # One filter per request: the statuses if any were asked for, else the fleet.
            pager = (
                client.list_deployment_jobs(status=wanted, max_items=batch, starting_token=token)
                if wanted is not None or fleet_name is None
                else client.list_deployment_jobs(fleet_name=fleet_name, max_items=batch, starting_token=token)
            )
            async for job in pager:
                print(f"  {job.arn} {job.status} {job.created_at:%Y-%m-%d %H:%M:%S}")
            batches += 1
            token = pager.resume_token
            if token is None:
                break
        print(f"({batches} batch(es))")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--status", action="append", default=[], choices=[s.value for s in DeploymentStatus])
    parser.add_argument("--fleet-name")
    parser.add_argument("--batch", type=int, default=2)
    args = parser.parse_args()
    return anyio.run(show, args.status, args.fleet_name, args.batch)


if __name__ == "__main__":
    sys.exit(main())
