"""A DBOS rollout worker in a process of its own, for the crash tests.

    python -m tests.support.dbos_worker EMULATOR_URL DATABASE EXECUTOR_ID [CONCURRENCY]

Launches a :class:`RolloutWorker` on DATABASE (a SQLite path or a Postgres
URL) as EXECUTOR_ID, prints ``ready`` once it serves the rollout queue, and
runs the queue's rollouts until killed. A worker started with the ID of one
that died recovers that one's rollouts (DBOS's recovery on launch).
"""

from __future__ import annotations

import asyncio
import sys

from robomaker_deploy._rollout.dbos import RolloutWorker
from tests.support.world import process_client


async def serve(url: str, database: str, executor_id: str, concurrency: int) -> None:
    async with (
        process_client(url) as client,
        RolloutWorker(
            client, database, executor_id=executor_id, concurrency=concurrency, polling_interval=0.05
        ) as worker,
    ):
        print("ready", flush=True)
        await worker.serve_forever()


if __name__ == "__main__":
    url, database, executor_id = sys.argv[1:4]
    asyncio.run(serve(url, database, executor_id, int(sys.argv[4]) if len(sys.argv) > 4 else 10))
