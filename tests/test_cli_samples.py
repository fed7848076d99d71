"""The CLI guide's sample sessions and outputs are what the command line prints against the emulator.

A console block after the marker ``<!-- session -->`` in ``docs/guides/cli.md`` is run as a user
would type it: each ``$ robomaker-deploy ...`` command in order (``\\`` continues a line), against
one emulator, and the lines after a command are what it must print, exactly. A command shown
without output must succeed. The emulator's clock is manual, started at 1700000000 (2023-11-14)
and moved one second before each command, as by someone typing, so ARNs and job ids repeat from
run to run; ``export`` lines set what the test sets.

The world the emulator announces with ``--seed demo`` is checked the same way, and every ARN in
the docs, the README and the examples must have the shape the emulator (and the service) gives.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from robomaker_deploy.emulator import Emulator, serve
from tests.support.cli import Shell, shell_env

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "guides" / "cli.md"
MARKER = "<!-- session -->"
#: Where the samples' clock starts, in epoch seconds (their ARNs end in it, in milliseconds).
START = 1700000000.0
#: The endpoint the samples show; the test's emulator listens wherever it can.
SHOWN_URL = "http://127.0.0.1:4566"
ARN = re.compile(r"arn:aws:robomaker:[a-z0-9-]*:[0-9]*:[^\s\"'`)]+")
ARN_SHAPES = re.compile(
    r"arn:aws:robomaker:[a-z]+-[a-z]+-[0-9]:[0-9]{12}:"
    r"((deployment-fleet|robot|robot-application)/[A-Za-z0-9_-]+/[0-9]{13}|deployment-job/deployment-[a-z0-9]{12})"
)


@attrs.frozen
class Step:
    command: str
    output: tuple[str, ...]


def _blocks(text: str) -> Iterator[list[str]]:
    """The lines of each fenced block that follows the marker."""
    for part in text.split(MARKER)[1:]:
        body = part.split("```", 2)[1]
        yield body.split("\n", 1)[1].rstrip("\n").split("\n")


def _steps(lines: list[str]) -> list[Step]:
    steps: list[Step] = []
    command: list[str] = []
    output: list[str] = []
    for line in lines:
        if command and command[-1].endswith("\\"):
            command[-1] = command[-1][:-1]
            command.append(line.strip())
        elif line.startswith("$ "):
            if command:
                steps.append(Step(" ".join(command), tuple(output)))
            command, output = [line[2:]], []
        else:
            output.append(line)
    if command:
        steps.append(Step(" ".join(command), tuple(output)))
    return steps


@pytest.fixture
def frozen_emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    with contextlib.ExitStack() as stack:
        # A manual clock stands still where the wall clock was when it started: start it at START.
        with monkeypatch.context() as patch:
            patch.setattr("robomaker_deploy.emulator._clock.time.time", lambda: START)
            emulator = stack.enter_context(Emulator(clock="manual", seed=1, speed=100).run_in_background())
        yield emulator


def test_the_guide_has_sessions() -> None:
    sessions = list(_blocks(GUIDE.read_text()))
    assert sessions
    assert all(any(step.output for step in _steps(lines)) for lines in sessions)


def test_the_sessions_print_what_the_guide_shows(frozen_emulator: Emulator, tmp_path: Path) -> None:
    env = shell_env(frozen_emulator, tmp_path)
    shell = Shell(env)
    for lines in _blocks(GUIDE.read_text()):
        for step in _steps(lines):
            words = shlex.split(step.command)
            if words[0] == "export":
                for assignment in words[1:]:
                    name, _, value = assignment.partition("=")
                    shown = {**env, "AWS_ENDPOINT_URL": SHOWN_URL}
                    assert name in shown and value == shown[name], assignment
                continue
            assert words[0] == "robomaker-deploy", step.command
            frozen_emulator.advance_clock(1.0)
            result = shell.run(*words[1:])
            assert result.exit_code == 0, f"$ {step.command}\n{result.output}"
            if step.output:
                printed = tuple(result.stdout.rstrip("\n").split("\n"))
                assert printed == step.output, f"$ {step.command}\nprints:\n{result.stdout}"


def test_the_demo_world_is_announced_as_the_guide_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    text = GUIDE.read_text()
    shown = text.split(
        "a `deploy:` line that deploys the first application's last version to the first fleet:"
    )[1]
    expected = shown.split("```text\n", 1)[1].split("```", 1)[0].rstrip("\n").split("\n")

    async def announced() -> list[str]:
        lines: list[str] = []
        stop = asyncio.Event()

        def announce(line: str) -> None:
            lines.append(line)
            if line.lstrip().startswith("(sign with"):  # the last line: everything is announced
                stop.set()

        await serve(port=0, seed="demo", clock="manual", announce=announce, stop=stop)
        return lines

    monkeypatch.setattr("robomaker_deploy.emulator._clock.time.time", lambda: START)
    lines = asyncio.run(announced())
    url = lines[0]
    assert [line.replace(url, SHOWN_URL) for line in lines] == expected


def test_every_arn_in_the_docs_has_the_services_shape() -> None:
    files = [ROOT / "README.md", *(ROOT / "docs").rglob("*.md"), *(ROOT / "examples").rglob("*.py")]
    wrong = [
        f"{path.relative_to(ROOT)}: {arn}"
        for path in files
        for arn in ARN.findall(path.read_text())
        if not ARN_SHAPES.fullmatch(arn.rstrip(".,:;"))
    ]
    assert not wrong
