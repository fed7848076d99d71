"""What each operation's response becomes: one table that the client's calls and the benchmarks read.

The client's methods name an :class:`Output`, never a model class, so the
type a call returns is the table's; a benchmark that decodes a body through
:func:`~robomaker_deploy._client.calls.read` with the same entry measures
the very path the client takes, into the very type it returns.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import attrs

from .._models import (
    DeploymentJob,
    DescribedDeploymentJob,
    Fleet,
    Robot,
    RobotApplication,
    RobotApplicationSummary,
    RobotRegistration,
)

__all__ = [
    "CREATE_DEPLOYMENT_JOB",
    "CREATE_FLEET",
    "CREATE_ROBOT",
    "CREATE_ROBOT_APPLICATION",
    "CREATE_ROBOT_APPLICATION_VERSION",
    "DEREGISTER_ROBOT",
    "DESCRIBE_DEPLOYMENT_JOB",
    "DESCRIBE_FLEET",
    "DESCRIBE_ROBOT",
    "DESCRIBE_ROBOT_APPLICATION",
    "LIST_DEPLOYMENT_JOBS",
    "LIST_FLEETS",
    "LIST_ROBOTS",
    "LIST_ROBOT_APPLICATIONS",
    "OUTPUTS",
    "REGISTER_ROBOT",
    "SYNC_DEPLOYMENT_JOB",
    "Output",
]

T = TypeVar("T")


@attrs.frozen
class Output(Generic[T]):
    """An operation, and the model its response (or each item of its listing) is structured into."""

    operation: str
    model: type[T]
    items: str | None = None
    """For a listing: the member that holds the list of items, each one a ``model``."""


CREATE_DEPLOYMENT_JOB = Output("CreateDeploymentJob", DeploymentJob)
DESCRIBE_DEPLOYMENT_JOB = Output("DescribeDeploymentJob", DescribedDeploymentJob)
SYNC_DEPLOYMENT_JOB = Output("SyncDeploymentJob", DeploymentJob)
LIST_DEPLOYMENT_JOBS = Output("ListDeploymentJobs", DeploymentJob, "deploymentJobs")
CREATE_FLEET = Output("CreateFleet", Fleet)
DESCRIBE_FLEET = Output("DescribeFleet", Fleet)
LIST_FLEETS = Output("ListFleets", Fleet, "fleetDetails")
CREATE_ROBOT = Output("CreateRobot", Robot)
DESCRIBE_ROBOT = Output("DescribeRobot", Robot)
LIST_ROBOTS = Output("ListRobots", Robot, "robots")
REGISTER_ROBOT = Output("RegisterRobot", RobotRegistration)
DEREGISTER_ROBOT = Output("DeregisterRobot", RobotRegistration)
CREATE_ROBOT_APPLICATION = Output("CreateRobotApplication", RobotApplication)
CREATE_ROBOT_APPLICATION_VERSION = Output("CreateRobotApplicationVersion", RobotApplication)
DESCRIBE_ROBOT_APPLICATION = Output("DescribeRobotApplication", RobotApplication)
LIST_ROBOT_APPLICATIONS = Output(
    "ListRobotApplications", RobotApplicationSummary, "robotApplicationSummaries"
)

#: Every operation whose response the client structures into a model, by name.
OUTPUTS: dict[str, Output[Any]] = {
    output.operation: output
    for output in (
        CREATE_DEPLOYMENT_JOB,
        DESCRIBE_DEPLOYMENT_JOB,
        SYNC_DEPLOYMENT_JOB,
        LIST_DEPLOYMENT_JOBS,
        CREATE_FLEET,
        DESCRIBE_FLEET,
        LIST_FLEETS,
        CREATE_ROBOT,
        DESCRIBE_ROBOT,
        LIST_ROBOTS,
        REGISTER_ROBOT,
        DEREGISTER_ROBOT,
        CREATE_ROBOT_APPLICATION,
        CREATE_ROBOT_APPLICATION_VERSION,
        DESCRIBE_ROBOT_APPLICATION,
        LIST_ROBOT_APPLICATIONS,
    )
}
