"""Response bodies read with a bound: what a server can make the client hold.

aiobotocore reads a whole body inside its HTTP session's ``send`` (``await
http_response.content``, however large, however long it keeps coming)
unless the request is marked as one whose output streams. The session
classes made here mark every request so, let aiobotocore's own ``send``
connect, send and read the status and headers (its error translation
intact), and then read the body themselves: refused at once when its
Content-Length is over the limit, and otherwise counted chunk by chunk
(chunked bodies have no length) and refused as soon as the count passes it.
A refused or broken body closes its connection instead of draining it, so
nothing more is read and retries start from nothing. The bytes read go to
the response's content cache, where aiobotocore's endpoint and botocore's
parser find them as if aiobotocore had read them itself.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import aiohttp
import anyio
import botocore.exceptions
from aiobotocore._httpx import httpx
from aiobotocore.httpsession import AIOHTTPSession
from aiobotocore.httpxsession import HttpxSession

__all__ = ["BodyTooLarge", "bounded", "check_boundable"]

_CHUNK = 64 * 1024
_LOCK = threading.Lock()
_MADE: dict[tuple[type[Any], int], type[Any]] = {}
_HTTPX_TIMEOUTS: tuple[type[Exception], ...] = () if httpx is None else (httpx.TimeoutException,)


class BodyTooLarge(Exception):
    """A response body passed the limit (its declared length, or the bytes counted so far)."""

    def __init__(self, size: int, limit: int, *, declared: bool) -> None:
        self.size = size
        self.limit = limit
        self.declared = declared
        what = f"declares {size:,} bytes" if declared else f"went on past {size:,} bytes"
        super().__init__(
            f"the response body {what}; the limit is {limit:,} (ClientConfig.max_response_bytes)"
        )


class _Bounded:
    """Mixed in before an aiobotocore HTTP session class: every body is read by :func:`_read`."""

    max_body: ClassVar[int]

    async def send(self, request: Any) -> Any:
        buffered = not request.stream_output
        request.stream_output = True  # aiobotocore returns after the headers; the body is ours to read
        try:
            response = await super().send(request)  # type: ignore[misc]
        finally:
            request.stream_output = not buffered
        if buffered:
            # botocore's AWSResponse caches its body there; every later reader gets these bytes.
            response._content = await _read(response, self.max_body, request.url)
        return response


def check_boundable(base: object) -> None:
    """Refuse an HTTP session class whose bodies :func:`bounded` cannot read."""
    if not (isinstance(base, type) and issubclass(base, (AIOHTTPSession, HttpxSession))):
        raise TypeError(
            "http_session_cls must be aiobotocore's AIOHTTPSession or HttpxSession or a subclass of one, "
            f"not {base!r}: the SDK bounds response bodies through them"
        )


def bounded(base: type[Any], limit: int) -> type[Any]:
    """``base`` (an aiobotocore HTTP session class) reading at most ``limit`` bytes of a body."""
    check_boundable(base)
    with _LOCK:  # one class per base and limit, however many clients use it
        made = _MADE.get((base, limit))
        if made is None:
            attributes = {"max_body": limit, "__module__": __name__}
            made = _MADE[base, limit] = type(f"Bounded{base.__name__}", (_Bounded, base), attributes)
        return made


async def _read(response: Any, limit: int, url: str) -> bytes:
    raw = response.raw
    try:
        declared = response.headers.get("content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > limit:
            raise BodyTooLarge(int(declared), limit, declared=True)
        return await _collect(raw, limit)
    except BaseException as exc:
        # Whatever stopped the read (the limit, a broken connection, a cancelled call), the rest of the
        # body stays unread: the connection is closed, not drained and not put back in the pool.
        with anyio.CancelScope(shield=True):
            await _close(raw)
        if isinstance(exc, (BodyTooLarge, botocore.exceptions.BotoCoreError)) or not isinstance(
            exc, Exception
        ):
            raise
        # The errors aiobotocore raises when the body breaks inside its own send.
        if isinstance(exc, (asyncio.TimeoutError, *_HTTPX_TIMEOUTS)):
            raise botocore.exceptions.ReadTimeoutError(endpoint_url=url, error=exc) from exc
        raise botocore.exceptions.ConnectionClosedError(endpoint_url=url, error=exc) from exc


async def _collect(raw: Any, limit: int) -> bytes:
    if isinstance(raw, aiohttp.ClientResponse):
        # aiohttp's stream buffers at most its high-water mark before it stops reading the socket.
        chunks: AsyncIterator[bytes] = raw.content.iter_chunked(_CHUNK)
    else:
        # An httpx response opened with stream=True: its decoded bytes, as they arrive (so a
        # compressed body is bounded by what it expands to).
        chunks = raw.aiter_bytes(_CHUNK)
    body = bytearray()
    try:
        async for chunk in chunks:
            body += chunk
            if len(body) > limit:
                raise BodyTooLarge(len(body), limit, declared=False)
    except BaseException:
        # The error's traceback keeps this frame, and the call keeps the error while it retries.
        body.clear()
        raise
    finally:
        close = getattr(chunks, "aclose", None)  # an async generator (httpx) is closed now, not at GC
        if close is not None:
            with anyio.CancelScope(shield=True):
                await close()
    return bytes(body)


async def _close(raw: Any) -> None:
    if isinstance(raw, aiohttp.ClientResponse):
        raw.close()
    else:
        await raw.aclose()
