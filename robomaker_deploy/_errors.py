"""Everything the SDK raises, in one hierarchy.

Two roots, because they call for different reactions:

* :class:`ValidationError` (a ``ValueError``): the caller's input breaks a
  rule of the API. Raised before anything is sent; fix the input.
* :class:`RoboMakerError`: the service (or the way to it) said no. Carries
  the service's code, message, request id and HTTP status, and chains the
  botocore exception it came from.

Waiters add :class:`DeploymentFailedError` and :class:`WaiterTimeoutError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from ._enums import FailureCode

if TYPE_CHECKING:
    from ._models import DeploymentJob, DescribedDeploymentJob, Fleet, RobotDeployment
    from ._waiting.outcome import DeploymentOutcome


__all__ = [
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
    "ResponseTooLargeError",
    "RoboMakerError",
    "ThrottlingError",
    "ValidationError",
    "WaiterTimeoutError",
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


class DeploymentFailedError(Exception):
    """A waited-on deployment ended Failed or Canceled instead of Succeeded.

    ``job`` is the final job (robot summaries included), ``failure_code`` its
    code (with ``description``, ``category`` and ``retryable`` from the
    taxonomy), ``failed_robots`` the robots that failed, each with its own
    code and reason, and ``outcome`` the whole :class:`DeploymentOutcome`
    (polls, time, robots by status, failures by code and category).
    """

    def __init__(self, job: DescribedDeploymentJob, *, outcome: DeploymentOutcome | None = None) -> None:
        from ._waiting.outcome import DeploymentOutcome  # here: the waiting layer imports this module

        self.job = job
        self.outcome = outcome if outcome is not None else DeploymentOutcome(job=job, polls=0, elapsed=0.0)
        self.failure_code: FailureCode | None = job.failure_code
        self.failed_robots: tuple[RobotDeployment, ...] = self.outcome.failed
        code = job.failure_code
        what = f"{code.value} ({code.description})" if code is not None else "no failure code"
        reason = f": {job.failure_reason}" if job.failure_reason else ""
        super().__init__(
            f"deployment {job.arn} ended {job.status.value} with {what}{reason};"
            f" {len(self.failed_robots)} robot(s) failed"
        )


class WaiterTimeoutError(TimeoutError):
    """A wait ran out of time. Carries what was last seen, how long it took and how many polls it made.

    ``last`` is the last job (or fleet) the waiter observed: the object it
    was given if no poll succeeded, ``None`` if it was given only an ARN.
    A job seen through the shared active-set listing has no robot summaries.
    ``elapsed`` is in seconds on the waiter's clock; ``polls`` counts every
    poll made, failed ones included; ``outcome`` sums them up for a job.
    """

    def __init__(self, what: str, *, last: DeploymentJob | Fleet | None, elapsed: float, polls: int) -> None:
        self.last: DeploymentJob | Fleet | None = last
        self.elapsed = elapsed
        self.polls = polls
        status = getattr(last, "status", None)
        seen = f"; last seen {status.value}" if status is not None else ""
        super().__init__(f"gave up waiting for {what} after {elapsed:.1f}s and {polls} poll(s){seen}")

    @property
    def job(self) -> DeploymentJob | None:
        """``last`` if it is a deployment job."""
        from ._models import DeploymentJob

        return self.last if isinstance(self.last, DeploymentJob) else None

    @property
    def outcome(self) -> DeploymentOutcome | None:
        """Where the job stood at the last poll (a partial outcome), if it is a job wait that saw one."""
        from ._waiting.outcome import DeploymentOutcome

        job = self.job
        return None if job is None else DeploymentOutcome(job=job, polls=self.polls, elapsed=self.elapsed)

    @property
    def fleet(self) -> Fleet | None:
        """``last`` if it is a fleet."""
        from ._models import Fleet

        return self.last if isinstance(self.last, Fleet) else None
