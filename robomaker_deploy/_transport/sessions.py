"""The aiobotocore session and settings each client is built from, and what the SDK insists on.

**Memory.** What a client costs is mostly what botocore loads: the JSON of
endpoints, partitions, defaults and the service model, held by a session's
data loader (about 8 MB). A loader only caches files it reads, so one loader
per data path serves the whole process (:func:`shared_loader`; its cache
fills idempotently, so threads may share it as a botocore session's clients
do). Sessions themselves stay one per client: they hold resolved credentials
and the locks that refresh them, which belong to one event loop.

**The user's session.** ``DeploymentClient(session=...)`` builds from a
private copy of it (:func:`client_session`): the copy shares its credential
providers, profile, config and event hooks, but has its own table of
components, so the SDK's parser and loader never reach the user's other
clients.

**Settings.** :func:`aio_config` lays, from the bottom: the session's default
client config, the user's ``aio_config``, the settings
:class:`ClientConfig` names, and the SDK's non-negotiables (botocore's
retries off, its parameter validation off, the bounded HTTP session).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Mapping
from typing import Any

from aiobotocore.config import AioConfig
from aiobotocore.httpsession import AIOHTTPSession
from aiobotocore.httpxsession import HttpxSession
from aiobotocore.session import AioSession
from botocore.loaders import Loader, create_loader

from .._background import running_on_trio
from .._config import ClientConfig
from .._errors import ConfigurationError
from .._wire.model import register_data_path
from .bodies import bounded, check_boundable
from .parsing import PARSERS

__all__ = ["NON_NEGOTIABLE", "aio_config", "check_settings", "client_session", "shared_loader"]

#: Set on every client whatever the ``aio_config`` says. The SDK retries itself (see Transport.call):
#: botocore's standard mode shares a retry quota across the client and stops retrying in a throttling
#: storm, which is exactly when orchestration code must slow down, not give up. Inputs are checked
#: against the full model (patterns and maxima included) before they get here; botocore's weaker check
#: is redundant.
NON_NEGOTIABLE: Mapping[str, Any] = {
    "retries": {"total_max_attempts": 1, "mode": "standard"},
    "parameter_validation": False,
}

_LOCK = threading.Lock()
_LOADERS: dict[str | None, Loader] = {}


def shared_loader(data_path: str | None) -> Loader:
    """The process's botocore loader for ``data_path`` (``AWS_DATA_PATH``), the package's model first."""
    with _LOCK:
        loader = _LOADERS.get(data_path)
        if loader is None:
            loader = create_loader(data_path)
            register_data_path(loader)
            _LOADERS[data_path] = loader
        return loader


def check_settings(config: object, session: object, aio_config: object, profile_name: str | None) -> None:
    """Refuse settings of the wrong type, or at odds with each other, when the client is made."""
    _require_type("config", config, ClientConfig, "robomaker_deploy.ClientConfig")
    _require_type("session", session, AioSession, "aiobotocore.session.AioSession")
    _require_type("aio_config", aio_config, AioConfig, "aiobotocore.config.AioConfig")
    if session is not None and profile_name is not None:
        raise ValueError("give profile_name= or session=, not both: a session has its profile already")
    if isinstance(aio_config, AioConfig) and isinstance(config, ClientConfig):
        _session_class(config, aio_config)
        _check_owned(config, aio_config)


def _require_type(name: str, value: object, expected: type, spelled: str) -> None:
    if value is not None and not isinstance(value, expected):
        hint = ""
        if name == "config" and isinstance(value, AioConfig):
            hint = "; pass aiobotocore's AioConfig as aio_config="
        raise TypeError(f"{name} must be {spelled} or None, not {type(value).__qualname__}{hint}")


def client_session(session: AioSession | None, profile_name: str | None) -> AioSession:
    """A session for one client: a new one for ``profile_name``, or a private copy of ``session``."""
    if session is None:
        ours = AioSession(profile=profile_name)
    else:
        ours = copy.copy(session)
        # Its own component table: registering the SDK's parser and loader on the copy must not
        # change what the user's session gives their other clients. The components themselves
        # (credential providers, config store, event emitter) stay shared.
        locator = copy.copy(session._components)  # type: ignore[attr-defined]
        locator._components = dict(locator._components)
        locator._deferred = dict(locator._deferred)
        ours._components = locator  # type: ignore[attr-defined]
        # Merged by aio_config() below instead, so that a plain botocore Config set as the default
        # cannot turn the merged config back into one without aiobotocore's settings.
        ours.set_default_client_config(None)
    ours.register_component("data_loader", shared_loader(ours.get_config_variable("data_path")))
    ours.register_component("response_parser_factory", PARSERS)
    return ours


def aio_config(config: ClientConfig, given: AioConfig | None, session: AioSession | None) -> AioConfig:
    """The aiobotocore config of a client: the user's layers under the SDK's (see the module's doc)."""
    merged = AioConfig()
    for layer in (session.get_default_client_config() if session is not None else None, given):
        if layer is not None:
            merged = merged.merge(layer)
    http = _session_class(config, given)
    _check_backend(http)
    options: dict[str, Any] = {
        **NON_NEGOTIABLE,
        **_owned(config),
        "http_session_cls": bounded(http, config.max_response_bytes),
    }
    return merged.merge(AioConfig(**options))


def _owned(config: ClientConfig) -> dict[str, Any]:
    """The aiobotocore options a :class:`ClientConfig` sets."""
    options: dict[str, Any] = {
        "connect_timeout": config.connect_timeout,
        "read_timeout": config.read_timeout,
        "max_pool_connections": config.max_pool_connections,
    }
    if config.user_agent_appid:
        options["user_agent_appid"] = config.user_agent_appid
    return options


def _check_owned(config: ClientConfig, given: AioConfig) -> None:
    # Two values for one setting would leave one silently ignored; ClientConfig owns these because the
    # SDK's retries and deadline are reckoned from them.
    explicit = given._user_provided_options  # what the caller wrote, not botocore's defaults
    for name, value in _owned(config).items():
        if name in explicit and explicit[name] != value:
            raise ValueError(
                f"aio_config sets {name}={explicit[name]!r} but the ClientConfig says {value!r}: "
                f"set it in one place, ClientConfig({name}=...)"
            )


def _session_class(config: ClientConfig, given: AioConfig | None) -> type[Any]:
    """aiobotocore's HTTP session class: the aio_config's, else the one ``http_backend`` picks."""
    if given is not None and "http_session_cls" in given._user_provided_options:
        chosen: type[Any] = given.http_session_cls
        check_boundable(chosen)
        kind = "httpx" if issubclass(chosen, HttpxSession) else "aiohttp"
        if config.http_backend not in ("auto", kind):
            raise ValueError(
                f"aio_config's http_session_cls is {kind}'s but ClientConfig.http_backend is "
                f"{config.http_backend!r}: set one of them"
            )
        return chosen
    backend = config.http_backend
    if backend == "auto":
        backend = "httpx" if running_on_trio() else "aiohttp"
    return HttpxSession if backend == "httpx" else AIOHTTPSession


def _check_backend(cls: type[Any]) -> None:
    """Refuse, with what to install, an httpx session class when httpx is missing (trio needs it)."""
    from aiobotocore import httpxsession

    if issubclass(cls, HttpxSession) and httpxsession.httpx is None:
        raise ConfigurationError(
            "the httpx backend (which trio needs) is not installed: pip install 'robomaker-deploy[trio]'",
            code="MissingDependency",
        )
