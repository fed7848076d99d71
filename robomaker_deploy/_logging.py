"""Keeps launch-config secrets out of botocore's DEBUG logs.

The SDK's own loggers never see a secret value. botocore's do: at DEBUG,
``botocore.endpoint`` logs every request (body included) and
``botocore.parsers`` every response body, and a deployment's launch config
carries its environment variables in both. The filter here rewrites the
arguments of those records before they are formatted: a JSON body is
decoded, every secret member (``_wire.secrets``) is masked, and it is
encoded again; a body that mentions a secret member but cannot be decoded is
dropped whole. Records without one pass untouched, so other services' logs
are not affected.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from ._wire.secrets import redact as redact_members
from ._wire.secrets import secret_members

__all__ = ["install_redaction", "redact"]

_LOGGERS = ("botocore.endpoint", "botocore.parsers", "aiobotocore.endpoint", "aiobotocore.parsers")
_DROPPED = "<body withheld: it holds secret values>"


def _mentions_secret(text: str) -> bool:
    return any(member in text for member in secret_members())


def redact(value: Any) -> Any:
    """``value`` (a body, a request dict, anything logged) with secret values hidden."""
    return redact_members(value, leaf=_redact_text)


def _redact_text(value: Any) -> Any:
    # A body logged as text or bytes: decoded and redacted if it mentions a secret member.
    if not isinstance(value, (bytes, bytearray, str)):
        return value
    text = value.decode("utf-8", "replace") if isinstance(value, (bytes, bytearray)) else value
    if not _mentions_secret(text):
        return value
    try:
        scrubbed = json.dumps(redact_members(json.loads(text)))
    except ValueError:
        return _DROPPED
    return scrubbed.encode() if isinstance(value, (bytes, bytearray)) else scrubbed


class _Redact(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple):
            record.args = tuple(redact(arg) for arg in args)
        elif isinstance(args, Mapping):
            record.args = redact(args)
        if isinstance(record.msg, str) and _mentions_secret(record.msg):
            record.msg = redact(record.msg)
        return True


_FILTER = _Redact()


def install_redaction() -> None:
    """Attach the filter to botocore's request and response loggers (once per process)."""
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
