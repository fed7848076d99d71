from types import ModuleType
from typing import Any

httpx: ModuleType | None

class HttpxSession:
    async def send(self, request: Any) -> Any: ...
