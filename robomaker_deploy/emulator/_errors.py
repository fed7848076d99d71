"""The service's error responses, as one exception type the server turns into the wire form.

Every layer (signature check, validation, the operations themselves) raises
:class:`ServiceError`; only the server knows how an error travels (status,
``x-amzn-ErrorType`` header, ``{"message": ...}`` body), so the layers stay
free of HTTP. :func:`validate` is here rather than in the server because
in-process calls (``Emulator.call``) refuse bad input the same way.
"""

from __future__ import annotations

from typing import Any

from botocore.model import Shape

from .._wire.validation import violations

# HTTP status per error code, as the real service (and the model's error shapes) had them.
# The 403s and the others below the model's list are the AWS front door's own errors:
# they never reach a modeled operation, so the model does not carry them.
STATUS: dict[str, int] = {
    "ConcurrentDeploymentException": 400,
    "IdempotentParameterMismatchException": 400,
    "InternalServerException": 500,
    "InvalidParameterException": 400,
    "LimitExceededException": 400,
    "ResourceAlreadyExistsException": 400,
    "ResourceNotFoundException": 400,
    "ThrottlingException": 400,
    "UnrecognizedClientException": 403,
    "InvalidSignatureException": 403,
    "MissingAuthenticationTokenException": 403,
    "IncompleteSignatureException": 400,
    "SerializationException": 400,
    "UnknownOperationException": 404,
    "RequestTimeoutException": 408,
    "RequestEntityTooLargeException": 413,
}


class ServiceError(Exception):
    """An error the emulator answers with, exactly as the service would have.

    ``message`` goes to the client verbatim, so callers must never put a secret
    (an environment variable's value, a signing key) into it.
    """

    def __init__(self, code: str, message: str, *, status: int | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self._status = status

    @property
    def status(self) -> int:
        """The HTTP status the error travels with: the one given, else the code's."""
        return self._status if self._status is not None else STATUS.get(self.code, 400)


def invalid(message: str) -> ServiceError:
    """The service's catch-all for a request it will not act on."""
    return ServiceError("InvalidParameterException", message)


def not_found(message: str) -> ServiceError:
    """An ARN (or version) that names nothing."""
    return ServiceError("ResourceNotFoundException", message)


def validate(shape: Shape | None, params: dict[str, Any]) -> None:
    """Refuse input that breaks the model, with the message the service gave (secrets redacted)."""
    if shape is None:
        return
    found = [v for v in violations(shape, params) if not v.rule.startswith("is not a member")]
    if not found:
        return
    parts = []
    for violation in found:
        # The value is already redacted where its shape holds a secret (_wire.validation), as the SDK's
        # own messages are: a map's keys stay visible, as they are in its path.
        parts.append(
            f"Value {violation.value} at '{violation.dotted()}' failed to satisfy constraint:"
            f" Member {violation.rule}"
        )
    noun = "error" if len(parts) == 1 else "errors"
    raise invalid(f"{len(parts)} validation {noun} detected: " + "; ".join(parts))
