"""Resume tokens: where each request stream of a listing stands, as one opaque string.

A token of the service names a page; a consumer that stops mid-page must
resume at the very next item, and a merged listing (one stream per status)
has one position per stream. So the SDK's own token records, per stream, the
service token of the page and the offset into it, in base64 JSON behind a
prefix. A token without the prefix is the service's own (a single stream,
from the page's start), so tokens from other tools still work.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence

import attrs

from .._errors import ValidationError

__all__ = ["Position", "decode", "encode"]

_TOKEN_PREFIX = "rmd1."


@attrs.frozen
class Position:
    """Where a stream's next unread item is: the page's service token and an offset into it."""

    token: str | None
    offset: int = 0


def encode(positions: Sequence[Position | None]) -> str:
    """The token for these positions (``None``: that stream is exhausted)."""
    raw = json.dumps([None if p is None else [p.token, p.offset] for p in positions], separators=(",", ":"))
    return _TOKEN_PREFIX + base64.urlsafe_b64encode(raw.encode()).decode()


def decode(token: str | None, streams: int) -> list[Position | None]:
    """The positions a ``starting_token`` names, for a listing of ``streams`` streams."""
    if token is None:
        return [Position(None)] * streams
    if not token.startswith(_TOKEN_PREFIX):
        if streams != 1:
            raise ValidationError(
                "starting_token",
                repr(token),
                "must be a resume_token of this listing (several status filters)",
            )
        return [Position(token)]
    try:
        raw = json.loads(base64.urlsafe_b64decode(token[len(_TOKEN_PREFIX) :].encode()))
        positions = [None if p is None else Position(str(p[0]) if p[0] else None, int(p[1])) for p in raw]
    except (ValueError, TypeError, IndexError) as exc:
        raise ValidationError("starting_token", repr(token), "is not a token this SDK produced") from exc
    if len(positions) != streams:
        raise ValidationError(
            "starting_token",
            repr(token),
            f"was made for a listing of {len(positions)} stream(s), not {streams}",
        )
    return positions
