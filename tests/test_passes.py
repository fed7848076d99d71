"""A shared pass over a listing that changes while it walks: no job that is still running is missed."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Coroutine, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from robomaker_deploy import DeploymentJob, DeploymentStatus
from robomaker_deploy._pagination import Pager
from robomaker_deploy._pagination.stream import Page
from robomaker_deploy._waiting.passes import ACTIVE, Passes, still_possible

ORDER = (*ACTIVE, DeploymentStatus.SUCCEEDED)
FLEET = "arn:aws:robomaker:us-east-1:123456789012:deployment-fleet/f/1"
START = datetime(2024, 1, 1, tzinfo=timezone.utc)
BACKENDS = ("asyncio", "trio")


class MovingWorld:
    """Jobs listed newest first, by keyset pages of 200, one status per request, as the service does.

    Before each request some jobs move one status on (the last one: they ended).
    """

    def __init__(self, statuses: list[int], moves: list[list[int]]) -> None:
        self.statuses = statuses
        self.moves = moves
        self.requests: list[DeploymentStatus] = []
        self.ended_during_walk: set[int] = set()

    def _job(self, index: int) -> DeploymentJob:
        return DeploymentJob(
            arn=f"arn:aws:robomaker:us-east-1:123456789012:deployment-job/j{index}",
            fleet=FLEET,
            status=ORDER[self.statuses[index]],
            created_at=START + timedelta(seconds=index),
        )

    def list_deployment_jobs(
        self, *, status: tuple[DeploymentStatus, ...], page_size: int, prefetch: int
    ) -> Pager[DeploymentJob]:
        (wanted,) = status

        async def source(token: str | None, limit: int | None) -> Page[DeploymentJob]:
            for index in self.moves[len(self.requests)] if len(self.requests) < len(self.moves) else ():
                if self.statuses[index] < len(ORDER) - 1:
                    self.statuses[index] += 1
                    if self.statuses[index] == len(ORDER) - 1:
                        self.ended_during_walk.add(index)
            self.requests.append(wanted)
            below = len(self.statuses) if token is None else int(token)
            matching = [i for i in reversed(range(below)) if ORDER[self.statuses[i]] is wanted]
            taken = matching[: limit or page_size]
            more = len(matching) > len(taken)
            return Page(items=tuple(self._job(i) for i in taken), next_token=str(taken[-1]) if more else None)

        return Pager([source], page_size=page_size, prefetch=prefetch)


async def _walk(world: MovingWorld, statuses: tuple[DeploymentStatus, ...]) -> Mapping[str, DeploymentJob]:
    found: dict[str, DeploymentJob] = {}
    async with anyio.create_task_group() as group:

        def spawn(func: Callable[[], Coroutine[Any, Any, None]]) -> None:
            group.start_soon(func)

        passes = Passes(world, spawn, itertools.count(1))
        found.update((await passes.next((0.0, 0.0), None, statuses)).active)
    return found


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.lists(st.integers(0, 2), min_size=1, max_size=500),
    st.lists(st.lists(st.integers(0, 499), max_size=40), max_size=12),
)
def test_a_job_that_moves_on_during_a_pass_is_still_found(
    statuses: list[int], moves: list[list[int]]
) -> None:
    world = MovingWorld(list(statuses), [[i for i in step if i < len(statuses)] for step in moves])
    found = anyio.run(_walk, world, ACTIVE, backend=BACKENDS[len(statuses) % 2])  # both, by turns
    # Every job still running at the end was found, in the status it had when its stream was read
    # or a later one; the only ones missed ended while the pass walked.
    for index, status in enumerate(world.statuses):
        arn = f"arn:aws:robomaker:us-east-1:123456789012:deployment-job/j{index}"
        if ORDER[status] in ACTIVE:
            assert arn in found, (index, world.requests)
        elif arn not in found:
            assert index in world.ended_during_walk
    # One status after another, in the order a job goes through them.
    assert world.requests == sorted(world.requests, key=ACTIVE.index)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_job_moving_on_behind_the_walk_is_found(backend: str) -> None:
    # 300 jobs Preparing; the oldest moves to InProgress just before the second Preparing page is read.
    # A merged walk of the three statuses would have read InProgress's only page already and miss it;
    # walking one status after another, InProgress comes after and has it.
    world = MovingWorld([1] * 300, [[], [], [0]])
    found = anyio.run(_walk, world, ACTIVE, backend=backend)
    assert (
        found["arn:aws:robomaker:us-east-1:123456789012:deployment-job/j0"].status
        is DeploymentStatus.IN_PROGRESS
    )
    assert len(found) == 300
    assert world.requests == [ACTIVE[0], ACTIVE[1], ACTIVE[1], ACTIVE[2]]


@pytest.mark.parametrize(
    ("seen", "listed"),
    [
        (None, ACTIVE),
        (DeploymentStatus.PENDING, ACTIVE),
        (DeploymentStatus.PREPARING, ACTIVE[1:]),
        (DeploymentStatus.IN_PROGRESS, ACTIVE[2:]),
        (DeploymentStatus.SUCCEEDED, ACTIVE),  # not active: nothing known of where it is now
    ],
)
def test_a_pass_lists_the_statuses_a_job_can_still_be_in(
    seen: DeploymentStatus | None, listed: tuple[DeploymentStatus, ...]
) -> None:
    assert still_possible(seen) == listed


@pytest.mark.parametrize("backend", BACKENDS)
def test_passes_back_off_while_no_job_leaves_and_start_over_when_one_does(backend: str) -> None:
    # Five InProgress jobs; one ends before the fourth pass, the rest never do.
    world = MovingWorld([2] * 5, [])
    delays = (1.0, 30.0)
    seen: list[float] = []

    async def walk() -> None:
        async with anyio.create_task_group() as group:

            def spawn(func: Callable[[], Coroutine[Any, Any, None]]) -> None:
                group.start_soon(func)

            passes = Passes(world, spawn, itertools.count(1))
            passes.quiet_backoff = 4.0
            for number in range(1, 8):
                if number == 4:
                    world.statuses[0] = len(ORDER) - 1  # it ended
                # The pass itself starts at once (no delay asked); the pacing it leaves behind is read.
                await passes.next((0.0, 0.0), None, (DeploymentStatus.IN_PROGRESS,))
                seen.append(passes.interval(delays))
            passes.quiet_backoff = math.inf
            seen.append(passes.interval(delays))

    anyio.run(walk, backend=backend)
    # The first pass has nothing to compare with: it counts as quiet. Doubling up to 4x min_delay,
    # back to min_delay after the pass that saw the job leave, and past the cap only to max_delay.
    assert seen == [2.0, 4.0, 4.0, 1.0, 2.0, 4.0, 4.0, 8.0]
