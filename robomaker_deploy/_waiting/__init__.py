"""Waiting for deployments to end, and sharing the polling between waiters.

Three rooms, in the order a wait passes through them:

* ``policy``: when to poll and when to give up (:class:`WaitPolicy`, the
  Smithy waiter delay rule, on an injectable :class:`WaitClock`);
* ``loop``: one waiter's loop (``Poll``), :class:`DeploymentWatch` and the
  waits the client offers;
* ``events``, ``outcome``, ``checkpoint``, ``stream``: what orchestration
  code builds on: typed events (a pure diff of two snapshots), the outcome
  of a wait, a JSON checkpoint to resume it after a restart, and the event
  stream that ties them to a watch;
* ``hub``: the client's waiting hub, which answers each poll with the
  cheapest call that is true: one describe in flight per job (``flights``)
  or a shared ListDeploymentJobs pass over the active jobs (``passes``);
* ``tracing``: the OpenTelemetry span of each wait, watch or event stream
  (the ``otel`` extra; without it, nothing is imported).

A wait goes policy -> loop -> hub -> client call; nothing calls back up.
"""

from .checkpoint import WaitCheckpoint
from .events import (
    DeploymentEvent,
    JobEnded,
    JobState,
    JobStatusChanged,
    RobotAppeared,
    RobotEvent,
    RobotFailed,
    RobotLeft,
    RobotStarted,
    RobotState,
    RobotStatusChanged,
    RobotStepChanged,
    RobotSucceeded,
)
from .hub import Waiters, WaiterStats
from .loop import DeploymentWatch, wait_fleet_in_sync, wait_job, wait_job_succeeded, watch_job
from .outcome import DeploymentOutcome
from .policy import ExitPolicy, WaitClock, WaitPolicy
from .stream import DeploymentEvents, PollEvents

__all__ = [
    "WaitCheckpoint",
    "DeploymentEvent",
    "DeploymentEvents",
    "DeploymentOutcome",
    "DeploymentWatch",
    "ExitPolicy",
    "JobEnded",
    "JobState",
    "JobStatusChanged",
    "PollEvents",
    "RobotAppeared",
    "RobotEvent",
    "RobotFailed",
    "RobotLeft",
    "RobotStarted",
    "RobotState",
    "RobotStatusChanged",
    "RobotStepChanged",
    "RobotSucceeded",
    "WaitClock",
    "WaitPolicy",
    "WaiterStats",
    "Waiters",
    "wait_fleet_in_sync",
    "wait_job",
    "wait_job_succeeded",
    "watch_job",
]
