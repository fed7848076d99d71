"""A tiny async program on the installed package: import it, start its emulator, deploy, wait.

    python smoke.py

Needs nothing but the wheel and its dependencies.
"""

from __future__ import annotations

import anyio

from robomaker_deploy import (
    Architecture,
    DeploymentApplicationConfig,
    DeploymentStatus,
    LaunchConfig,
    RobotSoftwareSuite,
    RobotSoftwareSuiteName,
    SourceConfig,
)
from robomaker_deploy.emulator import Emulator


async def main() -> None:
    async with Emulator(speed=200) as emulator, emulator.client() as client:
        app = await client.create_robot_application(
            name="smoke",
            sources=[SourceConfig(s3_bucket="bundles", s3_key="smoke.tar", architecture=Architecture.X86_64)],
            robot_software_suite=RobotSoftwareSuite(name=RobotSoftwareSuiteName.GENERAL),
        )
        version = await client.create_robot_application_version(app)
        fleet = await client.create_fleet(name="smoke")
        robot = await client.create_robot(
            name="smoke-1", architecture=Architecture.X86_64, greengrass_group_id="gg"
        )
        await client.register_robot(fleet=fleet, robot=robot)
        job = await client.create_deployment_job(
            fleet=fleet,
            application_configs=[
                DeploymentApplicationConfig(
                    application=app.arn,
                    application_version=version.version or "1",
                    launch_config=LaunchConfig(package_name="smoke", launch_file="smoke.launch"),
                )
            ],
        )
        final = await client.wait_for_deployment_job(job, min_delay=0.05, max_delay=0.2, timeout=60)
        assert final.status is DeploymentStatus.SUCCEEDED, final
        print(f"smoke: {final.arn} {final.status.value}")


if __name__ == "__main__":
    anyio.run(main)
