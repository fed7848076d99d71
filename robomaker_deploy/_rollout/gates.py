"""Gates: what is asked after a stage's bake before the rollout goes on (i19-gates writes the full module).

Placeholder with the contract's plain-data result only, so the core can
record answers; the gate kinds and ``run_gate`` come with i19-gates' branch.
"""

from __future__ import annotations

from typing import Literal

import attrs

__all__ = ["GateResult", "GateVerdict"]

GateVerdict = Literal["passed", "refused", "timed_out", "killed", "could_not_run"]
"""How a gate ended."""


@attrs.frozen(kw_only=True)
class GateResult:
    """What a gate answered: plain data, recorded in the rollout's state."""

    verdict: GateVerdict
    exit_code: int | None = None
    signal: int | None = None
    detail: str = ""
    output: str = ""

    @property
    def passed(self) -> bool:
        """The gate lets the rollout go on."""
        return self.verdict == "passed"
