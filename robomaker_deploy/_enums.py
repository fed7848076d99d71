"""The service's enumerations, open to values this release does not know.

RoboMaker added enum values over the years (``Canceled``, the
``ExecutingDownloadCondition`` step, several failure codes). A client that
breaks on a value it does not know is a client that breaks in production, so
each enum here accepts any wire string: known strings give the usual member,
unknown ones give a pseudo-member whose ``.value`` is the raw string and
whose ``is_known`` is ``False``.
"""

from __future__ import annotations

import enum
from typing import Any, Literal, TypeVar

import attrs

from ._errors import ValidationError

__all__ = [
    "Architecture",
    "ArchitectureValue",
    "DeploymentStatus",
    "DeploymentStatusValue",
    "FailureCategory",
    "FailureCode",
    "FailureInfo",
    "RobotDeploymentStep",
    "RobotSoftwareSuiteName",
    "RobotSoftwareSuiteNameValue",
    "RobotSoftwareSuiteVersion",
    "RobotSoftwareSuiteVersionValue",
    "RobotStatus",
    "RobotStatusValue",
]

# Each enum that a caller passes has a Literal of its wire values beside it: a parameter typed
# `Architecture | ArchitectureValue` takes the member or its string, and a member of another enum
# (a str too) is a type error rather than a request the service refuses.


class _OpenEnum(str, enum.Enum):
    """A str enum whose lookup by value never fails for a string."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        # A pseudo-member: an instance of the class, equal to its wire string,
        # but not one of the class's members (so iteration and `in` ignore it).
        member = str.__new__(cls, value)
        member._name_ = "UNKNOWN"
        member._value_ = value
        return member

    @property
    def is_known(self) -> bool:
        """``False`` for a value this release of the SDK has no member for."""
        return self._name_ in type(self).__members__ and type(self).__members__[self._name_] is self

    def __str__(self) -> str:
        return str(self.value)

    def __repr__(self) -> str:
        if self.is_known:
            return f"<{type(self).__name__}.{self._name_}: {self._value_!r}>"
        return f"<{type(self).__name__} unknown: {self._value_!r}>"


E = TypeVar("E", bound=_OpenEnum)


def member_of(cls: type[E], value: object, field: str, *, unknown: bool = False) -> E:
    """``value``, a member of ``cls`` or its wire string, as the member; else a ``ValidationError``.

    A member of another enumeration is a str too, so it is refused, not
    converted (``RobotStatus.FAILED`` is not the deployment status "Failed").
    With ``unknown``, a string this release does not know becomes a
    pseudo-member (for values that travel back from the service); without,
    it is refused.
    """
    if isinstance(value, cls) and (unknown or value.is_known):
        return value
    if isinstance(value, str) and not isinstance(value, _OpenEnum):
        member = cls(value)
        if unknown or member.is_known:
            return member
    known = ", ".join(member.value for member in cls)
    raise ValidationError(field, repr(value), f"must be a {cls.__name__} or one of its values ({known})")


class DeploymentStatus(_OpenEnum):
    """Where a deployment job is in its life."""

    PENDING = "Pending"
    PREPARING = "Preparing"
    IN_PROGRESS = "InProgress"
    FAILED = "Failed"
    SUCCEEDED = "Succeeded"
    CANCELED = "Canceled"

    @property
    def is_terminal(self) -> bool:
        """True for the statuses a job never leaves: Succeeded, Failed and Canceled."""
        return self in _TERMINAL_DEPLOYMENT


DeploymentStatusValue = Literal["Pending", "Preparing", "InProgress", "Failed", "Succeeded", "Canceled"]
"""A :class:`DeploymentStatus` as its wire string."""

_TERMINAL_DEPLOYMENT = frozenset(
    {DeploymentStatus.SUCCEEDED, DeploymentStatus.FAILED, DeploymentStatus.CANCELED}
)


class RobotStatus(_OpenEnum):
    """A robot's state, in a fleet and within a deployment."""

    AVAILABLE = "Available"
    REGISTERED = "Registered"
    PENDING_NEW_DEPLOYMENT = "PendingNewDeployment"
    DEPLOYING = "Deploying"
    FAILED = "Failed"
    IN_SYNC = "InSync"
    NO_RESPONSE = "NoResponse"

    @property
    def is_terminal(self) -> bool:
        """True once the robot's part of a deployment is over (InSync, Failed or NoResponse)."""
        return self in _TERMINAL_ROBOT

    @property
    def is_failed(self) -> bool:
        """True if the robot's part of a deployment ended without it in sync (Failed or NoResponse)."""
        return self in _FAILED_ROBOT


RobotStatusValue = Literal[
    "Available", "Registered", "PendingNewDeployment", "Deploying", "Failed", "InSync", "NoResponse"
]
"""A :class:`RobotStatus` as its wire string."""

_FAILED_ROBOT = frozenset({RobotStatus.FAILED, RobotStatus.NO_RESPONSE})
_TERMINAL_ROBOT = _FAILED_ROBOT | {RobotStatus.IN_SYNC}


