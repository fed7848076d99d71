"""A tiny HTTP server that answers every request with whatever the test set: odd, huge, endless or slow.

It does not check signatures, so any client can talk to it. A :class:`Reply` is a status, headers and
a body, or a ``stream`` that writes the body itself (a gigabyte made on the fly, a chunked body that
never ends, a byte a second). :func:`hostile_server` runs one on a free loopback port.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import anyio
import attrs
from aiohttp import web

__all__ = ["HostileServer", "Reply", "endless", "hostile_server", "trickle"]

Write = Callable[[bytes], Awaitable[None]]
Stream = Callable[[Write], Awaitable[None]]
"""Writes a body through the ``write`` it is given."""


@attrs.define
class Reply:
    status: int = 200
    body: bytes = b"{}"
    headers: dict[str, str] = attrs.field(factory=lambda: {"Content-Type": "application/json"})
    cut: bool = False
    """Promise more bytes than are sent, then close the connection."""
    stream: Stream | None = None
    """Write the body after the headers (``headers`` say whether it has a length or is chunked)."""


@attrs.define
class HostileServer:
    url: str = ""
    replies: dict[str, Reply] = attrs.field(factory=dict)
    """By request path (``/describeDeploymentJob``...); anything else gets ``default``."""
    default: Reply = attrs.field(factory=Reply)
    requests: int = 0
    paths: list[str] = attrs.field(factory=list)
    """The path of every request, in order."""
    user_agents: list[str] = attrs.field(factory=list)
    sent: int = 0
    """Body bytes written by streamed replies, all requests together."""


def endless(chunk: bytes = b"x" * 65536, *, limit: int | None = None) -> Stream:
    """A body written chunk after chunk until the client goes away (or ``limit`` bytes, then a cut)."""

    async def stream(write: Write) -> None:
        written = 0
        while limit is None or written < limit:
            await write(chunk)
            written += len(chunk)
        raise _Cut

    return stream


def trickle(every: float = 0.05) -> Stream:
    """A body of one byte every ``every`` seconds, forever."""

    async def stream(write: Write) -> None:
        while True:
            await write(b" ")
            await anyio.sleep(every)

    return stream


class _Cut(Exception):
    """Close the connection without ending the body."""


@contextlib.asynccontextmanager
async def hostile_server() -> AsyncIterator[HostileServer]:
    """A running server on 127.0.0.1; set ``default`` or ``replies`` to choose its answers."""
    state = HostileServer()

    async def handle(request: web.Request) -> web.StreamResponse:
        state.requests += 1
        state.paths.append(request.path)
        state.user_agents.append(request.headers.get("User-Agent", ""))
        await request.read()
        reply = state.replies.get(request.path, state.default)
        if reply.stream is not None:
            response = web.StreamResponse(status=reply.status, headers=reply.headers)
            await response.prepare(request)

            async def write(data: bytes) -> None:
                await response.write(data)
                state.sent += len(data)

            try:
                await reply.stream(write)
            except (_Cut, ConnectionError):
                # The client went away (refusing the body), or the reply ends by cutting the line.
                assert request.transport is not None
                request.transport.close()
            return response
        if reply.cut:
            response = web.StreamResponse(
                status=reply.status, headers={**reply.headers, "Content-Length": str(len(reply.body) + 100)}
            )
            await response.prepare(request)
            await response.write(reply.body)
            assert request.transport is not None
            request.transport.close()
            return response
        return web.Response(status=reply.status, body=reply.body, headers=reply.headers)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    state.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield state
    finally:
        await runner.cleanup()
