"""Client settings, in the SDK's own terms so no aiobotocore type reaches users."""

from __future__ import annotations

import math
from typing import Any, Literal

import attrs

from ._errors import ValidationError

__all__ = [
    "DEFAULT_MAX_DELAY",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MIN_DELAY",
    "DEFAULT_TIMEOUT",
    "DEFAULT_TOTAL_TIMEOUT",
    "ClientConfig",
    "check_seconds",
]

#: Give up after an hour by default: long enough for a fleet rolled out in waves, short enough to see a hang.
DEFAULT_TIMEOUT: float = 3600.0
#: First delay between polls: a robot's deployment steps take seconds to minutes.
DEFAULT_MIN_DELAY: float = 2.0
#: Longest delay between polls once the backoff has grown (a lone waiter notices an end within this).
DEFAULT_MAX_DELAY: float = 30.0
#: Two minutes per call, retries included: room for one attempt that runs into the full default read
#: timeout and a retry after it, or for a throttling storm's backoff (nine retries capped at 5 s wait
#: about 23 s in all), while a hung endpoint surfaces in two minutes instead of ten.
DEFAULT_TOTAL_TIMEOUT: float = 120.0
#: 8 MiB: twenty times the largest response the service gives (a deployment job describing
#: 1,000 robots is about 0.4 MB), small enough that a hostile body cannot exhaust memory.
DEFAULT_MAX_RESPONSE_BYTES: int = 8 * 1024 * 1024


def check_seconds(name: str, value: Any) -> None:
    """Refuse ``value`` for the setting ``name`` unless it is a finite number of seconds above 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValidationError(name, repr(value), "must be a finite number of seconds")
    if value <= 0:
        raise ValidationError(name, repr(value), "must be more than 0 seconds")


def _seconds(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    check_seconds(f"ClientConfig.{attribute.name}", value)


def _seconds_or_none(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        _seconds(instance, attribute, value)


def _count(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError(
            f"ClientConfig.{attribute.name}", repr(value), "must be a whole number, at least 1"
        )


@attrs.frozen(kw_only=True)
class ClientConfig:
    """How a :class:`DeploymentClient` talks to the service.

    The retry settings govern the SDK's own retries of throttling, 5xx and
    connection errors (botocore's retries are turned off underneath, see
    ``_transport``). Every retry of a call reuses its client request token,
    so a retried create never makes two jobs. ``total_timeout`` bounds a
    whole call, its retries and their backoff included.
    """

    max_attempts: int = attrs.field(default=10, validator=_count)
    """Tries per call, the first included."""
    backoff_base: float = attrs.field(default=0.05, validator=_seconds)
    """First retry waits up to this many seconds; each further one doubles it (full jitter)."""
    backoff_cap: float = attrs.field(default=5.0, validator=_seconds)
    """No single retry waits longer than this."""
    connect_timeout: float = attrs.field(default=10.0, validator=_seconds)
    """Seconds to open a connection, per attempt."""
    read_timeout: float = attrs.field(default=60.0, validator=_seconds)
    """Seconds without a byte from the server before an attempt fails (a slow trickle resets it)."""
    total_timeout: float | None = attrs.field(default=DEFAULT_TOTAL_TIMEOUT, validator=_seconds_or_none)
    """Seconds one call may take in all, every attempt and backoff included; ``None`` for no limit.

    Past it the call raises: :class:`EndpointConnectionError` if an attempt
    was still waiting for the server, or the last attempt's own error if
    the backoff before the next attempt would have crossed it.
    """
    max_response_bytes: int = attrs.field(default=DEFAULT_MAX_RESPONSE_BYTES, validator=_count)
    """Largest response body accepted; a larger one is refused unread (:class:`ResponseTooLargeError`)."""
    max_pool_connections: int = attrs.field(default=20, validator=_count)
    """Connections kept open to the endpoint at most."""
    http_backend: Literal["auto", "aiohttp", "httpx"] = attrs.field(
        default="auto", validator=attrs.validators.in_(("auto", "aiohttp", "httpx"))
    )
    """``auto`` picks httpx on trio and aiohttp on asyncio."""
    user_agent_appid: str | None = None
    """Your application's id, added to the User-Agent header of every request."""
    wait_min_delay: float = attrs.field(default=DEFAULT_MIN_DELAY, validator=_seconds)
    """The waiters' first and shortest delay between polls, unless a wait gives its own ``min_delay``."""
    wait_max_delay: float = attrs.field(default=DEFAULT_MAX_DELAY, validator=_seconds)
    """The waiters' longest delay between polls, unless a wait gives its own ``max_delay``."""

    def __attrs_post_init__(self) -> None:
        if self.wait_max_delay < self.wait_min_delay:
            raise ValidationError(
                "ClientConfig.wait_max_delay",
                repr(self.wait_max_delay),
                f"must be at least wait_min_delay ({self.wait_min_delay!r})",
            )
