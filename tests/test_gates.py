"""Gates: each kind checked before it runs, and every way a gate can end read as what it was.

Programs here are real processes (the test's own Python), the HTTP gate asks a
real server on 127.0.0.1. Timeouts are short and the assertions are on the
verdict, never on how long anything took.
"""

from __future__ import annotations

import contextlib
import json
import signal
import socket
import sys
import threading
import tracemalloc
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import anyio
import pytest
import trio

from robomaker_deploy import (
    Architecture,
    CallableGate,
    CommandGate,
    DeploymentApplicationConfig,
    DeploymentClient,
    HttpGate,
    LaunchConfig,
    RolloutPlan,
    Stage,
    StageReport,
    ValidationError,
)
from robomaker_deploy._rollout.gates import OUTPUT_LIMIT, gate_problems, run_gate
from robomaker_deploy.emulator import Emulator
from tests.support.processes import FAMILY, dead
from tests.support.world import make_application, make_fleet

PY = sys.executable
FLEET = "arn:aws:robomaker:us-east-1:123456789012:deployment-fleet/canary/1700000000000"
SECRET = "hunter2-do-not-leak"
STAGE = StageReport(
    fleet=FLEET,
    name="canary",
    previous=(
        DeploymentApplicationConfig(
            application="arn:aws:robomaker:us-east-1:123456789012:robot-application/app/1",
            application_version="1",
            launch_config=LaunchConfig(
                package_name="p", launch_file="l.launch", environment_variables={"TOKEN": SECRET}
            ),
        ),
    ),
)
#: Never ends by itself.
FOREVER = [PY, "-c", "import time\nwhile True: time.sleep(60)"]


def python_gate(code: str, timeout: float | None = None) -> CommandGate:
    return CommandGate(argv=[PY, "-c", code], timeout=timeout)


async def eventually_dead(*pids: int) -> bool:
    # SIGKILL is delivered at once, but a process takes a moment to finish dying: poll (bounded).
    for _ in range(400):
        if all(dead(pid) for pid in pids):
            return True
        await anyio.sleep(0.025)
    return False


# -- what is refused before anything runs -----------------------------------------------------------


def test_a_command_is_a_list_of_strings_naming_a_program() -> None:
    with pytest.raises(TypeError, match=r"CommandGate\.argv must be a list of strings"):
        CommandGate(argv="./check.sh --strict")  # a str is a sequence of strings, but not an argv
    with pytest.raises(TypeError, match=r"CommandGate\.argv must hold strings only"):
        CommandGate(argv=["./check.sh", 3])  # type: ignore[list-item]
    with pytest.raises(ValidationError) as caught:
        CommandGate(argv=[], timeout=-1)
    assert caught.value.problems == (
        "timeout=-1: must be a finite number of seconds from more than 0 to 86400 (1 day)",
        "argv=[]: must name a program to run, then its arguments",
    )
    assert str(caught.value) == "; ".join(caught.value.problems)


def test_gate_problems_finds_a_missing_or_unrunnable_program(tmp_path: Path) -> None:
    assert gate_problems(CommandGate(argv=[PY, "-V"])) == []
    assert gate_problems(CommandGate(argv=["python3", "-V"])) == []  # looked up on PATH
    (missing,) = gate_problems(CommandGate(argv=[str(tmp_path / "nope.sh")]))
    assert "no such file" in missing and missing.startswith("gate.command[0]=")
    (unknown,) = gate_problems(CommandGate(argv=["no-such-program-anywhere"]))
    assert "not found on PATH" in unknown
    script = tmp_path / "check.sh"
    script.write_text("#!/bin/sh\nexit 0\n")
    (plain,) = gate_problems(CommandGate(argv=[str(script)]))
    assert "not an executable file" in plain
    script.chmod(0o755)
    assert gate_problems(CommandGate(argv=[str(script)])) == []


def test_a_callable_gate_must_be_async() -> None:
    def sync_gate(stage: StageReport) -> bool:
        return True

    with pytest.raises(TypeError, match=r"CallableGate\.func must be an async function"):
        CallableGate(func=sync_gate)  # type: ignore[arg-type]

    class Checker:
        async def __call__(self, stage: StageReport) -> bool:
            return True

    CallableGate(func=Checker())  # an object with an async __call__ is an async callable


