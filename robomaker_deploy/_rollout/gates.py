"""Gates: what decides, after a stage baked, whether the rollout goes on.

A gate is part of the plan, in one of three kinds: a program
(:class:`CommandGate`, given the stage's report as JSON on stdin; exit 0
goes on), an HTTP check (:class:`HttpGate`, a health or monitoring endpoint
answering the expected status goes on) or an async Python callable
(:class:`CallableGate`, ``True`` goes on). Each is checked when it is made
(types, an empty command, a URL that is not http(s)) and, before stage 1,
against the machine (:func:`gate_problems`: the program exists and is
executable).

:func:`run_gate` runs any of them the same way: within a timeout (the
gate's own, else the plan's ``gate_timeout``), keeping only the last
:data:`OUTPUT_LIMIT` bytes of what it printed (never printed itself: with
``--json`` the command line's stdout is the report and nothing else), and
answering with a :class:`GateResult` rather than an exception, so that a gate
that cannot run, raises or hangs stops the rollout like a refusal. A
program runs in a process group of its own, and the whole group (anything
it started included) is killed when it times out, when the rollout is
cancelled (Ctrl-C, SIGTERM) and when it exits leaving children behind.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import os
import shutil
import signal
import subprocess
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit, urlunsplit

import anyio
import attrs

from .rules import DAY, Problems, in_seconds, raise_problems, short, typed

if TYPE_CHECKING:
    from anyio.abc import Process

    from .report import StageReport

__all__ = [
    "DEFAULT_GATE_TIMEOUT",
    "OUTPUT_LIMIT",
    "CallableGate",
    "CommandGate",
    "Gate",
    "GateResult",
    "GateVerdict",
    "HttpGate",
    "gate_problems",
    "run_gate",
]

#: Seconds a gate may take when neither it nor the plan says otherwise.
DEFAULT_GATE_TIMEOUT = 300.0
#: The largest gate timeout (a gate answers a question; a day is already generous).
MAX_GATE_TIMEOUT = DAY
#: Bytes of a gate's output kept (the last ones: where a program says why it failed).
OUTPUT_LIMIT = 64 * 1024
#: Seconds a program is given to end after SIGTERM before its group gets SIGKILL, and that its
#: output is still read for once it ended.
_GRACE = 2.0


_gate_timeout = typed("a number of seconds", int, float, optional=True)


def _argv(value: Sequence[str]) -> tuple[str, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(
            "CommandGate.argv must be a list of strings, the program first (['./check.sh', '--strict']),"
            f" not {type(value).__name__}: {short(value)}"
        )
    if not all(isinstance(part, str) for part in value):
        raise TypeError(f"CommandGate.argv must hold strings only: {short(value)}")
    return tuple(value)


@attrs.frozen(kw_only=True)
class CommandGate:
    """A program asked after each stage: the stage's report as JSON on stdin, exit 0 to go on.

    ``argv`` is the program and its arguments, as a list (no shell is
    involved: ``["sh", "-c", "..."]`` if you need one). It runs in its own
    process group, with stdout and stderr captured together.
    """

    argv: tuple[str, ...] = attrs.field(converter=_argv)
    """The program (a path, or a name looked up on ``PATH``) and its arguments."""
    timeout: float | None = attrs.field(default=None, validator=_gate_timeout)
    """Seconds it may run (``None``: the plan's ``gate_timeout``)."""

    def __attrs_post_init__(self) -> None:
        problems: Problems = in_seconds("timeout", self.timeout, 0, MAX_GATE_TIMEOUT, low_open=True)
        if not self.argv or not self.argv[0]:
            problems.append(
                ("argv", short(list(self.argv)), "must name a program to run, then its arguments")
            )
        if any("\0" in part for part in self.argv):
            problems.append(("argv", short(list(self.argv)), "must not contain a NUL character"))
        raise_problems(problems)


@attrs.frozen(kw_only=True)
class HttpGate:
    """A health or monitoring endpoint asked after each stage: a GET answered ``expect_status`` goes on.

    Redirects are not followed (the status compared is the one the URL
    answered), and at most :data:`OUTPUT_LIMIT` bytes of the body are read.
    """

    url: str = attrs.field(
        validator=typed("a str (an http:// or https:// URL)", str), repr=lambda url: repr(shown_url(url))
    )
    """An ``http://`` or ``https://`` URL (a password in it is shown as ``***`` in reprs and results)."""
    expect_status: int = attrs.field(default=200, validator=typed("an int (an HTTP status)", int))
    """The status that lets the rollout go on; any other refuses."""
    timeout: float | None = attrs.field(default=None, validator=_gate_timeout)
    """Seconds the request may take, the body read included (``None``: the plan's ``gate_timeout``)."""

    def __attrs_post_init__(self) -> None:
        problems: Problems = in_seconds("timeout", self.timeout, 0, MAX_GATE_TIMEOUT, low_open=True)
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            rule = "must be an http:// or https:// URL with a host"
            problems.append(("url", short(shown_url(self.url)), rule))
        if not 100 <= self.expect_status <= 599:
            problems.append(
                ("expect_status", short(self.expect_status), "must be an HTTP status, 100 to 599")
            )
        raise_problems(problems)


def shown_url(url: str) -> str:
    """``url`` as a message or a report may show it: a password in it replaced by ``***``.

    A gate's URL may carry credentials (``https://monitor:TOKEN@host/health``); its result is kept
    in the report, the checkpoint and an engine's database, and printed.
    """
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:  # not a URL the gate would accept anyway: shown with any userinfo dropped
        return url.rpartition("@")[2] if "@" in url else url
    if password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def _coroutine_function(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not _is_async(value):
        raise TypeError(
            "CallableGate.func must be an async function (async def gate(stage) -> bool, or a"
            f" functools.partial of one), not {short(value)}: a plain function would block the event loop,"
            " and a lambda hides whether it returns a coroutine"
        )


def _is_async(value: object) -> bool:
    # An async function, a partial of one, or an object whose __call__ is one.
    call = type(value).__call__ if callable(value) else None
    return inspect.iscoroutinefunction(value) or inspect.iscoroutinefunction(call)


@attrs.frozen(kw_only=True)
class CallableGate:
    """An async Python callable asked after each stage with its :class:`StageReport`: ``True`` goes on."""

    func: Callable[[StageReport], Awaitable[bool]] = attrs.field(validator=_coroutine_function)
    """``async def gate(stage: StageReport) -> bool``."""
    timeout: float | None = attrs.field(default=None, validator=_gate_timeout)
    """Seconds it may take (``None``: the plan's ``gate_timeout``); past them it is cancelled."""

    def __attrs_post_init__(self) -> None:
        raise_problems(in_seconds("timeout", self.timeout, 0, MAX_GATE_TIMEOUT, low_open=True))


Gate = CommandGate | HttpGate | CallableGate
"""Any gate a plan can hold."""

GateVerdict = Literal["passed", "refused", "timed_out", "killed", "could_not_run"]
"""How a gate answered: only ``passed`` lets the rollout go on."""


@attrs.frozen(kw_only=True)
class GateResult:
    """A gate's answer, as plain data (it is kept in the rollout's state and its report)."""

    verdict: GateVerdict
    exit_code: int | None = None
    """A program's exit status, or the HTTP status the endpoint answered."""
    signal: int | None = None
    """The signal that killed the program (``verdict == "killed"``)."""
    detail: str = ""
    """One line saying what happened: why it could not run, what it raised, what it answered."""
    output: str = ""
    """The last :data:`OUTPUT_LIMIT` bytes it printed (or of the body it answered), never shown unasked."""

    @property
    def passed(self) -> bool:
        """Whether the rollout goes on."""
        return self.verdict == "passed"


def gate_problems(gate: Gate) -> list[str]:
    """What would keep ``gate`` from running on this machine, checked before stage 1 (empty: none).

    Its values were checked when it was made; this looks at the machine:
    a command's program must exist and be executable.
    """
    if isinstance(gate, CommandGate):
        program = gate.argv[0]
        found = shutil.which(program)
        if found is None:
            where = "no such file" if os.sep in program else "not found on PATH"
            if os.sep in program and os.path.exists(program):
                where = "not an executable file"
            return [f"gate.command[0]={program!r}: {where}: the gate could not run"]
    return []


# The timeout is not the call's bound but the gate's default one: passing it is a verdict, not an error.
async def run_gate(gate: Gate, stage: StageReport, *, timeout: float) -> GateResult:  # noqa: ASYNC109
    """Ask ``gate`` about ``stage`` and return its answer; never raises, except cancellation.

    ``timeout`` is the plan's ``gate_timeout``, used when the gate sets no
    timeout of its own. When the caller is cancelled (Ctrl-C, SIGTERM reach
    the rollout as a cancellation), a program's whole process group is
    killed before the cancellation goes on.
    """
    seconds = gate.timeout if gate.timeout is not None else timeout
    try:
        if isinstance(gate, CommandGate):
            return await _run_command(gate, stage, seconds)
        if isinstance(gate, HttpGate):
            return await _ask_http(gate, seconds)
        return await _call(gate, stage, seconds)
    except Exception as exc:  # a gate's failure is its verdict, never the rollout's crash
        return GateResult(verdict="could_not_run", detail=_one_line(f"raised {type(exc).__name__}: {exc}"))


def _one_line(text: str, limit: int = 500) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _timed_out(seconds: float, what: str) -> GateResult:
    return GateResult(verdict="timed_out", detail=f"no answer within {seconds:g}s; {what}")


# -- a program ---------------------------------------------------------------------------------------


class _Tail:
    """The last :data:`OUTPUT_LIMIT` bytes of a stream, in memory bounded by twice that."""

    def __init__(self) -> None:
        self._data = bytearray()
        self.dropped = 0

    def add(self, chunk: bytes) -> None:
        self._data += chunk
        if len(self._data) > 2 * OUTPUT_LIMIT:
            cut = len(self._data) - OUTPUT_LIMIT
            del self._data[:cut]
            self.dropped += cut

    def text(self) -> str:
        kept = bytes(self._data[-OUTPUT_LIMIT:])
        dropped = self.dropped + len(self._data) - len(kept)
        head = f"[{dropped} earlier bytes dropped]\n" if dropped else ""
        return head + kept.decode("utf-8", errors="replace")


def _report_json(stage: StageReport) -> bytes:
    # The stage as the command line's --json shows it: snake_case, ISO times, and launch-config
    # environment values masked (a gate program is not told secrets it has no use for).
    from .._documents import dump
    from .._wire.secrets import is_secret_field, mask

    def masked(data: Any) -> Any:
        if isinstance(data, dict):
            return {key: mask(item) if is_secret_field(key) else masked(item) for key, item in data.items()}
        if isinstance(data, list):
            return [masked(item) for item in data]
        return data

    data = json.loads(dump(stage, "stage-report"))
    data.pop("schema")
    return json.dumps(masked(data)).encode()


async def _run_command(gate: CommandGate, stage: StageReport, seconds: float) -> GateResult:
    report = _report_json(stage)
    try:
        process = await anyio.open_process(
            list(gate.argv),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killed whole, and deaf to the terminal's ^C
        )
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return GateResult(verdict="could_not_run", detail=f"cannot run {gate.argv[0]!r}: {reason}")
    tail = _Tail()
    drained = anyio.Event()
    ended = False
    try:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(_feed, process, report)
            tasks.start_soon(_drain, process, tail, drained)
            with anyio.move_on_after(seconds) as deadline:
                await process.wait()
            await _end_group(process)
            ended = True
            # Its output is complete once the group is gone (no one holds the pipe any more); a
            # process that left the group and kept the pipe does not hold the rollout up.
            with anyio.move_on_after(_GRACE):
                await drained.wait()
            tasks.cancel_scope.cancel()
    finally:
        with anyio.CancelScope(shield=True):
            if not ended:
                await _end_group(process)
            await process.aclose()
    output = tail.text()
    code = process.returncode
    assert code is not None
    if deadline.cancelled_caught:
        return attrs.evolve(_timed_out(seconds, "its process group was killed"), output=output)
    if code < 0:
        name = _signal_name(-code)
        return GateResult(
            verdict="killed", signal=-code, detail=f"killed by signal {-code} ({name})", output=output
        )
    verdict: GateVerdict = "passed" if code == 0 else "refused"
    return GateResult(verdict=verdict, exit_code=code, detail=f"exited {code}", output=output)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return "unknown signal"


async def _feed(process: Process, report: bytes) -> None:
    assert process.stdin is not None
    try:
        await process.stdin.send(report)
        await process.stdin.aclose()
    except (anyio.BrokenResourceError, anyio.ClosedResourceError, OSError):
        pass  # a gate need not read its input


async def _drain(process: Process, tail: _Tail, drained: anyio.Event) -> None:
    assert process.stdout is not None
    try:
        async for chunk in process.stdout:
            tail.add(chunk)
    except (anyio.BrokenResourceError, anyio.ClosedResourceError):
        pass
    finally:
        drained.set()


async def _end_group(process: Process) -> None:
    """Stop the program's whole group: SIGTERM, a grace period for the program, then SIGKILL for all.

    Called shielded, on every way out; it is harmless once the group is gone.
    """
    group = process.pid  # start_new_session made it the leader of a group of its own number
    with anyio.CancelScope(shield=True):
        if process.returncode is None:
            _signal_group(group, signal.SIGTERM)
            with anyio.move_on_after(_GRACE):
                await process.wait()
        # Anything it started and left behind, or that ignored SIGTERM.
        _signal_group(group, signal.SIGKILL)
        await process.wait()


def _signal_group(group: int, number: signal.Signals) -> None:
    # Gone already: ESRCH (a PermissionError on macOS for a group of zombies only).
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, number)


# -- an HTTP endpoint --------------------------------------------------------------------------------


async def _ask_http(gate: HttpGate, seconds: float) -> GateResult:
    from .._background import running_on_trio

    get = _get_httpx if running_on_trio() else _get_aiohttp
    shown = shown_url(gate.url)
    with anyio.move_on_after(seconds):
        try:
            status, body = await get(gate.url)
        except OSError as exc:  # refused, unreachable, reset, a TLS failure
            why = str(exc).replace(gate.url, shown)  # a library's message may quote the URL whole
            return GateResult(verdict="could_not_run", detail=_one_line(f"cannot reach {shown}: {why}"))
        output = body.decode("utf-8", errors="replace")
        if status == gate.expect_status:
            return GateResult(verdict="passed", exit_code=status, detail=f"HTTP {status}", output=output)
        detail = f"HTTP {status} (expected {gate.expect_status})"
        return GateResult(verdict="refused", exit_code=status, detail=detail, output=output)
    return _timed_out(seconds, f"GET {shown} was abandoned")


async def _get_aiohttp(url: str) -> tuple[int, bytes]:
    import aiohttp

    try:
        # No timeout of the library's own (aiohttp's is 5 minutes): the gate's bounds the whole request.
        session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None))
        async with session, session.get(url, allow_redirects=False) as response:
            body = bytearray()
            async for chunk in response.content.iter_chunked(16 * 1024):
                body += chunk[: OUTPUT_LIMIT - len(body)]
                if len(body) >= OUTPUT_LIMIT:
                    break  # the rest is not read: the connection is closed with the response
            return response.status, bytes(body)
    except aiohttp.ClientError as exc:
        raise OSError(str(exc) or type(exc).__name__) from exc


