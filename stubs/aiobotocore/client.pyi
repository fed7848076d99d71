from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

class AioBaseClient:
    def __getattr__(self, name: str) -> Callable[..., Awaitable[dict[str, Any]]]: ...
    def get_paginator(self, operation_name: str) -> Any: ...
    async def close(self) -> None: ...
    async def __aenter__(self) -> AioBaseClient: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None: ...

class ClientCreatorContext:
    async def __aenter__(self) -> AioBaseClient: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None: ...
