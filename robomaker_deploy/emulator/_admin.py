"""The ``/_emulator/`` admin routes: faults, clock, stats, reset and health, as JSON over HTTP.

They are the out-of-process twins of :class:`Emulator`'s control methods,
for a test runner that only has a URL. They carry no signature, so the
emulator serves them by default only on a loopback host; the package's
docstring lists them with their bodies.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
from aiohttp import web

from ._faults import FaultConfig, FaultInjector
from ._store import Store

PREFIX = "/_emulator/"


@attrs.frozen
class Admin:
    """What the admin routes steer: the faults, the clock (in the store) and a full reset."""

    faults: FaultInjector
    store: Store
    reset: Callable[[], None]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Answer one request under :data:`PREFIX`."""
        try:
            data = await request.json() if request.can_read_body else {}
        except ValueError:
            return _refuse("The body must be JSON.")
        if not isinstance(data, dict):
            return _refuse("The body must be a JSON object.")
        route = _ROUTES.get((request.method, request.path[len(PREFIX) :].rstrip("/")))
        if route is None:
            return _refuse(f"No admin route {request.method} {request.path}.", status=404)
        return route(self, data)


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
    return web.json_response({"offset_seconds": admin.store.clock_offset, "now": admin.store.now()})


def _advance_clock(admin: Admin, data: dict[str, Any]) -> web.Response:
    seconds = data.get("advance_seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
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
