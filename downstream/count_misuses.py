"""Check misuse.py with mypy and say how many of its mistakes mypy catches.

    python count_misuses.py        # from this folder, with mypy and robomaker-deploy installed

Runs ``mypy --strict --warn-unused-ignores misuse.py``: it passes only if
every mistake marked ``# type: ignore[...]`` is still reported (with that
code) and no mistake marked ``# not caught`` is. Then counts the markers,
one per ``misuse_*`` function. Exits non-zero if mypy fails or a function
has no marker, or more than one.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CAUGHT = "# type: ignore["
MISSED = "# not caught"


def markers(path: Path) -> dict[str, str]:
    """Each ``misuse_*`` function of ``path`` and its marker: ``caught`` or ``missed``."""
    lines = path.read_text().splitlines()
    found: dict[str, str] = {}
    for node in ast.parse("\n".join(lines)).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("misuse_"):
            body = lines[node.lineno - 1 : node.end_lineno]
            kinds = [
                kind
                for line in body
                for kind, mark in (("caught", CAUGHT), ("missed", MISSED))
                if mark in line
            ]
            if len(kinds) != 1:
                raise SystemExit(f"{node.name} must carry exactly one marker, not {len(kinds)}")
            found[node.name] = kinds[0]
    return found


def main() -> int:
    check = [sys.executable, "-m", "mypy", "--strict", "--warn-unused-ignores", "misuse.py"]
    mypy = subprocess.run(check, cwd=HERE, capture_output=True, text=True, check=False)
    if mypy.returncode != 0:
        print(mypy.stdout + mypy.stderr, end="")
        print("misuse.py: a marker no longer tells the truth (see above)")
        return 1
    found = markers(HERE / "misuse.py")
    caught = [name for name, kind in found.items() if kind == "caught"]
    missed = [name for name, kind in found.items() if kind == "missed"]
    print(f"mypy --strict catches {len(caught)} of {len(found)} deliberate misuses")
    for name in missed:
        print(f"  not caught: {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
