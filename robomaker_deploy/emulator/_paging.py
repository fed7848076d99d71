"""The list operations' pages, ``nextToken`` and ``filters``.

Pages are keyset pages: a token names the key of the last item served (a
record's creation ``seq``, plus a version's place for application versions),
never an offset, so records created or deleted between two calls do not shift
what the next page holds. A token carries the operation it came from, so one
operation's token is refused by another.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TypeVar

from .._wire.model import page_limit
from ._errors import invalid
from ._records import Params, Result

T = TypeVar("T")

#: Where a row sits in its listing; rows come in increasing (or, newest first, decreasing) key order.
Key = tuple[int, ...]
#: The rows of a listing strictly past a key (from the start for ``None``).
Rows = Callable[[Key | None], Iterable[tuple[Key, Result]]]


def paginate(operation: str, params: Params, result_key: str, rows: Rows) -> Result:
    """One page of ``rows`` under ``result_key``, with a ``nextToken`` when more rows follow."""
    # The bounds of maxResults are the model's: validation refused anything outside them.
    max_results = params.get("maxResults", page_limit(operation))
    after = _decode_token(operation, params["nextToken"]) if params.get("nextToken") else None
    page: list[Result] = []
    last: Key | None = None
    more = False
    for key, item in rows(after):
        if len(page) == max_results:
            more = True
            break
        page.append(item)
        last = key
    out: Result = {result_key: page}
    if more and last is not None:
        out["nextToken"] = _encode_token(operation, last)
    return out


def by_seq(
    records: Callable[[int | None], Iterable[tuple[int, T]]], view: Callable[[T], Result | None]
) -> Rows:
    """Rows keyed by creation ``seq`` alone.

    ``records(after)`` walks the records past ``after``; ``view`` shows one, or skips it with ``None``.
    """

    def rows(after: Key | None) -> Iterator[tuple[Key, Result]]:
        for seq, record in records(None if after is None else after[0]):
            item = view(record)
            if item is not None:
                yield (seq,), item

    return rows


def list_filter(params: Params, allowed: Mapping[str, frozenset[str] | None]) -> tuple[str, str] | None:
    """The one filter a list call may carry, as ``(name, value)``; ``allowed`` maps names to their values."""
    filters = params.get("filters")
    if not filters:
        return None
    name = filters[0].get("name")
    values = filters[0].get("values") or []
    if name not in allowed:
        raise invalid(f"Unsupported filter name {name!r}; supported: {', '.join(sorted(allowed))}.")
    if len(values) != 1:
        raise invalid("A filter takes exactly one value.")
    known = allowed[name]
    if known is not None and values[0] not in known:
        raise invalid(f"Unknown {name} {values[0]!r}.")
    return name, values[0]


def _encode_token(operation: str, key: Key) -> str:
    return base64.b64encode(json.dumps([operation, *key]).encode()).decode()


def _decode_token(operation: str, token: str) -> Key:
    try:
        decoded = json.loads(base64.b64decode(token.encode(), validate=True))
    except (binascii.Error, ValueError):
        decoded = None
    if (
        not isinstance(decoded, list)
        or len(decoded) < 2
        or decoded[0] != operation
        or not all(isinstance(part, int) for part in decoded[1:])
    ):
        raise invalid("The nextToken is not valid for this request.")
    return tuple(decoded[1:])
