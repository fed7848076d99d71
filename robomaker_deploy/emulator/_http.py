"""What the service's routes and the admin routes share: bounded bodies, safe JSON, the error response.

A body is read only after its request was allowed in, within a deadline
and a size limit; JSON nested deeper than any real request is refused as the
service refuses bad JSON; a client that leaves mid-request is one quiet log
line, not a traceback.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any

from aiohttp import web

from ._errors import ServiceError

log = logging.getLogger("robomaker_deploy.emulator")

JSON = "application/json"
#: The largest body a request may carry (a thousand-robot request is far below it).
MAX_BODY_BYTES = 8 * 1024 * 1024
#: How long a client has to send its whole body once its headers were accepted.
BODY_TIMEOUT_SECONDS = 30.0
#: How long a connection may sit without a complete request (idle, or sending its headers slowly).
IDLE_TIMEOUT_SECONDS = 30.0
#: Deeper than any request of the model (its shapes nest a few levels), shallow enough for any parser.
MAX_JSON_DEPTH = 64


class ClientGone(Exception):
    """The client closed the connection before its request was complete: nobody is left to answer."""


async def read_body(request: web.BaseRequest) -> bytes:
    """The request's whole body, within :data:`BODY_TIMEOUT_SECONDS` and :data:`MAX_BODY_BYTES`."""
    try:
        return await asyncio.wait_for(request.read(), BODY_TIMEOUT_SECONDS)
    except asyncio.TimeoutError:
        raise ServiceError(
            "RequestTimeoutException", f"The request body did not arrive within {BODY_TIMEOUT_SECONDS:g} s."
        ) from None
    except web.HTTPRequestEntityTooLarge:
        raise ServiceError(
            "RequestEntityTooLargeException", f"The request body is larger than {MAX_BODY_BYTES} bytes."
        ) from None
    except ConnectionError:
        raise ClientGone from None


def decode_json(body: bytes) -> dict[str, Any]:
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


def _too_deep(body: bytes) -> bool:
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
