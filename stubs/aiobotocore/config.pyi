from typing import Any

from botocore.config import Config

class AioConfig(Config):
    def __init__(
        self,
        connector_args: dict[str, Any] | None = None,
        http_session_cls: type[Any] = ...,
        **kwargs: Any,
    ) -> None: ...
