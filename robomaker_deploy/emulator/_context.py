"""What every operation's rules stand on: the store, new identifiers, and records found by ARN.

The rules themselves live in ``_jobs`` and ``_resources``, as functions of a
:class:`Context` and the validated input; ``_service`` maps operation names
to them. Keeping the shared part here means both rule modules name, find and
age resources the same way, with the same "does not exist" messages.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Container
from typing import TypeVar

from . import _arns as arns
from ._errors import not_found
from ._records import Fleet, Job, Params, Result, Robot, RobotApplication
from ._store import Store
from ._views import RobotSummaries

T = TypeVar("T")

#: Deployment jobs are gone from describe and list this long after creation, as on the service.
JOB_RETENTION_SECONDS = 90 * 24 * 3600


def visible(job: Job, now: float) -> bool:
    """Whether the service still shows the job (it forgets jobs past their retention)."""
    return now < job.created_at + JOB_RETENTION_SECONDS


class Context:
    """The state and helpers one operation's rules may use."""

    def __init__(
        self, store: Store, *, region: str, account_id: str, speed: float, seed: int | None = None
    ) -> None:
        self.store = store
        self.region = region
        self.account_id = account_id
        self.speed = speed
        self.summaries = RobotSummaries()
        # Seeds the plans, so a seed repeats a session's timings (identifiers come from the store's key).
        self.rng = random.Random(seed)

    # -- naming --------------------------------------------------------------------------------------

    def arn(self, kind: str, name: str, now: float, taken: Container[str]) -> str:
        """A new ARN for a named resource, as the service builds them (name and creation millisecond)."""
        millis = int(now * 1000)
        while True:
            # Two resources of one name created in the same millisecond (easily, on a manual clock)
            # would otherwise share an ARN, and so would one deleted and its successor.
            arn = arns.named(self.region, self.account_id, kind, name, millis)
            if arn not in taken and not self.store.retired(arn):
                return arn
            millis += 1

    def job_arn(self, seq: int) -> str:
        """The ARN of the job created with sequence number ``seq``: unique in the store by construction."""
        return arns.job(self.region, self.account_id, self.store.id_key, seq)

    def revision_id(self, seq: int) -> str:
        """The revision id of the application created with sequence number ``seq``."""
        return arns.revision_id(self.store.id_key, seq)

    # -- lookups -------------------------------------------------------------------------------------

    def fleet(self, arn: str) -> Fleet:
        """The fleet, or ResourceNotFound (InvalidParameter for an ARN of another type)."""
        return _lookup(arn, arns.FLEET, self.store.fleets.get)

    def robot(self, arn: str) -> Robot:
        """The robot, or ResourceNotFound (InvalidParameter for an ARN of another type)."""
        return _lookup(arn, arns.ROBOT, self.store.robots.get)

    def app(self, arn: str) -> RobotApplication:
        """The robot application, or ResourceNotFound (InvalidParameter for an ARN of another type)."""
        return _lookup(arn, arns.APPLICATION, self.store.apps.get)

    def job(self, arn: str, now: float) -> Job:
        """The deployment job, or ResourceNotFound (past retention too); InvalidParameter for another type."""
        return _lookup(arn, arns.JOB, lambda found: self.find_job(found, now))

    def find_job(self, arn: str, now: float) -> Job | None:
        """The deployment job, if it exists and is not past its retention."""
        job = self.store.jobs.get(arn)
        return job if job is not None and visible(job, now) else None


def _lookup(arn: str, kind: str, find: Callable[[str], T | None]) -> T:
    """What ``find`` has at ``arn``: InvalidParameter for an ARN of another kind, ResourceNotFound if none."""
    arns.expect(arn, kind)
    found = find(arn)
    if found is None:
        raise not_found(f"{arns.NOUNS[kind].capitalize()} {arn} does not exist.")
    return found


#: One operation's rules: validated wire input in, wire output out, ServiceError for a refusal.
Rule = Callable[[Context, Params], Result]