class RobotDeploymentStep(_OpenEnum):
    """The step a robot's deployment is at, in the order the robot walks them."""

    VALIDATING = "Validating"
    DOWNLOADING_EXTRACTING = "DownloadingExtracting"
    EXECUTING_DOWNLOAD_CONDITION = "ExecutingDownloadCondition"
    EXECUTING_PRE_LAUNCH = "ExecutingPreLaunch"
    LAUNCHING = "Launching"
    EXECUTING_POST_LAUNCH = "ExecutingPostLaunch"
    FINISHED = "Finished"


class Architecture(_OpenEnum):
    """A robot's CPU architecture, which an application source must match."""

    X86_64 = "X86_64"
    ARM64 = "ARM64"
    ARMHF = "ARMHF"


ArchitectureValue = Literal["X86_64", "ARM64", "ARMHF"]
"""An :class:`Architecture` as its wire string."""


class RobotSoftwareSuiteName(_OpenEnum):
    """The robot software suite an application is built for."""

    ROS = "ROS"
    ROS2 = "ROS2"
    GENERAL = "General"


RobotSoftwareSuiteNameValue = Literal["ROS", "ROS2", "General"]
"""A :class:`RobotSoftwareSuiteName` as its wire string."""


class RobotSoftwareSuiteVersion(_OpenEnum):
    """The version of the robot software suite."""

    KINETIC = "Kinetic"
    MELODIC = "Melodic"
    DASHING = "Dashing"
    FOXY = "Foxy"


RobotSoftwareSuiteVersionValue = Literal["Kinetic", "Melodic", "Dashing", "Foxy"]
"""A :class:`RobotSoftwareSuiteVersion` as its wire string."""


class FailureCategory(_OpenEnum):
    """Broad families of deployment failure, for routing alerts and retries."""

    ROBOT_CONNECTIVITY = "robot connectivity"
    PERMISSIONS = "permissions"
    BUNDLE = "bundle"
    LAUNCH_SCRIPTS = "launch scripts"
    CONFIGURATION = "configuration"
    GREENGRASS = "greengrass"
    MISSING_RESOURCE = "missing resource"
    DEPLOYMENT_POLICY = "deployment policy"
    SERVICE = "service"
    UNKNOWN = "unknown"


@attrs.frozen
class FailureInfo:
    """What a failure code means: a one-line description, its category, and whether a retry may help."""

    description: str
    category: FailureCategory
    retryable: bool


class FailureCode(_OpenEnum):
    """Why a deployment job or a robot's part of it failed (the wire's DeploymentJobErrorCode)."""

    RESOURCE_NOT_FOUND = "ResourceNotFound"
    ENVIRONMENT_SETUP_ERROR = "EnvironmentSetupError"
    ETAG_MISMATCH = "EtagMismatch"
    FAILURE_THRESHOLD_BREACHED = "FailureThresholdBreached"
    ROBOT_DEPLOYMENT_ABORTED = "RobotDeploymentAborted"
    ROBOT_DEPLOYMENT_NO_RESPONSE = "RobotDeploymentNoResponse"
    ROBOT_AGENT_CONNECTION_TIMEOUT = "RobotAgentConnectionTimeout"
    GREENGRASS_DEPLOYMENT_FAILED = "GreengrassDeploymentFailed"
    INVALID_GREENGRASS_GROUP = "InvalidGreengrassGroup"
    MISSING_ROBOT_ARCHITECTURE = "MissingRobotArchitecture"
    MISSING_ROBOT_APPLICATION_ARCHITECTURE = "MissingRobotApplicationArchitecture"
    MISSING_ROBOT_DEPLOYMENT_RESOURCE = "MissingRobotDeploymentResource"
    GREENGRASS_GROUP_VERSION_DOES_NOT_EXIST = "GreengrassGroupVersionDoesNotExist"
    LAMBDA_DELETED = "LambdaDeleted"
    EXTRACTING_BUNDLE_FAILURE = "ExtractingBundleFailure"
    PRE_LAUNCH_FILE_FAILURE = "PreLaunchFileFailure"
    POST_LAUNCH_FILE_FAILURE = "PostLaunchFileFailure"
    BAD_PERMISSION_ERROR = "BadPermissionError"
    DOWNLOAD_CONDITION_FAILED = "DownloadConditionFailed"
    BAD_LAMBDA_ASSOCIATED = "BadLambdaAssociated"
    INTERNAL_SERVER_ERROR = "InternalServerError"
    ROBOT_APPLICATION_DOES_NOT_EXIST = "RobotApplicationDoesNotExist"
    DEPLOYMENT_FLEET_DOES_NOT_EXIST = "DeploymentFleetDoesNotExist"
    FLEET_DEPLOYMENT_TIMEOUT = "FleetDeploymentTimeout"

    @property
    def info(self) -> FailureInfo:
        """The taxonomy entry: description, category and retryability."""
        return _FAILURE_INFO.get(self, _UNKNOWN_FAILURE)

    @property
    def description(self) -> str:
        """One line saying what went wrong."""
        return self.info.description

    @property
    def category(self) -> FailureCategory:
        """The family this failure belongs to."""
        return self.info.category

    @property
    def retryable(self) -> bool:
        """Whether the same deployment may succeed if simply tried again."""
        return self.info.retryable


