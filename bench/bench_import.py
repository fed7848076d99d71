"""Importing the client against ``import aiobotocore.session``, each in a fresh interpreter.

The package's names load on first use, so ``import robomaker_deploy`` alone costs next to nothing;
what a program pays is ``from robomaker_deploy import DeploymentClient``, which is what is timed.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

import robomaker_deploy

from ._common import Report

_OURS = "from robomaker_deploy import DeploymentClient"
_THEIRS = "import aiobotocore.session"


def _import_seconds(statement: str) -> float:
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", statement], check=True)
    return time.perf_counter() - began


def main(report: Report, rounds: int = 15) -> None:
    """Time both imports in alternation and add the row to ``report``."""
    # Like a wheel install, which compiles every module: site-packages (aiobotocore) already has
    # its bytecode, and an editable checkout would otherwise compile ours on every import when
    # PYTHONDONTWRITEBYTECODE is set.
    package = Path(robomaker_deploy.__file__).parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)
    _import_seconds("import sys")  # warm the file cache before anything is counted
    ours, theirs, ratios = [], [], []
    for _ in range(rounds):
        # Each round subtracts its own interpreter start-up and yields one ratio: this machine's
        # speed drifts between rounds, and the median of paired ratios does not drift with it.
        start = _import_seconds("import sys")
        ours.append(_import_seconds(_OURS) - start)
        theirs.append(_import_seconds(_THEIRS) - start)
        ratios.append(ours[-1] / theirs[-1])
    report.ratio(
        f"{_OURS} (minus interpreter start)",
        statistics.median(ours) * 1000,
        _THEIRS,
        statistics.median(theirs) * 1000,
        "<= 1.2",
        ratio=statistics.median(ratios),
    )
