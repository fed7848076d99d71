"""``python -m bench`` (``make bench``): each benchmark side by side with raw aiobotocore, ratios printed."""

from __future__ import annotations

import argparse
import asyncio

from . import (
    _publish,
    bench_clients,
    bench_describe,
    bench_import,
    bench_list,
    bench_rollout,
    bench_waiters,
    bench_watch,
)
from ._common import Report


async def _run(only: set[str]) -> Report:
    report = Report()
    if not only or "describe" in only:
        print("== typed vs raw: describe, small calls, decode, memory")
        await bench_describe.main(report)
    if not only or "list" in only:
        print("== listing: pager vs raw paginator")
        await bench_list.main(report)
    if not only or "waiters" in only:
        print("== waiters: shared polling vs a describe loop per job")
        await bench_waiters.main(report)
    if not only or "clients" in only:
        print("== many open clients: memory per further client")
        bench_clients.main(report)
    if not only or "watch" in only:
        print("== watch: the cadence of the robots in flight vs the plain backoff")
        await bench_watch.main(report)
    if not only or "rollout" in only:
        print("== rollout: a 1,000-robot stage with its checkpoint, and 50 rollouts sharing their polling")
        await bench_rollout.main(report)
    if not only or "import" in only:
        print("== import time")
        bench_import.main(report)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument(
        "only",
        nargs="*",
        help="benchmarks to run: describe, list, waiters, clients, watch, rollout, import (default: all)",
    )
    parser.add_argument(
        "--write-docs", action="store_true", help="put the table and chart into docs/benchmarks.md"
    )
    args = parser.parse_args()
    report = asyncio.run(_run(set(args.only)))
    data = _publish.write_results(report)
    print()
    print(_publish.table(data))
    if args.write_docs:
        _publish.chart(data)
        _publish.update_docs(data)
        print(f"\nwrote {_publish.CHART.name} and {_publish.DOC.name}")


main()
