"""``import robomaker_deploy`` against ``import aiobotocore.session``, each in a fresh interpreter."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

import robomaker_deploy

from ._common import Report


def _import_seconds(module: str) -> float:
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"import {module}"], check=True)
    return time.perf_counter() - began


def main(report: Report, rounds: int = 15) -> None:
    """Time both imports in alternation and add the row to ``report``."""
    # Like a wheel install, which compiles every module: site-packages (aiobotocore) already has
    # its bytecode, and an editable checkout would otherwise compile ours on every import when
    # PYTHONDONTWRITEBYTECODE is set.
    package = Path(robomaker_deploy.__file__).parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)
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
