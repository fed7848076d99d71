"""Check what the wheel installed, in the environment that runs this: files, entry points, nothing more.

    python check_install.py

Run in a fresh venv holding only the wheel and its dependencies (before any
tool is added): the package must come from site-packages (not an editable
checkout), carry ``py.typed`` and its service model, declare the console
script and the pytest plugin, give its version from one place, and run
without any development tool installed.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from importlib.metadata import distribution, entry_points
from pathlib import Path

import robomaker_deploy

SHIPPED = (
    "robomaker_deploy/py.typed",
    "robomaker_deploy/data/robomaker/2018-06-29/service-2.json",
    "robomaker_deploy/data/robomaker/2018-06-29/paginators-1.json",
    "robomaker_deploy/data/robomaker/2018-06-29/endpoint-rule-set-1.json",
)
ENTRY_POINTS = {
    ("console_scripts", "robomaker-deploy"): "robomaker_deploy._cli:main",
    ("pytest11", "robomaker_deploy"): "robomaker_deploy.pytest_plugin",
}
#: The development extras, none of which a user's install brings.
DEV_ONLY = ("pytest", "mypy", "hypothesis", "mkdocs")


def problems() -> list[str]:
    """Everything wrong with the installed package, as sentences."""
    found = []
    dist = distribution("robomaker-deploy")
    direct = dist.read_text("direct_url.json")
    if direct and json.loads(direct).get("dir_info", {}).get("editable"):
        found.append("installed editable, not from the wheel")
    package = Path(robomaker_deploy.__file__).resolve().parent
    if "site-packages" not in package.parts:
        found.append(f"imported from {package}, not from site-packages")
    listed = {str(file) for file in dist.files or ()}
    for name in SHIPPED:
        if name not in listed or not (package.parent / name).is_file():
            found.append(f"{name} is not in the wheel")
    for (group, name), value in ENTRY_POINTS.items():
        points = entry_points(group=group, name=name)
        if [point.value for point in points] != [value]:
            found.append(f"entry point {group}:{name} is {[p.value for p in points]}, not {value!r}")
        elif group == "console_scripts":
            points[name].load()  # the plugin needs pytest, not installed yet: test_usage.py loads it later
    if dist.version != robomaker_deploy.__version__:
        found.append(f"the wheel says version {dist.version}, the package {robomaker_deploy.__version__}")
    if "Typing :: Typed" not in (dist.metadata.get_all("Classifier") or []):
        found.append("the wheel lacks the Typing :: Typed classifier")
    for module in DEV_ONLY:
        if importlib.util.find_spec(module) is not None:
            found.append(f"{module} is installed: the check must run before any development tool")
    return found


def main() -> int:
    found = problems()
    for problem in found:
        print(f"check_install: {problem}", file=sys.stderr)
    if not found:
        print(f"check_install: robomaker-deploy {robomaker_deploy.__version__} from the wheel: complete")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
