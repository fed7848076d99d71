"""Client settings, in the SDK's own terms so no aiobotocore type reaches users."""

from __future__ import annotations

from typing import Literal

import attrs

__all__ = ["DEFAULT_MAX_DELAY", "DEFAULT_MIN_DELAY", "DEFAULT_TIMEOUT", "ClientConfig"]

#: Give up after an hour by default: long enough for a fleet rolled out in waves, short enough to see a hang.
DEFAULT_TIMEOUT: float = 3600.0
#: First delay between polls: a robot's deployment steps take seconds to minutes.
DEFAULT_MIN_DELAY: float = 2.0
#: Longest delay between polls once the backoff has grown (a lone waiter notices an end within this).
DEFAULT_MAX_DELAY: float = 30.0


@attrs.frozen(kw_only=True)
class ClientConfig:
    """How a :class:`DeploymentClient` talks to the service.

    The retry settings govern the SDK's own retries of throttling, 5xx and
    connection errors (botocore's retries are turned off underneath, see
    ``_transport``). Every retry of a call reuses its client request token,
    so a retried create never makes two jobs.
    """

    max_attempts: int = attrs.field(default=10, validator=attrs.validators.ge(1))
    """Tries per call, the first included."""
    backoff_base: float = attrs.field(default=0.05, validator=attrs.validators.gt(0))
    """First retry waits up to this many seconds; each further one doubles it (full jitter)."""
    backoff_cap: float = attrs.field(default=5.0, validator=attrs.validators.gt(0))
    """No single retry waits longer than this."""
    connect_timeout: float = attrs.field(default=10.0, validator=attrs.validators.gt(0))
    read_timeout: float = attrs.field(default=60.0, validator=attrs.validators.gt(0))
    max_pool_connections: int = attrs.field(default=20, validator=attrs.validators.ge(1))
    http_backend: Literal["auto", "aiohttp", "httpx"] = attrs.field(
        default="auto", validator=attrs.validators.in_(("auto", "aiohttp", "httpx"))
    )
    """``auto`` picks httpx on trio and aiohttp on asyncio."""
    user_agent_appid: str | None = None
