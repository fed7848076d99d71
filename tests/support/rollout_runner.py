"""A process that runs a rollout with a checkpoint file, for the crash test.

    python -m tests.support.rollout_runner URL PLAN.toml CHECKPOINT REPORT BACKEND [events]

Runs ``client.rollout(plan, checkpoint=CHECKPOINT)`` to its end, on anyio's
BACKEND (``asyncio`` or ``trio``, the crash test's own), and writes the
final report as JSON to REPORT. It prints one line, ``ready``, when its imports
are done and the rollout is about to start. With ``events``, it reads the rollout's events
(so each job is followed robot by robot and the checkpoint also saved per
poll); without, it only awaits ``result()``. Killed at any moment and started
again with the same arguments (or the other way), it finishes the rollout from
the checkpoint.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import anyio

from robomaker_deploy import RolloutPlan
from robomaker_deploy._cli.output import to_json
from robomaker_deploy._documents import write_atomic
from tests.support.world import process_client


async def run(url: str, plan_file: Path, checkpoint: Path, report_file: Path, events: bool) -> None:
    plan = RolloutPlan.from_toml(plan_file)
    client = process_client(url)
    async with client:
        # Ready: the crash test times its kill from here, so that it lands in the rollout's own code
        # (checkpoint, commands, polls) rather than while Python imports the SDK.
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        rollout = client.rollout(plan, checkpoint=checkpoint)
        if events:
            async for _ in rollout:
                pass
        report = await rollout.result()
    write_atomic(report_file, json.dumps(to_json(report), indent=2))


if __name__ == "__main__":
    url, plan_file, checkpoint, report_file, backend = sys.argv[1:6]
    events = sys.argv[6:] == ["events"]
    anyio.run(run, url, Path(plan_file), Path(checkpoint), Path(report_file), events, backend=backend)
