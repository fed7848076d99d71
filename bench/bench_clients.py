"""Many open clients: what each further ``DeploymentClient`` costs once one is open.

Measured in a fresh interpreter (so nothing else the benchmarks loaded counts), by its resident
set size: a first client is opened and makes a call, then ``CLIENTS`` more, each opened and making
a call, all kept open. The first one pays for loading botocore's data and the service model; a
further one should pay only for what is its own (session, connection pool, client object).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import resource
import statistics
import subprocess
import sys

from ._common import Report, emulator_process, seeded_state, typed_client

CLIENTS = 100
MB = 1_000_000


def _rss() -> int:
    """Resident memory of this process, in bytes."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:  # not Linux: the peak, which only grows here anyway
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


async def _measure(url: str, count: int) -> dict[str, float]:
    async with contextlib.AsyncExitStack() as stack:
        gc.collect()
        before = _rss()
        first = await stack.enter_async_context(typed_client(url))
        await first.list_fleets().collect()
        gc.collect()
        one = _rss()
        for _ in range(count):
            client = await stack.enter_async_context(typed_client(url))
            await client.list_fleets().collect()
        gc.collect()
        many = _rss()
    return {"first": (one - before) / MB, "further": (many - one) / count / MB}


def main(report: Report, count: int = CLIENTS, rounds: int = 3) -> None:
    """Measure ``rounds`` times, each in a child interpreter, and add the medians to ``report``."""
    runs = []
    with seeded_state(lambda emulator: None) as state, emulator_process(state) as url:
        for _ in range(rounds):
            child = [sys.executable, "-m", "bench.bench_clients", url, str(count)]
            runs.append(json.loads(subprocess.run(child, check=True, capture_output=True, text=True).stdout))
    report.ratio(
        f"memory per further open client ({count} open)",
        statistics.median(run["further"] for run in runs),
        "the first client",
        statistics.median(run["first"] for run in runs),
        "<= 2 MB each",
        unit="MB",
    )


if __name__ == "__main__":
    print(json.dumps(asyncio.run(_measure(sys.argv[1], int(sys.argv[2])))))