def test_an_http_gate_needs_an_http_url_and_a_status() -> None:
    with pytest.raises(ValidationError) as caught:
        HttpGate(url="ftp://example.com/health", expect_status=42)
    assert [p.split("=")[0] for p in caught.value.problems] == ["url", "expect_status"]
    with pytest.raises(TypeError, match=r"HttpGate\.expect_status must be an int"):
        HttpGate(url="http://127.0.0.1/", expect_status="200")  # type: ignore[arg-type]


# -- programs ---------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_program_passes_refuses_and_reads_the_report_with_secrets_masked() -> None:
    echo = "import sys\nsys.stdout.write(sys.stdin.read())\nsys.exit(int(sys.argv[1]))"
    passed = await run_gate(CommandGate(argv=[PY, "-c", echo, "0"]), STAGE, timeout=30)
    assert passed.passed and passed.exit_code == 0
    report = json.loads(passed.output)
    assert report["name"] == "canary" and report["fleet"] == FLEET
    assert report["previous"][0]["launch_config"]["environment_variables"] == {"TOKEN": "***"}
    assert SECRET not in passed.output
    refused = await run_gate(CommandGate(argv=[PY, "-c", echo, "3"]), STAGE, timeout=30)
    assert (refused.verdict, refused.exit_code, refused.passed) == ("refused", 3, False)


@pytest.mark.anyio
async def test_a_program_that_hangs_is_killed_at_its_timeout() -> None:
    result = await run_gate(CommandGate(argv=FOREVER), STAGE, timeout=0.2)
    assert result.verdict == "timed_out" and not result.passed
    assert "0.2s" in result.detail
    # The gate's own timeout wins over the plan's.
    own = await run_gate(CommandGate(argv=FOREVER, timeout=0.1), STAGE, timeout=3600)
    assert own.verdict == "timed_out" and "0.1s" in own.detail


@pytest.mark.anyio
async def test_a_program_that_ignores_sigterm_gets_sigkill() -> None:
    code = "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nprint('up', flush=True)\n"
    code += "while True: time.sleep(60)"
    result = await run_gate(python_gate(code), STAGE, timeout=0.5)
    assert result.verdict == "timed_out"


@pytest.mark.anyio
async def test_a_program_killed_by_a_signal_reads_as_killed_not_refused() -> None:
    code = "import os, signal\nprint('dying', flush=True)\nos.kill(os.getpid(), signal.SIGTERM)"
    result = await run_gate(python_gate(code), STAGE, timeout=30)
    assert (result.verdict, result.signal, result.exit_code) == ("killed", signal.SIGTERM, None)
    assert "killed by signal 15 (SIGTERM)" in result.detail and "dying" in result.output


@pytest.mark.anyio
async def test_a_missing_or_unrunnable_program_could_not_run(tmp_path: Path) -> None:
    missing = await run_gate(CommandGate(argv=[str(tmp_path / "nope")]), STAGE, timeout=30)
    assert missing.verdict == "could_not_run" and "No such file" in missing.detail
    script = tmp_path / "check.sh"
    script.write_text("#!/bin/sh\nexit 0\n")
    denied = await run_gate(CommandGate(argv=[str(script)]), STAGE, timeout=30)
    assert denied.verdict == "could_not_run" and "Permission denied" in denied.detail