_C = FailureCategory
_F = FailureCode
_UNKNOWN_FAILURE = FailureInfo("A failure code this SDK release does not know.", _C.UNKNOWN, False)
# Retryable means "nothing in the request or the robot's set-up has to change":
# transient connectivity, service faults and timeouts. Everything that names a
# missing resource, a bad bundle or a failing script fails again as it is.
_FAILURE_INFO: dict[FailureCode, FailureInfo] = {
    _F.RESOURCE_NOT_FOUND: FailureInfo(
        "A resource the deployment refers to does not exist.", _C.MISSING_RESOURCE, False
    ),
    _F.ENVIRONMENT_SETUP_ERROR: FailureInfo(
        "The robot could not prepare the environment the application runs in.", _C.CONFIGURATION, True
    ),
    _F.ETAG_MISMATCH: FailureInfo(
        "The bundle in S3 changed after the application version was created (its ETag differs).",
        _C.BUNDLE,
        False,
    ),
    _F.FAILURE_THRESHOLD_BREACHED: FailureInfo(
        "More robots failed than the deployment's failure threshold allows, so it stopped.",
        _C.DEPLOYMENT_POLICY,
        False,
    ),
    _F.ROBOT_DEPLOYMENT_ABORTED: FailureInfo(
        "The robot's deployment was stopped before it finished (timeout, cancel or job failure).",
        _C.DEPLOYMENT_POLICY,
        True,
    ),
    _F.ROBOT_DEPLOYMENT_NO_RESPONSE: FailureInfo(
        "The robot stopped answering during the deployment.", _C.ROBOT_CONNECTIVITY, True
    ),
    _F.ROBOT_AGENT_CONNECTION_TIMEOUT: FailureInfo(
        "The agent on the robot could not be reached in time.", _C.ROBOT_CONNECTIVITY, True
    ),
    _F.GREENGRASS_DEPLOYMENT_FAILED: FailureInfo(
        "The Greengrass deployment underneath the robot deployment failed.", _C.GREENGRASS, True
    ),
    _F.INVALID_GREENGRASS_GROUP: FailureInfo(
        "The robot's Greengrass group is not valid for deployment.", _C.GREENGRASS, False
    ),
    _F.MISSING_ROBOT_ARCHITECTURE: FailureInfo("The robot has no architecture set.", _C.CONFIGURATION, False),
    _F.MISSING_ROBOT_APPLICATION_ARCHITECTURE: FailureInfo(
        "The application version has no source for the robot's architecture.", _C.CONFIGURATION, False
    ),
    _F.MISSING_ROBOT_DEPLOYMENT_RESOURCE: FailureInfo(
        "A resource the robot needs for the deployment is missing.", _C.MISSING_RESOURCE, False
    ),
    _F.GREENGRASS_GROUP_VERSION_DOES_NOT_EXIST: FailureInfo(
        "The robot's Greengrass group has no deployable version.", _C.GREENGRASS, False
    ),
    _F.LAMBDA_DELETED: FailureInfo(
        "The Lambda function the deployment relies on was deleted.", _C.MISSING_RESOURCE, False
    ),
    _F.EXTRACTING_BUNDLE_FAILURE: FailureInfo(
        "The robot could not extract the application bundle.", _C.BUNDLE, False
    ),
    _F.PRE_LAUNCH_FILE_FAILURE: FailureInfo(
        "The pre-launch script failed on the robot.", _C.LAUNCH_SCRIPTS, False
    ),
    _F.POST_LAUNCH_FILE_FAILURE: FailureInfo(
        "The post-launch script failed on the robot.", _C.LAUNCH_SCRIPTS, False
    ),
    _F.BAD_PERMISSION_ERROR: FailureInfo(
        "The robot or the service lacked a permission it needed (S3, IAM or Greengrass).",
        _C.PERMISSIONS,
        False,
    ),
    _F.DOWNLOAD_CONDITION_FAILED: FailureInfo(
        "The download-condition file said the robot must not download now.", _C.LAUNCH_SCRIPTS, True
    ),
    _F.BAD_LAMBDA_ASSOCIATED: FailureInfo(
        "A Lambda function associated with the robot's group is not usable.", _C.GREENGRASS, False
    ),
    _F.INTERNAL_SERVER_ERROR: FailureInfo(
        "The service failed internally; the deployment itself may be fine.", _C.SERVICE, True
    ),
    _F.ROBOT_APPLICATION_DOES_NOT_EXIST: FailureInfo(
        "The robot application (or the version deployed) no longer exists.", _C.MISSING_RESOURCE, False
    ),
    _F.DEPLOYMENT_FLEET_DOES_NOT_EXIST: FailureInfo(
        "The fleet being deployed to no longer exists.", _C.MISSING_RESOURCE, False
    ),
    _F.FLEET_DEPLOYMENT_TIMEOUT: FailureInfo(
        "The deployment to the fleet did not finish in the time allowed.", _C.ROBOT_CONNECTIVITY, True
    ),
}
del _C, _F
