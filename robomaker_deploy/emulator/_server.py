"""The HTTP face of the emulator: rest-json routing, member parsing, SigV4, faults, error responses.

Routes, member locations and constraints all come from the project's service
model, so a request the SDK can build is a request the emulator can parse,
and vice versa. What a request does is the service's (``_service``); the
``/_emulator/`` routes are ``_admin``'s.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from typing import Any
from urllib.parse import parse_qs, unquote

import attrs
from aiohttp import web
from botocore.model import OperationModel, Shape

from .._wire.model import service_model
from . import _admin, _sigv4
from ._errors import ServiceError, validate
from ._faults import FaultInjector
from ._http import (
    BODIES,
    JSON,
    MAX_BODY_BYTES,
    Body,
    BodyBudget,
    ClientGone,
    decode_json,
    error_response,
    log,
    read_body,
)
from ._service import Service

_SERVICE = "robomaker"


@attrs.frozen
class _Route:
    method: str
    pattern: re.Pattern[str]
    operation: OperationModel


def _routes() -> list[_Route]:
    routes = []
    model = service_model()
    for name in model.operation_names:
        operation = model.operation_model(name)
        path = operation.http["requestUri"].split("?", 1)[0]
        # A label matches one percent-encoded path segment (a greedy {label+} would span several).
        regex = re.sub(
            r"\{([^}+]+)(\+?)\}",
            lambda m: f"(?P<{m[1]}>{'.+' if m[2] else '[^/]+'})",
            re.escape(path).replace(r"\{", "{").replace(r"\}", "}"),
        )
        routes.append(_Route(operation.http["method"], re.compile(f"^{regex}$"), operation))
    return routes


@attrs.define
class ServerState:
    """Everything a request handler reaches: the service, the faults and who may call."""

    service: Service
    faults: FaultInjector
    credentials: _sigv4.EmulatorCredentials
    region: str
    admin: _admin.Admin | None = None
    """The ``/_emulator/`` routes once listening, or ``None`` where they are off (they answer as unknown)."""


def make_app(state: ServerState) -> web.Application:
    """The aiohttp application: one catch-all route, dispatching on the model's bindings."""
    routes = _routes()

    async def handle(request: web.Request) -> web.StreamResponse:
        # Routed on the path as sent: "/%5Femulator/health" is not an admin route.
        path, _, query = _origin_form(request).partition("?")
        try:
            if path.startswith(_admin.PREFIX) and state.admin is not None:
                return await state.admin.handle(request)
            for route in routes:
                match = route.pattern.match(path) if route.method == request.method else None
                if match is not None:
                    return await _call(state, request, route.operation, match.groupdict(), query)
        except ClientGone:
            log.info("%s %s: the client went away before sending its whole request", request.method, path)
            return web.Response(status=400)
        return error_response(ServiceError("UnknownOperationException", "Unknown operation"))

    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[BODIES] = BodyBudget()
    app.router.add_route("*", "/{tail:.*}", handle)
    return app


def _origin_form(request: web.Request) -> str:
    """The request target as path and query, still percent-encoded.

    ``raw_path`` is the target exactly as sent, and a client may send the
    absolute form (``POST http://host/createFleet``, as the httpx backend
    does); HTTP/1.1 servers must accept it, and signatures cover only the path.
    """
    url = request.rel_url
    query = url.raw_query_string
    return url.raw_path + (f"?{query}" if query else "")


async def _call(
    state: ServerState, request: web.Request, operation: OperationModel, labels: dict[str, str], query: str
) -> web.StreamResponse:
    name = operation.name
    decision = state.faults.decide(name)
    try:
        # The headers first: a request that is not signed right is refused before its body is read.
        auth = _sigv4.authorize(
            headers=list(request.headers.items()),
            credentials=state.credentials,
            region=state.region,
            service=_SERVICE,
            now=time.time(),
        )
        async with read_body(request) as body:
            _sigv4.verify(
                auth,
                method=request.method,
                host=request.host,
                raw_path=_origin_form(request),
                body=body,
                region=state.region,
                service=_SERVICE,
            )
            if decision.latency_s:
                await asyncio.sleep(decision.latency_s)
            if decision.error == "ThrottlingException":
                raise ServiceError("ThrottlingException", "Rate exceeded")
            if decision.error is not None:
                raise ServiceError(decision.error, "An internal error occurred. Injected by the emulator.")
            params = _parse(operation, labels, query, body)
        validate(operation.input_shape, params)
        result = state.service.handle(name, params)
    except ServiceError as error:
        log.debug("%s -> %s %s", name, error.status, error.code)
        return error_response(error)
    except ClientGone:
        raise
    except Exception:
        log.exception("%s failed inside the emulator", name)
        return error_response(ServiceError("InternalServerException", "An internal error occurred."))
    if decision.drop:
        # The request took effect; the client never learns it. Aborting the transport is what
        # a load balancer dropping the connection looks like to an HTTP client.
        log.debug("%s -> dropped", name)
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=200)
    log.debug("%s -> 200", name)
    return web.Response(
        body=json.dumps(result, separators=(",", ":")).encode(),
        content_type=JSON,
        headers={"x-amzn-RequestId": str(uuid.uuid4())},
    )


def _parse(operation: OperationModel, labels: dict[str, str], query: str, body: Body) -> dict[str, Any]:
    """Gather the input members from the body, the path and the query string, decoded once each."""
    shape = operation.input_shape
    params: dict[str, Any] = {}
    if body.strip():
        params.update(decode_json(body))
    if shape is None:
        return {}
    queries = parse_qs(query, keep_blank_values=True)
    for member_name, member in shape.members.items():
        location = member.serialization.get("location")
        if location is None:
            continue
        # A member bound to the path or query is never read from the body.
        params.pop(member_name, None)
        wire_name = member.serialization.get("name", member_name)
        if location == "uri" and wire_name in labels:
            params[member_name] = unquote(labels[wire_name])
        elif location == "querystring" and wire_name in queries:
            values = queries[wire_name]
            params[member_name] = values if member.type_name == "list" else _scalar(member, values[0])
    # Members the model does not have are ignored, as the service ignored them.
    return {k: v for k, v in params.items() if k in shape.members}


def _scalar(shape: Shape, text: str) -> Any:
    if shape.type_name in ("integer", "long"):
        try:
            return int(text)
        except ValueError:
            return text
    if shape.type_name == "boolean":
        return {"true": True, "false": False}.get(text, text)
    return text
