"""The documentation cannot rot: every code sample in docs/ and the README is type-checked or run.

* Every ```python block is a complete module; all of them are type-checked with
  mypy --strict (the project's configuration).
* A block that starts the emulator and runs an event loop at module level
  (``anyio.run``, ``trio.run``...) is executed.
* A block that defines pytest tests is run with pytest (the emulator fixture
  comes from the installed plugin).
* Every ``$ robomaker-deploy ...`` line in a console block must parse: its
  subcommand and options exist.
* The failure-code table is generated from ``FailureCode`` by a mkdocs hook.
"""

from __future__ import annotations

import importlib.util
import re
import shlex
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import attrs
import click
import pytest
from mypy import api as mypy_api

from robomaker_deploy import FailureCode
from robomaker_deploy._cli import main

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([*ROOT.joinpath("docs").rglob("*.md"), ROOT / "README.md"])
_FENCE = re.compile(r"^```(\w+)[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
_RUNS_AT_TOP_LEVEL = re.compile(r"^(anyio|trio|asyncio)\.run\(|^with .*run_in_background\(\)", re.MULTILINE)


@attrs.frozen
class Sample:
    page: Path
    index: int
    language: str
    code: str

    @property
    def name(self) -> str:
        stem = re.sub(r"\W", "_", str(self.page.relative_to(ROOT).with_suffix("")))
        return f"sample_{stem}_{self.index}"


def _samples(language: str) -> list[Sample]:
    found = []
    for page in PAGES:
        for index, match in enumerate(_FENCE.finditer(page.read_text())):
            if match.group(1) == language:
                found.append(Sample(page, index, language, match.group(2)))
    return found


PYTHON = _samples("python")
RUNNABLE = [s for s in PYTHON if _RUNS_AT_TOP_LEVEL.search(s.code) and "Emulator" in s.code]
TESTS = [s for s in PYTHON if re.search(r"^async def test_|^def test_", s.code, re.MULTILINE)]


def test_there_are_samples_of_every_kind() -> None:
    assert len(PYTHON) >= 15
    assert len(RUNNABLE) >= 4
    assert len(TESTS) >= 2


@pytest.mark.slow
def test_every_python_sample_type_checks(tmp_path: Path) -> None:
    files = []
    for sample in PYTHON:
        path = tmp_path / f"{sample.name}.py"
        path.write_text(sample.code)
        files.append(str(path))
    stdout, stderr, status = mypy_api.run(
        [
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--no-error-summary",
            "--cache-dir",
            str(tmp_path / ".mypy"),
            *files,
        ]
    )
    assert status == 0, stdout + stderr


@pytest.mark.parametrize("sample", RUNNABLE, ids=lambda s: s.name)
def test_runnable_samples_run(sample: Sample, capsys: pytest.CaptureFixture[str]) -> None:
    code = compile(sample.code, f"{sample.page.name}[{sample.index}]", "exec")
    exec(code, {"__name__": "__main__"})


def test_pytest_samples_pass(tmp_path: Path) -> None:
    for sample in TESTS:
        (tmp_path / f"test_{sample.name}.py").write_text(sample.code)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "asyncio_mode=strict",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{len(TESTS)} passed" in proc.stdout


def _command_lines() -> list[tuple[str, str]]:
    lines = []
    for sample in _samples("console"):
        text = sample.code.replace("\\\n", " ")
        for line in text.splitlines():
            line = line.strip()
            if line.startswith("$ robomaker-deploy"):
                command = line[2:].split("#", 1)[0].strip().rstrip("&").strip()
                lines.append((sample.name, command))
    return lines


COMMANDS = _command_lines()


def _leaves(group: click.Group, path: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    """Every command under ``group``, by its path of names (``("fleet", "create")``)."""
    found: set[tuple[str, ...]] = set()
    for name, sub in group.commands.items():
        found |= _leaves(sub, (*path, name)) if isinstance(sub, click.Group) else {(*path, name)}
    return found


def _parse(command: str) -> tuple[str, ...]:
    """Parse a documented command line down to its command (groups included); the path of names.

    Raises on an unknown command or option, or a bad value.
    """
    args = shlex.split(command)[1:]
    ctx = main.make_context("robomaker-deploy", list(args))
    path: tuple[str, ...] = ()
    group: click.Group = main
    with ctx:
        while True:
            name, sub, rest = group.resolve_command(ctx, ctx._protected_args + ctx.args)
            assert sub is not None and name is not None, command
            path = (*path, name)
            ctx = sub.make_context(name, rest, parent=ctx)  # raises on an unknown option or a bad value
            if not isinstance(sub, click.Group):
                return path
            group = sub


def test_the_cli_guide_shows_every_subcommand(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_TOKEN", "from-the-environment")
    shown = {_parse(command) for _, command in COMMANDS if "--help" not in shlex.split(command)}
    assert _leaves(main) <= shown, _leaves(main) - shown


@pytest.mark.parametrize(("where", "command"), COMMANDS)
def test_documented_command_lines_parse(where: str, command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_TOKEN", "from-the-environment")  # the guide's `-e API_TOKEN`
    if "--help" not in shlex.split(command):
        _parse(command)


def _hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "failure_codes_hook", ROOT / "docs" / "_hooks" / "failure_codes.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_failure_code_table_lists_every_code_from_the_taxonomy() -> None:
    hook = _hook()
    page = ROOT / "docs" / "guides" / "errors.md"
    markdown = page.read_text()
    assert hook.MARKER in markdown
    rendered = hook.on_page_markdown(markdown, page=None, config=None, files=None)
    table = rendered.split("### All failure codes", 1)[1]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert len(rows) == len(list(FailureCode)) == 24
    for code, row in zip(FailureCode, rows, strict=True):
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert cells == [
            f"`{code.value}`",
            code.description,
            code.category.value,
            "yes" if code.retryable else "no",
        ]


def test_every_public_name_is_in_the_api_reference() -> None:
    import robomaker_deploy

    reference = (Path(__file__).parent.parent / "docs" / "reference.md").read_text()
    missing = [
        name
        for name in robomaker_deploy.__all__
        if not name.startswith("__") and f"::: robomaker_deploy.{name}\n" not in reference
    ]
    assert not missing
