"""Rollouts on DBOS Transact: durable across crashes, and across machines with Postgres.

Install with ``pip install 'robomaker-deploy[dbos]'``. Importing
``robomaker_deploy`` never imports DBOS; importing this module does.

* :class:`RolloutWorker`: a process's DBOS executor; it runs the rollouts
  submitted to it and those on the shared queue;
* :func:`submit_rollout`, :func:`rollout_report`: enqueue a rollout and read
  its report from any process that reaches the system database;
* :func:`rollout_id`: a rollout's workflow ID (submitting twice is one rollout).

See the guide "Rollouts on many machines".
"""

try:
    import dbos  # noqa: F401
except ImportError as exc:  # a clear word instead of the import's own
    raise ImportError(
        "robomaker_deploy.dbos needs DBOS Transact: pip install 'robomaker-deploy[dbos]'"
    ) from exc

from ._rollout.dbos import (
    QUEUE,
    WORKFLOW,
    RolloutStepError,
    RolloutWorker,
    rollout_id,
    rollout_report,
    submit_rollout,
)

__all__ = [
    "QUEUE",
    "WORKFLOW",
    "RolloutStepError",
    "RolloutWorker",
    "rollout_id",
    "rollout_report",
    "submit_rollout",
]
