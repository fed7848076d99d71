from typing import Any

from botocore.config import Config

class AioConfig(Config):
    region_name: str | None
    http_session_cls: type[Any]
    # botocore's record of the options given explicitly (what Config.merge combines).
    _user_provided_options: dict[str, Any]
    def __init__(
        self,
        connector_args: dict[str, Any] | None = None,
        http_session_cls: type[Any] = ...,
        **kwargs: Any,
    ) -> None: ...
    def merge(self, other_config: Config) -> AioConfig: ...  # type: ignore[override]
