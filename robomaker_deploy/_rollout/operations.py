"""The rollout part of :class:`DeploymentClient`: ``rollout`` and ``check_rollout``.

A layer over the client core (``_client``): rollouts drive the client through
its public methods only, and the public class is put together above both
(``_deployment_client``), so the client never imports what rolls out.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from .._client import ClientCore

if TYPE_CHECKING:
    from .checks import RolloutCheck
    from .handle import Rollout
    from .plan import RolloutPlan
    from .report import StageReport

__all__ = ["RolloutOperations"]


class RolloutOperations(ClientCore):
    """The client core with progressive rollouts on top (the engine is imported on first use)."""

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

        from .embedded import Runner
        from .gates import CallableGate
        from .handle import Rollout

        if gate is not None:  # shorthand for the plan's gate
            plan = attrs.evolve(plan, gate=CallableGate(func=gate))
        runner = Runner(self, plan, checkpoint=checkpoint, min_delay=min_delay, max_delay=max_delay)
        return Rollout(runner)

    async def check_rollout(self, plan: RolloutPlan) -> RolloutCheck:
        """Read ``plan`` against the service, changing nothing: its fleets, its version, every problem.

        The same checks :meth:`rollout` makes before it starts (see the
        Rollouts guide); an empty ``problems`` means the plan can be rolled out.
        """
        from .checks import check_plan

        return await check_plan(self, plan)
