"""The 23 operations: validated wire-shaped input in, wire-shaped output out.

No HTTP here (the server does that) and no timeline arithmetic (the
simulation does that): this module is the service's rules about resources,
references, idempotency and concurrency, and how records look on the wire.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import random
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

import attrs

from .._enums import DeploymentStatus, RobotStatus
from .._wire.model import page_limit
from . import _simulation as sim
from ._errors import ServiceError, invalid, not_found
from ._store import (
    AppVersion,
    Fleet,
    IdempotencyEntry,
    Job,
    Robot,
    RobotApplication,
    Source,
    Store,
)

Params = dict[str, Any]
Result = dict[str, Any]

#: Deployment jobs are gone from describe and list this long after creation, as on the service.
JOB_RETENTION_SECONDS = 90 * 24 * 3600
MAX_ROBOTS_PER_FLEET = 1000
MAX_VERSIONS_PER_APPLICATION = 40
MAX_TAGS = 50
_SUMMARY_CACHE_SIZE = 64


class Service:
    """The RoboMaker deployment service's behaviour over a :class:`Store`."""

    def __init__(
        self, store: Store, *, region: str, account_id: str, speed: float, seed: int | None = None
    ) -> None:
        self.store = store
        self.region = region
        self.account_id = account_id
        self.speed = speed
        self._rng = random.Random(seed)
        self._robot_index: dict[str, dict[str, int]] = {}
        # Finished jobs never change, so their robot summaries are built once; bounded, as a
        # thousand-robot summary is a few hundred kilobytes.
        self._summaries: OrderedDict[tuple[str, float | None], list[Result]] = OrderedDict()
        self.handlers: dict[str, Callable[[Params], Result]] = {
            "CreateDeploymentJob": self.create_deployment_job,
            "DescribeDeploymentJob": self.describe_deployment_job,
            "ListDeploymentJobs": self.list_deployment_jobs,
            "SyncDeploymentJob": self.sync_deployment_job,
            "CancelDeploymentJob": self.cancel_deployment_job,
            "CreateFleet": self.create_fleet,
            "DeleteFleet": self.delete_fleet,
            "DescribeFleet": self.describe_fleet,
            "ListFleets": self.list_fleets,
            "CreateRobot": self.create_robot,
            "DeleteRobot": self.delete_robot,
            "DescribeRobot": self.describe_robot,
            "ListRobots": self.list_robots,
            "RegisterRobot": self.register_robot,
            "DeregisterRobot": self.deregister_robot,
            "CreateRobotApplication": self.create_robot_application,
            "CreateRobotApplicationVersion": self.create_robot_application_version,
            "DescribeRobotApplication": self.describe_robot_application,
            "ListRobotApplications": self.list_robot_applications,
            "DeleteRobotApplication": self.delete_robot_application,
            "TagResource": self.tag_resource,
            "UntagResource": self.untag_resource,
            "ListTagsForResource": self.list_tags_for_resource,
        }

    def handle(self, operation: str, params: Params) -> Result:
        """Run one operation on already validated input."""
        return self.handlers[operation](params)

    def forget_caches(self) -> None:
        """Drop derived data (after a reset)."""
        self._robot_index.clear()
        self._summaries.clear()

    # -- naming --------------------------------------------------------------------------------------

    def _arn(self, kind: str, name: str, now: float, table: dict[str, Any]) -> str:
        millis = int(now * 1000)
        while True:
            # Two resources created in the same millisecond would otherwise share an ARN.
            arn = f"arn:aws:robomaker:{self.region}:{self.account_id}:{kind}/{name}/{millis}"
            if arn not in table:
                return arn
            millis += 1

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    # -- lookups -------------------------------------------------------------------------------------

    def _fleet(self, arn: str) -> Fleet:
        fleet = self.store.fleets.get(arn)
        if fleet is None:
            raise not_found(f"Fleet {arn} does not exist.")
        return fleet

    def _robot(self, arn: str) -> Robot:
        robot = self.store.robots.get(arn)
        if robot is None:
            raise not_found(f"Robot {arn} does not exist.")
        return robot

    def _app(self, arn: str) -> RobotApplication:
        app = self.store.apps.get(arn)
        if app is None:
            raise not_found(f"Robot application {arn} does not exist.")
        return app

    def _job(self, arn: str, now: float) -> Job:
        job = self.store.jobs.get(arn)
        if job is None or not _visible(job, now):
            raise not_found(f"Deployment job {arn} does not exist.")
        return job

    # -- deployment jobs -----------------------------------------------------------------------------

    def create_deployment_job(self, params: Params) -> Result:
        now = self.store.now()
        fleet = self._fleet(params["fleet"])
        replay = self._replay("CreateDeploymentJob", params, now)
        if replay is not None:
            return self._job_view(replay, now, tags=True)
        configs: list[dict[str, Any]] = params["deploymentApplicationConfigs"]
        config = configs[0]
        app = self._app(config["application"])
        version = app.version(config["applicationVersion"])
        if version is None or version.version == "$LATEST":
            raise invalid(
                f"Version {config['applicationVersion']} of robot application {app.arn} does not exist."
            )
        self._refuse_concurrent(fleet, now)
        members = list(self.store.fleet_members.get(fleet.arn, {}))
        if not members:
            raise invalid(f"Fleet {fleet.arn} has no registered robots to deploy to.")
        job = self._new_job(
            fleet,
            members,
            params.get("deploymentConfig"),
            configs,
            version,
            params.get("tags") or {},
            now,
        )
        self._remember("CreateDeploymentJob", params, job)
        return self._job_view(job, now, tags=True)

    def sync_deployment_job(self, params: Params) -> Result:
        now = self.store.now()
        fleet = self._fleet(params["fleet"])
        replay = self._replay("SyncDeploymentJob", params, now)
        if replay is not None:
            return self._job_view(replay, now)
        self._refuse_concurrent(fleet, now)
        last = self._last_successful(fleet, now)
        if last is None:
            raise invalid(f"Fleet {fleet.arn} has no successful deployment to synchronize with.")
        config = last.application_configs[0]
        app = self.store.apps.get(config["application"])
        version = app.version(config["applicationVersion"]) if app is not None else None
        if version is None:
            raise not_found(
                f"The robot application {config['application']} version {config['applicationVersion']} "
                "of the last successful deployment no longer exists."
            )
        behind = [
            arn
            for arn in self.store.fleet_members.get(fleet.arn, {})
            if not self._in_sync_with(arn, last.application_configs, now)
        ]
        job = self._new_job(fleet, behind, last.deployment_config, last.application_configs, version, {}, now)
        self._remember("SyncDeploymentJob", params, job)
        return self._job_view(job, now)

    def cancel_deployment_job(self, params: Params) -> Result:
        now = self.store.now()
        job = self._job(params["job"], now)
        # Canceling a finished job is a no-op rather than an error: a client racing the
        # job's end must not have to tell the two apart.
        if not sim.is_finished(job.plan, now, job.canceled_at):
            self.store.put(attrs.evolve(job, canceled_at=now))
        return {}

    def describe_deployment_job(self, params: Params) -> Result:
        now = self.store.now()
        job = self._job(params["job"], now)
        view = self._job_view(job, now, tags=True)
        view["robotDeploymentSummary"] = self._robot_summaries(job, now)
        return view

    def list_deployment_jobs(self, params: Params) -> Result:
        now = self.store.now()
        wanted = _filter(params, {"status": _JOB_STATUSES, "fleetName": None})

        def rows(after: tuple[int, ...] | None) -> Iterator[tuple[tuple[int, ...], Result]]:
            for seq, arn in self.store.order["job"].after(after[0] if after else None, newest_first=True):
                job = self.store.jobs[arn]
                if not _visible(job, now):
                    continue
                if wanted is not None:
                    name, value = wanted
                    if name == "fleetName" and job.fleet_name != value:
                        continue
                    if name == "status" and sim.job_status(job.plan, now, job.canceled_at) != value:
                        continue
                yield (seq,), self._job_view(job, now)

        return _paginate("ListDeploymentJobs", params, rows, "deploymentJobs")

    def _new_job(
        self,
        fleet: Fleet,
        robot_arns: list[str],
        deployment_config: dict[str, Any] | None,
        configs: list[dict[str, Any]],
        version: AppVersion,
        tags: dict[str, str],
        now: float,
    ) -> Job:
        launch = configs[0].get("launchConfig") or {}
        deployment_config = deployment_config or None
        spec = sim.JobSpec(
            created_at=now,
            speed=self.speed,
            seed=self._rng.getrandbits(64),
            robots=tuple(
                sim.RobotSpec.from_tags(arn, robot.architecture, robot.tags)
                for arn in robot_arns
                for robot in (self.store.robots[arn],)
            ),
            source_architectures=frozenset(s.architecture for s in version.sources),
            download_condition=bool((deployment_config or {}).get("downloadConditionFile")),
            pre_launch=bool(launch.get("preLaunchFile")),
            post_launch=bool(launch.get("postLaunchFile")),
            concurrent_percentage=(deployment_config or {}).get("concurrentDeploymentPercentage"),
            failure_threshold_percentage=(deployment_config or {}).get("failureThresholdPercentage"),
            robot_timeout_seconds=(deployment_config or {}).get("robotDeploymentTimeoutInSeconds"),
        )
        job = Job(
            arn=f"arn:aws:robomaker:{self.region}:{self.account_id}:deployment-job/{self._uuid()}",
            seq=self.store.next_seq(),
            fleet_arn=fleet.arn,
            fleet_name=fleet.name,
            created_at=now,
            deployment_config=deployment_config,
            application_configs=configs,
            plan=sim.plan_job(spec),
            tags=dict(tags),
        )
        self.store.put(job)
        return job

    def _replay(self, operation: str, params: Params, now: float) -> Job | None:
        entry = self.store.idempotency.get(f"{operation}:{params['clientRequestToken']}")
        if entry is None:
            return None
        job = self.store.jobs.get(entry.job_arn)
        if job is None or not _visible(job, now):
            return None
        if entry.fingerprint != _fingerprint(params):
            raise ServiceError(
                "IdempotentParameterMismatchException",
                "The request uses the same client request token as a previous, but non-identical request.",
            )
        return job

    def _remember(self, operation: str, params: Params, job: Job) -> None:
        self.store.remember_token(
            f"{operation}:{params['clientRequestToken']}", IdempotencyEntry(_fingerprint(params), job.arn)
        )

    def _refuse_concurrent(self, fleet: Fleet, now: float) -> None:
        jobs = self.store.fleet_jobs.get(fleet.arn)
        if jobs:
            last = self.store.jobs[jobs[-1]]
            if not sim.is_finished(last.plan, now, last.canceled_at):
                raise ServiceError(
                    "ConcurrentDeploymentException",
                    f"Fleet {fleet.arn} already has a deployment in progress: {last.arn}.",
                )

    def _last_successful(self, fleet: Fleet, now: float) -> Job | None:
        for arn in reversed(self.store.fleet_jobs.get(fleet.arn, [])):
            job = self.store.jobs[arn]
            if _visible(job, now) and sim.job_status(job.plan, now, job.canceled_at) == "Succeeded":
                return job
        return None

    def _in_sync_with(self, robot_arn: str, configs: list[dict[str, Any]], now: float) -> bool:
        job_arn = self.store.robot_last_job.get(robot_arn)
        if job_arn is None:
            return False
        job = self.store.jobs[job_arn]
        if _app_version(job.application_configs) != _app_version(configs):
            return False
        plan = job.plan.robots[self._plan_index(job)[robot_arn]]
        return sim.robot_view(plan, now, job.canceled_at).status == RobotStatus.IN_SYNC.value

    def _plan_index(self, job: Job) -> dict[str, int]:
        index = self._robot_index.get(job.arn)
        if index is None:
            index = {plan.arn: i for i, plan in enumerate(job.plan.robots)}
            self._robot_index[job.arn] = index
        return index

    def _job_view(self, job: Job, now: float, *, tags: bool = False) -> Result:
        code, reason = sim.job_failure(job.plan, now, job.canceled_at)
        view: Result = {
            "arn": job.arn,
            "fleet": job.fleet_arn,
            "status": sim.job_status(job.plan, now, job.canceled_at),
            "deploymentApplicationConfigs": job.application_configs,
            "createdAt": job.created_at,
        }
        if job.deployment_config:
            view["deploymentConfig"] = job.deployment_config
        if code is not None:
            view["failureCode"] = code
        if reason is not None:
            view["failureReason"] = reason
        if tags:
            view["tags"] = job.tags
        return view

    def _robot_summaries(self, job: Job, now: float) -> list[Result]:
        settled = now >= sim.settled_at(job.plan, job.canceled_at)
        key = (job.arn, job.canceled_at)
        if settled:
            cached = self._summaries.get(key)
            if cached is not None:
                self._summaries.move_to_end(key)
                return cached
        summaries = [
            _robot_deployment(sim.robot_view(p, now, job.canceled_at), job.arn) for p in job.plan.robots
        ]
        if settled:
            self._summaries[key] = summaries
            if len(self._summaries) > _SUMMARY_CACHE_SIZE:
                self._summaries.popitem(last=False)
        return summaries

    # -- fleets --------------------------------------------------------------------------------------

    def create_fleet(self, params: Params) -> Result:
        now = self.store.now()
        fleet = Fleet(
            arn=self._arn("fleet", params["name"], now, self.store.fleets),
            name=params["name"],
            created_at=now,
            seq=self.store.next_seq(),
            tags=dict(params.get("tags") or {}),
        )
        self.store.put(fleet)
        return {"arn": fleet.arn, "name": fleet.name, "createdAt": fleet.created_at, "tags": fleet.tags}

    def delete_fleet(self, params: Params) -> Result:
        fleet = self._fleet(params["fleet"])
        # Its robots become unassigned, as if deregistered one by one.
        for arn in list(self.store.fleet_members.get(fleet.arn, {})):
            robot = self.store.robots[arn]
            self.store.put(attrs.evolve(robot, fleet_arn=None, registered_seq=self.store.next_seq()))
        self.store.delete(fleet)
        return {}

    def describe_fleet(self, params: Params) -> Result:
        now = self.store.now()
        fleet = self._fleet(params["fleet"])
        view = self._fleet_view(fleet, now)
        view["robots"] = [
            self._robot_view(self.store.robots[arn], now, summary=True)
            for arn in self.store.fleet_members.get(fleet.arn, {})
        ]
        view["tags"] = fleet.tags
        return view

    def list_fleets(self, params: Params) -> Result:
        now = self.store.now()
        wanted = _filter(params, {"name": None})

        def rows(after: tuple[int, ...] | None) -> Iterator[tuple[tuple[int, ...], Result]]:
            for seq, arn in self.store.order["fleet"].after(after[0] if after else None, newest_first=False):
                fleet = self.store.fleets[arn]
                if wanted is None or fleet.name == wanted[1]:
                    yield (seq,), self._fleet_view(fleet, now)

        return _paginate("ListFleets", params, rows, "fleetDetails")

    def _fleet_view(self, fleet: Fleet, now: float) -> Result:
        view: Result = {"name": fleet.name, "arn": fleet.arn, "createdAt": fleet.created_at}
        jobs = self.store.fleet_jobs.get(fleet.arn)
        if jobs:
            last = self.store.jobs[jobs[-1]]
            view["lastDeploymentStatus"] = sim.job_status(last.plan, now, last.canceled_at)
            view["lastDeploymentJob"] = last.arn
            view["lastDeploymentTime"] = last.created_at
        return view

    # -- robots --------------------------------------------------------------------------------------

    def create_robot(self, params: Params) -> Result:
        now = self.store.now()
        name = params["name"]
        if any(robot.name == name for robot in self.store.robots.values()):
            raise ServiceError("ResourceAlreadyExistsException", f"A robot named {name} already exists.")
        robot = Robot(
            arn=self._arn("robot", name, now, self.store.robots),
            name=name,
            architecture=params["architecture"],
            greengrass_group_id=params["greengrassGroupId"],
            created_at=now,
            seq=self.store.next_seq(),
            tags=dict(params.get("tags") or {}),
        )
        self.store.put(robot)
        return {
            "arn": robot.arn,
            "name": robot.name,
            "createdAt": robot.created_at,
            "greengrassGroupId": robot.greengrass_group_id,
            "architecture": robot.architecture,
            "tags": robot.tags,
        }

    def delete_robot(self, params: Params) -> Result:
        self.store.delete(self._robot(params["robot"]))
        return {}

    def describe_robot(self, params: Params) -> Result:
        now = self.store.now()
        view = self._robot_view(self._robot(params["robot"]), now, summary=False)
        return view

    def list_robots(self, params: Params) -> Result:
        now = self.store.now()
        wanted = _filter(params, {"fleetName": None, "status": _ROBOT_STATUSES})

        def rows(after: tuple[int, ...] | None) -> Iterator[tuple[tuple[int, ...], Result]]:
            for seq, arn in self.store.order["robot"].after(after[0] if after else None, newest_first=False):
                robot = self.store.robots[arn]
                if wanted is not None and wanted[0] == "fleetName":
                    fleet = self.store.fleets.get(robot.fleet_arn) if robot.fleet_arn else None
                    if fleet is None or fleet.name != wanted[1]:
                        continue
                view = self._robot_view(robot, now, summary=True)
                if wanted is not None and wanted[0] == "status" and view["status"] != wanted[1]:
                    continue
                yield (seq,), view

        return _paginate("ListRobots", params, rows, "robots")

    def register_robot(self, params: Params) -> Result:
        fleet = self._fleet(params["fleet"])
        robot = self._robot(params["robot"])
        if robot.fleet_arn == fleet.arn:
            return {"fleet": fleet.arn, "robot": robot.arn}
        if robot.fleet_arn is not None:
            raise invalid(f"Robot {robot.arn} is already registered to fleet {robot.fleet_arn}.")
        if len(self.store.fleet_members.get(fleet.arn, {})) >= MAX_ROBOTS_PER_FLEET:
            raise ServiceError(
                "LimitExceededException", f"Fleet {fleet.arn} already has {MAX_ROBOTS_PER_FLEET} robots."
            )
        self.store.put(attrs.evolve(robot, fleet_arn=fleet.arn, registered_seq=self.store.next_seq()))
        return {"fleet": fleet.arn, "robot": robot.arn}

    def deregister_robot(self, params: Params) -> Result:
        fleet = self._fleet(params["fleet"])
        robot = self._robot(params["robot"])
        if robot.fleet_arn != fleet.arn:
            raise invalid(f"Robot {robot.arn} is not registered to fleet {fleet.arn}.")
        self.store.put(attrs.evolve(robot, fleet_arn=None, registered_seq=self.store.next_seq()))
        return {"fleet": fleet.arn, "robot": robot.arn}

    def _robot_view(self, robot: Robot, now: float, *, summary: bool) -> Result:
        # The list shape spells the Greengrass member differently from DescribeRobot's output.
        group_key = "greenGrassGroupId" if summary else "greengrassGroupId"
        view: Result = {
            "arn": robot.arn,
            "name": robot.name,
            "status": RobotStatus.AVAILABLE.value,
            group_key: robot.greengrass_group_id,
            "createdAt": robot.created_at,
            "architecture": robot.architecture,
        }
        if robot.fleet_arn is not None:
            view["fleetArn"] = robot.fleet_arn
            view["status"] = RobotStatus.REGISTERED.value
            job_arn = self.store.robot_last_job.get(robot.arn)
            if job_arn is not None:
                job = self.store.jobs[job_arn]
                plan = job.plan.robots[self._plan_index(job)[robot.arn]]
                view["status"] = sim.robot_view(plan, now, job.canceled_at).status
                view["lastDeploymentJob"] = job.arn
                view["lastDeploymentTime"] = job.created_at
        if not summary:
            view["tags"] = robot.tags
        return view

    # -- robot applications ----------------------------------------------------------------------------

    def create_robot_application(self, params: Params) -> Result:
        now = self.store.now()
        name = params["name"]
        if any(app.name == name for app in self.store.apps.values()):
            raise ServiceError(
                "ResourceAlreadyExistsException", f"A robot application named {name} already exists."
            )
        sources = params.get("sources") or []
        environment = params.get("environment")
        if not sources and not environment:
            raise invalid("A robot application needs sources or an environment.")
        architectures = [source.get("architecture") for source in sources]
        if any(a is None for a in architectures) or len(set(architectures)) != len(architectures):
            raise invalid("Each source must name an architecture, and no architecture twice.")
        suite = params["robotSoftwareSuite"]
        app = RobotApplication(
            arn=self._arn("robot-application", name, now, self.store.apps),
            name=name,
            created_at=now,
            seq=self.store.next_seq(),
            suite_name=suite.get("name", "ROS"),
            suite_version=suite.get("version"),
            latest=AppVersion(
                version="$LATEST",
                sources=tuple(
                    Source(s["s3Bucket"], s["s3Key"], _etag(s["s3Bucket"], s["s3Key"]), s["architecture"])
                    for s in sources
                ),
                revision_id=self._uuid(),
                last_updated_at=now,
                environment_uri=(environment or {}).get("uri"),
            ),
            tags=dict(params.get("tags") or {}),
        )
        self.store.put(app)
        view = _app_view(app, app.latest)
        view["tags"] = app.tags
        return view

    def create_robot_application_version(self, params: Params) -> Result:
        now = self.store.now()
        app = self._app(params["application"])
        current = params.get("currentRevisionId")
        if current is not None and current != app.latest.revision_id:
            raise invalid(f"The revision ID {current} does not match the latest revision of {app.arn}.")
        if len(app.versions) >= MAX_VERSIONS_PER_APPLICATION:
            raise ServiceError(
                "LimitExceededException",
                f"Robot application {app.arn} already has {MAX_VERSIONS_PER_APPLICATION} versions.",
            )
        etags = params.get("s3Etags")
        if etags is not None and sorted(etags) != sorted(s.etag for s in app.latest.sources):
            raise invalid("The S3 ETags do not match the application's sources.")
        version = attrs.evolve(
            app.latest,
            version=str(app.next_version),
            last_updated_at=now,
            image_digest=params.get("imageDigest") or app.latest.image_digest,
        )
        updated = attrs.evolve(app, versions=(*app.versions, version), next_version=app.next_version + 1)
        self.store.put(updated)
        return _app_view(updated, version)

    def describe_robot_application(self, params: Params) -> Result:
        app = self._app(params["application"])
        name = params.get("applicationVersion") or "$LATEST"
        version = app.version(name)
        if version is None:
            raise not_found(f"Version {name} of robot application {app.arn} does not exist.")
        view = _app_view(app, version)
        view["tags"] = app.tags
        if version.image_digest:
            view["imageDigest"] = version.image_digest
        return view

    def list_robot_applications(self, params: Params) -> Result:
        wanted = _filter(params, {"name": None})
        all_versions = params.get("versionQualifier") == "ALL"

        def rows(after: tuple[int, ...] | None) -> Iterator[tuple[tuple[int, ...], Result]]:
            start = None if after is None else after[0] - 1
            for seq, arn in self.store.order["app"].after(start, newest_first=False):
                app = self.store.apps[arn]
                if wanted is not None and app.name != wanted[1]:
                    continue
                versions = (app.latest, *app.versions) if all_versions else (app.latest,)
                for ordinal, version in enumerate(versions):
                    if after is not None and (seq, ordinal) <= (after[0], after[1]):
                        continue
                    yield (
                        (seq, ordinal),
                        {
                            "name": app.name,
                            "arn": app.arn,
                            "version": version.version,
                            "lastUpdatedAt": version.last_updated_at,
                            "robotSoftwareSuite": _suite(app),
                        },
                    )

        return _paginate("ListRobotApplications", params, rows, "robotApplicationSummaries")

    def delete_robot_application(self, params: Params) -> Result:
        app = self._app(params["application"])
        name = params.get("applicationVersion")
        if name is None:
            self.store.delete(app)
            return {}
        if name == "$LATEST":
            raise invalid("$LATEST cannot be deleted on its own; delete the application instead.")
        if app.version(name) is None:
            raise not_found(f"Version {name} of robot application {app.arn} does not exist.")
        self.store.put(attrs.evolve(app, versions=tuple(v for v in app.versions if v.version != name)))
        return {}

    # -- tags ----------------------------------------------------------------------------------------

    def _tagged(self, arn: str) -> Fleet | Robot | RobotApplication | Job:
        now = self.store.now()
        for table in (self.store.fleets, self.store.robots, self.store.apps):
            record = table.get(arn)
            if record is not None:
                return record
        job = self.store.jobs.get(arn)
        if job is None or not _visible(job, now):
            raise not_found(f"Resource {arn} does not exist.")
        return job

    def tag_resource(self, params: Params) -> Result:
        record = self._tagged(params["resourceArn"])
        tags = {**record.tags, **params["tags"]}
        if len(tags) > MAX_TAGS:
            raise invalid(f"A resource can have at most {MAX_TAGS} tags.")
        self.store.put(attrs.evolve(record, tags=tags))
        return {}

    def untag_resource(self, params: Params) -> Result:
        record = self._tagged(params["resourceArn"])
        drop = set(params["tagKeys"])
        self.store.put(attrs.evolve(record, tags={k: v for k, v in record.tags.items() if k not in drop}))
        return {}

    def list_tags_for_resource(self, params: Params) -> Result:
        return {"tags": self._tagged(params["resourceArn"]).tags}


