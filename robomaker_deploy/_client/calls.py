"""The one path every API call takes: check, send, decode, structure.

A :class:`Calls` checks wire-shaped parameters against the service model (a
mistake is a :class:`ValidationError` naming the caller's argument, raised
before anything is sent), sends them through the transport, decodes the body
and structures it into a model. The client's methods only say what each
operation sends and returns; everything they have in common is here, listing
included: :meth:`Calls.listing` turns a listing operation into a
:class:`Pager` whose pages are calls like any other.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, TypeVar

import orjson

from .._converter import structure, unstructure
from .._errors import MalformedResponseError, ValidationError
from .._models import DeploymentJob, Fleet, Robot, RobotApplication
from .._pagination import Page, Pager, PageSource, Spawn
from .._transport import Transport
from .._wire.model import operation_model, page_limit
from .._wire.names import python_name
from .._wire.validation import Path, Violation, dotted, violations
from .outputs import Output

__all__ = [
    "Arguments",
    "Calls",
    "Operations",
    "Request",
    "arn_of",
    "check",
    "decode",
    "filtered",
    "one_filter",
    "read",
    "request_token",
    "to_model",
    "wire_list",
    "wire_of",
]

T = TypeVar("T")

Arguments = Mapping[Path, str]
"""Where a method's argument lands in the request, when not at its own snake_case name: a wire
path prefix -> the argument. Errors under that prefix are reported under the argument's name."""

Request = tuple[Mapping[str, Any], Arguments]
"""One request stream of a listing: its fixed parameters, and where its arguments went in them."""

#: A listing's paging arguments.
_PAGING: Arguments = {("nextToken",): "starting_token", ("maxResults",): "page_size"}
_NONE: Arguments = {}

_LATEST_HINT = (
    "must be a numbered version such as '1': $LATEST cannot be deployed; "
    "create one with create_robot_application_version() and deploy its number"
)


def arn_of(value: str | DeploymentJob | Fleet | Robot | RobotApplication) -> str:
    """The ARN of a resource given as a model or as its ARN."""
    if isinstance(value, (DeploymentJob, Fleet, Robot, RobotApplication)):
        return value.arn
    # A str, or something else that passes through unchanged so that
    # validation, not an AttributeError, tells the caller what is wrong.
    return value


def request_token(given: str | None) -> str:
    """The client request token to send: the caller's, or a new one when omitted."""
    # Only an omitted token is generated: an empty one is invalid input, and silently replacing it
    # would turn the caller's idempotent retries into new jobs.
    return str(uuid.uuid4()) if given is None else given


def wire_of(argument: str, value: object, cls: type[Any]) -> Any:
    """A model argument in its wire form; anything but a ``cls`` (a plain dict, say) is refused.

    A dict with the wire's camelCase keys would otherwise go out as it is,
    bypassing the model's own checks; its contents are not shown (they may
    hold launch-config secrets).
    """
    if value is None:
        return None
    if not isinstance(value, cls):
        raise ValidationError(
            argument,
            f"<a {type(value).__name__}>",
            f"must be a {cls.__name__} (build one with {cls.__name__}(...); a dict is not accepted)",
        )
    return unstructure(value)


