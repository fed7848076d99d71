"""Turns a benchmark report into ``bench/results/latest.json``, a chart, and the table in the docs."""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ._common import Report

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "latest.json"
CHART = ROOT / "docs" / "img" / "benchmarks.png"
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def machine() -> str:
    """One line saying what the numbers were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = os.cpu_count()
    return (
        f"{cpu}, {cores} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def write_results(report: Report) -> dict[str, Any]:
    """Save the raw rows with when and where they were measured."""
    data = {
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "rows": report.rows,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(data, indent=1) + "\n")
    return data


def table(data: dict[str, Any]) -> str:
    """The markdown table of figures, anchors, ratios and targets."""
    lines = [
        "| figure | median | anchor | anchor median | ratio | target |",
        "|---|---:|---|---:|---:|---|",
    ]
    for row in data["rows"]:
        unit = row["unit"]
        lines.append(
            f"| {row['figure']} | {row['value']:,.2f} {unit} | {row['anchor_name']} "
            f"| {row['anchor']:,.2f} {unit} | **{row['ratio']:.2f}** | {row['target']} |"
        )
    return "\n".join(lines)


def chart(data: dict[str, Any]) -> None:
    """A bar chart of every ratio against its target, written to docs/img/benchmarks.png."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = data["rows"]
    labels = [f"{row['figure']}\nvs {row['anchor_name']}" for row in rows]
    ratios = [row["ratio"] for row in rows]
    figure, axes = plt.subplots(figsize=(11, 0.65 * len(rows) + 1.5))
    axes.barh(range(len(rows)), ratios, color="#3f51b5")
    for index, row in enumerate(rows):
        # A ratio target only: one in absolute units ("<= 2 MB each") has no place on this axis.
        target = re.match(r"\W*([\d.]+)(?![\d.])(?!\s*[A-Za-z])", row["target"])
        if target:
            axes.plot([float(target.group(1))] * 2, [index - 0.4, index + 0.4], color="#e53935", linewidth=2)
        axes.text(row["ratio"], index, f" {row['ratio']:.2f}", va="center")
    axes.set_yticks(range(len(rows)), labels)
    axes.invert_yaxis()
    axes.set_xlabel("ratio to the anchor (red: target)")
    axes.set_title(f"robomaker-deploy vs raw aiobotocore ({data['when'][:10]})")
    figure.tight_layout()
    CHART.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(CHART, dpi=110)
    plt.close(figure)


def update_docs(data: dict[str, Any]) -> None:
    """Replace the results section of docs/benchmarks.md with this run's table."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT, check=False
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no", "--", "robomaker_deploy", "bench"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    ).stdout.strip()
    if commit and dirty:
        commit += " plus uncommitted changes"
    body = (
        f"{START}\nMeasured {data['when']} on {data['machine']}"
        f"{f', at commit `{commit}`' if commit else ''}.\n\n{table(data)}\n\n"
        f"![Ratios against their targets](img/benchmarks.png)\n{END}"
    )
    text = DOC.read_text()
    if START in text and END in text:
        text = text[: text.index(START)] + body + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip() + "\n\n" + body + "\n"
    DOC.write_text(text)
