"""The response parser the SDK's clients use: successful bodies pass through as bytes.

The converter reads a body far faster than botocore's shape walker (see the
performance docs), so the success path of the rest-json parser hands the
body through untouched; errors, headers and metadata stay botocore's.
"""

from __future__ import annotations

from typing import Any

from aiobotocore.parsers import AioResponseParserFactory, AioRestJSONParser
from botocore.parsers import ResponseParser

__all__ = ["RAW_BODY", "PARSERS"]

#: Where the parsed response holds the body's bytes.
RAW_BODY = "__raw_body__"


class _RawBodyRestJSONParser(AioRestJSONParser):
    """rest-json parser whose success path returns the body bytes as they came."""

    def _do_parse(self, response: dict[str, Any], shape: Any) -> dict[str, Any]:
        return {
            "ResponseMetadata": self._populate_response_metadata(response),  # type: ignore[attr-defined]
            RAW_BODY: response["body"],
        }

    def _parse_body_as_json(self, body_contents: bytes) -> Any:
        # Read for error responses only. One from a proxy or a broken connection need not be UTF-8
        # JSON, nor an object: botocore would raise a bare UnicodeDecodeError or AttributeError
        # where the caller must get a RoboMakerError with the status.
        try:
            parsed = super()._parse_body_as_json(body_contents)  # type: ignore[misc]
        except UnicodeDecodeError:
            return {"message": f"(an error body of {len(body_contents)} bytes that is not UTF-8)"}
        if not isinstance(parsed, dict):
            return {"message": f"(an error body that is JSON but not an object: {type(parsed).__name__})"}
        return parsed


class _ParserFactory(AioResponseParserFactory):
    def create_parser(self, protocol_name: str) -> ResponseParser:
        if protocol_name == "rest-json":
            return _RawBodyRestJSONParser(**self._defaults)
        return super().create_parser(protocol_name)


#: Holds no state of its own: one factory serves every client's session.
PARSERS = _ParserFactory()