async def _get_httpx(url: str) -> tuple[int, bytes]:
    from aiobotocore._httpx import httpx

    if httpx is None:
        raise OSError("an HTTP gate on trio needs httpx: pip install 'robomaker-deploy[trio]'")
    try:
        # No timeout of the library's own (httpx's is 5 seconds): the gate's bounds the whole request.
        client = httpx.AsyncClient(follow_redirects=False, timeout=None)
        async with client, client.stream("GET", url) as response:
            body = bytearray()
            # Read to its end (within the timeout), keeping the first bytes: leaving httpx's nested
            # stream generators half-way leaves them to the garbage collector.
            async for chunk in response.aiter_bytes():
                body += chunk[: OUTPUT_LIMIT - len(body)]
            return response.status_code, bytes(body)
    except httpx.HTTPError as exc:
        raise OSError(str(exc) or type(exc).__name__) from exc


# -- a Python callable ----------------------------------------------------------------------------


async def _call(gate: CallableGate, stage: StageReport, seconds: float) -> GateResult:
    with anyio.move_on_after(seconds):
        answer = await gate.func(stage)
        if not isinstance(answer, bool):
            detail = f"returned {short(answer)}, not True or False"
            return GateResult(verdict="could_not_run", detail=detail)
        verdict: GateVerdict = "passed" if answer else "refused"
        return GateResult(verdict=verdict, detail=f"returned {answer}")
    return _timed_out(seconds, "it was cancelled")
