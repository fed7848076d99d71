"""Whether a plan can work, checked before anything is changed: every problem, at once.

A rollout that fails in its third stage because that fleet does not exist
has already changed two fleets. So before the first job, the plan is read
on its own (``plan_problems``: fleet ARNs, a fleet twice, the API's rules
for each stage's request), its gate against this machine (the program
exists and is executable), and then against the service: each fleet exists
and has robots; the version is a numbered one that exists; every robot's
architecture has a bundle in that version (else it would fail with
MissingRobotApplicationArchitecture: those robots are named); and no fleet
has a deployment running. Only the client's public API is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from .._errors import ResourceNotFoundError, ValidationError
from .._models import Fleet, RobotApplication
from .gates import gate_problems
from .plan import RolloutPlan, plan_problems

if TYPE_CHECKING:
    from .. import DeploymentClient

__all__ = ["RolloutCheck", "check_plan"]


@attrs.frozen(kw_only=True)
class RolloutCheck:
    """What checking a plan against the service found: each stage's fleet, the version, every problem."""

    fleets: tuple[Fleet | None, ...]
    version: RobotApplication | None
    problems: tuple[str, ...]


async def check_plan(client: DeploymentClient, plan: RolloutPlan) -> RolloutCheck:
    """Read the plan against the service; see the module docs for what is checked."""
    found = plan_problems(plan)
    problems = [f"{path}={value}: {rule}" for path, value, rule in found]
    if plan.gate is not None:
        problems += gate_problems(plan.gate)
    # A stage whose fleet or settings are wrong is not asked about: the service would only refuse it.
    unusable = {path.split(".")[0] for path, _, _ in found if path.startswith("stages[")}
    config = plan.application_configs[0]
    version = None
    if not any(path.startswith("application_configs") for path, _, _ in found):
        try:
            version = await client.describe_robot_application(
                config.application, version=config.application_version
            )
        except (ResourceNotFoundError, ValidationError) as exc:
            problems.append(f"application.version={config.application_version!r}: no such version ({exc})")

    fleets: list[Fleet | None] = []
    architectures = {source.architecture for source in version.sources} if version is not None else None
    for index, stage in enumerate(plan.stages):
        where = f"stages[{index}]"
        if where in unusable:
            fleets.append(None)
            continue
        try:
            fleet = await client.describe_fleet(stage.fleet)
        except ResourceNotFoundError:
            problems.append(f"{where}.fleet={stage.fleet!r}: no such fleet")
            fleets.append(None)
            continue
        fleets.append(fleet)
        robots = fleet.robots or ()
        if not robots:
            problems.append(f"{where}.fleet: fleet {fleet.name} has no robots to deploy to")
        if fleet.last_deployment_status is not None and not fleet.last_deployment_status.is_terminal:
            problems.append(
                f"{where}.fleet: fleet {fleet.name} has a deployment running ({fleet.last_deployment_job});"
                " wait for it or cancel it"
            )
        if architectures is not None:
            missing = [r for r in robots if r.architecture not in architectures]
            if missing:
                names = ", ".join(f"{r.name} ({r.architecture.value})" for r in missing)
                problems.append(
                    f"{where}.fleet: version {config.application_version} has no bundle for the architecture"
                    f" of {names}: they would fail with MissingRobotApplicationArchitecture"
                )
    return RolloutCheck(fleets=tuple(fleets), version=version, problems=tuple(problems))