# -- helpers ---------------------------------------------------------------------------------------------


def _visible(job: Job, now: float) -> bool:
    return now < job.created_at + JOB_RETENTION_SECONDS


def _fingerprint(params: Params) -> str:
    """The request minus its token: what a replay must repeat exactly."""
    rest = {k: v for k, v in params.items() if k != "clientRequestToken"}
    return hashlib.sha256(json.dumps(rest, sort_keys=True).encode()).hexdigest()


def _app_version(configs: list[dict[str, Any]]) -> tuple[str, str]:
    return configs[0]["application"], configs[0]["applicationVersion"]


def _etag(bucket: str, key: str) -> str:
    # Stands in for the S3 object's ETag: stable for the same object, different across objects.
    return '"' + hashlib.md5(f"{bucket}/{key}".encode(), usedforsecurity=False).hexdigest() + '"'


def _suite(app: RobotApplication) -> Result:
    suite: Result = {"name": app.suite_name}
    if app.suite_version is not None:
        suite["version"] = app.suite_version
    return suite


def _app_view(app: RobotApplication, version: AppVersion) -> Result:
    view: Result = {
        "arn": app.arn,
        "name": app.name,
        "version": version.version,
        "sources": [
            {"s3Bucket": s.s3_bucket, "s3Key": s.s3_key, "etag": s.etag, "architecture": s.architecture}
            for s in version.sources
        ],
        "robotSoftwareSuite": _suite(app),
        "lastUpdatedAt": version.last_updated_at,
        "revisionId": version.revision_id,
    }
    if version.environment_uri is not None:
        view["environment"] = {"uri": version.environment_uri}
    return view


