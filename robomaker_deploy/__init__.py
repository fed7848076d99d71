"""robomaker-deploy: a typed, async SDK for the AWS RoboMaker deployment API.

Deploy a robot application version to a fleet, watch it roll out robot by
robot, and react to how it ends::

    async with DeploymentClient(region_name="us-east-1") as client:
        job = await client.create_deployment_job(fleet=fleet_arn, application_configs=[config])
        job = await client.wait_until_deployment_succeeded(job)

Everything public is importable from here; the ``_modules`` behind it are
private and may change. Plain data (models, enums, errors, settings, events,
outcomes, checkpoints, wait policies) loads at once; the heavy parts (the
client and its transport, the watches, the rollouts) are imported on first
use (PEP 562), so that ``import robomaker_deploy.emulator`` and the command
line's ``--help`` do not load aiobotocore or machinery they do not use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._config import ClientConfig
from ._enums import (
    Architecture,
    ArchitectureValue,
    DeploymentStatus,
    DeploymentStatusValue,
    FailureCategory,
    FailureCode,
    FailureInfo,
    RobotDeploymentStep,
    RobotSoftwareSuiteName,
    RobotSoftwareSuiteNameValue,
    RobotSoftwareSuiteVersion,
    RobotSoftwareSuiteVersionValue,
    RobotStatus,
    RobotStatusValue,
)
from ._errors import (
    AuthenticationError,
    ConcurrentDeploymentError,
    ConfigurationError,
    EndpointConnectionError,
    IdempotentParameterMismatchError,
    InternalServerError,
    InvalidParameterError,
    LimitExceededError,
    MalformedResponseError,
    PaginationLoopError,
    ResourceAlreadyExistsError,
    ResourceNotFoundError,
    ResponseTooLargeError,
    RoboMakerError,
    ThrottlingError,
    ValidationError,
)
from ._models import (
    DeploymentApplicationConfig,
    DeploymentConfig,
    DeploymentJob,
    DescribedDeploymentJob,
    Environment,
    Fleet,
    LaunchConfig,
    ProgressDetail,
    Robot,
    RobotApplication,
    RobotApplicationSummary,
    RobotDeployment,
    RobotRegistration,
    RobotSoftwareSuite,
    S3Object,
    Source,
    SourceConfig,
)
from ._outcome import DeploymentFailedError, DeploymentOutcome, DeploymentWaitTimeoutError, WaiterTimeoutError
from ._waiting.checkpoint import WaitCheckpoint
from ._waiting.events import (
    DeploymentEvent,
    JobEnded,
    JobState,
    JobStatusChanged,
    RobotAppeared,
    RobotEvent,
    RobotFailed,
    RobotLeft,
    RobotStarted,
    RobotState,
    RobotStatusChanged,
    RobotStepChanged,
    RobotSucceeded,
)
from ._waiting.policy import ExitPolicy, WaitClock, WaitPolicy

#: The heavy parts, loaded on first use: each private module, and the public names it gives (its
#: ``__all__``, which a test holds to this). The one place a lazy name is written in this file.
_LAZY: dict[str, tuple[str, ...]] = {
    "_deployment_client": ("DeploymentClient",),
    "_pagination": ("Page", "Pager"),
    "_waiting.watch": ("DeploymentWatch",),
    "_waiting.stream": ("DeploymentEvents", "PollEvents"),
    "_rollout": (
        "AbortRule",
        "Attempt",
        "CallableGate",
        "CheckpointInUseError",
        "CommandGate",
        "Gate",
        "GateResult",
        "GateVerdict",
        "HttpGate",
        "GatePassed",
        "GateRefused",
        "RetryPolicy",
        "RolledBack",
        "Rollout",
        "RolloutCheck",
        "RolloutEvent",
        "RolloutFinished",
        "RolloutPlan",
        "RolloutReport",
        "Stage",
        "StageAborted",
        "StageBaked",
        "StageEvent",
        "StageFinished",
        "StageReport",
        "StageRetried",
        "StageStarted",
    ),
}
_MODULE_OF = {name: module for module, names in _LAZY.items() for name in names}

if TYPE_CHECKING:  # what type checkers read: the same modules' __all__
    from ._deployment_client import *  # noqa: F403
    from ._pagination import *  # noqa: F403
    from ._rollout import *  # noqa: F403
    from ._waiting.stream import *  # noqa: F403
    from ._waiting.watch import *  # noqa: F403

__version__ = "0.1.0"

__all__ = [
    "Architecture",
    "ArchitectureValue",
    "AuthenticationError",
    "ClientConfig",
    "ConcurrentDeploymentError",
    "ConfigurationError",
    "DeploymentApplicationConfig",
    "DeploymentConfig",
    "DeploymentEvent",
    "DeploymentFailedError",
    "DeploymentJob",
    "DeploymentOutcome",
    "DeploymentStatus",
    "DeploymentStatusValue",
    "DeploymentWaitTimeoutError",
    "DescribedDeploymentJob",
    "EndpointConnectionError",
    "Environment",
    "ExitPolicy",
    "FailureCategory",
    "FailureCode",
    "FailureInfo",
    "Fleet",
    "IdempotentParameterMismatchError",
    "InternalServerError",
    "InvalidParameterError",
    "JobEnded",
    "JobState",
    "JobStatusChanged",
    "LaunchConfig",
    "LimitExceededError",
    "MalformedResponseError",
    "PaginationLoopError",
    "ProgressDetail",
    "ResourceAlreadyExistsError",
    "ResourceNotFoundError",
    "ResponseTooLargeError",
    "RoboMakerError",
    "Robot",
    "RobotAppeared",
    "RobotApplication",
    "RobotApplicationSummary",
    "RobotDeployment",
    "RobotDeploymentStep",
    "RobotEvent",
    "RobotFailed",
    "RobotLeft",
    "RobotRegistration",
    "RobotSoftwareSuite",
    "RobotSoftwareSuiteName",
    "RobotSoftwareSuiteNameValue",
    "RobotSoftwareSuiteVersion",
    "RobotSoftwareSuiteVersionValue",
    "RobotStarted",
    "RobotState",
    "RobotStatus",
    "RobotStatusChanged",
    "RobotStatusValue",
    "RobotStepChanged",
    "RobotSucceeded",
    "S3Object",
    "Source",
    "SourceConfig",
    "ThrottlingError",
    "ValidationError",
    "WaitCheckpoint",
    "WaitClock",
    "WaiterTimeoutError",
    "WaitPolicy",
    "__version__",
    *_MODULE_OF,
]


# Hidden from type checkers: a module-level __getattr__ would make every misspelt name type-check as Any.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        module = _MODULE_OF.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f".{module}", __name__), name)
        globals()[name] = value  # later lookups skip this function
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *__all__})
