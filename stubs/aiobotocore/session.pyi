from typing import Any

from botocore.config import Config

from .client import ClientCreatorContext

class AioSession:
    def __init__(
        self,
        session_vars: dict[str, Any] | None = None,
        event_hooks: Any | None = None,
        include_builtin_handlers: bool = True,
        profile: str | None = None,
    ) -> None: ...
    def get_component(self, name: str) -> Any: ...
    def register_component(self, name: str, component: object) -> None: ...
    def create_client(
        self,
        service_name: str,
        region_name: str | None = None,
        api_version: str | None = None,
        use_ssl: bool = True,
        verify: bool | str | None = None,
        endpoint_url: str | None = None,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        aws_session_token: str | None = None,
        config: Config | None = None,
        aws_account_id: str | None = None,
    ) -> ClientCreatorContext: ...

def get_session(env_vars: dict[str, Any] | None = None) -> AioSession: ...