def _robot_deployment(view: sim.RobotView, job_arn: str) -> Result:
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


_JOB_STATUSES = frozenset(s.value for s in DeploymentStatus)
_ROBOT_STATUSES = frozenset(s.value for s in RobotStatus)


def _filter(params: Params, allowed: dict[str, frozenset[str] | None]) -> tuple[str, str] | None:
    """The one filter a list call may carry, as ``(name, value)``; ``allowed`` maps names to their values."""
    filters = params.get("filters")
    if not filters:
        return None
    name = filters[0].get("name")
    values = filters[0].get("values") or []
    if name not in allowed:
        raise invalid(f"Unsupported filter name {name!r}; supported: {', '.join(sorted(allowed))}.")
    if len(values) != 1:
        raise invalid("A filter takes exactly one value.")
    known = allowed[name]
    if known is not None and values[0] not in known:
        raise invalid(f"Unknown {name} {values[0]!r}.")
    return name, values[0]


def _paginate(
    operation: str,
    params: Params,
    rows: Callable[[tuple[int, ...] | None], Iterator[tuple[tuple[int, ...], Result]]],
    result_key: str,
) -> Result:
    """Keyset pagination: the token names the last key served, so inserts never shift pages."""
    # The bounds of maxResults are the model's: validation refused anything outside them.
    max_results = params.get("maxResults", page_limit(operation))
    after = _decode_token(operation, params["nextToken"]) if params.get("nextToken") else None
    page: list[Result] = []
    last: tuple[int, ...] | None = None
    more = False
    for key, item in rows(after):
        if len(page) == max_results:
            more = True
            break
        page.append(item)
        last = key
    out: Result = {result_key: page}
    if more and last is not None:
        out["nextToken"] = _encode_token(operation, last)
    return out


def _encode_token(operation: str, key: tuple[int, ...]) -> str:
    return base64.b64encode(json.dumps([operation, *key]).encode()).decode()


def _decode_token(operation: str, token: str) -> tuple[int, ...]:
    try:
        decoded = json.loads(base64.b64decode(token.encode(), validate=True))
    except (binascii.Error, ValueError):
        decoded = None
    if (
        not isinstance(decoded, list)
        or len(decoded) < 2
        or decoded[0] != operation
        or not all(isinstance(part, int) for part in decoded[1:])
    ):
        raise invalid("The nextToken is not valid for this request.")
    return tuple(decoded[1:])
