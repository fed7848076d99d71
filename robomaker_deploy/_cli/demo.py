"""``robomaker-deploy demo``: a progressive rollout across three fleets of simulated robots, live.

Everything happens through the public API against the embedded emulator. An
application with bundles for three architectures gets two numbered versions;
three fleets (a canary and two sites, robots of mixed architectures) run
version 1. Version 2 is then rolled out stage by stage: the canary, a bake,
a gate; the first site; the second site, where one robot's pre-launch script
fails (PreLaunchFileFailure). The early-abort rule cancels that stage at
once, and the rollout puts version 1 back on every fleet it changed, newest
first. Each stage is shown live, and the rollout's report ends it.
"""

from __future__ import annotations

import functools
import time

import anyio
from rich.console import Console

from .. import (
    AbortRule,
    Architecture,
    DeploymentApplicationConfig,
    DeploymentClient,
    DeploymentConfig,
    DeploymentJob,
    LaunchConfig,
    RobotDeploymentStep,
    RobotSoftwareSuite,
    RobotSoftwareSuiteName,
    RobotSoftwareSuiteVersion,
    RolloutPlan,
    RolloutReport,
    SourceConfig,
    Stage,
    StageReport,
)
from ..emulator import TAG_FAIL_STEP, TAG_FAILURE_CODE, Emulator
from .rollouts import RolloutView, report_table

__all__ = ["run_demo"]

_ARCHITECTURES = (Architecture.X86_64, Architecture.ARM64, Architecture.ARMHF)
#: How quickly the demo polls (real seconds): the emulator's clock runs many times faster than real time.
_MIN_DELAY, _MAX_DELAY = 0.1, 0.25
_BAKE = 1.5


def _config(application: str, version: str, *, pre_launch: bool) -> DeploymentApplicationConfig:
    return DeploymentApplicationConfig(
        application=application,
        application_version=version,
        launch_config=LaunchConfig(
            package_name="hello_world",
            launch_file="hello_world.launch",
            pre_launch_file="scripts/pre_launch.sh" if pre_launch else None,
            # Shown nowhere: values of environment variables are never printed.
            environment_variables={"LOG_LEVEL": "info", "API_TOKEN": "demo-secret"},
        ),
    )


async def _fleet(client: DeploymentClient, name: str, robots: int, *, failing: int | None = None) -> str:
    fleet = await client.create_fleet(name=name)
    for index in range(robots):
        tags = {}
        if index == failing:
            # The emulator's fault tags: this robot's pre-launch script will fail.
            tags = {
                TAG_FAIL_STEP: RobotDeploymentStep.EXECUTING_PRE_LAUNCH.value,
                TAG_FAILURE_CODE: "PreLaunchFileFailure",
            }
        robot = await client.create_robot(
            name=f"{name}-{index + 1:02d}",
            architecture=_ARCHITECTURES[index % len(_ARCHITECTURES)],
            greengrass_group_id=f"gg-{name}-{index + 1:02d}",
            tags=tags,
        )
        await client.register_robot(fleet=fleet, robot=robot)
    return fleet.arn


async def _settle(client: DeploymentClient, job: DeploymentJob) -> None:
    await client.wait_until_deployment_succeeded(job, min_delay=_MIN_DELAY, max_delay=_MAX_DELAY)


async def _gate(console: Console, stage: StageReport) -> bool:
    healthy = not stage.failed
    state = "all healthy" if healthy else f"{len(stage.failed)} failed"
    console.print(
        f"[dim]gate: {stage.name} has {len(stage.updated)} robot(s) on the new version, {state}[/dim]"
    )
    return healthy


async def run_demo(console: Console, *, speed: float = 25.0, robots: int = 12) -> RolloutReport:
    """Run the demo, printing as it goes; return the rollout's report."""
    started = time.monotonic()
    console.rule("[bold]robomaker-deploy demo: a progressive rollout")
    canary, site_a = max(1, robots // 6), max(1, robots // 3)
    site_b = max(2, robots - canary - site_a)
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
            today = await client.create_robot_application_version(app)
            new = await client.create_robot_application_version(app)
            fleets = [
                await _fleet(client, "canary", canary),
                await _fleet(client, "site-a", site_a),
                await _fleet(client, "site-b", site_b, failing=1),
            ]
            console.print(
                f"Fleets canary ({canary} robots), site-a ({site_a}) and site-b ({site_b}), of mixed"
                " architectures; site-b-02 is set to fail its pre-launch script"
            )

            # What the fleets run today: version 1 everywhere (without a pre-launch script).
            old = _config(app.arn, today.version, pre_launch=False)
            jobs = [
                await client.create_deployment_job(fleet=fleet, application_configs=[old]) for fleet in fleets
            ]
            with console.status("Deploying version 1, what the fleets run today..."):
                async with anyio.create_task_group() as group:
                    for job in jobs:
                        group.start_soon(_settle, client, job)
            console.print(f"Every fleet runs version {today.version}. Rolling out version {new.version}:\n")

            half = DeploymentConfig(concurrent_deployment_percentage=50)
            plan = RolloutPlan(
                application_configs=[_config(app.arn, new.version, pre_launch=True)],
                stages=[
                    Stage(fleet=fleets[0], bake=_BAKE),
                    Stage(fleet=fleets[1], bake=_BAKE, deployment_config=half),
                    Stage(fleet=fleets[2], deployment_config=half),
                ],
                abort=AbortRule(min_finished=2, max_failed_percent=20),
            )
            view = RolloutView(console, quiet=False)
            rollout = client.rollout(
                plan, gate=functools.partial(_gate, console), min_delay=_MIN_DELAY, max_delay=_MAX_DELAY
            )
            try:
                async with rollout:
                    async for event in rollout:
                        view.show(event)
                    report = await rollout.result()
            finally:
                view.close()
    console.print()
    console.print(report_table(report))
    console.print(f"[dim]{time.monotonic() - started:.1f} s wall time.[/dim]")
    return report
