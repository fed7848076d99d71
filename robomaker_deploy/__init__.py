"""robomaker-deploy: a typed, async SDK for the AWS RoboMaker deployment API.

Deploy a robot application version to a fleet, watch it roll out robot by
robot, and react to how it ends::

    async with DeploymentClient(region_name="us-east-1") as client:
        job = await client.create_deployment_job(fleet=fleet_arn, application_configs=[config])
        job = await client.wait_until_deployment_succeeded(job)

Everything public is importable from here; the ``_modules`` behind it are
private and may change. They are imported on first use (PEP 562), so that
``import robomaker_deploy.emulator`` and the command line's ``--help`` do not
load the client, aiobotocore or the waiting machinery they do not use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Each public name, by the private module that defines it.
_EXPORTS: dict[str, tuple[str, ...]] = {
    "_client": ("DeploymentClient",),
    "_config": ("ClientConfig",),
    "_enums": (
        "Architecture",
        "DeploymentStatus",
        "FailureCategory",
        "FailureCode",
        "FailureInfo",
        "RobotDeploymentStep",
        "RobotSoftwareSuiteName",
        "RobotSoftwareSuiteVersion",
        "RobotStatus",
    ),
    "_errors": (
        "AuthenticationError",
        "ConcurrentDeploymentError",
        "ConfigurationError",
        "DeploymentFailedError",
        "EndpointConnectionError",
        "IdempotentParameterMismatchError",
        "InternalServerError",
        "InvalidParameterError",
        "LimitExceededError",
        "MalformedResponseError",
        "PaginationLoopError",
        "ResourceAlreadyExistsError",
        "ResourceNotFoundError",
        "RoboMakerError",
        "ThrottlingError",
        "ValidationError",
        "WaiterTimeoutError",
    ),
    "_models": (
        "DeploymentApplicationConfig",
        "DeploymentConfig",
        "DeploymentJob",
        "Environment",
        "Fleet",
        "LaunchConfig",
        "ProgressDetail",
        "Robot",
        "RobotApplication",
        "RobotApplicationSummary",
        "RobotDeployment",
        "RobotRegistration",
        "RobotSoftwareSuite",
        "S3Object",
        "Source",
        "SourceConfig",
    ),
    "_pagination": (
        "Page",
        "Pager",
    ),
    "_waiting": (
        "DeploymentWatch",
        "WaitClock",
        "WaitPolicy",
    ),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted([*_MODULE_OF, "__version__"])

if TYPE_CHECKING:  # what type checkers and documentation tools read (a test keeps it equal to _EXPORTS)
    from ._client import DeploymentClient as DeploymentClient
    from ._config import ClientConfig as ClientConfig
    from ._enums import Architecture as Architecture
    from ._enums import DeploymentStatus as DeploymentStatus
    from ._enums import FailureCategory as FailureCategory
    from ._enums import FailureCode as FailureCode
    from ._enums import FailureInfo as FailureInfo
    from ._enums import RobotDeploymentStep as RobotDeploymentStep
    from ._enums import RobotSoftwareSuiteName as RobotSoftwareSuiteName
    from ._enums import RobotSoftwareSuiteVersion as RobotSoftwareSuiteVersion
    from ._enums import RobotStatus as RobotStatus
    from ._errors import AuthenticationError as AuthenticationError
    from ._errors import ConcurrentDeploymentError as ConcurrentDeploymentError
    from ._errors import ConfigurationError as ConfigurationError
    from ._errors import DeploymentFailedError as DeploymentFailedError
    from ._errors import EndpointConnectionError as EndpointConnectionError
    from ._errors import IdempotentParameterMismatchError as IdempotentParameterMismatchError
    from ._errors import InternalServerError as InternalServerError
    from ._errors import InvalidParameterError as InvalidParameterError
    from ._errors import LimitExceededError as LimitExceededError
    from ._errors import MalformedResponseError as MalformedResponseError
    from ._errors import PaginationLoopError as PaginationLoopError
    from ._errors import ResourceAlreadyExistsError as ResourceAlreadyExistsError
    from ._errors import ResourceNotFoundError as ResourceNotFoundError
    from ._errors import RoboMakerError as RoboMakerError
    from ._errors import ThrottlingError as ThrottlingError
    from ._errors import ValidationError as ValidationError
    from ._errors import WaiterTimeoutError as WaiterTimeoutError
    from ._models import DeploymentApplicationConfig as DeploymentApplicationConfig
    from ._models import DeploymentConfig as DeploymentConfig
    from ._models import DeploymentJob as DeploymentJob
    from ._models import Environment as Environment
    from ._models import Fleet as Fleet
    from ._models import LaunchConfig as LaunchConfig
    from ._models import ProgressDetail as ProgressDetail
    from ._models import Robot as Robot
    from ._models import RobotApplication as RobotApplication
    from ._models import RobotApplicationSummary as RobotApplicationSummary
    from ._models import RobotDeployment as RobotDeployment
    from ._models import RobotRegistration as RobotRegistration
    from ._models import RobotSoftwareSuite as RobotSoftwareSuite
    from ._models import S3Object as S3Object
    from ._models import Source as Source
    from ._models import SourceConfig as SourceConfig
    from ._pagination import Page as Page
    from ._pagination import Pager as Pager
    from ._waiting import DeploymentWatch as DeploymentWatch
    from ._waiting import WaitClock as WaitClock
    from ._waiting import WaitPolicy as WaitPolicy


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
