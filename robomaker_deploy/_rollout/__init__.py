"""Progressive rollouts across fleets: stages, bake times, gates, early abort, retries, rollback.

* ``plan``: :class:`RolloutPlan` and its policies, in code or from a TOML file;
* ``gates``: what is asked after each stage (a program, an HTTP check, a callable), and how;
* ``checks``: the plan read against the service before anything changes;
* ``core``: the rollout as a pure state machine (decide the next command, apply its result);
* ``effects``: running one command against the service (shared by every driver);
* ``embedded``: the default driver, with a checkpoint file written before every change;
* ``report``, ``events``: what it returns and what it tells as it goes;
* ``handle``: :class:`Rollout`, what ``client.rollout(plan)`` returns.
"""

from .checks import RolloutCheck
from .embedded import CheckpointInUseError
from .events import (
    GatePassed,
    GateRefused,
    RolledBack,
    RolloutEvent,
    RolloutFinished,
    StageAborted,
    StageBaked,
    StageEvent,
    StageFinished,
    StageRetried,
    StageStarted,
)
from .gates import CallableGate, CommandGate, Gate, GateResult, GateVerdict, HttpGate
from .handle import Rollout
from .plan import AbortRule, RetryPolicy, RolloutPlan, Stage
from .report import Attempt, RolloutReport, StageReport

__all__ = [
    "AbortRule",
    "Attempt",
    "CallableGate",
    "CheckpointInUseError",
    "CommandGate",
    "Gate",
    "GateResult",
    "GateVerdict",
    "HttpGate",
    "GatePassed",
    "GateRefused",
    "RetryPolicy",
    "RolledBack",
    "Rollout",
    "RolloutCheck",
    "RolloutEvent",
    "RolloutFinished",
    "RolloutPlan",
    "RolloutReport",
    "Stage",
    "StageAborted",
    "StageBaked",
    "StageEvent",
    "StageFinished",
    "StageReport",
    "StageRetried",
    "StageStarted",
]
