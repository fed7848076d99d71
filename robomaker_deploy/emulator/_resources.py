"""The operations on fleets, robots, robot applications and tags.

Their rules: names are unique per kind; a robot belongs to one fleet at a
time, and (de)registering it starts its deployment history afresh; a fleet
holds at most 1,000 robots, an application 40 numbered versions, a resource
50 tags; numbered versions are snapshots of ``$LATEST``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Container, Iterator
from typing import TypedDict

import attrs

from .._enums import RobotStatus
from . import _arns as arns
from . import _views as views
from ._context import Context, Rule
from ._errors import ServiceError, invalid, not_found
from ._paging import Key, by_seq, list_filter, paginate
from ._records import AppVersion, Fleet, Params, Record, Result, Robot, RobotApplication, Source
from ._store import Table

MAX_ROBOTS_PER_FLEET = 1000
MAX_VERSIONS_PER_APPLICATION = 40
MAX_TAGS = 50
_ROBOT_STATUSES = frozenset(s.value for s in RobotStatus)


# -- what fleets, robots and applications are created alike -----------------------------------------------


class _Identity(TypedDict):
    arn: str
    name: str
    created_at: float
    seq: int
    tags: dict[str, str]


def _refuse_taken(table: Table[Robot] | Table[RobotApplication], name: str, noun: str) -> None:
    if any(record.name == name for record in table.values()):
        raise ServiceError("ResourceAlreadyExistsException", f"A {noun} named {name} already exists.")


def _identity(ctx: Context, kind: str, taken: Container[str], params: Params) -> _Identity:
    """The fields every named resource is created with: ARN, name, creation time and sequence, tags."""
    now = ctx.store.now()
    return _Identity(
        arn=ctx.arn(kind, params["name"], now, taken),
        name=params["name"],
        created_at=now,
        seq=ctx.store.next_seq(),
        tags=dict(params.get("tags") or {}),
    )


# -- fleets ----------------------------------------------------------------------------------------------


def create_fleet(ctx: Context, params: Params) -> Result:
    fleet = Fleet(**_identity(ctx, arns.FLEET, ctx.store.fleets, params))
    ctx.store.put(fleet)
    return views.created_fleet(fleet)


def delete_fleet(ctx: Context, params: Params) -> Result:
    fleet = ctx.fleet(params["fleet"])
    # Its robots become unassigned, as if deregistered one by one.
    for robot in ctx.store.members(fleet.arn):
        _assign(ctx, robot, None)
    ctx.store.delete(fleet)
    return {}


def describe_fleet(ctx: Context, params: Params) -> Result:
    now = ctx.store.now()
    fleet = ctx.fleet(params["fleet"])
    view = views.fleet(fleet, ctx.store.last_job(fleet.arn), now)
    view["robots"] = [_robot_view(ctx, robot, now, summary=True) for robot in ctx.store.members(fleet.arn)]
    view["tags"] = fleet.tags
    return view


def list_fleets(ctx: Context, params: Params) -> Result:
    now = ctx.store.now()
    wanted = list_filter(params, {"name": None})

    def view(fleet: Fleet) -> Result | None:
        if wanted is not None and fleet.name != wanted[1]:
            return None
        return views.fleet(fleet, ctx.store.last_job(fleet.arn), now)

    rows = by_seq(lambda seq: ctx.store.fleets.after(seq, newest_first=False), view)
    return paginate("ListFleets", params, "fleetDetails", rows)


# -- robots ----------------------------------------------------------------------------------------------


def create_robot(ctx: Context, params: Params) -> Result:
    _refuse_taken(ctx.store.robots, params["name"], "robot")
    robot = Robot(
        **_identity(ctx, arns.ROBOT, ctx.store.robots, params),
        architecture=params["architecture"],
        greengrass_group_id=params["greengrassGroupId"],
    )
    ctx.store.put(robot)
    return views.created_robot(robot)


def delete_robot(ctx: Context, params: Params) -> Result:
    ctx.store.delete(ctx.robot(params["robot"]))
    return {}


def describe_robot(ctx: Context, params: Params) -> Result:
    return _robot_view(ctx, ctx.robot(params["robot"]), ctx.store.now(), summary=False)


def list_robots(ctx: Context, params: Params) -> Result:
    now = ctx.store.now()
    wanted = list_filter(params, {"fleetName": None, "status": _ROBOT_STATUSES})

    def view(robot: Robot) -> Result | None:
        if wanted is not None and wanted[0] == "fleetName":
            fleet = ctx.store.fleets.get(robot.fleet_arn) if robot.fleet_arn else None
            if fleet is None or fleet.name != wanted[1]:
                return None
        shown = _robot_view(ctx, robot, now, summary=True)
        if wanted is not None and wanted[0] == "status" and shown["status"] != wanted[1]:
            return None
        return shown

    rows = by_seq(lambda seq: ctx.store.robots.after(seq, newest_first=False), view)
    return paginate("ListRobots", params, "robots", rows)


def register_robot(ctx: Context, params: Params) -> Result:
    fleet = ctx.fleet(params["fleet"])
    robot = ctx.robot(params["robot"])
    if robot.fleet_arn == fleet.arn:
        return {"fleet": fleet.arn, "robot": robot.arn}
    if robot.fleet_arn is not None:
        raise invalid(f"Robot {robot.arn} is already registered to fleet {robot.fleet_arn}.")
    if ctx.store.member_count(fleet.arn) >= MAX_ROBOTS_PER_FLEET:
        raise ServiceError(
            "LimitExceededException", f"Fleet {fleet.arn} already has {MAX_ROBOTS_PER_FLEET} robots."
        )
    _assign(ctx, robot, fleet.arn)
    return {"fleet": fleet.arn, "robot": robot.arn}


def deregister_robot(ctx: Context, params: Params) -> Result:
    fleet = ctx.fleet(params["fleet"])
    robot = ctx.robot(params["robot"])
    if robot.fleet_arn != fleet.arn:
        raise invalid(f"Robot {robot.arn} is not registered to fleet {fleet.arn}.")
    _assign(ctx, robot, None)
    return {"fleet": fleet.arn, "robot": robot.arn}


def _assign(ctx: Context, robot: Robot, fleet_arn: str | None) -> None:
    """(De)register: a new registration sequence number cuts the robot off from earlier jobs."""
    ctx.store.put(attrs.evolve(robot, fleet_arn=fleet_arn, registered_seq=ctx.store.next_seq()))


def _robot_view(ctx: Context, robot: Robot, now: float, *, summary: bool) -> Result:
    return views.robot(robot, ctx.store.last_deployment(robot.arn), now, summary=summary)


# -- robot applications ----------------------------------------------------------------------------------


def create_robot_application(ctx: Context, params: Params) -> Result:
    _refuse_taken(ctx.store.apps, params["name"], "robot application")
    sources = params.get("sources") or []
    environment = params.get("environment")
    if not sources and not environment:
        raise invalid("A robot application needs sources or an environment.")
    architectures = [source.get("architecture") for source in sources]
    if any(a is None for a in architectures) or len(set(architectures)) != len(architectures):
        raise invalid("Each source must name an architecture, and no architecture twice.")
    suite = params["robotSoftwareSuite"]
    identity = _identity(ctx, arns.APPLICATION, ctx.store.apps, params)
    app = RobotApplication(
        **identity,
        suite_name=suite.get("name", "ROS"),
        suite_version=suite.get("version"),
        latest=AppVersion(
            version="$LATEST",
            sources=tuple(
                Source(s["s3Bucket"], s["s3Key"], _etag(s["s3Bucket"], s["s3Key"]), s["architecture"])
                for s in sources
            ),
            revision_id=ctx.revision_id(identity["seq"]),
            last_updated_at=identity["created_at"],
            environment_uri=(environment or {}).get("uri"),
        ),
    )
    ctx.store.put(app)
    view = views.application(app, app.latest)
    view["tags"] = app.tags
    return view


def create_robot_application_version(ctx: Context, params: Params) -> Result:
    now = ctx.store.now()
    app = ctx.app(params["application"])
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
    ctx.store.put(updated)
    return views.application(updated, version)


def describe_robot_application(ctx: Context, params: Params) -> Result:
    app = ctx.app(params["application"])
    version = _version(app, params.get("applicationVersion") or "$LATEST")
    view = views.application(app, version)
    view["tags"] = app.tags
    if version.image_digest:
        view["imageDigest"] = version.image_digest
    return view


def list_robot_applications(ctx: Context, params: Params) -> Result:
    wanted = list_filter(params, {"name": None})
    all_versions = params.get("versionQualifier") == "ALL"

    # Keyed by (application, version's place), so a page may end between two versions of one application.
    def rows(after: Key | None) -> Iterator[tuple[Key, Result]]:
        start = None if after is None else after[0] - 1
        for seq, app in ctx.store.apps.after(start, newest_first=False):
            if wanted is not None and app.name != wanted[1]:
                continue
            versions = (app.latest, *app.versions) if all_versions else (app.latest,)
            for ordinal, version in enumerate(versions):
                if after is not None and (seq, ordinal) <= (after[0], after[1]):
                    continue
                yield (seq, ordinal), views.application_summary(app, version)

    return paginate("ListRobotApplications", params, "robotApplicationSummaries", rows)


def delete_robot_application(ctx: Context, params: Params) -> Result:
    app = ctx.app(params["application"])
    name = params.get("applicationVersion")
    if name is None:
        ctx.store.delete(app)
        return {}
    if name == "$LATEST":
        raise invalid("$LATEST cannot be deleted on its own; delete the application instead.")
    _version(app, name)
    ctx.store.put(attrs.evolve(app, versions=tuple(v for v in app.versions if v.version != name)))
    return {}


def _version(app: RobotApplication, name: str) -> AppVersion:
    version = app.version(name)
    if version is None:
        raise not_found(f"Version {name} of robot application {app.arn} does not exist.")
    return version


def _etag(bucket: str, key: str) -> str:
    # Stands in for the S3 object's ETag: stable for the same object, different across objects.
    return '"' + hashlib.md5(f"{bucket}/{key}".encode(), usedforsecurity=False).hexdigest() + '"'


# -- tags ------------------------------------------------------------------------------------------------


def tag_resource(ctx: Context, params: Params) -> Result:
    record = _tagged(ctx, params["resourceArn"])
    tags = {**record.tags, **params["tags"]}
    if len(tags) > MAX_TAGS:
        raise invalid(f"A resource can have at most {MAX_TAGS} tags.")
    ctx.store.put(attrs.evolve(record, tags=tags))
    return {}


def untag_resource(ctx: Context, params: Params) -> Result:
    record = _tagged(ctx, params["resourceArn"])
    drop = set(params["tagKeys"])
    ctx.store.put(attrs.evolve(record, tags={k: v for k, v in record.tags.items() if k not in drop}))
    return {}


def list_tags_for_resource(ctx: Context, params: Params) -> Result:
    return {"tags": _tagged(ctx, params["resourceArn"]).tags}


def _tagged(ctx: Context, arn: str) -> Record:
    if arns.kind_of(arn) is None:
        raise invalid(f"{arn} is not a valid RoboMaker ARN.")
    store = ctx.store
    record: Record | None = (
        store.fleets.get(arn)
        or store.robots.get(arn)
        or store.apps.get(arn)
        or ctx.find_job(arn, store.now())
    )
    if record is None:
        raise not_found(f"Resource {arn} does not exist.")
    return record


OPERATIONS: dict[str, Rule] = {
    "CreateFleet": create_fleet,
    "DeleteFleet": delete_fleet,
    "DescribeFleet": describe_fleet,
    "ListFleets": list_fleets,
    "CreateRobot": create_robot,
    "DeleteRobot": delete_robot,
    "DescribeRobot": describe_robot,
    "ListRobots": list_robots,
    "RegisterRobot": register_robot,
    "DeregisterRobot": deregister_robot,
    "CreateRobotApplication": create_robot_application,
    "CreateRobotApplicationVersion": create_robot_application_version,
    "DescribeRobotApplication": describe_robot_application,
    "ListRobotApplications": list_robot_applications,
    "DeleteRobotApplication": delete_robot_application,
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "ListTagsForResource": list_tags_for_resource,
}
