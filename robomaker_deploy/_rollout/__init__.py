"""Progressive rollouts across fleets: stages, bake times, gates, early abort, retries, rollback.

* ``plan``: :class:`RolloutPlan` and its policies, in code or from a TOML file;
* ``checks``: the plan read against the service before anything changes;
* ``engine``: running it, with a checkpoint written before every change;
* ``report``, ``events``: what it returns and what it tells as it goes;
* ``handle``: :class:`Rollout`, what ``client.rollout(plan)`` returns.
"""

from .engine import Gate
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
from .handle import Rollout
from .plan import AbortRule, RetryPolicy, RolloutPlan, Stage
from .report import Attempt, RolloutReport, StageReport

__all__ = [
    "AbortRule",
    "Attempt",
    "Gate",
    "GatePassed",
    "GateRefused",
    "RetryPolicy",
    "RolledBack",
    "Rollout",
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
