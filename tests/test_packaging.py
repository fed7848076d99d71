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


def test_the_license_is_apache_2_and_ships() -> None:
    text = (ROOT / "LICENSE").read_text()
    assert text.lstrip().startswith("Apache License\n                           Version 2.0, January 2004")
    assert "END OF TERMS AND CONDITIONS" in text
    # The installed metadata names the file (PEP 639), so the wheel and the sdist carry it.
    assert METADATA.get_all("License-File") == ["LICENSE"]


def test_the_changelog_starts_at_the_current_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text()
    versions = re.findall(r"^## \[([^\]]+)\]", changelog, re.MULTILINE)
    assert versions[:2] == ["Unreleased", robomaker_deploy.__version__]
    assert f"[{robomaker_deploy.__version__}]: https://" in changelog


def test_the_cli_is_an_extra_that_dev_keeps() -> None:
    extras: dict[str, set[str]] = {}
    for requirement in METADATA.get_all("Requires-Dist") or []:
        name = re.match(r"[A-Za-z0-9_.-]+", requirement)
        extra = re.search(r"extra == ['\"]([^'\"]+)['\"]", requirement)
        assert name is not None
        extras.setdefault(extra[1] if extra else "", set()).add(name[0])
    assert not {"click", "rich"} & extras[""]
    assert {"click", "rich"} <= extras["cli"]
    assert {"click", "rich"} <= extras["dev"]


def test_make_wheel_needs_no_development_venv() -> None:
    makefile = (ROOT / "Makefile").read_text()
    rule = re.search(r"^wheel:(.*)$", makefile, re.MULTILINE)
    assert rule is not None and "$(STAMP)" not in rule[1]
    recipe = makefile[rule.end() :].split("\n\n", 1)[0]
    assert "-m build" in recipe and "$(BIN)" not in recipe
    check = re.search(r"^check:(.*)$", makefile, re.MULTILINE)
    assert check is not None and {"lint-workflows", "check-dist"} <= set(check[1].split())


def test_without_click_or_rich_the_command_says_what_to_install() -> None:
    for blocked in ("click", "rich"):
        for run in ("robomaker_deploy", "robomaker_deploy.emulator"):
            # A module set to None in sys.modules cannot be imported, as if it were not installed.
            program = (
                f"import runpy, sys; sys.modules[{blocked!r}] = None;"
                f" runpy.run_module({run!r}, run_name='__main__')"
            )
            command = [sys.executable, "-c", program, "--help"]
            proc = subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)
            assert proc.returncode == 2, proc.stderr
            assert proc.stdout == ""
            assert proc.stderr.count("\n") == 1
            assert "pip install 'robomaker-deploy[cli]'" in proc.stderr
