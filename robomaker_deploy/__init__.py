"""robomaker-deploy: a typed, async SDK for the AWS RoboMaker deployment API.

Deploy a robot application version to a fleet, watch it roll out robot by
robot, and react to how it ends::

    async with DeploymentClient(region_name="us-east-1") as client:
        job = await client.create_deployment_job(fleet=fleet_arn, application_configs=[config])
        job = await client.wait_until_deployment_succeeded(job)

Everything public is importable from here; the ``_modules`` behind it are
private and may change. The client, the pagers and the waiters are imported
on first use (PEP 562), so that ``import robomaker_deploy.emulator`` and the
command line's ``--help`` do not load aiobotocore or the waiting machinery
they do not use; the models, enums, errors and settings are plain data and
load at once.
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
    DeploymentFailedError,
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
    WaiterTimeoutError,
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

if TYPE_CHECKING:  # what type checkers and documentation tools read; at run time, _LAZY below
    from ._client import DeploymentClient
    from ._pagination import Page, Pager
    from ._rollout import (
        AbortRule,
        Attempt,
        CallableGate,
        CheckpointInUseError,
        CommandGate,
        Gate,
        GatePassed,
        GateRefused,
        GateResult,
        GateVerdict,
        HttpGate,
        RetryPolicy,
        RolledBack,
        Rollout,
        RolloutCheck,
        RolloutEvent,
        RolloutFinished,
        RolloutPlan,
        RolloutReport,
        Stage,
        StageAborted,
        StageBaked,
        StageEvent,
        StageFinished,
        StageReport,
        StageRetried,
        StageStarted,
    )
    from ._waiting import (
        DeploymentEvent,
        DeploymentEvents,
        DeploymentOutcome,
        DeploymentWatch,
        ExitPolicy,
        JobEnded,
        JobState,
        JobStatusChanged,
        PollEvents,
        RobotAppeared,
        RobotEvent,
        RobotFailed,
        RobotLeft,
        RobotStarted,
        RobotState,
        RobotStatusChanged,
        RobotStepChanged,
        RobotSucceeded,
        WaitCheckpoint,
        WaitClock,
        WaitPolicy,
    )

__version__ = "0.1.0"

#: Names loaded on first use, by the private module that defines them (a test keeps this in step
#: with the imports above).
_LAZY = {
    "DeploymentClient": "_client",
    "Page": "_pagination",
    "AbortRule": "_rollout",
    "Attempt": "_rollout",
    "CallableGate": "_rollout",
    "CheckpointInUseError": "_rollout",
    "CommandGate": "_rollout",
    "Gate": "_rollout",
    "GateResult": "_rollout",
    "GateVerdict": "_rollout",
    "HttpGate": "_rollout",
    "GatePassed": "_rollout",
    "GateRefused": "_rollout",
    "RetryPolicy": "_rollout",
    "RolledBack": "_rollout",
    "Rollout": "_rollout",
    "RolloutCheck": "_rollout",
    "RolloutEvent": "_rollout",
    "RolloutFinished": "_rollout",
    "RolloutPlan": "_rollout",
    "RolloutReport": "_rollout",
    "Stage": "_rollout",
    "StageAborted": "_rollout",
    "StageBaked": "_rollout",
    "StageEvent": "_rollout",
    "StageFinished": "_rollout",
    "StageReport": "_rollout",
    "StageRetried": "_rollout",
    "StageStarted": "_rollout",
    "Pager": "_pagination",
    "DeploymentWatch": "_waiting",
    "DeploymentEvent": "_waiting",
    "DeploymentEvents": "_waiting",
    "DeploymentOutcome": "_waiting",
    "ExitPolicy": "_waiting",
    "JobEnded": "_waiting",
    "JobState": "_waiting",
    "JobStatusChanged": "_waiting",
    "PollEvents": "_waiting",
    "RobotAppeared": "_waiting",
    "RobotEvent": "_waiting",
    "RobotFailed": "_waiting",
    "RobotLeft": "_waiting",
    "RobotStarted": "_waiting",
    "RobotState": "_waiting",
    "RobotStatusChanged": "_waiting",
    "RobotStepChanged": "_waiting",
    "RobotSucceeded": "_waiting",
    "WaitCheckpoint": "_waiting",
    "WaitClock": "_waiting",
    "WaitPolicy": "_waiting",
}

__all__ = [
    "AbortRule",
    "Architecture",
    "ArchitectureValue",
    "Attempt",
    "AuthenticationError",
    "ClientConfig",
    "ConcurrentDeploymentError",
    "ConfigurationError",
    "DeploymentApplicationConfig",
    "DeploymentClient",
    "DeploymentConfig",
    "DeploymentEvent",
    "DeploymentEvents",
    "DeploymentFailedError",
    "DeploymentJob",
    "DeploymentOutcome",
    "DeploymentStatus",
    "DeploymentStatusValue",
    "DeploymentWatch",
    "DescribedDeploymentJob",
    "EndpointConnectionError",
    "Environment",
    "ExitPolicy",
    "FailureCategory",
    "FailureCode",
    "FailureInfo",
    "Fleet",
    "CallableGate",
    "CheckpointInUseError",
    "CommandGate",
    "Gate",
    "GateResult",
    "GateVerdict",
    "HttpGate",
    "GatePassed",
    "GateRefused",
    "IdempotentParameterMismatchError",
    "InternalServerError",
    "InvalidParameterError",
    "JobEnded",
    "JobState",
    "JobStatusChanged",
    "LaunchConfig",
    "LimitExceededError",
    "MalformedResponseError",
    "Page",
    "Pager",
    "PollEvents",
    "PaginationLoopError",
    "ProgressDetail",
    "ResourceAlreadyExistsError",
    "ResourceNotFoundError",
    "ResponseTooLargeError",
    "RetryPolicy",
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
    "RolledBack",
    "Rollout",
    "RolloutCheck",
    "RolloutEvent",
    "RolloutFinished",
    "RolloutPlan",
    "RolloutReport",
    "S3Object",
    "Source",
    "SourceConfig",
    "Stage",
    "StageAborted",
    "StageBaked",
    "StageEvent",
    "StageFinished",
    "StageReport",
    "StageRetried",
    "StageStarted",
    "ThrottlingError",
    "ValidationError",
    "WaitCheckpoint",
    "WaitClock",
    "WaiterTimeoutError",
    "WaitPolicy",
    "__version__",
]


# Hidden from type checkers: a module-level __getattr__ would make every misspelt name type-check as Any.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f".{module}", __name__), name)
        globals()[name] = value  # later lookups skip this function
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *__all__})
