"""Deploy an application version to a fleet and wait for the outcome.

    python examples/deploy_and_wait.py --fleet ARN --application ARN --version 1 \
        --package hello_world --launch-file hello.launch

Connection settings come from the environment as for any AWS tool (AWS_REGION,
AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, and AWS_ENDPOINT_URL to
use the emulator). Exits 0 if the deployment succeeded, 1 if it did not.
"""

from __future__ import annotations

import argparse
import sys

import anyio

from robomaker_deploy import (
    DeploymentApplicationConfig,
    DeploymentClient,
    DeploymentConfig,
    DeploymentFailedError,
    LaunchConfig,
)


async def deploy(args: argparse.Namespace) -> int:
    config = DeploymentApplicationConfig(
        application=args.application,
        application_version=args.version,
        launch_config=LaunchConfig(package_name=args.package, launch_file=args.launch_file),
    )
    async with DeploymentClient() as client:
        job = await client.create_deployment_job(
            fleet=args.fleet,
            application_configs=[config],
            deployment_config=DeploymentConfig(concurrent_deployment_percentage=args.concurrency),
        )
        print(f"created {job.arn}")
        try:
            final = await client.wait_until_deployment_succeeded(
                job, timeout=args.timeout, min_delay=args.min_delay, max_delay=args.max_delay
            )
        except DeploymentFailedError as failed:
            print(f"deployment failed: {failed}")
            for robot in failed.failed_robots:
                code = robot.failure_code
                meaning = code.description if code is not None else "no failure code"
                print(f"  {robot.arn}: {code} ({meaning})")
            return 1
        robots = final.robot_deployment_summary
        print(f"deployment {final.status}: {len(robots)} robot(s) in sync")
        return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fleet", required=True, help="fleet ARN")
    parser.add_argument("--application", required=True, help="robot application ARN")
    parser.add_argument("--version", required=True, help="numbered application version")
    parser.add_argument("--package", required=True)
    parser.add_argument("--launch-file", required=True)
    parser.add_argument("--concurrency", type=int, default=25, help="percent of the fleet at once")
    parser.add_argument("--timeout", type=float, default=3600.0)
    parser.add_argument("--min-delay", type=float, default=2.0)
    parser.add_argument("--max-delay", type=float, default=30.0)
    args = parser.parse_args()
    return anyio.run(deploy, args)


if __name__ == "__main__":
    sys.exit(main())
