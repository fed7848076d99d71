"""``DeploymentClient``: the typed, async face of the RoboMaker deployment API.

The class is assembled from the operations of each resource (``jobs``,
``fleets``, ``applications``, each a mixin over ``calls``, the one path every
call takes); this module adds what belongs to the client as a whole: opening
and closing it, its background tasks, and the waiters, which live in
``_waiting`` and use this client's describe and list calls.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeGuard

import anyio

from .. import _waiting
from .._background import BackgroundTasks
from .._config import DEFAULT_TIMEOUT, ClientConfig
from .._errors import client_not_open
from .._logging import install_redaction
from .._models import DeploymentJob, Fleet
from .._transport import Transport
from .._waiting import DeploymentWatch, WaitClock, Waiters, WaitPolicy
from .applications import ApplicationOperations
from .calls import Calls
from .fleets import FleetOperations
from .jobs import JobOperations

if TYPE_CHECKING:
    from aiobotocore.config import AioConfig
    from aiobotocore.session import AioSession

__all__ = ["DeploymentClient"]


class DeploymentClient(JobOperations, FleetOperations, ApplicationOperations):
    """An async client for RoboMaker deployments: fleets, robots, applications and deployment jobs.

    Use it as an async context manager; it owns one connection pool::

        async with DeploymentClient(region_name="us-east-1") as client:
            job = await client.create_deployment_job(fleet=fleet_arn, application_configs=[...])
            job = await client.wait_for_deployment_job(job)

    Credentials come from the arguments, else from botocore's usual chain
    (environment, profile, instance role). The region is ``region_name``,
    else ``AWS_REGION``, else ``AWS_DEFAULT_REGION``, else the profile's.
    ``endpoint_url`` points the client at another endpoint, such as the
    emulator. ``config`` holds the SDK's settings (timeouts, retries, limits,
    waiter delays). ``session`` builds the client from your own aiobotocore
    session (its credential providers, profile and config; it is not
    modified), and ``aio_config`` merges aiobotocore settings such as
    proxies; the SDK's own settings go on top of both (see the
    configuration guide). A setting of the wrong type is a ``TypeError``
    here, not at the first call.
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
        self._waiters: Waiters | None = None
        self._background: BackgroundTasks | None = None

    def __repr__(self) -> str:
        return f"<DeploymentClient endpoint_url={self._endpoint_url!r}>"

    async def __aenter__(self) -> DeploymentClient:
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
        self._waiters = None
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

    def _waiter_hub(self) -> Waiters:
        if self._waiters is None:
            self._waiters = Waiters(self)
        return self._waiters

    async def wait_for_deployment_job(
        self,
        job: str | DeploymentJob,
        *,
        timeout: float | None = DEFAULT_TIMEOUT,  # noqa: ASYNC109 - a duration the waiter manages
        min_delay: float | None = None,
        max_delay: float | None = None,
        clock: WaitClock | None = None,
    ) -> DeploymentJob:
        """Wait until the job is Succeeded, Failed or Canceled and return it, robot summaries included.

        Polls at once, then after delays growing exponentially from
        ``min_delay`` to ``max_delay`` seconds with jitter (see
        :class:`WaitPolicy`); either left ``None`` is the client's
        (``ClientConfig.wait_min_delay`` and ``wait_max_delay``, moved to
        meet the other if that one is given and they would cross).
        ``timeout`` (seconds, ``None`` for no limit) bounds the whole wait:
        a poll still in flight at the deadline is cancelled and
        :class:`WaiterTimeoutError` carries the last job seen.
        Throttling, 5xx and connection errors cost a poll, not the wait;
        :class:`ResourceNotFoundError` (no such job, or expired) ends it at
        once. Concurrent waiters on this client share their calls: one
        describe in flight per job, and one shared ListDeploymentJobs pass
        over the active statuses when many jobs are waited on. ``clock``
        injects time, sleep and jitter (tests).
        """
        policy = self._wait_policy(timeout, min_delay, max_delay, clock)
        return await _waiting.wait_job(self._waiter_hub(), job, policy)

    async def wait_until_deployment_succeeded(
        self,
        job: str | DeploymentJob,
        *,
        timeout: float | None = DEFAULT_TIMEOUT,  # noqa: ASYNC109 - a duration the waiter manages
        min_delay: float | None = None,
        max_delay: float | None = None,
        clock: WaitClock | None = None,
    ) -> DeploymentJob:
        """Wait as :meth:`wait_for_deployment_job` does; return the job if it Succeeded.

        A job that ended Failed or Canceled raises
        :class:`DeploymentFailedError`, which carries the final job, its
        :class:`FailureCode` (description, category, retryability) and the
        robots that failed with their own codes and reasons.
        """
        policy = self._wait_policy(timeout, min_delay, max_delay, clock)
        return await _waiting.wait_job_succeeded(self._waiter_hub(), job, policy)

    def watch_deployment_job(
        self,
        job: str | DeploymentJob,
        *,
        timeout: float | None = DEFAULT_TIMEOUT,
        min_delay: float | None = None,
        max_delay: float | None = None,
        clock: WaitClock | None = None,
    ) -> DeploymentWatch:
        """Yield the job each time its status or any robot's progress changes, until it ends.

        ``async for job in client.watch_deployment_job(arn): ...`` sees the
        first snapshot at once, then one per change of status or of a
        robot's status, step, percent done or time remaining, and last the
        terminal snapshot (robot summaries included), after which the
        iteration ends. Every snapshot comes from DescribeDeploymentJob
        (shared with other waiters on the same job). Timing, timeout and
        errors as in :meth:`wait_for_deployment_job`. Leaving the loop early
        is fine; ``contextlib.aclosing`` releases the watch at once.
        """
        policy = self._wait_policy(timeout, min_delay, max_delay, clock)
        return _waiting.watch_job(self._waiter_hub(), job, policy, detail=True)

    async def wait_for_fleet_in_sync(
        self,
        fleet: str | Fleet,
        *,
        timeout: float | None = DEFAULT_TIMEOUT,  # noqa: ASYNC109 - a duration the waiter manages
        min_delay: float | None = None,
        max_delay: float | None = None,
        clock: WaitClock | None = None,
    ) -> Fleet:
        """Wait until every robot of the fleet is InSync and return the fleet, robots included.

        If the fleet's last deployment ended Failed or Canceled while robots
        are not in sync, nothing brings them there short of a new deployment,
        so :class:`DeploymentFailedError` is raised for that job at once.
        Timing, timeout and errors as in :meth:`wait_for_deployment_job`.
        """
        policy = self._wait_policy(timeout, min_delay, max_delay, clock)
        return await _waiting.wait_fleet_in_sync(self._waiter_hub(), fleet, policy)

    def _wait_policy(
        self, timeout: float | None, min_delay: float | None, max_delay: float | None, clock: WaitClock | None
    ) -> WaitPolicy:
        # The client's delays, but never crossing one the caller gave (which WaitPolicy checks).
        if min_delay is None:
            min_delay = _clamp(self._config.wait_min_delay, high=max_delay)
        if max_delay is None:
            max_delay = _clamp(self._config.wait_max_delay, low=min_delay)
        return WaitPolicy(
            timeout=timeout, min_delay=min_delay, max_delay=max_delay, clock=clock or WaitClock()
        )


def _clamp(value: float, *, low: float | None = None, high: float | None = None) -> float:
    """``value``, moved up to ``low`` or down to ``high`` (each ignored unless a positive number)."""
    if _positive(low) and low > value:
        return float(low)
    if _positive(high) and high < value:
        return float(high)
    return value


def _positive(value: object) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0
