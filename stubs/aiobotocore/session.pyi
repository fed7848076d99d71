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
    profile: str | None
    def get_component(self, name: str) -> Any: ...
    def get_config_variable(self, logical_name: str) -> Any: ...
    def set_config_variable(self, logical_name: str, value: Any) -> None: ...
    def instance_variables(self) -> dict[str, Any]: ...
    def get_scoped_config(self) -> dict[str, Any]: ...
    def get_default_client_config(self) -> Config | None: ...
    def set_default_client_config(self, client_config: Config | None) -> None: ...
    def set_credentials(self, access_key: str, secret_key: str, token: str | None = None) -> None: ...
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
