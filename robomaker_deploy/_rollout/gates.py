"""Gates: what is asked after a stage's bake before the rollout goes on (i19-gates writes the full module).

Placeholder with the contract's plain-data result only, so the core can
record answers; the gate kinds and ``run_gate`` come with i19-gates' branch.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Literal

import anyio
import attrs

if TYPE_CHECKING:
    from .report import StageReport

__all__ = ["CallableGate", "Gate", "GateResult", "GateVerdict", "run_gate"]

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


@attrs.frozen(kw_only=True)
class CallableGate:
    """An async Python callable given the stage's report: ``True`` lets the rollout go on."""

    func: Callable[[StageReport], Awaitable[bool]]
    timeout: float | None = None


Gate = CallableGate


async def run_gate(gate: Gate, stage: StageReport, *, timeout: float) -> GateResult:  # noqa: ASYNC109
    """Ask ``gate`` about ``stage``; never raises but for cancellation."""
    with anyio.move_on_after(timeout if gate.timeout is None else gate.timeout) as scope:
        try:
            passed = await gate.func(stage)
        except Exception as exc:  # a gate that raises stops the rollout like a refusal
            return GateResult(verdict="could_not_run", detail=f"{type(exc).__name__}: {exc}")
    if scope.cancelled_caught:
        return GateResult(verdict="timed_out", detail=f"no answer within {timeout:g}s")
    return GateResult(verdict="passed" if passed else "refused")
