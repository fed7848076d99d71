"""Whether a plan fits the account, checked before anything is changed: every problem, at once.

A rollout that fails in its third stage because that fleet does not exist
has already changed two fleets. So before the first job, the plan is read
against the service: each fleet exists, appears once and has robots; the
version is a numbered one that exists; every robot's architecture has a
bundle in that version (else it would fail with
MissingRobotApplicationArchitecture: those robots are named); no fleet has a
deployment running; and each stage's request passes the model's rules.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import attrs

from .._converter import unstructure
from .._errors import ResourceNotFoundError, ValidationError
from .._models import Fleet, RobotApplication
from .._wire.validation import check
from .plan import RolloutPlan

if TYPE_CHECKING:
    from .._client import ClientCore as DeploymentClient

__all__ = ["RolloutCheck", "check_plan"]


@attrs.frozen(kw_only=True)
class RolloutCheck:
    """What checking a plan against the service found: each stage's fleet, the version, every problem."""

    fleets: tuple[Fleet | None, ...]
    version: RobotApplication | None
    problems: tuple[str, ...]


async def check_plan(client: DeploymentClient, plan: RolloutPlan) -> RolloutCheck:
    """Read the plan against the service; see the module docs for what is checked."""
    problems: list[str] = []
    config = plan.application_configs[0]
    version = None
    if config.application_version == "$LATEST":
        problems.append("application.version='$LATEST': a rollout deploys a numbered version, not $LATEST")
    else:
        try:
            version = await client.describe_robot_application(
                config.application, version=config.application_version
            )
        except (ResourceNotFoundError, ValidationError) as exc:
            problems.append(f"application.version={config.application_version!r}: no such version ({exc})")

    counts = Counter(stage.fleet for stage in plan.stages)
    for arn, count in counts.items():
        if count > 1:
            problems.append(f"stages: fleet {arn} appears {count} times (a fleet is deployed to once)")
    fleets: list[Fleet | None] = []
    architectures = {source.architecture for source in version.sources} if version is not None else None
    for index, stage in enumerate(plan.stages):
        where = f"stages[{index}]"
        try:
            check(
                "CreateDeploymentJob",
                {
                    "fleet": stage.fleet,
                    "deploymentApplicationConfigs": unstructure(list(plan.application_configs)),
                    "deploymentConfig": unstructure(stage.deployment_config),
                    "clientRequestToken": "check",
                },
            )
        except ValidationError as exc:
            problems.extend(f"{where}: {problem}" for problem in exc.problems)
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
