"""``DeploymentClient``: the typed, async face of the RoboMaker deployment API.

The class is assembled from the operations of each resource (``jobs``,
``fleets``, ``applications``, each a mixin over ``calls``, the one path every
call takes); this module adds what belongs to the client as a whole: opening
and closing it, its background tasks, and the waiters, which live in
``_waiting`` and use this client's describe and list calls.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Coroutine
from types import TracebackType
from typing import TYPE_CHECKING, Any

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

    # Imported on first use: not every program rolls out or waits, and import time counts.
    from .._rollout.checks import RolloutCheck
    from .._rollout.handle import Rollout
    from .._rollout.plan import RolloutPlan
    from .._rollout.report import StageReport
    from .._waiting import Waiters

__all__ = ["DeploymentClient"]


class DeploymentClient(JobOperations, FleetOperations, ApplicationOperations, WaitOperations):
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
            from .._waiting import Waiters  # on first wait: see _client/waiting.py

            self._waiters = Waiters(self)
        return self._waiters

    # -- rollouts (see _rollout) --------------------------------------------------------------------

    def rollout(
        self,
        plan: RolloutPlan,
        *,
        checkpoint: str | os.PathLike[str] | None = None,
        gate: Callable[[StageReport], Awaitable[bool]] | None = None,
        min_delay: float | None = None,
        max_delay: float | None = None,
    ) -> Rollout:
        """Roll ``plan`` out stage by stage: iterate the returned :class:`Rollout`, or await its ``result()``.

        Before anything changes, the plan is checked against the service
        (every problem listed in one :class:`ValidationError`) and each
        fleet's current version is recorded. Each stage then deploys to its
        fleet, watched robot by robot (the plan's early-abort rule cancels
        the job when too many of its first robots fail), retries robots whose
        failures are transient, bakes, and asks ``gate`` (an async callable
        given the stage's report; ``False`` stops the rollout). A stopped
        rollout deploys each changed fleet's previous version back, newest
        stage first, if the plan says so. With ``checkpoint`` (a file path),
        the rollout's state is written there before every call that changes
        something: started again with the same file after a crash, it
        finishes as if nothing had happened. ``min_delay`` and ``max_delay``
        pace the watching of each stage (``None``: the client's, see
        :meth:`wait_for_deployment_job`). See the Rollouts guide.
        """
        import attrs

        from .._rollout.embedded import Runner
        from .._rollout.gates import CallableGate
        from .._rollout.handle import Rollout

        if gate is not None:  # shorthand for the plan's gate
            plan = attrs.evolve(plan, gate=CallableGate(func=gate))
        runner = Runner(self, plan, checkpoint=checkpoint, min_delay=min_delay, max_delay=max_delay)
        return Rollout(runner)

    async def check_rollout(self, plan: RolloutPlan) -> RolloutCheck:
        """Read ``plan`` against the service, changing nothing: its fleets, its version, every problem.

        The same checks :meth:`rollout` makes before it starts (see the
        Rollouts guide); an empty ``problems`` means the plan can be rolled out.
        """
        from .._rollout.checks import check_plan

        return await check_plan(self, plan)
