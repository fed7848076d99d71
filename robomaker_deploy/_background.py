"""Tasks that outlive one call but not the client: a pager's prefetch, the waiters' shared poller.

Why not an anyio task group entered in ``DeploymentClient.__aenter__``: a
task group must be left by the task that entered it, and clients are
routinely opened in one task and closed in another (pytest-asyncio runs an
async fixture's set-up and tear-down as two tasks; servers open clients in
a start-up hook). So each background job runs in a task of the running
backend's own making, inside a cancel scope of its own, and
:meth:`BackgroundTasks.aclose` cancels and awaits them all when the client
closes: nothing outlives the client, whichever task closes it.
"""

from __future__ import annotations

import contextvars
import logging
import sys
from collections.abc import Callable, Coroutine
from typing import Any

import anyio

__all__ = ["BackgroundTasks", "running_on_trio"]

log = logging.getLogger("robomaker_deploy")

Job = Callable[[], Coroutine[Any, Any, None]]


def running_on_trio() -> bool:
    """Whether the calling code runs under trio (otherwise: asyncio)."""
    trio = sys.modules.get("trio")
    if trio is None:
        return False
    try:
        trio.lowlevel.current_task()
    except RuntimeError:
        return False
    return True


class BackgroundTasks:
    """A set of background jobs, each cancellable on its own and all together."""

    def __init__(self) -> None:
        self._scopes: set[anyio.CancelScope] = set()
        self._handles: set[object] = set()  # strong references, or asyncio may collect a running task
        self._idle = anyio.Event()
        self._idle.set()
        self._closed = False

    def spawn(self, job: Job) -> anyio.CancelScope:
        """Start ``job`` now; the returned scope cancels just this job."""
        if self._closed:
            raise RuntimeError("the client is closed")
        scope = anyio.CancelScope()
        self._scopes.add(scope)
        if self._idle.is_set():
            self._idle = anyio.Event()
        if running_on_trio():
            import trio

            # In a copy of the starter's context, as asyncio's create_task does (trio's system tasks
            # start from an empty one): what the starter traced or logged under carries on in the job.
            trio.lowlevel.spawn_system_task(self._run, job, scope, context=contextvars.copy_context())
        else:
            import asyncio

            task = asyncio.get_running_loop().create_task(self._run(job, scope))
            self._handles.add(task)
            task.add_done_callback(self._handles.discard)
        return scope

    async def _run(self, job: Job, scope: anyio.CancelScope) -> None:
        try:
            with scope:
                await job()
        except Exception:
            # Jobs hand their own errors to whoever waits on them; one escaping
            # here is a bug, and must not take the event loop down with it.
            log.exception("a background task of robomaker_deploy failed")
        finally:
            self._scopes.discard(scope)
            if not self._scopes:
                self._idle.set()

    async def aclose(self) -> None:
        """Cancel every job and wait until all have finished."""
        self._closed = True
        for scope in list(self._scopes):
            scope.cancel()
        with anyio.CancelScope(shield=True):
            await self._idle.wait()
