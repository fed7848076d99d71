"""The in-process emulator: start it, point a client at it, steer it from a test.

The server is aiohttp on asyncio. Asyncio code uses ``async with Emulator()``;
code on another event loop (trio) or none uses ``with
Emulator().run_in_background()``, which runs the same server on its own loop
in a thread. The control methods work the same in both cases.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import ipaddress
import random
import threading
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
from aiohttp import web

from .._wire.model import operation_model
from . import _http
from ._admin import Admin
from ._clock import ClockMode, check_mode
from ._errors import validate
from ._faults import FaultConfig, FaultInjector, FaultSettings
from ._server import ServerState, make_app
from ._service import Service
from ._sigv4 import EmulatorCredentials
from ._store import Store

if TYPE_CHECKING:
    from aiobotocore.config import AioConfig
    from aiobotocore.session import AioSession
    from typing_extensions import Unpack

    from .._config import ClientConfig
    from .._deployment_client import DeploymentClient

T = TypeVar("T")

DEFAULT_ACCOUNT_ID = "123456789012"


def exposure_warning(host: str) -> str:
    """What to tell someone who exposes the admin routes on a host others can reach."""
    return (
        f"the emulator's /_emulator/ admin routes are on for {host}, which is not a loopback address: "
        "anyone who can reach it can reset the emulator, change its faults and move its clock, "
        "with no signature. Bind 127.0.0.1, or leave the admin routes off."
    )


def _require_asyncio() -> None:
    """Refuse to start outside asyncio (the server is aiohttp), saying what to do instead."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        # Imported here: the emulator depends on the SDK's error types only on this path.
        from .._errors import ConfigurationError

        raise ConfigurationError(
            "`async with Emulator()` needs an asyncio event loop (the server is aiohttp). On trio or any "
            "other loop, run it on its own thread: `with Emulator().run_in_background() as emulator:`",
            code="UnsupportedEventLoop",
        ) from None


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts local connections (where the admin routes are safe to expose)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Emulator:
    """A local RoboMaker deployment service on a real socket.

    ``speed`` divides every simulated duration (a deployment that takes a
    minute takes a second at speed 60). ``clock="manual"`` stops the
    simulated clock: deployments move only when :meth:`advance_clock` (or
    ``POST /_emulator/clock``) says so, whatever the machine's load.
    ``port=0`` picks a free port. With ``state_file``, state lives in SQLite
    and survives a restart; one emulator at a time may use the file (see the
    testing guide for what to back up). ``admin`` exposes ``/_emulator/``
    routes; by default only on a loopback host, and with a warning elsewhere.
    ``seed`` makes timings and identifiers repeat from run to run (a state
    file keeps its own: identifiers never repeat within one).
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        speed: float = 1.0,
        credentials: EmulatorCredentials | None = None,
        region: str = "us-east-1",
        account_id: str = DEFAULT_ACCOUNT_ID,
        state_file: str | Path | None = None,
        admin: bool | None = None,
        seed: int | None = None,
        clock: ClockMode = "real",
    ) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be positive, not {speed}")
        check_mode(clock)
        self.host = host
        self.port = port
        self.speed = speed
        self.credentials = credentials or EmulatorCredentials()
        self.region = region
        self.account_id = account_id
        self.state_file = state_file
        self.admin = is_loopback(host) if admin is None else admin
        self.seed = seed
        self.clock: ClockMode = clock
        if self.admin and not is_loopback(host):
            warnings.warn(exposure_warning(host), UserWarning, stacklevel=2)
        self._runner: web.AppRunner | None = None
        self._store: Store | None = None
        self._service: Service | None = None
        self._faults = FaultInjector()
        self._endpoint_url: str | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle ----------------------------------------------------------------------------------

    async def start(self) -> None:
        """Open the state and start listening."""
        if self._runner is not None:
            raise RuntimeError("the emulator is already running")
        _require_asyncio()
        # A seed proposes the identifier key; a state file that has one keeps its own.
        id_key = None if self.seed is None else random.Random(self.seed).getrandbits(63)
        self._store = Store(self.state_file, clock=self.clock, id_key=id_key)
        self._service = Service(
            self._store, region=self.region, account_id=self.account_id, speed=self.speed, seed=self.seed
        )
        state = ServerState(
            service=self._service, faults=self._faults, credentials=self.credentials, region=self.region
        )
        runner = web.AppRunner(
            make_app(state),
            access_log=None,
            handle_signals=False,
            # Also bounds a connection that never completes its headers: it is idle until it does.
            keepalive_timeout=_http.IDLE_TIMEOUT_SECONDS,
        )
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            self._store.close()
            raise
        self._runner = runner
        host, port = runner.addresses[0][:2]
        if self.admin:
            state.admin = Admin(self._faults, self._store, self._reset_now, host=host, port=port)
        # A wildcard bind is reachable on loopback; "0.0.0.0" is not an address to connect to everywhere.
        host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
        shown = f"[{host}]" if ":" in host else host
        self._endpoint_url = f"http://{shown}:{port}"
        self._loop = asyncio.get_running_loop()

    async def stop(self) -> None:
        """Stop listening and close the state file. Safe to call twice."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
        if self._store is not None:
            self._store.close()
            self._store = None
        self._endpoint_url = None

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    @contextlib.contextmanager
    def run_in_background(self) -> Iterator[Emulator]:
        """Run the server on its own event loop in a daemon thread, for non-asyncio callers.

        ``with Emulator(speed=50).run_in_background() as emu:`` then use
        ``emu.endpoint_url`` from trio, threads or synchronous code.
        """
        ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        stopping: list[asyncio.Event] = []

        async def main() -> None:
            stop = asyncio.Event()
            stopping.append(stop)
            try:
                await self.start()
            except BaseException as error:
                ready.set_exception(error)
                return
            ready.set_result(None)
            try:
                await stop.wait()
            finally:
                await self.stop()

        thread = threading.Thread(target=asyncio.run, args=(main(),), name="robomaker-emulator", daemon=True)
        thread.start()
        try:
            ready.result()
        except BaseException:
            thread.join()
            raise
        self._thread = thread
        loop = self._loop
        assert loop is not None
        try:
            yield self
        finally:
            loop.call_soon_threadsafe(stopping[0].set)
            thread.join()
            self._thread = None
            self._loop = None

    # -- where it is ---------------------------------------------------------------------------------

    @property
    def endpoint_url(self) -> str:
        """``http://127.0.0.1:<port>``, for ``endpoint_url=`` of any client."""
        if self._endpoint_url is None:
            raise RuntimeError("the emulator is not running")
        return self._endpoint_url

    def client(
        self,
        *,
        config: ClientConfig | None = None,
        session: AioSession | None = None,
        aio_config: AioConfig | None = None,
    ) -> DeploymentClient:
        """A ``DeploymentClient`` already pointed at this emulator, with its credentials.

        Its waiters poll at the pace of this emulator: the default delays
        between polls (``ClientConfig.wait_min_delay`` and ``wait_max_delay``,
        2 s and 30 s) are divided by ``speed``, so a test against a fast
        emulator does not sleep 2 s between polls. A ``config`` that sets
        other wait delays keeps them; its other settings are used as given.
        ``session`` and ``aio_config`` go to the client as they are.
        """
        # Imported here, not above: the emulator itself loads only the wire layer (robomaker_deploy's
        # own __init__ imports nothing eagerly), so a server never pays for the client and aiobotocore.
        from .._config import ClientConfig
        from .._deployment_client import DeploymentClient

        config = ClientConfig() if config is None else config
        fields = attrs.fields(ClientConfig)
        low, high = (
            value / self.speed if value == field.default else value
            for field, value in (
                (fields.wait_min_delay, config.wait_min_delay),
                (fields.wait_max_delay, config.wait_max_delay),
            )
        )
        return DeploymentClient(
            endpoint_url=self.endpoint_url,
            region_name=self.region,
            aws_access_key_id=self.credentials.access_key_id,
            aws_secret_access_key=self.credentials.secret_access_key,
            aws_session_token=self.credentials.session_token,
            config=attrs.evolve(config, wait_min_delay=low, wait_max_delay=max(low, high)),
            session=session,
            aio_config=aio_config,
        )

    # -- control (the admin routes' in-process twins) ------------------------------------------------

    def set_faults(self, config: FaultConfig | None = None, **settings: Unpack[FaultSettings]) -> FaultConfig:
        """Replace the fault settings: a :class:`FaultConfig`, or its fields as keywords; none to clear."""
        if config is not None and settings:
            raise TypeError("set_faults() takes a FaultConfig or its fields as keywords, not both")
        chosen = config if config is not None else FaultConfig.from_json(settings)
        self._on_loop(lambda: self._faults.configure(chosen))
        return chosen

    def advance_clock(self, seconds: float) -> float:
        """Move the virtual clock forward by ``seconds``; returns the total offset."""
        return self._on_loop(lambda: self._running_store().advance_clock(seconds))

    def now(self) -> float:
        """The emulator's virtual time, as epoch seconds."""
        return self._on_loop(lambda: self._running_store().now())

    def stats(self) -> dict[str, Any]:
        """Per-operation call counts and injected faults, as ``GET /_emulator/stats`` returns them."""
        return self._on_loop(self._faults.stats)

    def call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """Run one operation in process, skipping HTTP, signing, faults and call counts.

        For building large worlds fast (thousands of jobs for a listing
        test); input is validated as on the wire, and refusals raise
        :class:`ServiceError` with the service's code.
        """
        model = operation_model(operation)

        def run() -> dict[str, Any]:
            if self._service is None:
                raise RuntimeError("the emulator is not running")
            validate(model.input_shape, params)
            return self._service.handle(operation, params)

        return self._on_loop(run)

    def reset(self) -> None:
        """Forget all resources, tokens, faults and counts; rewind the clock."""
        self._on_loop(self._reset_now)

    def _reset_now(self) -> None:
        self._running_store().reset()
        if self._service is not None:
            self._service.forget_caches()
        self._faults.reset()

    def _running_store(self) -> Store:
        if self._store is None:
            raise RuntimeError("the emulator is not running")
        return self._store

    def _on_loop(self, action: Callable[[], T]) -> T:
        # State belongs to the server's loop thread; from any other thread, hand the action over.
        loop = self._loop
        if self._thread is None or loop is None or threading.current_thread() is self._thread:
            return action()
        future: concurrent.futures.Future[T] = concurrent.futures.Future()

        def run() -> None:
            try:
                future.set_result(action())
            except BaseException as error:
                future.set_exception(error)

        loop.call_soon_threadsafe(run)
        return future.result()
