"""The service: each of the model's 23 operations, by name, to the rules that answer it.

No HTTP here (``_server`` does that) and no timeline arithmetic
(``_simulation`` does that). The rules are in ``_jobs`` (deployment jobs)
and ``_resources`` (fleets, robots, applications, tags); this module only
puts them behind one entry point, over one :class:`Context`.
"""

from __future__ import annotations

from . import _jobs, _resources
from ._context import Context, Rule
from ._records import Params, Result
from ._store import Store

_RULES: dict[str, Rule] = {**_jobs.OPERATIONS, **_resources.OPERATIONS}


class Service:
    """The RoboMaker deployment service's behaviour over a :class:`Store`.

    ``speed`` divides every simulated duration; ``seed`` makes identifiers and
    timelines repeat from run to run.
    """

    def __init__(
        self, store: Store, *, region: str, account_id: str, speed: float, seed: int | None = None
    ) -> None:
        self._context = Context(store, region=region, account_id=account_id, speed=speed, seed=seed)

    @property
    def operations(self) -> frozenset[str]:
        """The names of the operations it answers."""
        return frozenset(_RULES)

    def handle(self, operation: str, params: Params) -> Result:
        """Run one operation on already validated input."""
        return _RULES[operation](self._context, params)

    def forget_caches(self) -> None:
        """Drop derived data (after a reset)."""
        self._context.summaries.clear()
