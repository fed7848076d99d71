from typing import Any

from botocore.parsers import ResponseParser, ResponseParserFactory, RestJSONParser

class AioResponseParserFactory(ResponseParserFactory):
    _defaults: dict[str, Any]
    def create_parser(self, protocol_name: str) -> ResponseParser: ...

class AioRestJSONParser(RestJSONParser): ...
