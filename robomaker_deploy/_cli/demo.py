"""``robomaker-deploy demo``: one deployment to twelve simulated robots, from nothing, in under a minute.

Everything happens through the public API against the embedded emulator:
an application with bundles for three architectures, a numbered version of
it, a fleet of robots of mixed architectures (one tagged to fail its
pre-launch script), a deployment at 25 % concurrency, followed live with
``watch_deployment_job``, and a summary of how each robot ended.
"""

from __future__ import annotations

import time
from contextlib import aclosing

from rich.console import Console

from .. import (
    Architecture,
    DeploymentApplicationConfig,
    DeploymentConfig,
    DescribedDeploymentJob,
    LaunchConfig,
    RobotDeploymentStep,
    RobotSoftwareSuite,
    RobotSoftwareSuiteName,
    RobotSoftwareSuiteVersion,
    SourceConfig,
)
from ..emulator import TAG_FAIL_STEP, TAG_FAILURE_CODE, Emulator
from .progress import final_line, renderer, summary_table

__all__ = ["run_demo"]

_ARCHITECTURES = (Architecture.X86_64, Architecture.ARM64, Architecture.ARMHF)
#: Which robot (by index) is set to fail, and how.
_FAILING_ROBOT = 7


async def run_demo(console: Console, *, speed: float = 10.0, robots: int = 12) -> DescribedDeploymentJob:
    """Run the demo, printing as it goes; return the final job."""
    started = time.monotonic()
    console.rule("[bold]robomaker-deploy demo")
    async with Emulator(speed=speed) as emu:
        console.print(f"Emulator listening on {emu.endpoint_url} (clock running {speed:g}x real time)")
        async with emu.client() as client:
            app = await client.create_robot_application(
                name="hello-world",
                sources=[
                    SourceConfig(
                        s3_bucket="demo-bundles",
                        s3_key=f"hello-world/{arch.value.lower()}.tar.gz",
                        architecture=arch,
                    )
                    for arch in _ARCHITECTURES
                ],
                robot_software_suite=RobotSoftwareSuite(
                    name=RobotSoftwareSuiteName.ROS2, version=RobotSoftwareSuiteVersion.FOXY
                ),
            )
            version = await client.create_robot_application_version(app)
            console.print(f"Application [bold]{app.name}[/bold] version {version.version}: {version.arn}")

            fleet = await client.create_fleet(name="warehouse-east")
            names: dict[str, str] = {}
            architectures: dict[str, str] = {}
            notes: dict[str, str] = {}
            for index in range(robots):
                arch = _ARCHITECTURES[index % len(_ARCHITECTURES)]
                tags = {}
                if index == _FAILING_ROBOT:
                    # The emulator's fault tags: this robot's pre-launch script will fail.
                    tags = {
                        TAG_FAIL_STEP: RobotDeploymentStep.EXECUTING_PRE_LAUNCH.value,
                        TAG_FAILURE_CODE: "PreLaunchFileFailure",
                    }
                robot = await client.create_robot(
                    name=f"robot-{index + 1:02d}",
                    architecture=arch,
                    greengrass_group_id=f"gg-group-{index + 1:02d}",
                    tags=tags,
                )
                await client.register_robot(fleet=fleet, robot=robot)
                names[robot.arn] = robot.name
                architectures[robot.arn] = arch.value
                notes[robot.arn] = "fails pre-launch" if tags else ""
            failing = robots > _FAILING_ROBOT
            console.print(
                f"Fleet [bold]{fleet.name}[/bold]: {robots} robots (X86_64, ARM64, ARMHF)"
                + (
                    f"; robot-{_FAILING_ROBOT + 1:02d} is set to fail its pre-launch script"
                    if failing
                    else ""
                )
            )

            job = await client.create_deployment_job(
                fleet=fleet,
                application_configs=[
                    DeploymentApplicationConfig(
                        application=app.arn,
                        application_version=version.version,
                        launch_config=LaunchConfig(
                            package_name="hello_world",
                            launch_file="hello_world.launch",
                            pre_launch_file="scripts/pre_launch.sh",
                            # Shown nowhere: values of environment variables are never printed.
                            environment_variables={"LOG_LEVEL": "info", "API_TOKEN": "demo-secret"},
                        ),
                    )
                ],
                deployment_config=DeploymentConfig(
                    concurrent_deployment_percentage=25,
                    robot_deployment_timeout_in_seconds=600,
                ),
            )
            console.print(f"Deployment [bold]{job.arn}[/bold] created, 25% of the fleet at a time\n")

            final: DescribedDeploymentJob | None = None
            snapshots = client.watch_deployment_job(job, min_delay=0.1, max_delay=0.25, timeout=120)
            async with aclosing(snapshots):
                with renderer(console, names) as view:
                    async for snapshot in snapshots:
                        view.update(snapshot)
                        final = snapshot

    assert final is not None  # a watch yields at least the job's final snapshot
    console.print()
    console.print(summary_table(final, names, {"arch": architectures, "note": notes}))
    console.print(final_line(final))
    console.print(f"[dim]{time.monotonic() - started:.1f} s wall time.[/dim]")
    return final
