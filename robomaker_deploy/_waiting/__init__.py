"""Waiting for deployments to end, and sharing the polling between waiters.

Three rooms, in the order a wait passes through them:

* ``policy``: when to poll and when to give up (:class:`WaitPolicy`, the
  Smithy waiter delay rule, on an injectable :class:`WaitClock`);
* ``loop``: one waiter's loop (``Poll``), :class:`DeploymentWatch` and the
  waits the client offers;
* ``hub``: the client's waiting hub, which answers each poll with the
  cheapest call that is true: one describe in flight per job (``flights``)
  or a shared ListDeploymentJobs pass over the active jobs (``passes``).

A wait goes policy -> loop -> hub -> client call; nothing calls back up.
"""

from .hub import Waiters, WaiterStats
from .loop import DeploymentWatch, wait_fleet_in_sync, wait_job, wait_job_succeeded, watch_job
from .policy import WaitClock, WaitPolicy

__all__ = [
    "DeploymentWatch",
    "WaitClock",
    "WaitPolicy",
    "WaiterStats",
    "Waiters",
    "wait_fleet_in_sync",
    "wait_job",
    "wait_job_succeeded",
    "watch_job",
]