def wire_list(argument: str, values: Sequence[object], cls: type[Any]) -> list[Any]:
    """A sequence of model arguments in wire form, each checked as :func:`wire_of` does."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise ValidationError(argument, f"<a {type(values).__name__}>", f"must be a list of {cls.__name__}")
    return [wire_of(f"{argument}[{index}]", value, cls) for index, value in enumerate(values)]


def one_filter(status: object, fleet_name: str | None) -> None:
    """Refuse a listing filtered on both: the service takes one filter per request."""
    if fleet_name is not None and status is not None:
        raise ValidationError(
            "status", repr(status), "cannot be combined with fleet_name: the service takes one filter"
        )


def filtered(name: str, value: str | None, argument: str, **params: Any) -> Request:
    """A listing request filtered on ``name`` (none when ``value`` is None), from ``argument``."""
    filters = None if value is None else [{"name": name, "values": [value]}]
    return {"filters": filters, **params}, {("filters", 0, "values", 0): argument}


class Calls:
    """Checks, sends and decodes the calls of one client."""

    def __init__(self, transport: Transport, spawn: Spawn) -> None:
        self._transport = transport
        self._spawn = spawn

    async def call(self, operation: str, params: Mapping[str, Any], arguments: Arguments = _NONE) -> Any:
        """Validate wire-shaped ``params``, send them, and return the decoded JSON body."""
        wire = {key: value for key, value in params.items() if value is not None}
        check(operation, wire, arguments)
        return decode(operation, await self._transport.call(operation, wire))

    async def structured(
        self, output: Output[T], params: Mapping[str, Any], arguments: Arguments = _NONE
    ) -> T:
        """:meth:`call`, with the body structured into the output's model."""
        return to_model(output.operation, await self.call(output.operation, params, arguments), output.model)

    def listing(
        self,
        output: Output[T],
        requests: Sequence[Request],
        *,
        page_size: int | None,
        max_items: int | None,
        starting_token: str | None,
        prefetch: int,
        key: Callable[[T], Hashable] | None = None,
        order: Callable[[T], Any] | None = None,
    ) -> Pager[T]:
        """A pager over one request stream per entry of ``requests`` (each a set of filters)."""
        return Pager(
            [self._page_source(output, *request) for request in requests],
            key=key,
            order=order,
            page_size=page_size,
            max_items=max_items,
            starting_token=starting_token,
            prefetch=prefetch,
            spawn=self._spawn,
            max_page_size=page_limit(output.operation),
        )

    def _page_source(
        self, output: Output[T], params: Mapping[str, Any], arguments: Arguments
    ) -> PageSource[T]:
        operation, result_key, cls = output.operation, output.items, output.model
        assert result_key is not None, f"{operation} is not a listing"
        base = {key: value for key, value in params.items() if value is not None}
        arguments = {**arguments, **_PAGING}
        # Validate the filter part now, so a bad filter fails at the call site
        # rather than at the first iteration.
        check(operation, base, arguments)
        token_shape = operation_model(operation).input_shape.members["nextToken"]  # type: ignore[union-attr]

        async def fetch(token: str | None, page_size: int | None) -> Page[T]:
            request = {**base, "nextToken": token, "maxResults": page_size}
            data = await self.call(operation, request, arguments)
            items = data.get(result_key) or []
            if not isinstance(items, list):
                raise MalformedResponseError(
                    f"{result_key} is not a list", code="MalformedResponse", operation=operation
                )
            models = tuple(to_model(operation, item, cls) for item in items)
            next_token = data.get("nextToken") or None
            if next_token is not None and any(violations(token_shape, next_token)):
                # Sent back as the next request's nextToken, it would fail there as the caller's
                # ValidationError; it is the response that is wrong.
                raise MalformedResponseError(
                    "the response's nextToken is not a pagination token",
                    code="MalformedResponse",
                    operation=operation,
                )
            return Page(items=models, next_token=next_token)

        return fetch


class Operations:
    """Base of the client's groups of operations: each method makes its call through ``_calls``."""

    _calls: Calls


def check(operation: str, wire: Mapping[str, Any], arguments: Arguments = _NONE) -> None:
    """Refuse ``wire`` if it breaks the model: a :class:`ValidationError` in the caller's terms."""
    shape = operation_model(operation).input_shape
    assert shape is not None  # every operation of the model has an input
    problems = list(violations(shape, wire))
    if not problems:
        return

    def name(problem: Violation) -> str:
        # Named as the caller wrote it: the argument the value came from, snake_case below it.
        for prefix, argument in arguments.items():
            if problem.path[: len(prefix)] == prefix:
                rest = dotted(problem.path[len(prefix) :], python_name)
                return argument + ("" if not rest else rest if rest[0] == "[" else f".{rest}")
        return problem.dotted(python_name)

    first = problems[0]
    rule = first.rule
    if first.path and first.path[-1] == "applicationVersion" and first.value == "'$LATEST'":
        rule = _LATEST_HINT
    raise ValidationError(
        name(first), first.value, rule, [f"{name(p)}={p.value}: {p.rule}" for p in problems]
    )


def decode(operation: str, body: bytes) -> Any:
    """The JSON object of a response body (an empty body is an empty object)."""
    if not body:
        return {}
    try:
        # orjson: the body of a 1,000-robot job decodes in well under half
        # json's time (see docs/benchmarks.md); it raises ValueError subclasses.
        data = orjson.loads(body)
    except ValueError as exc:
        raise MalformedResponseError(
            f"the response body is not JSON ({len(body)} bytes)",
            code="MalformedResponse",
            operation=operation,
        ) from exc
    if not isinstance(data, dict):
        # Every output of the model is a JSON object; callers read members off it.
        raise MalformedResponseError(
            f"the response body is JSON but not an object ({type(data).__name__})",
            code="MalformedResponse",
            operation=operation,
        )
    return data


def read(output: Output[T], body: bytes) -> T:
    """A response body as the output's model: exactly what :meth:`Calls.structured` makes of it."""
    return to_model(output.operation, decode(output.operation, body), output.model)


def to_model(operation: str, data: Any, cls: type[T]) -> T:
    """``data`` structured into ``cls``; a mismatch is the response's fault (``MalformedResponseError``)."""
    try:
        return structure(data, cls)
    except Exception as exc:  # any shape mismatch in a response is the response's fault
        raise MalformedResponseError(
            f"the response does not have the shape of a {cls.__name__}: {exc!r}",
            code="MalformedResponse",
            operation=operation,
        ) from exc
