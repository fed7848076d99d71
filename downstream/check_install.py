"""Check what the wheel installed, in the environment that runs this: files, entry points, nothing more.

    python check_install.py

Run in a fresh venv holding only the wheel and its dependencies, no extras
(before any tool is added): the package must come from site-packages (not an
editable checkout), carry ``py.typed``, its service model and its license,
declare the console script and the pytest plugin, give its version from one
place, and run without any development tool installed. It is the slim
install a service gets: click and rich (the ``cli`` extra) are absent, and
every module outside the command line imports without them.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import pkgutil
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
#: The cli extra, which an install without extras does not bring either.
CLI_ONLY = ("click", "rich")
#: Modules that are the command line, or that need an extra or a tool to import at all.
NEEDS_MORE = {
    "robomaker_deploy._cli": "the command line (cli extra)",
    "robomaker_deploy.__main__": "the command line (cli extra)",
    "robomaker_deploy.emulator.__main__": "the command line (cli extra)",
    "robomaker_deploy.pytest_plugin": "pytest (test_usage.py loads it once pytest is installed)",
    "robomaker_deploy.dbos": "DBOS Transact (dbos extra)",
    "robomaker_deploy._rollout.dbos": "DBOS Transact (dbos extra)",
}


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
    license_file = f"robomaker_deploy-{dist.version}.dist-info/licenses/LICENSE"
    if license_file not in listed or "Apache License" not in (dist.read_text("licenses/LICENSE") or ""):
        found.append("the wheel does not carry the Apache-2.0 LICENSE")
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
    for module in (*DEV_ONLY, *CLI_ONLY):
        if importlib.util.find_spec(module) is not None:
            found.append(f"{module} is installed: the check must run on the wheel alone, without extras")
    found.extend(_unimportable(package))
    found.extend(_extra_named("robomaker_deploy.dbos", "robomaker-deploy[dbos]"))
    return found


def _extra_named(module: str, install: str) -> list[str]:
    """A module that needs an extra says which one, rather than failing on a missing import."""
    try:
        importlib.import_module(module)
    except ImportError as error:
        if install in str(error):
            return []
        return [f"{module} without its extra fails without naming {install!r}: {error!r}"]
    return [f"{module} imports without its extra: the check must run on the wheel alone"]


def _unimportable(package: Path) -> list[str]:
    """Every module outside the command line that fails to import, or that loads click or rich."""
    found = []
    for module in pkgutil.walk_packages([str(package)], "robomaker_deploy."):
        if any(module.name == name or module.name.startswith(name + ".") for name in NEEDS_MORE):
            continue
        try:
            importlib.import_module(module.name)
        except Exception as error:
            found.append(f"{module.name} does not import without the extras: {error!r}")
    for name in CLI_ONLY:
        if name in sys.modules:
            found.append(f"importing the package's modules loaded {name}")
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
