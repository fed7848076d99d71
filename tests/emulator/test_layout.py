"""The emulator stands on the wire layer alone: it never loads the client, the waiting layer or the CLI."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from robomaker_deploy._wire.model import service_model
from robomaker_deploy.emulator._service import Service
from robomaker_deploy.emulator._store import Store

EMULATOR = Path(__file__).parents[2] / "robomaker_deploy" / "emulator"

#: What a program that only runs the emulator must not pay for.
FORBIDDEN = (
    "robomaker_deploy._client",
    "robomaker_deploy._transport",
    "robomaker_deploy._pagination",
    "robomaker_deploy._waiters",
    # The package's plain data (events, checkpoints, policies) loads with it; the watches do not.
    "robomaker_deploy._waiting.watch",
    "robomaker_deploy._waiting.source",
    "robomaker_deploy._waiting.stream",
    "robomaker_deploy._rollout",
    "robomaker_deploy._cli",
    "aiobotocore",
    "click",
    "rich",
)

_PROGRAM = """
import asyncio, json, sys

import robomaker_deploy.emulator
from robomaker_deploy.emulator import Emulator

async def main() -> None:
    async with Emulator() as emu:
        emu.call("CreateFleet", {"name": "f"})

asyncio.run(main())
print(json.dumps(sorted(sys.modules)))
"""


def test_running_the_emulator_loads_none_of_the_sdk() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _PROGRAM], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    loaded = json.loads(out)
    found = [m for m in loaded if any(m == name or m.startswith(f"{name}.") for name in FORBIDDEN)]
    assert found == []
    assert "robomaker_deploy.emulator._server" in loaded  # the program did run the emulator


def test_the_emulator_imports_from_the_package_only_the_wire_layer_and_the_enums() -> None:
    """Statically, too: a module-level import of the SDK would break the rule on some other path."""
    allowed = ("_wire", "_enums")
    found = []
    for path in sorted(EMULATOR.glob("*.py")):
        if path.name == "__main__.py":  # `python -m robomaker_deploy.emulator` is the CLI's entry point
            continue
        for node in ast.parse(path.read_text()).body:  # module level; TYPE_CHECKING blocks are not
            if isinstance(node, ast.ImportFrom) and node.level == 2:
                module = (node.module or "").split(".")[0]
                if module not in allowed:
                    found.append(f"{path.name}: from ..{node.module} import ...")
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names = (
                    [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                )
                found += [f"{path.name}: {n}" for n in names if n.startswith("robomaker_deploy")]
    assert found == []


def test_the_service_answers_exactly_the_models_operations() -> None:
    service = Service(Store(), region="us-east-1", account_id="123456789012", speed=1.0)
    assert service.operations == frozenset(service_model().operation_names)
