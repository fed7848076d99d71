"""The only module that touches aiobotocore.

It builds a session that knows the project's service model, swaps in a
response parser that hands successful bodies through untouched (the
converter reads them far faster than botocore's shape walker, see the
performance docs), retries what is worth retrying, and turns every botocore
failure into a :class:`RoboMakerError`. Errors, headers and signing all stay
botocore's: only the success path of the body parse is replaced.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping
from types import TracebackType
from typing import Any

import anyio
import botocore.exceptions
from aiobotocore.client import AioBaseClient
from aiobotocore.config import AioConfig
from aiobotocore.parsers import AioResponseParserFactory, AioRestJSONParser
from aiobotocore.session import AioSession
from botocore import xform_name
from botocore.parsers import ResponseParser

from ._background import running_on_trio
from ._config import ClientConfig
from ._errors import (
    AuthenticationError,
    ConfigurationError,
    EndpointConnectionError,
    RoboMakerError,
    client_not_open,
    error_class,
)
from ._wire.model import SERVICE_NAME, register_data_path

__all__ = ["Transport"]

log = logging.getLogger("robomaker_deploy.transport")

_RAW_BODY = "__raw_body__"

_CONNECTION_ERRORS = (
    botocore.exceptions.EndpointConnectionError,
    botocore.exceptions.ConnectionClosedError,
    botocore.exceptions.ReadTimeoutError,
    botocore.exceptions.ConnectTimeoutError,
    botocore.exceptions.HTTPClientError,
)


class _RawBodyRestJSONParser(AioRestJSONParser):
    """rest-json parser whose success path returns the body bytes as they came."""

    def _do_parse(self, response: dict[str, Any], shape: Any) -> dict[str, Any]:
        return {
            "ResponseMetadata": self._populate_response_metadata(response),  # type: ignore[attr-defined]
            _RAW_BODY: response["body"],
        }

    def _parse_body_as_json(self, body_contents: bytes) -> Any:
        # Read for error responses only. One from a proxy or a broken connection need not be UTF-8
        # JSON, nor an object: botocore would raise a bare UnicodeDecodeError or AttributeError
        # where the caller must get a RoboMakerError with the status.
        try:
            parsed = super()._parse_body_as_json(body_contents)  # type: ignore[misc]
        except UnicodeDecodeError:
            return {"message": f"(an error body of {len(body_contents)} bytes that is not UTF-8)"}
        if not isinstance(parsed, dict):
            return {"message": f"(an error body that is JSON but not an object: {type(parsed).__name__})"}
        return parsed


class _ParserFactory(AioResponseParserFactory):
    def create_parser(self, protocol_name: str) -> ResponseParser:
        if protocol_name == "rest-json":
            return _RawBodyRestJSONParser(**self._defaults)
        return super().create_parser(protocol_name)


def new_session(profile_name: str | None = None) -> AioSession:
    """An aiobotocore session that can build RoboMaker clients on the project's model."""
    session = AioSession(profile=profile_name)
    register_data_path(session.get_component("data_loader"))
    session.register_component("response_parser_factory", _ParserFactory())
    return session


def _aio_config(config: ClientConfig) -> AioConfig:
    options: dict[str, Any] = {
        # The SDK retries (see Transport.call): botocore's standard mode shares a
        # retry quota across the client and stops retrying in a throttling storm,
        # which is exactly when orchestration code must slow down, not give up.
        "retries": {"total_max_attempts": 1, "mode": "standard"},
        # Inputs are checked against the full model (patterns and maxima
        # included) before they get here; botocore's weaker check is redundant.
        "parameter_validation": False,
        "connect_timeout": config.connect_timeout,
        "read_timeout": config.read_timeout,
        "max_pool_connections": config.max_pool_connections,
    }
    if config.user_agent_appid:
        options["user_agent_appid"] = config.user_agent_appid
    backend = config.http_backend
    if backend == "auto":
        backend = "httpx" if running_on_trio() else "aiohttp"
    if backend == "httpx":
        from aiobotocore.httpxsession import HttpxSession

        return AioConfig(http_session_cls=HttpxSession, **options)
    return AioConfig(**options)


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
    ) -> None:
        self._client_args: dict[str, Any] = {
            "region_name": region_name,
            "endpoint_url": endpoint_url,
            "aws_access_key_id": aws_access_key_id,
            "aws_secret_access_key": aws_secret_access_key,
            "aws_session_token": aws_session_token,
        }
        self._profile_name = profile_name
        self._config = config
        self._client: AioBaseClient | None = None
        self._context: Any = None

    async def __aenter__(self) -> Transport:
        try:
            session = new_session(self._profile_name)
            context = session.create_client(
                SERVICE_NAME, config=_aio_config(self._config), **self._client_args
            )
            self._client = await context.__aenter__()
        except botocore.exceptions.NoRegionError as exc:
            raise ConfigurationError(
                "no region given: pass region_name= or set AWS_DEFAULT_REGION", code="NoRegion"
            ) from exc
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
        bytes on every retry (client request tokens included).
        """
        client = self._require()
        bound = getattr(client, xform_name(operation))
        attempt = 1
        while True:
            try:
                response = await bound(**params)
            except Exception as exc:  # translated below, never swallowed
                error = _translate(exc, operation)
                if not error.retryable or attempt >= self._config.max_attempts:
                    raise error from exc
                delay = random.uniform(
                    0, min(self._config.backoff_cap, self._config.backoff_base * 2**attempt)
                )
                log.debug(
                    "%s failed with %s (attempt %d); retrying in %.3fs", operation, error.code, attempt, delay
                )
                attempt += 1
                await anyio.sleep(delay)
                continue
            body = response.get(_RAW_BODY, b"")
            return body if isinstance(body, bytes) else bytes(body)


def _translate(exc: BaseException, operation: str) -> RoboMakerError:
    if isinstance(exc, RoboMakerError):
        return exc
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