@pytest.mark.anyio
async def test_100_mb_of_output_keeps_the_last_64_kib_in_bounded_memory(
    capfd: pytest.CaptureFixture[str],
) -> None:
    code = (
        "import sys\nchunk = b'x' * (1 << 20)\n"
        "for i in range(50):\n    sys.stdout.buffer.write(chunk); sys.stderr.buffer.write(chunk)\n"
        "sys.stdout.buffer.write(b'\\nthe end\\n')"
    )
    tracemalloc.start()
    try:
        result = await run_gate(python_gate(code), STAGE, timeout=120)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.passed
    assert result.output.endswith("the end\n")
    head, _, kept = result.output.partition("\n")
    dropped = 100 * (1 << 20) + len("\nthe end\n") - OUTPUT_LIMIT
    assert head == f"[{dropped} earlier bytes dropped]"
    assert len(kept.encode()) == OUTPUT_LIMIT - len(head) - 1 or len(kept.encode()) <= OUTPUT_LIMIT
    assert peak < 8 * (1 << 20), peak  # 100 MB went through; a few times 64 KiB stayed
    out, err = capfd.readouterr()
    assert "the end" not in out and "xxxx" not in out and "xxxx" not in err  # nothing reached our stdout


async def family_pids(path: Path) -> list[int]:
    for _ in range(800):
        if await anyio.Path(path).exists() and len(text := (await anyio.Path(path).read_text()).split()) == 2:
            return [int(pid) for pid in text]
        await anyio.sleep(0.025)
    raise AssertionError("the gate did not start its grandchild")


@pytest.mark.anyio
async def test_a_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    # The timeout must fall after the grandchild started: on a loaded machine that may take a while,
    # so a longer one is tried when it fell before (the verdict is the same either way).
    for seconds in (1, 4, 16, 64):
        await anyio.Path(pids).unlink(missing_ok=True)
        result = await run_gate(CommandGate(argv=[PY, "-c", FAMILY, str(pids)]), STAGE, timeout=seconds)
        assert result.verdict == "timed_out"
        if await anyio.Path(pids).exists() and len((await anyio.Path(pids).read_text()).split()) == 2:
            break
    assert await eventually_dead(*await family_pids(pids))


