"""What the service's routes and the admin routes share: bounded bodies, safe JSON, the error response.

A body is read only after its request was allowed in, within a deadline
and a size limit; JSON nested deeper than any real request is refused as the
service refuses bad JSON; a client that leaves mid-request is one quiet log
line, not a traceback.

The bodies held at once, across every connection, are bounded too
(:class:`BodyBudget`): a request's declared length is taken from the budget
before a byte of its body is read (a chunked body's, chunk by chunk), and
given back when its handling ends, however it ends. A request that does not
fit is answered at once with 503 and ``ThrottlingException``, which SDKs
retry (botocore on either the status or the code), so many large hostile
bodies cost at most the budget, whatever they carry. Below the budget, each
connection holds only what aiohttp buffers before it stops reading the
socket (a few hundred KiB).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import attrs
from aiohttp import web

from ._errors import ServiceError

log = logging.getLogger("robomaker_deploy.emulator")

JSON = "application/json"
#: The largest body a request may carry (a thousand-robot request is far below it).
MAX_BODY_BYTES = 8 * 1024 * 1024
#: The request-body bytes held at once across all connections: eight of the largest bodies.
BODY_BUDGET_BYTES = 8 * MAX_BODY_BYTES
#: How long a client has to send its whole body once its headers were accepted.
BODY_TIMEOUT_SECONDS = 30.0
#: How long a connection may sit without a complete request (idle, or sending its headers slowly).
IDLE_TIMEOUT_SECONDS = 30.0
#: Deeper than any request of the model (its shapes nest a few levels), shallow enough for any parser.
MAX_JSON_DEPTH = 64

Body = bytes | bytearray
"""A request body as read: a ``bytearray`` filled in place, so reading it never makes a second copy."""


class ClientGone(Exception):
    """The client closed the connection before its request was complete: nobody is left to answer."""


@attrs.define
class BodyBudget:
    """The request-body bytes the emulator holds at once, against :data:`BODY_BUDGET_BYTES`."""

    limit: int = BODY_BUDGET_BYTES
    held: int = 0

    def take(self, size: int) -> None:
        """Count ``size`` more bytes as held, or refuse with a retryable 503 if they do not fit."""
        if self.held + size > self.limit:
            raise ServiceError(
                "ThrottlingException",
                "Too many request bodies in flight; retry the request.",
                status=503,
            )
        self.held += size


#: Where the application keeps its :class:`BodyBudget` (one per emulator, shared by every route).
BODIES = web.AppKey("bodies", BodyBudget)


@contextlib.asynccontextmanager
async def read_body(request: web.Request) -> AsyncIterator[Body]:
    """The request's whole body, while it is held: within :data:`BODY_TIMEOUT_SECONDS`,
    :data:`MAX_BODY_BYTES` and the application's :class:`BodyBudget`, which gets the bytes back
    when the block ends, however it ends."""
    budget = request.app[BODIES]
    taken = 0

    def take(size: int) -> None:
        nonlocal taken
        budget.take(size)
        taken += size

    try:
        try:
            body = await asyncio.wait_for(_read(request, take), BODY_TIMEOUT_SECONDS)
        except asyncio.TimeoutError:
            raise ServiceError(
                "RequestTimeoutException",
                f"The request body did not arrive within {BODY_TIMEOUT_SECONDS:g} s.",
            ) from None
        except ConnectionError:
            raise ClientGone from None
        yield body
    finally:
        budget.held -= taken


def _too_large() -> ServiceError:
    return ServiceError(
        "RequestEntityTooLargeException", f"The request body is larger than {MAX_BODY_BYTES} bytes."
    )


async def _read(request: web.BaseRequest, take: Callable[[int], None]) -> bytearray:
    """Read the body into one buffer, each byte taken from the budget before it is copied."""
    content = request.content
    declared = request.content_length
    if declared is None:  # chunked: counted as it comes
        body = bytearray()
        async for chunk in content.iter_any():
            if len(body) + len(chunk) > MAX_BODY_BYTES:
                raise _too_large()
            take(len(chunk))
            body += chunk
        return body
    if declared > MAX_BODY_BYTES:
        raise _too_large()
    take(declared)
    body = bytearray(declared)
    filled = 0
    with memoryview(body) as view:
        while filled < declared:
            chunk = await content.readany()
            if not chunk:
                raise ConnectionError("the body ended before its declared length")
            view[filled : filled + len(chunk)] = chunk
            filled += len(chunk)
    return body


def decode_json(body: Body) -> dict[str, Any]:
    """A JSON object from a body, or ``SerializationException`` (bad JSON, not an object, too deep)."""
    if _too_deep(body):
        raise ServiceError(
            "SerializationException", f"The request body nests deeper than {MAX_JSON_DEPTH} levels."
        )
    try:
        decoded = json.loads(body)
    except (ValueError, RecursionError):
        raise ServiceError("SerializationException", "The request body is not valid JSON.") from None
    if not isinstance(decoded, dict):
        raise ServiceError("SerializationException", "The request body must be a JSON object.")
    return decoded


def error_response(error: ServiceError) -> web.Response:
    """An error as the service sends it: status, ``x-amzn-ErrorType`` and ``{"message": ...}``."""
    return web.Response(
        status=error.status,
        body=json.dumps({"message": error.message}).encode(),
        content_type=JSON,
        headers={"x-amzn-ErrorType": error.code, "x-amzn-RequestId": str(uuid.uuid4())},
    )


def _too_deep(body: Body) -> bool:
    """Whether brackets outside strings nest past :data:`MAX_JSON_DEPTH` (checked before parsing).

    The standard parser recurses once per level, so a body of a hundred
    thousand ``[`` would otherwise end in a ``RecursionError`` deep inside it.
    """
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        return False
    depth = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return True
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return False
