"""The package's import graph, read from its source: which module imports which, and on what terms.

Every ``import`` and ``from ... import`` of a package module counts, at module
level and inside functions alike (a function-level import is still an
arrow: it only moves when the cycle bites); those under ``if TYPE_CHECKING:``
do not, since they never run. ``from pkg import name`` points at the module
``pkg.name`` when there is one, else at ``pkg`` itself.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import robomaker_deploy

PACKAGE = Path(robomaker_deploy.__file__).parent
ROOT = "robomaker_deploy"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    """Every module of the package, by dotted name."""
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _nodes(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node under ``body`` but those in ``if TYPE_CHECKING:`` blocks (their ``else`` counts)."""
    for node in body:
        if isinstance(node, ast.If) and _type_checking(node):
            yield from _nodes(node.orelse)
            continue
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                yield from _nodes([child])
            else:
                yield from ast.walk(child)


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The package modules ``name`` (at ``path``) imports when its code runs."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _nodes(ast.parse(path.read_text()).body):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith(ROOT))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if not target.startswith(ROOT):
                continue
            for alias in node.names:
                found.add(f"{target}.{alias.name}" if f"{target}.{alias.name}" in known else target)
    found.discard(name)
    return found


def graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports."""
    every = modules()
    known = set(every)
    return {name: imports(name, path, known) for name, path in every.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan's algorithm), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def layer(module: str) -> str:
    """The layer a module belongs to: its first name under the package (``_waiting``, ``_models``...)."""
    parts = module.split(".")
    if parts[-1] == "__main__":  # an entry point (``python -m ...``), above everything
        return "__main__"
    return parts[1] if len(parts) > 1 else "__init__"


def layers(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    """Layer -> the other layers its modules import."""
    result: dict[str, set[str]] = {}
    for source, targets in edges.items():
        mine = layer(source)
        result.setdefault(mine, set()).update(layer(t) for t in targets if layer(t) != mine)
    return result
