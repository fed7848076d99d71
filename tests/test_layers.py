"""The package's layers point one way: no import cycle, and docs/architecture.md's layer table is the graph.

The graph is read from the source (``tests/support/imports.py``): module-level
and function-level imports, not those under ``TYPE_CHECKING``, plus the names
the package's ``__init__`` loads on first use.
"""

from __future__ import annotations

import re
from pathlib import Path

import robomaker_deploy
from tests.support.imports import ROOT, cycles, graph, layers

DOC = Path(__file__).parents[1] / "docs" / "architecture.md"


def _graph() -> dict[str, set[str]]:
    edges = graph()
    # What __init__ imports on first use (PEP 562) is an import too, made through importlib.
    edges[ROOT] |= {f"{ROOT}.{module}" for module in robomaker_deploy._LAZY}
    return edges


def test_the_package_has_no_import_cycle() -> None:
    assert cycles(_graph()) == []


def test_the_cycle_finder_finds_cycles() -> None:
    # The test above is only as good as this: a cycle through three modules, and one of two, are found.
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"e"}, "e": {"d", "a"}, "f": set()}
    assert sorted(cycles(edges)) == [["a", "b", "c"], ["d", "e"]]


def _table() -> list[tuple[str, set[str]]]:
    """The rows of the layer table: each layer, and the layers it imports, in the order written."""
    text = DOC.read_text()
    section = text.split("## The layers", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0].startswith("`"):
            continue
        rows.append((cells[0].strip("`"), set(re.findall(r"`([\w.]+)`", cells[2]))))
    return rows


def test_the_documented_layers_are_the_import_graph() -> None:
    table = _table()
    assert dict(table) == layers(_graph())


def test_each_documented_layer_imports_only_layers_below_it() -> None:
    below: set[str] = set()
    for layer, imported in _table():
        assert imported <= below, (layer, imported - below)
        below.add(layer)
