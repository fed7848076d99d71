"""Everything the SDK raises, in one hierarchy.

Two roots, because they call for different reactions:

* :class:`ValidationError` (a ``ValueError``): the caller's input breaks a
  rule of the API. Raised before anything is sent; fix the input.
* :class:`RoboMakerError`: the service (or the way to it) said no. Carries
  the service's code, message, request id and HTTP status, and chains the
  botocore exception it came from.

Waiters add :class:`DeploymentFailedError` and :class:`WaiterTimeoutError`, which carry how the
wait ended and so live beside it, in ``_outcome``: this module is the bottom of the package and
imports nothing of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

__all__ = [
    "AuthenticationError",
    "ConcurrentDeploymentError",
    "ConfigurationError",
    "EndpointConnectionError",
    "IdempotentParameterMismatchError",
    "InternalServerError",
    "InvalidParameterError",
    "LimitExceededError",
    "MalformedResponseError",
    "PaginationLoopError",
    "ResourceAlreadyExistsError",
    "ResourceNotFoundError",
    "ResponseTooLargeError",
    "RoboMakerError",
    "ThrottlingError",
    "ValidationError",
]


class ValidationError(ValueError):
    """An input breaks a rule of the API; raised before any request is sent.

    ``field`` names the offending parameter in Python terms
    (``application_configs[0].launch_config.environment_variables``),
    ``value`` is a short repr of what was given (``<redacted>`` for secrets)
    and ``rule`` says what it must be. ``problems`` lists every violation
    found, each as ``field=value: rule``. Either the first of them is the
    one ``field``, ``value`` and ``rule`` name, or those sum the list up
    (``plan.toml=<plan>: is not a valid rollout plan``); either way the
    message says ``field=value: rule`` and then every problem it did not
    already say (``details``).
    """

    def __init__(self, field: str, value: str, rule: str, problems: Sequence[str] = ()) -> None:
        self.field = field
        self.value = value
        self.rule = rule
        first = f"{field}={value}: {rule}"
        self.problems: tuple[str, ...] = tuple(problems) or (first,)
        # The first problem may be restated above with a hint its copy in the list lacks; a summary
        # names something else (a file, a plan): then the list follows it whole. A problem left out
        # of the message only comes back on the next attempt.
        restated = self.problems[0].startswith(f"{field}={value}:")
        self.details: tuple[str, ...] = self.problems[1:] if restated else self.problems
        """The problems the message lists after ``field=value: rule``."""
        super().__init__(
            "; ".join([first, *self.details]) if restated else f"{first}: {'; '.join(self.details)}"
        )


class RoboMakerError(Exception):
    """The service, or the connection to it, failed a call.

    Subclasses exist for each error the service documents; an error code this
    release does not know arrives as a plain ``RoboMakerError`` with its code.
    """

    #: The wire error codes a subclass stands for.
    codes: ClassVar[tuple[str, ...]] = ()
    #: Whether the failure is transient (throttling, a 5xx, a broken connection):
    #: the SDK retries these itself, with backoff, before raising them.
    retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        code: str,
        request_id: str | None = None,
        http_status: int | None = None,
        operation: str | None = None,
    ) -> None:
        self.code = code
        self.message = message
        self.request_id = request_id
        self.http_status = http_status
        self.operation = operation
        where = f" in {operation}" if operation else ""
        rid = f" (request id {request_id})" if request_id else ""
        super().__init__(f"{code}{where}: {message}{rid}")


class ResourceNotFoundError(RoboMakerError):
    """The ARN names no resource (or a deployment job that expired after 90 days)."""

    codes = ("ResourceNotFoundException",)


class InvalidParameterError(RoboMakerError):
    """The service refused a parameter (input the local validation could not judge, such as a version)."""

    codes = ("InvalidParameterException",)


class ThrottlingError(RoboMakerError):
    """Too many requests; raised only after the SDK's own retries are spent."""

    codes = ("ThrottlingException",)
    retryable = True


class LimitExceededError(RoboMakerError):
    """An account limit (fleets, robots, applications, ...) is reached."""

    codes = ("LimitExceededException",)


class ConcurrentDeploymentError(RoboMakerError):
    """The fleet already has a deployment job that has not finished."""

    codes = ("ConcurrentDeploymentException",)


class IdempotentParameterMismatchError(RoboMakerError):
    """A client request token was reused with different parameters."""

    codes = ("IdempotentParameterMismatchException",)


class InternalServerError(RoboMakerError):
    """The service failed; raised only after the SDK's own retries are spent."""

    codes = ("InternalServerException",)
    retryable = True


class ResourceAlreadyExistsError(RoboMakerError):
    """A resource with that name already exists."""

    codes = ("ResourceAlreadyExistsException",)


class AuthenticationError(RoboMakerError):
    """The request's credentials or signature were refused (unknown key, bad signature, clock skew)."""

    codes = (
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "InvalidClientTokenId",
        "ExpiredTokenException",
        "AccessDeniedException",
        "MissingAuthenticationTokenException",
        "NoCredentials",
    )


class EndpointConnectionError(RoboMakerError):
    """The endpoint could not be reached, or the connection broke, after the SDK's retries."""

    codes = ("EndpointConnectionError",)
    retryable = True


class MalformedResponseError(RoboMakerError):
    """The response could not be read as what the service returns (truncated, not JSON, wrong shape)."""

    codes = ("MalformedResponse",)
    retryable = True


class ResponseTooLargeError(MalformedResponseError):
    """The response was over ``ClientConfig.max_response_bytes``; it was refused without reading the rest.

    Not retried: the same request would bring the same body. A server (or a
    proxy in front of it) that sends this much is not the service.
    """

    codes = ("ResponseTooLarge",)
    retryable = False


class ConfigurationError(RoboMakerError):
    """The client could not be set up: no region, an unknown profile, a bad endpoint URL, a missing extra."""

    codes = ("NoRegion", "ProfileNotFound", "InvalidEndpoint", "MissingDependency")


class PaginationLoopError(RoboMakerError):
    """The service handed back a page token it had already given; the listing stops instead of looping."""

    codes = ("PaginationLoop",)


def client_not_open() -> RuntimeError:
    """What using a client outside its ``async with`` raises."""
    return RuntimeError("the client is not open: use it as `async with DeploymentClient(...) as client:`")


def error_class(code: str) -> type[RoboMakerError]:
    """The subclass for a wire error code, or :class:`RoboMakerError` for an unknown one."""
    return _BY_CODE.get(code, RoboMakerError)


_BY_CODE: dict[str, type[RoboMakerError]] = {
    code: cls
    for cls in (
        ResourceNotFoundError,
        InvalidParameterError,
        ThrottlingError,
        LimitExceededError,
        ConcurrentDeploymentError,
        IdempotentParameterMismatchError,
        InternalServerError,
        ResourceAlreadyExistsError,
        AuthenticationError,
        EndpointConnectionError,
        MalformedResponseError,
        ResponseTooLargeError,
        ConfigurationError,
        PaginationLoopError,
    )
    for code in cls.codes
}
