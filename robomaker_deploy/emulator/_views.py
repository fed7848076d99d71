"""How records look on the wire at a given instant: jobs, robot deployments, fleets, robots, applications.

Views only read: a job's or a robot's status comes from evaluating the job's
plan at ``now`` (``_simulation``), and everything else is copied from the
record. Which records to show is the rules' business, not this module's.
"""

from __future__ import annotations

from collections import OrderedDict

from .._enums import RobotStatus
from . import _simulation as sim
from ._records import AppVersion, Fleet, Job, Result, Robot, RobotApplication
from ._simulation import RobotPlan

_AVAILABLE = RobotStatus.AVAILABLE.value
_REGISTERED = RobotStatus.REGISTERED.value


def job(record: Job, now: float, *, tags: bool = False) -> Result:
    """A deployment job as DescribeDeploymentJob (less its robots) and ListDeploymentJobs show it."""
    code, reason = sim.job_failure(record.plan, now, record.canceled_at)
    view: Result = {
        "arn": record.arn,
        "fleet": record.fleet_arn,
        "status": sim.job_status(record.plan, now, record.canceled_at),
        "deploymentApplicationConfigs": record.application_configs,
        "createdAt": record.created_at,
    }
    if record.deployment_config:
        view["deploymentConfig"] = record.deployment_config
    if code is not None:
        view["failureCode"] = code
    if reason is not None:
        view["failureReason"] = reason
    if tags:
        view["tags"] = record.tags
    return view


class RobotSummaries:
    """A job's ``robotDeploymentSummary``, kept for jobs whose view can no longer change.

    Bounded (least recently described first out): a thousand-robot summary is
    a few hundred kilobytes, and building it is most of describing such a job.
    """

    def __init__(self, size: int = 64) -> None:
        self._size = size
        self._settled: OrderedDict[tuple[str, float | None], list[Result]] = OrderedDict()

    def of(self, record: Job, now: float) -> list[Result]:
        """Each robot's ``RobotDeployment`` at ``now``."""
        settled = now >= sim.settled_at(record.plan, record.canceled_at)
        key = (record.arn, record.canceled_at)
        if settled:
            cached = self._settled.get(key)
            if cached is not None:
                self._settled.move_to_end(key)
                return cached
        summaries = [
            robot_deployment(sim.robot_view(plan, now, record.canceled_at), record.arn)
            for plan in record.plan.robots
        ]
        if settled:
            self._settled[key] = summaries
            if len(self._settled) > self._size:
                self._settled.popitem(last=False)
        return summaries

    def clear(self) -> None:
        """Forget every summary (after a reset, when ARNs may name new jobs)."""
        self._settled.clear()


def robot_deployment(view: sim.RobotView, job_arn: str) -> Result:
    """One robot's ``RobotDeployment`` from its simulated state."""
    out: Result = {"arn": view.arn, "status": view.status}
    if view.start is not None:
        out["deploymentStartTime"] = view.start
    if view.finish is not None:
        out["deploymentFinishTime"] = view.finish
    if view.progress is not None:
        progress: Result = {"currentProgress": view.progress.step, "targetResource": job_arn}
        if view.progress.percent_done is not None:
            progress["percentDone"] = view.progress.percent_done
        if view.progress.eta_seconds is not None:
            progress["estimatedTimeRemainingSeconds"] = view.progress.eta_seconds
        out["progressDetail"] = progress
    if view.failure_code is not None:
        out["failureCode"] = view.failure_code
    if view.failure_reason is not None:
        out["failureReason"] = view.failure_reason
    return out


def created_fleet(record: Fleet) -> Result:
    """CreateFleet's output."""
    return {"arn": record.arn, "name": record.name, "createdAt": record.created_at, "tags": record.tags}


def fleet(record: Fleet, last_job: Job | None, now: float) -> Result:
    """A fleet as ListFleets shows it (DescribeFleet adds its robots and tags)."""
    view: Result = {"name": record.name, "arn": record.arn, "createdAt": record.created_at}
    if last_job is not None:
        view["lastDeploymentStatus"] = sim.job_status(last_job.plan, now, last_job.canceled_at)
        view["lastDeploymentJob"] = last_job.arn
        view["lastDeploymentTime"] = last_job.created_at
    return view


def created_robot(record: Robot) -> Result:
    """CreateRobot's output."""
    return {
        "arn": record.arn,
        "name": record.name,
        "createdAt": record.created_at,
        "greengrassGroupId": record.greengrass_group_id,
        "architecture": record.architecture,
        "tags": record.tags,
    }


def robot(
    record: Robot, last_deployment: tuple[Job, RobotPlan] | None, now: float, *, summary: bool
) -> Result:
    """A robot as DescribeRobot (``summary=False``) or the lists (``summary=True``) show it.

    ``last_deployment`` is the job that last deployed to it and its part in
    that job's plan; its status is the robot's status while it is registered.
    """
    # The list shape spells the Greengrass member differently from DescribeRobot's output.
    group_key = "greenGrassGroupId" if summary else "greengrassGroupId"
    view: Result = {
        "arn": record.arn,
        "name": record.name,
        "status": _AVAILABLE,
        group_key: record.greengrass_group_id,
        "createdAt": record.created_at,
        "architecture": record.architecture,
    }
    if record.fleet_arn is not None:
        view["fleetArn"] = record.fleet_arn
        view["status"] = _REGISTERED
        if last_deployment is not None:
            last, plan = last_deployment
            view["status"] = sim.robot_view(plan, now, last.canceled_at).status
            view["lastDeploymentJob"] = last.arn
            view["lastDeploymentTime"] = last.created_at
    if not summary:
        view["tags"] = record.tags
    return view


def suite(record: RobotApplication) -> Result:
    """The application's ``robotSoftwareSuite``."""
    out: Result = {"name": record.suite_name}
    if record.suite_version is not None:
        out["version"] = record.suite_version
    return out


def application(record: RobotApplication, version: AppVersion) -> Result:
    """One version of an application, as its create, version and describe calls answer."""
    view: Result = {
        "arn": record.arn,
        "name": record.name,
        "version": version.version,
        "sources": [
            {"s3Bucket": s.s3_bucket, "s3Key": s.s3_key, "etag": s.etag, "architecture": s.architecture}
            for s in version.sources
        ],
        "robotSoftwareSuite": suite(record),
        "lastUpdatedAt": version.last_updated_at,
        "revisionId": version.revision_id,
    }
    if version.environment_uri is not None:
        view["environment"] = {"uri": version.environment_uri}
    return view


def application_summary(record: RobotApplication, version: AppVersion) -> Result:
    """One version of an application, as ListRobotApplications shows it."""
    return {
        "name": record.name,
        "arn": record.arn,
        "version": version.version,
        "lastUpdatedAt": version.last_updated_at,
        "robotSoftwareSuite": suite(record),
    }
