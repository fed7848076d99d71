"""One client's connection to the service: open it, make calls with retries and a deadline, map errors.

Every call is retried here, not by botocore (see ``sessions.NON_NEGOTIABLE``):
throttling, 5xx and connection errors, with full-jitter exponential backoff,
the same bytes on every attempt, at most ``ClientConfig.max_attempts`` times
and within ``ClientConfig.total_timeout`` in all. Each retry is logged at INFO
on ``robomaker_deploy.transport`` (the command line prints those records).
Every botocore failure becomes a :class:`RoboMakerError`.
"""

from __future__ import annotations

import logging
import math
import random
from collections.abc import Mapping
from types import TracebackType
from typing import Any

import anyio
import botocore.exceptions
from aiobotocore.client import AioBaseClient
from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession
from botocore import xform_name

from .._config import ClientConfig
from .._errors import (
    AuthenticationError,
    ConfigurationError,
    EndpointConnectionError,
    ResponseTooLargeError,
    RoboMakerError,
    client_not_open,
    error_class,
)
from .._wire.model import SERVICE_NAME
from .bodies import BodyTooLarge
from .parsing import RAW_BODY
from .region import no_region, resolve_region
from .sessions import aio_config, check_settings, client_session

__all__ = ["Transport"]

log = logging.getLogger("robomaker_deploy.transport")

_CONNECTION_ERRORS = (
    botocore.exceptions.EndpointConnectionError,
    botocore.exceptions.ConnectionClosedError,
    botocore.exceptions.ReadTimeoutError,
    botocore.exceptions.ConnectTimeoutError,
    botocore.exceptions.HTTPClientError,
)


class Transport:
    """One aiobotocore client, used by one :class:`DeploymentClient`."""

    def __init__(
        self,
        *,
        region_name: str | None,
        endpoint_url: str | None,
        aws_access_key_id: str | None,
        aws_secret_access_key: str | None,
        aws_session_token: str | None,
        profile_name: str | None,
        config: ClientConfig,
        session: AioSession | None = None,
        aio_config: AioConfig | None = None,
    ) -> None:
        check_settings(config, session, aio_config, profile_name)
        self._client_args: dict[str, Any] = {
            "endpoint_url": endpoint_url,
            "aws_access_key_id": aws_access_key_id,
            "aws_secret_access_key": aws_secret_access_key,
            "aws_session_token": aws_session_token,
        }
        self._region_name = region_name
        self._profile_name = profile_name
        self._config = config
        self._session = session
        self._aio_config = aio_config
        self._client: AioBaseClient | None = None
        self._context: Any = None

    async def __aenter__(self) -> Transport:
        try:
            session = client_session(self._session, self._profile_name)
            config = aio_config(self._config, self._aio_config, self._session)
            region = resolve_region(self._region_name, session=session, aio_config=config)
            if region is None:
                raise no_region(session)
            context = session.create_client(
                SERVICE_NAME, region_name=region, config=config, **self._client_args
            )
            self._client = await context.__aenter__()
        except (botocore.exceptions.BotoCoreError, ValueError) as exc:
            # An unknown profile, an endpoint URL or region botocore cannot use.
            raise ConfigurationError(str(exc), code=type(exc).__name__) from exc
        self._context = context
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        context, self._context, self._client = self._context, None, None
        if context is not None:
            # Closing must finish even if the caller is being cancelled, or the
            # connection pool leaks (and warns) at interpreter exit.
            with anyio.CancelScope(shield=True):
                await context.__aexit__(exc_type, exc_val, exc_tb)

    @property
    def region_name(self) -> str:
        """The region the client signs for."""
        client = self._require()
        return str(client.meta.region_name)  # type: ignore[attr-defined]

    def _require(self) -> AioBaseClient:
        if self._client is None:
            raise client_not_open()
        return self._client

    async def call(self, operation: str, params: Mapping[str, Any]) -> bytes:
        """Make one API call, retrying what may succeed later; return the raw JSON body.

        ``params`` must already be valid: they are sent as they are, the same
        bytes on every retry (client request tokens included). Past
        ``total_timeout`` an attempt in flight is cancelled and
        :class:`EndpointConnectionError` raised; a backoff that would end past
        it is not slept: the last attempt's error is raised at once.
        """
        client = self._require()
        bound = getattr(client, xform_name(operation))
        config = self._config
        began = anyio.current_time()
        deadline = math.inf if config.total_timeout is None else began + config.total_timeout
        attempt = 1
        last: RoboMakerError | None = None
        while True:
            with anyio.CancelScope(deadline=deadline) as scope:
                try:
                    response = await bound(**params)
                except Exception as exc:  # translated below, never swallowed
                    error = _translate(exc, operation)
                    if error is not exc:
                        error.__cause__ = exc
                else:
                    body = response.get(RAW_BODY, b"")
                    return body if isinstance(body, bytes) else bytes(body)
            if scope.cancelled_caught:
                raise _past_deadline(operation, config, attempt, anyio.current_time() - began) from last
            if not error.retryable or attempt >= config.max_attempts:
                raise error
            delay = random.uniform(0, min(config.backoff_cap, config.backoff_base * 2**attempt))
            if anyio.current_time() + delay >= deadline:
                raise error
            attempt += 1
            # The command line prints these records as they are; the delay rides along for handlers.
            log.info(
                "retrying %s after %s, attempt %d of %d",
                operation,
                error.code,
                attempt,
                config.max_attempts,
                extra={"retry_delay": delay},
            )
            last = error
            await anyio.sleep(delay)


def _past_deadline(operation: str, config: ClientConfig, attempt: int, elapsed: float) -> RoboMakerError:
    return EndpointConnectionError(
        f"no complete response within total_timeout={config.total_timeout:g}s "
        f"(attempt {attempt} of {config.max_attempts} was still waiting after {elapsed:.1f}s in all)",
        code="EndpointConnectionError",
        operation=operation,
    )


def _translate(exc: BaseException, operation: str) -> RoboMakerError:
    if isinstance(exc, RoboMakerError):
        return exc
    if isinstance(exc, BodyTooLarge):
        return ResponseTooLargeError(str(exc), code="ResponseTooLarge", operation=operation)
    if isinstance(exc, botocore.exceptions.ClientError):
        error = exc.response.get("Error", {})
        meta = exc.response.get("ResponseMetadata", {})
        code = str(error.get("Code") or "Unknown")
        status = meta.get("HTTPStatusCode")
        cls = error_class(code)
        if cls is RoboMakerError and isinstance(status, int) and status >= 500:
            # An unmodelled 5xx (a proxy's HTML page, a load balancer) is as
            # transient as the service's own InternalServerException.
            cls = _UnmodelledServerError
        return cls(
            str(error.get("Message") or "(no message)"),
            code=code,
            request_id=meta.get("RequestId"),
            http_status=status,
            operation=operation,
        )
    if isinstance(exc, _CONNECTION_ERRORS):
        return EndpointConnectionError(str(exc), code="EndpointConnectionError", operation=operation)
    if isinstance(exc, botocore.exceptions.NoCredentialsError):
        return AuthenticationError(
            "no AWS credentials found: pass them to the client, set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, or configure a profile",
            code="NoCredentials",
            operation=operation,
        )
    if isinstance(exc, botocore.exceptions.BotoCoreError):
        return RoboMakerError(str(exc), code=type(exc).__name__, operation=operation)
    raise exc


class _UnmodelledServerError(RoboMakerError):
    retryable = True
