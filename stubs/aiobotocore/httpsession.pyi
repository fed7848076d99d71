from typing import Any

class AIOHTTPSession:
    async def send(self, request: Any) -> Any: ...
