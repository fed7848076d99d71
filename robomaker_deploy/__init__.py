"""robomaker-deploy: a typed, async SDK for the AWS RoboMaker deployment API.

Deploy a robot application version to a fleet, watch it roll out robot by
robot, and react to how it ends::

    async with DeploymentClient(region_name="us-east-1") as client:
        job = await client.create_deployment_job(fleet=fleet_arn, application_configs=[config])
        job = await client.wait_until_deployment_succeeded(job)

Everything public is importable from here; the ``_modules`` behind it are
private and may change.
"""

from ._client import DeploymentClient
from ._config import ClientConfig
from ._enums import (
    Architecture,
    DeploymentStatus,
    FailureCategory,
    FailureCode,
    FailureInfo,
    RobotDeploymentStep,
    RobotSoftwareSuiteName,
    RobotSoftwareSuiteVersion,
    RobotStatus,
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
    RoboMakerError,
    ThrottlingError,
    ValidationError,
    WaiterTimeoutError,
)
from ._models import (
    DeploymentApplicationConfig,
    DeploymentConfig,
    DeploymentJob,
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
from ._pagination import Page, Pager
from ._waiters import DeploymentWatch, WaitClock, WaitPolicy

__version__ = "0.1.0"

__all__ = [
    "Architecture",
    "AuthenticationError",
    "ClientConfig",
    "ConcurrentDeploymentError",
    "ConfigurationError",
    "DeploymentApplicationConfig",
    "DeploymentClient",
    "DeploymentConfig",
    "DeploymentFailedError",
    "DeploymentJob",
    "DeploymentStatus",
    "DeploymentWatch",
    "EndpointConnectionError",
    "Environment",
    "FailureCategory",
    "FailureCode",
    "FailureInfo",
    "Fleet",
    "IdempotentParameterMismatchError",
    "InternalServerError",
    "InvalidParameterError",
    "LaunchConfig",
    "LimitExceededError",
    "MalformedResponseError",
    "Page",
    "Pager",
    "PaginationLoopError",
    "ProgressDetail",
    "ResourceAlreadyExistsError",
    "ResourceNotFoundError",
    "RoboMakerError",
    "Robot",
    "RobotApplication",
    "RobotApplicationSummary",
    "RobotDeployment",
    "RobotDeploymentStep",
    "RobotRegistration",
    "RobotSoftwareSuite",
    "RobotSoftwareSuiteName",
    "RobotSoftwareSuiteVersion",
    "RobotStatus",
    "S3Object",
    "Source",
    "SourceConfig",
    "ThrottlingError",
    "ValidationError",
    "WaitClock",
    "WaitPolicy",
    "WaiterTimeoutError",
    "__version__",
]
