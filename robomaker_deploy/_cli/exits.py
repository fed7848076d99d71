"""The exit-code policy: which code each way of failing gets, and the one line that explains it.

It is its own module, apart from the group that applies it (``app``),
because the commands raise :class:`CliError` and :class:`Failed` themselves
and ``app`` imports the commands: keeping the policy here keeps the imports
one-way.
"""

from __future__ import annotations

import click

from .. import (
    AuthenticationError,
    ConcurrentDeploymentError,
    ConfigurationError,
    DeploymentFailedError,
    EndpointConnectionError,
    InvalidParameterError,
    ResourceNotFoundError,
    RoboMakerError,
    ValidationError,
    WaiterTimeoutError,
)

__all__ = [
    "EXIT_CODES_HELP",
    "EXIT_DEPLOYMENT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_SERVICE_ERROR",
    "EXIT_TIMEOUT",
    "EXIT_USAGE",
    "CliError",
    "Failed",
    "explain",
]

EXIT_OK = 0
EXIT_DEPLOYMENT_FAILED = 1
EXIT_USAGE = 2
EXIT_TIMEOUT = 3
EXIT_SERVICE_ERROR = 4
EXIT_INTERRUPTED = 130

#: The epilog of the group and of every command that talks to the service.
EXIT_CODES_HELP = """\b
Exit codes:
  0    success (a deployment ended Succeeded)
  1    the deployment ended Failed or Canceled
  2    usage or validation error
  3    a wait timed out (the deployment goes on)
  4    service or connection error
  130  interrupted (Ctrl-C)
"""


class CliError(Exception):
    """An error the command explains itself, with its exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


class Failed(Exception):
    """A command's outcome that is not success but also not an error to explain (exit 1)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def explain(exc: BaseException) -> tuple[int, str]:
    """The exit code and the one line that says what failed, why and what to do."""
    if isinstance(exc, CliError):
        return exc.code, str(exc)
    if isinstance(exc, ValidationError):
        return EXIT_USAGE, f"invalid input: {exc}. Check the value given for {exc.field} (see --help)."
    if isinstance(exc, WaiterTimeoutError):
        return (
            EXIT_TIMEOUT,
            f"{exc}. The deployment goes on: follow it with 'robomaker-deploy watch <job-arn>',"
            " or give a larger --timeout.",
        )
    if isinstance(exc, DeploymentFailedError):
        return EXIT_DEPLOYMENT_FAILED, str(exc)
    if isinstance(exc, ConfigurationError):
        if exc.code == "NoRegion":
            return EXIT_USAGE, "no AWS region given: pass --region or set AWS_REGION / AWS_DEFAULT_REGION."
        return EXIT_USAGE, f"{exc.message}: check --profile / AWS_PROFILE, --region and --endpoint-url."
    if isinstance(exc, RoboMakerError):
        hint = _HINTS.get(type(exc), "")
        if isinstance(exc, InvalidParameterError):
            return EXIT_USAGE, f"the service refused the request: {exc}. Check the options you gave."
        return EXIT_SERVICE_ERROR, f"{exc}.{hint}"
    if isinstance(exc, (KeyboardInterrupt, click.exceptions.Abort)):
        return EXIT_INTERRUPTED, "interrupted."
    return EXIT_SERVICE_ERROR, f"unexpected {type(exc).__name__}: {exc}. Run again with --debug for details."


_HINTS: dict[type[RoboMakerError], str] = {
    AuthenticationError: " Check your credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or --profile)"
    " and the region.",
    EndpointConnectionError: " Check --endpoint-url (is the emulator running?) and your network.",
    ResourceNotFoundError: " Check the ARN: 'robomaker-deploy list', 'fleets', 'robots' and 'apps'"
    " show them.",
    ConcurrentDeploymentError: " The fleet has a deployment that has not finished: wait for it"
    " ('robomaker-deploy wait <job-arn>') or cancel it.",
}
