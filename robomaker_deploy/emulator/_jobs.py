"""The deployment-job operations: create, sync, cancel, describe and list.

Their rules: one deployment at a time per fleet; a client request token
replays its first job (and refuses a different request); a sync deploys the
fleet's last successful job to the robots that are not in sync with it. The
timeline of a new job is laid out once, by ``_simulation.plan_job``; every
later read evaluates it at the virtual ``now``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import attrs

from .._enums import DeploymentStatus, RobotStatus
from . import _simulation as sim
from . import _views as views
from ._context import Context, Rule, visible
from ._errors import ServiceError, invalid, not_found
from ._paging import by_seq, list_filter, paginate
from ._records import AppVersion, Fleet, IdempotencyEntry, Job, Params, Result, Robot

_JOB_STATUSES = frozenset(s.value for s in DeploymentStatus)
_SUCCEEDED = DeploymentStatus.SUCCEEDED.value
_IN_SYNC = RobotStatus.IN_SYNC.value


def create_deployment_job(ctx: Context, params: Params) -> Result:
    now = ctx.store.now()
    fleet = ctx.fleet(params["fleet"])

    def start() -> Job:
        configs: list[dict[str, Any]] = params["deploymentApplicationConfigs"]
        config = configs[0]
        app = ctx.app(config["application"])
        version = app.version(config["applicationVersion"])
        if version is None or version.version == "$LATEST":
            raise invalid(
                f"Version {config['applicationVersion']} of robot application {app.arn} does not exist."
            )
        _refuse_concurrent(ctx, fleet, now)
        robots = ctx.store.members(fleet.arn)
        if not robots:
            raise invalid(f"Fleet {fleet.arn} has no registered robots to deploy to.")
        return _new_job(
            ctx,
            fleet,
            robots,
            params.get("deploymentConfig"),
            configs,
            version,
            params.get("tags") or {},
            now,
        )

    return views.job(_once(ctx, "CreateDeploymentJob", params, now, start), now, tags=True)


def sync_deployment_job(ctx: Context, params: Params) -> Result:
    now = ctx.store.now()
    fleet = ctx.fleet(params["fleet"])

    def start() -> Job:
        _refuse_concurrent(ctx, fleet, now)
        last = _last_successful(ctx, fleet, now)
        if last is None:
            raise invalid(f"Fleet {fleet.arn} has no successful deployment to synchronize with.")
        application, version_name = _app_version(last.application_configs)
        app = ctx.store.apps.get(application)
        version = app.version(version_name) if app is not None else None
        if version is None:
            raise not_found(
                f"The robot application {application} version {version_name} "
                "of the last successful deployment no longer exists."
            )
        behind = [
            robot
            for robot in ctx.store.members(fleet.arn)
            if not _in_sync_with(ctx, robot, last.application_configs, now)
        ]
        return _new_job(
            ctx, fleet, behind, last.deployment_config, last.application_configs, version, {}, now
        )

    return views.job(_once(ctx, "SyncDeploymentJob", params, now, start), now)


def cancel_deployment_job(ctx: Context, params: Params) -> Result:
    now = ctx.store.now()
    job = ctx.job(params["job"], now)
    # Canceling a finished job is a no-op rather than an error: a client racing the
    # job's end must not have to tell the two apart.
    if not sim.is_finished(job.plan, now, job.canceled_at):
        ctx.store.put(attrs.evolve(job, canceled_at=now))
    return {}


def describe_deployment_job(ctx: Context, params: Params) -> Result:
    now = ctx.store.now()
    job = ctx.job(params["job"], now)
    view = views.job(job, now, tags=True)
    view["robotDeploymentSummary"] = ctx.summaries.of(job, now)
    return view


def list_deployment_jobs(ctx: Context, params: Params) -> Result:
    now = ctx.store.now()
    wanted = list_filter(params, {"status": _JOB_STATUSES, "fleetName": None})

    def view(job: Job) -> Result | None:
        if not visible(job, now):
            return None
        if wanted is not None:
            name, value = wanted
            if name == "fleetName" and job.fleet_name != value:
                return None
            if name == "status" and sim.job_status(job.plan, now, job.canceled_at) != value:
                return None
        return views.job(job, now)

    rows = by_seq(lambda seq: ctx.store.jobs.after(seq, newest_first=True), view)
    return paginate("ListDeploymentJobs", params, "deploymentJobs", rows)


# -- starting a job --------------------------------------------------------------------------------------


def _once(ctx: Context, operation: str, params: Params, now: float, start: Callable[[], Job]) -> Job:
    """The job this request's token already made, if any (the same request only); else ``start()``'s."""
    key = f"{operation}:{params['clientRequestToken']}"
    fingerprint = _fingerprint(params)
    entry = ctx.store.token(key)
    # A token whose job has aged out of retention is free again.
    if entry is not None and (replay := ctx.find_job(entry.job_arn, now)) is not None:
        if entry.fingerprint != fingerprint:
            raise ServiceError(
                "IdempotentParameterMismatchException",
                "The request uses the same client request token as a previous, but non-identical request.",
            )
        return replay
    job = start()
    ctx.store.remember_token(key, IdempotencyEntry(fingerprint, job.arn))
    return job


def _new_job(
    ctx: Context,
    fleet: Fleet,
    robots: list[Robot],
    deployment_config: dict[str, Any] | None,
    configs: list[dict[str, Any]],
    version: AppVersion,
    tags: dict[str, str],
    now: float,
) -> Job:
    launch = configs[0].get("launchConfig") or {}
    deployment_config = deployment_config or None
    rollout = deployment_config or {}
    spec = sim.JobSpec(
        created_at=now,
        speed=ctx.speed,
        seed=ctx.rng.getrandbits(64),
        robots=tuple(sim.RobotSpec.from_tags(r.arn, r.architecture, r.tags) for r in robots),
        source_architectures=frozenset(s.architecture for s in version.sources),
        download_condition=bool(rollout.get("downloadConditionFile")),
        pre_launch=bool(launch.get("preLaunchFile")),
        post_launch=bool(launch.get("postLaunchFile")),
        concurrent_percentage=rollout.get("concurrentDeploymentPercentage"),
        failure_threshold_percentage=rollout.get("failureThresholdPercentage"),
        robot_timeout_seconds=rollout.get("robotDeploymentTimeoutInSeconds"),
    )
    seq = ctx.store.next_seq()
    job = Job(
        arn=ctx.job_arn(seq),
        seq=seq,
        fleet_arn=fleet.arn,
        fleet_name=fleet.name,
        created_at=now,
        deployment_config=deployment_config,
        application_configs=configs,
        plan=sim.plan_job(spec),
        tags=dict(tags),
    )
    ctx.store.put(job)
    return job


def _refuse_concurrent(ctx: Context, fleet: Fleet, now: float) -> None:
    last = ctx.store.last_job(fleet.arn)
    if last is not None and not sim.is_finished(last.plan, now, last.canceled_at):
        raise ServiceError(
            "ConcurrentDeploymentException",
            f"Fleet {fleet.arn} already has a deployment in progress: {last.arn}.",
        )


def _last_successful(ctx: Context, fleet: Fleet, now: float) -> Job | None:
    return next(
        (
            job
            for job in ctx.store.jobs_of(fleet.arn)
            if visible(job, now) and sim.job_status(job.plan, now, job.canceled_at) == _SUCCEEDED
        ),
        None,
    )


def _in_sync_with(ctx: Context, robot: Robot, configs: list[dict[str, Any]], now: float) -> bool:
    found = ctx.store.last_deployment(robot.arn)
    if found is None:
        return False
    job, plan = found
    if _app_version(job.application_configs) != _app_version(configs):
        return False
    return sim.robot_view(plan, now, job.canceled_at).status == _IN_SYNC


def _fingerprint(params: Params) -> str:
    """The request minus its token: what a replay must repeat exactly."""
    rest = {k: v for k, v in params.items() if k != "clientRequestToken"}
    return hashlib.sha256(json.dumps(rest, sort_keys=True).encode()).hexdigest()


def _app_version(configs: list[dict[str, Any]]) -> tuple[str, str]:
    return configs[0]["application"], configs[0]["applicationVersion"]


OPERATIONS: dict[str, Rule] = {
    "CreateDeploymentJob": create_deployment_job,
    "SyncDeploymentJob": sync_deployment_job,
    "CancelDeploymentJob": cancel_deployment_job,
    "DescribeDeploymentJob": describe_deployment_job,
    "ListDeploymentJobs": list_deployment_jobs,
}
