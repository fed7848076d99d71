"""Keeps launch-config secrets out of botocore's DEBUG logs.

The SDK's own loggers never see an environment-variable value. botocore's
do: at DEBUG, ``botocore.endpoint`` logs every request (body included) and
``botocore.parsers`` every response body, and a deployment's launch config
carries its environment variables in both. The filter here rewrites the
arguments of those records before they are formatted: a JSON body is
decoded, every value under ``environmentVariables`` becomes ``***`` (the
keys stay, they are not secret), and it is encoded again; a body that
mentions the member but cannot be decoded is dropped whole. Records
without that member pass untouched, so other services' logs are not
affected.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

__all__ = ["install_redaction", "redact"]

_MEMBER = "environmentVariables"
_LOGGERS = ("botocore.endpoint", "botocore.parsers", "aiobotocore.endpoint", "aiobotocore.parsers")
_DROPPED = "<body withheld: it holds environment variables>"


def _scrub(data: Any) -> Any:
    if isinstance(data, Mapping):
        return {
            key: (
                {name: "***" for name in value}
                if key == _MEMBER and isinstance(value, Mapping)
                else _scrub(value)
            )
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [_scrub(item) for item in data]
    return data


def redact(value: Any) -> Any:
    """``value`` (a body, a request dict, anything logged) with environment-variable values hidden."""
    if isinstance(value, (bytes, bytearray, str)):
        text = value.decode("utf-8", "replace") if isinstance(value, (bytes, bytearray)) else value
        if _MEMBER not in text:
            return value
        try:
            scrubbed = json.dumps(_scrub(json.loads(text)))
        except ValueError:
            return _DROPPED
        return scrubbed.encode() if isinstance(value, (bytes, bytearray)) else scrubbed
    if isinstance(value, Mapping):
        return {key: redact(item) for key, item in value.items()}
    return value


class _Redact(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple):
            record.args = tuple(redact(arg) for arg in args)
        elif isinstance(args, Mapping):
            record.args = redact(args)
        if isinstance(record.msg, str) and _MEMBER in record.msg:
            record.msg = redact(record.msg)
        return True


_FILTER = _Redact()


def install_redaction() -> None:
    """Attach the filter to botocore's request and response loggers (once per process)."""
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
