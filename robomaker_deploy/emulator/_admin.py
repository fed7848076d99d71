"""The ``/_emulator/`` admin routes: faults, clock, stats, reset and health, as JSON over HTTP.

They are the out-of-process twins of :class:`Emulator`'s control methods,
for a test runner that only has a URL; the package's docstring lists them
with their bodies. They carry no signature, so the emulator serves them by
default only on a loopback host, and refuses what a web page in the
developer's browser could send them:

* a cross-origin request (an ``Origin`` that is not the emulator's own);
* a ``Host`` other than the address it listens on, or ``localhost``,
  ``127.0.0.1`` or ``[::1]``, with its port: a page that rebinds its own
  name to 127.0.0.1 still sends its own name;
* a POST whose body is not ``application/json``, the one type a page cannot
  send across origins without asking first.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import attrs
from aiohttp import web

from ._errors import ServiceError
from ._faults import FaultConfig, FaultInjector
from ._http import JSON, decode_json, error_response, read_body
from ._store import Store

PREFIX = "/_emulator/"
_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
_WILDCARDS = frozenset({"", "0.0.0.0", "::"})


@attrs.frozen
class Admin:
    """What the admin routes steer (the faults, the store's clock, a full reset) and where they listen."""

    faults: FaultInjector
    store: Store
    reset: Callable[[], None]
    host: str
    """The address the server is bound to."""
    port: int

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Answer one request under :data:`PREFIX` (``request.rel_url.raw_path``)."""
        refusal = self._foreign(request)
        if refusal is not None:
            return _refuse(refusal, status=403)
        path = request.rel_url.raw_path
        route = _ROUTES.get((request.method, path[len(PREFIX) :].rstrip("/")))
        if route is None:
            return _refuse(f"No admin route {request.method} {path}.", status=404)
        data: dict[str, Any] = {}
        if request.method == "POST":
            if request.content_type != JSON:
                return _refuse(f"An admin POST must carry {JSON}, not {request.content_type}.", status=415)
            try:
                async with read_body(request) as body:
                    data = decode_json(body) if body.strip() else {}
            except ServiceError as error:
                return error_response(error)
        return route(self, data)

    def _foreign(self, request: web.Request) -> str | None:
        """Why the request may come from a web page rather than the developer's tools, if it may."""
        host = request.headers.get("Host", "")
        if not self._ours(host):
            return f"Host {host!r} is not this emulator's address; the admin routes answer only on it."
        origin = request.headers.get("Origin")
        if origin is not None:
            scheme, _, netloc = origin.partition("://")
            if scheme != "http" or not self._ours(netloc):
                return f"Cross-origin requests to the admin routes are refused (Origin {origin!r})."
        return None

    def _ours(self, netloc: str) -> bool:
        """Whether ``host:port`` names this server: its bound address or a loopback name, its port."""
        try:
            parts = urlsplit(f"//{netloc}")
            port = parts.port or 80
        except ValueError:
            return False
        name = parts.hostname or ""
        if port != self.port or parts.path or parts.username is not None:
            return False
        bound = self.host.strip("[]").lower()
        if name in _LOOPBACK_NAMES or name == bound:
            return True
        # Bound to every interface, any of the machine's addresses may be used; a page's own
        # name (what DNS rebinding needs) is never an address literal.
        return bound in _WILDCARDS and _is_address(name)


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _stats(admin: Admin, data: dict[str, Any]) -> web.Response:
    return web.json_response(admin.faults.stats())


def _faults(admin: Admin, data: dict[str, Any]) -> web.Response:
    return web.json_response(admin.faults.config.to_json())


def _set_faults(admin: Admin, data: dict[str, Any]) -> web.Response:
    try:
        config = FaultConfig.from_json(data)
    except (TypeError, ValueError) as error:
        return _refuse(str(error))
    admin.faults.configure(config)
    return web.json_response(config.to_json())


def _clock(admin: Admin, data: dict[str, Any]) -> web.Response:
    clock = admin.store.clock
    return web.json_response({"offset_seconds": clock.offset, "now": clock.now(), "mode": clock.mode})


def _advance_clock(admin: Admin, data: dict[str, Any]) -> web.Response:
    seconds = data.get("advance_seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 <= seconds < math.inf:
        return _refuse("advance_seconds must be a non-negative number.")
    admin.store.advance_clock(float(seconds))
    return _clock(admin, data)


def _reset(admin: Admin, data: dict[str, Any]) -> web.Response:
    admin.reset()
    return web.json_response({})


def _health(admin: Admin, data: dict[str, Any]) -> web.Response:
    return web.json_response({"ok": True})


def _refuse(message: str, *, status: int = 400) -> web.Response:
    return web.json_response({"message": message}, status=status)


_ROUTES: dict[tuple[str, str], Callable[[Admin, dict[str, Any]], web.Response]] = {
    ("GET", "stats"): _stats,
    ("GET", "faults"): _faults,
    ("POST", "faults"): _set_faults,
    ("GET", "clock"): _clock,
    ("POST", "clock"): _advance_clock,
    ("POST", "reset"): _reset,
    ("GET", "health"): _health,
}
