"""``import robomaker_deploy`` against ``import aiobotocore.session``, each in a fresh interpreter."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

from ._common import Report


def _import_seconds(module: str) -> float:
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"import {module}"], check=True)
    return time.perf_counter() - began


def main(report: Report, rounds: int = 15) -> None:
    """Time both imports in alternation and add the row to ``report``."""
    base = [_import_seconds("sys")]  # interpreter start-up, the same for both
    ours, theirs = [], []
    for _ in range(rounds):
        base.append(_import_seconds("sys"))
        ours.append(_import_seconds("robomaker_deploy"))
        theirs.append(_import_seconds("aiobotocore.session"))
    start = statistics.median(base)
    report.ratio(
        "import robomaker_deploy (minus interpreter start)",
        (statistics.median(ours) - start) * 1000,
        "import aiobotocore.session",
        (statistics.median(theirs) - start) * 1000,
        "<= 1.2",
    )
