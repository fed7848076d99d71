"""How a DBOS system database grows with a rollout: rows and bytes per stage, per step and per poll.

    python -m bench.dbos_growth [ROBOTS ...]     (default: 10 1000)

For each fleet size, a two-stage rollout (two fleets of that many robots)
runs on a :class:`RolloutWorker` with a fresh SQLite system database,
against an in-process emulator. Printed: the steps DBOS recorded and the
bytes of their outputs, by kind of command, with the polls the watches made;
the workflow's input (the plan) and output (the report); and the file's
size. What it shows: a stage costs a fixed number of rows (create, watch,
bake) whatever its number of polls, and its watch's one row grows with the
fleet (the robots' ARNs by outcome), not with the polls: each rollout runs
twice, once polled every 0.5 s and once every 0.05 s.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import tempfile
from collections import Counter
from pathlib import Path

from robomaker_deploy import ClientConfig, RolloutPlan
from robomaker_deploy._rollout.dbos import RolloutWorker
from robomaker_deploy.emulator import Emulator
from robomaker_deploy.emulator._seeding import seed_application, seed_fleet

POLLS = ("DescribeDeploymentJob", "ListDeploymentJobs", "DescribeFleet")


async def measure(robots: int, delay: float, folder: Path) -> None:
    with Emulator(speed=20.0, seed=1).run_in_background() as emu:
        app = seed_application(emu, f"growth-{robots}")
        fleets = [seed_fleet(emu, f"g{robots}-{n}", robot_tags=[{}] * robots) for n in range(2)]
        plan_file = folder / f"plan-{robots}-{delay}.toml"
        plan_file.write_text(
            f'[application]\narn = "{app[0]}"\nversion = "{app[1]}"\npackage = "p"\nlaunch_file = "l"\n\n'
            + "".join(f'[[stages]]\nfleet = "{fleet}"\nbake = 0.1\n\n' for fleet in fleets)
        )
        plan = RolloutPlan.from_toml(plan_file)
        database = folder / f"system-{robots}-{delay}.sqlite"
        before = sum(emu.stats()["calls"].get(op, 0) for op in POLLS)
        config = ClientConfig(wait_min_delay=delay, wait_max_delay=delay)
        async with emu.client(config=config) as client, RolloutWorker(client, database) as worker:
            workflow = await worker.submit(plan)
            report = await worker.report(workflow)
        polls = sum(emu.stats()["calls"].get(op, 0) for op in POLLS) - before
    with sqlite3.connect(database) as db:
        steps = db.execute(
            "SELECT function_name, output FROM operation_outputs"
            " WHERE workflow_uuid = ? ORDER BY function_id",
            (workflow,),
        ).fetchall()
        (inputs,) = db.execute(
            "SELECT inputs FROM workflow_input WHERE workflow_uuid = ?", (workflow,)
        ).fetchone()
        (output,) = db.execute(
            "SELECT output FROM workflow_output WHERE workflow_uuid = ?", (workflow,)
        ).fetchone()
    kinds: Counter[str] = Counter()
    sizes: Counter[str] = Counter()
    for name, stored in steps:
        kind = name.rsplit(".", 1)[-1]
        if '"type":"' in stored:
            kind = stored.split('"type":"', 1)[1].split('"', 1)[0]
        kinds[kind] += 1
        sizes[kind] += len(stored)
    total = sum(sizes.values())
    print(
        f"{robots} robots per stage, 2 stages, a poll every {delay} s: rollout {report.status}, {polls} polls"
    )
    print(f"  {len(steps)} step rows, {total} bytes of step outputs ({total / 2:.0f} per stage)")
    for kind in kinds:
        print(f"    {kind:14} {kinds[kind]:3d} row(s) {sizes[kind]:8d} bytes")
    print(f"  workflow input (plan) {len(inputs or '')} bytes, output (report) {len(output or '')} bytes")
    print(f"  system database file: {database.stat().st_size} bytes")


async def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for robots in sizes:
            for delay in (0.5, 0.05):  # the same rollout, polled ten times as often
                await measure(robots, delay, Path(folder))


if __name__ == "__main__":
    asyncio.run(main([int(n) for n in sys.argv[1:]] or [10, 1000]))
