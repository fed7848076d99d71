"""A watch on a scripted service: the real watch and poller, with describes answered by a function.

For tests of the poll loop's schedule and error handling on a fake clock:
every poll of the watch goes through the real :class:`Poller` (its flights,
its background task) to ``describe``, which answers as the test scripts it.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

from robomaker_deploy import DeploymentJob, DeploymentStatus, DescribedDeploymentJob, Fleet, WaitPolicy
from robomaker_deploy._background import BackgroundTasks
from robomaker_deploy._pagination import Pager
from robomaker_deploy._waiting.source import Poller
from robomaker_deploy._waiting.watch import Watch

ARN = "arn:aws:robomaker:us-east-1:123456789012:deployment-job/scripted"


class ScriptedService:
    """The client calls a poller makes, with DescribeDeploymentJob answered by ``describe``."""

    def __init__(self, describe: Callable[[], Awaitable[DescribedDeploymentJob]]) -> None:
        self._describe = describe
        self.canceled: list[str] = []

    async def describe_deployment_job(self, job: str | DeploymentJob) -> DescribedDeploymentJob:
        return await self._describe()

    async def describe_fleet(self, fleet: str | Fleet) -> Fleet:
        raise AssertionError("a job watch does not describe fleets")

    async def cancel_deployment_job(self, job: str | DeploymentJob) -> None:
        self.canceled.append(job if isinstance(job, str) else job.arn)

    def list_deployment_jobs(
        self, *, status: tuple[DeploymentStatus, ...], page_size: int, prefetch: int
    ) -> Pager[DeploymentJob]:
        raise AssertionError("one watch never lists")


@contextlib.asynccontextmanager
async def scripted_watch(
    describe: Callable[[], Awaitable[DescribedDeploymentJob]],
    policy: WaitPolicy,
    *,
    detail: bool = True,
    forecast: bool = True,
) -> AsyncIterator[Watch]:
    """A watch of ``ARN`` whose polls ``describe`` answers (``detail=False``: a wait's, keyed by status)."""
    background = BackgroundTasks()  # the client's own: its calls run apart from the watch's task
    try:
        poller = Poller(ScriptedService(describe), background.spawn)
        yield Watch(poller, ARN, policy, detail=detail, forecast=forecast)
    finally:
        await background.aclose()
