"""What the wheel says about itself (one version, classifiers, URLs), and the downstream project's checks.

CI builds the wheel and checks it installed alone (``make downstream``);
these run in the development venv, so ``make test`` catches the same
mistakes early.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from importlib.metadata import metadata, version
from pathlib import Path

import robomaker_deploy

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = (ROOT / "pyproject.toml").read_text()
#: What the package says about itself, as installed (from pyproject.toml, built by hatch).
METADATA = metadata("robomaker-deploy")
DOWNSTREAM = ROOT / "downstream"


def test_the_version_is_written_once() -> None:
    project = PYPROJECT.split("\n[project]\n", 1)[1].split("\n[", 1)[0]
    assert not re.search(r"^version\s*=", project, re.MULTILINE)
    assert 'dynamic = ["version"]' in project
    assert '[tool.hatch.version]\npath = "robomaker_deploy/__init__.py"' in PYPROJECT
    assert version("robomaker-deploy") == robomaker_deploy.__version__
    assigned = [
        node
        for node in ast.parse((ROOT / "robomaker_deploy" / "__init__.py").read_text()).body
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__version__" for t in node.targets)
    ]
    assert len(assigned) == 1


def test_the_classifiers_say_what_the_package_is_for() -> None:
    classifiers = set(METADATA.get_all("Classifier") or [])
    wanted = {
        "Typing :: Typed",
        "Framework :: AsyncIO",
        "Framework :: Trio",
        "Operating System :: OS Independent",
        *(f"Programming Language :: Python :: 3.{minor}" for minor in (10, 11, 12, 13)),
    }
    assert wanted <= classifiers
    # The license is an SPDX expression (PEP 639), which replaces the License :: classifiers.
    assert METADATA["License-Expression"] == "Apache-2.0"
    assert not [c for c in classifiers if c.startswith("License ::")]


def test_the_project_urls_point_to_its_docs_and_issues() -> None:
    urls = dict(entry.split(", ", 1) for entry in METADATA.get_all("Project-URL") or [])
    assert {"Homepage", "Documentation", "Issues"} <= set(urls)
    assert all(url.startswith("https://") for url in urls.values())


def test_ci_checks_the_installed_wheel() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci and "make downstream" in ci
    makefile = (ROOT / "Makefile").read_text()
    assert "downstream/check dist/robomaker_deploy-*.whl" in makefile
    check = (DOWNSTREAM / "check").read_text()
    for step in ("check_install.py", "smoke.py", "--seed demo", "count_misuses.py", "--warn-unused-ignores"):
        assert step in check


def test_the_downstream_misuses_are_each_caught_or_marked() -> None:
    # Runs mypy --strict --warn-unused-ignores on downstream/misuse.py, as CI does on the wheel.
    proc = subprocess.run(
        [sys.executable, "count_misuses.py"], cwd=DOWNSTREAM, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("mypy --strict catches ")


def test_the_downstream_service_type_checks() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--warn-unused-ignores", "usage.py", "test_usage.py"],
        cwd=DOWNSTREAM,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
