"""The client's core: the typed, async face of the RoboMaker deployment API, without rollouts.

The class is assembled from the operations of each resource (``jobs``,
``fleets``, ``applications``, each a mixin over ``calls``, the one path every
call takes) and the waits (``waiting``); this module adds what belongs to the
client as a whole: opening and closing it, its background tasks, and the
shared poller its waits go through. The public ``DeploymentClient`` is this
core with the rollouts (``_rollout``) on top, put together above both.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import anyio

from .._background import BackgroundTasks
from .._config import ClientConfig
from .._errors import client_not_open
from .._logging import install_redaction
from .._transport import Transport
from .applications import ApplicationOperations
from .calls import Calls
from .fleets import FleetOperations
from .jobs import JobOperations
from .waiting import WaitOperations

if TYPE_CHECKING:
    from aiobotocore.config import AioConfig
    from aiobotocore.session import AioSession

    # Imported on first wait: not every program waits, and import time counts.
    from .._waiting.source import Poller

__all__ = ["ClientCore"]

C = TypeVar("C", bound="ClientCore")


class ClientCore(JobOperations, FleetOperations, ApplicationOperations, WaitOperations):
    """:class:`DeploymentClient` without its rollouts: the operations, the waits, and its life cycle.

    The public class (``_deployment_client``) adds the rollouts on top, which
    use this one through its public methods only.
    """

    def __init__(
        self,
        *,
        region_name: str | None = None,
        endpoint_url: str | None = None,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        aws_session_token: str | None = None,
        profile_name: str | None = None,
        config: ClientConfig | None = None,
        session: AioSession | None = None,
        aio_config: AioConfig | None = None,
    ) -> None:
        self._config = ClientConfig() if config is None else config
        self._transport = Transport(
            region_name=region_name,
            endpoint_url=endpoint_url,
            aws_access_key_id=aws_access_key_id,
            aws_secret_access_key=aws_secret_access_key,
            aws_session_token=aws_session_token,
            profile_name=profile_name,
            config=self._config,
            session=session,
            aio_config=aio_config,
        )
        install_redaction()
        self._endpoint_url = endpoint_url
        self._calls = Calls(self._transport, self._spawn)
        self._waiting: Poller | None = None
        self._background: BackgroundTasks | None = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} endpoint_url={self._endpoint_url!r}>"

    async def __aenter__(self: C) -> C:
        if self._background is not None:
            raise RuntimeError("this DeploymentClient is already open")
        await self._transport.__aenter__()
        self._background = BackgroundTasks()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        background, self._background = self._background, None
        self._waiting = None
        try:
            if background is not None:
                await background.aclose()
        finally:
            await self._transport.__aexit__(exc_type, exc_val, exc_tb)

    def _spawn(self, func: Callable[[], Coroutine[Any, Any, None]]) -> anyio.CancelScope:
        """Run ``func`` in the background until it ends or the client closes (it must not raise)."""
        if self._background is None:
            raise client_not_open()
        return self._background.spawn(func)

    @property
    def config(self) -> ClientConfig:
        """The settings this client was made with."""
        return self._config

    # -- waiting (see _waiting) -----------------------------------------------------------------

    def _poller(self) -> Poller:
        """The shared poller every wait of this client polls through (made on the first wait)."""
        if self._waiting is None:
            if self._background is None:
                raise client_not_open()
            from .._waiting.source import Poller  # on first wait: see _client/waiting.py

            self._waiting = Poller(self, self._background.spawn)
        return self._waiting