@pytest.mark.anyio
async def test_cancelling_kills_the_whole_process_group_and_is_not_swallowed(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    results = []

    async def ask() -> None:
        results.append(await run_gate(CommandGate(argv=[PY, "-c", FAMILY, str(pids)]), STAGE, timeout=3600))

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(ask)
        family = await family_pids(pids)
        tasks.cancel_scope.cancel()
    assert results == []  # the cancellation went on; no verdict was made up
    assert all(dead(pid) for pid in family[:1])  # the gate itself was reaped before run_gate returned
    assert await eventually_dead(*family)


@pytest.mark.anyio
async def test_a_program_that_leaves_a_child_behind_has_it_killed(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    code = FAMILY.rsplit("\n", 1)[0] + "\nsys.exit(0)"  # exits at once, its child still running
    result = await run_gate(CommandGate(argv=[PY, "-c", code, str(pids)]), STAGE, timeout=30)
    assert result.passed
    assert await eventually_dead(*await family_pids(pids))


# -- Python callables --------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_callable_that_raises_hangs_or_answers_nonsense_does_not_pass() -> None:
    async def boom(stage: StageReport) -> bool:
        raise RuntimeError("metrics backend down")

    async def hang(stage: StageReport) -> bool:
        await anyio.sleep_forever()
        return True

    async def vague(stage: StageReport) -> bool:
        return None  # type: ignore[return-value]

    async def fine(stage: StageReport) -> bool:
        return stage.name == "canary"

    raised = await run_gate(CallableGate(func=boom), STAGE, timeout=30)
    assert raised.verdict == "could_not_run" and raised.detail == "raised RuntimeError: metrics backend down"
    assert (await run_gate(CallableGate(func=hang), STAGE, timeout=0.05)).verdict == "timed_out"
    assert (await run_gate(CallableGate(func=vague), STAGE, timeout=30)).verdict == "could_not_run"
    assert (await run_gate(CallableGate(func=fine), STAGE, timeout=30)).passed


# -- HTTP ---------------------------------------------------------------------------------------------


class _Health(BaseHTTPRequestHandler):
    release = threading.Event()

    def do_GET(self) -> None:
        if self.path == "/slow":
            self.release.wait(30)
        status = {"/ok": 200, "/down": 503, "/moved": 302}.get(self.path, 200)
        body = b"y" * (10 << 20) if self.path == "/big" else f"status {status}".encode()
        self.send_response(status)
        if status == 302:
            self.send_header("Location", "/ok")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)  # the gate may hang up once it read what it keeps

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def health() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    server.daemon_threads = True
    _Health.release.clear()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    _Health.release.set()
    server.shutdown()
    server.server_close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def _http_verdicts(base: str) -> None:
    ok = await run_gate(HttpGate(url=f"{base}/ok"), STAGE, timeout=30)
    assert (ok.verdict, ok.exit_code, ok.output) == ("passed", 200, "status 200")
    down = await run_gate(HttpGate(url=f"{base}/down"), STAGE, timeout=30)
    assert (down.verdict, down.exit_code) == ("refused", 503) and "expected 200" in down.detail
    maintenance = await run_gate(HttpGate(url=f"{base}/down", expect_status=503), STAGE, timeout=30)
    assert maintenance.passed
    moved = await run_gate(HttpGate(url=f"{base}/moved"), STAGE, timeout=30)
    assert (moved.verdict, moved.exit_code) == ("refused", 302)  # not followed
    big = await run_gate(HttpGate(url=f"{base}/big"), STAGE, timeout=30)
    assert big.passed and len(big.output) == OUTPUT_LIMIT
    slow = await run_gate(HttpGate(url=f"{base}/slow", timeout=0.2), STAGE, timeout=30)
    assert slow.verdict == "timed_out"
    gone = await run_gate(HttpGate(url=f"http://127.0.0.1:{closed_port()}/ok"), STAGE, timeout=30)
    assert gone.verdict == "could_not_run" and "cannot reach" in gone.detail


@pytest.mark.anyio
async def test_an_http_gate_on_asyncio(health: str) -> None:
    await _http_verdicts(health)


@pytest.mark.anyio
async def test_a_password_in_an_http_gates_url_is_never_shown(health: str) -> None:
    # A gate's result is kept in the report, the checkpoint and an engine's database, and printed.
    host = health.removeprefix("http://")
    gone = HttpGate(url=f"http://monitor:{SECRET}@127.0.0.1:{closed_port()}/ok")
    slow = HttpGate(url=f"http://monitor:{SECRET}@{host}/slow", timeout=0.2)
    for gate, verdict in ((gone, "could_not_run"), (slow, "timed_out")):
        result = await run_gate(gate, STAGE, timeout=30)
        assert result.verdict == verdict
        assert SECRET not in repr(result) and "monitor:***@" in result.detail
        assert SECRET not in repr(gate) and "monitor:***@" in repr(gate)
    with pytest.raises(ValidationError) as caught:
        HttpGate(url=f"ftp://monitor:{SECRET}@example.com/health")
    assert SECRET not in str(caught.value)


def test_an_http_gate_and_a_program_on_trio(health: str) -> None:
    async def main() -> None:
        await _http_verdicts(health)
        hung = await run_gate(CommandGate(argv=FOREVER), STAGE, timeout=0.2)
        assert hung.verdict == "timed_out"

    trio.run(main)


# -- before stage 1 ---------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_gate_that_cannot_run_is_refused_before_anything_deploys(
    robomaker_emulator_background: Emulator, any_client: DeploymentClient, tmp_path: Path
) -> None:
    robomaker_emulator, client = robomaker_emulator_background, any_client
    app, version = await make_application(client, name="app", architectures=[Architecture.X86_64])
    fleet, _ = await make_fleet(client, "canary", [{}])
    config = DeploymentApplicationConfig(
        application=app.arn,
        application_version=version.version,
        launch_config=LaunchConfig(package_name="p", launch_file="l.launch"),
    )
    gate = CommandGate(argv=[str(tmp_path / "check-metrics.sh")])
    plan = RolloutPlan(application_configs=[config], stages=[Stage(fleet=fleet.arn)], gate=gate)
    check = await client.check_rollout(plan)
    assert len(check.problems) == 1 and "check-metrics.sh': no such file" in check.problems[0]
    with pytest.raises(ValidationError) as caught:
        await client.rollout(plan).result()
    assert "check-metrics.sh': no such file" in str(caught.value)
    assert robomaker_emulator.stats()["calls"].get("CreateDeploymentJob", 0) == 0
