"""The request bodies the emulator holds at once are bounded, whatever the requests carry.

Forty concurrent 8 MiB bodies, sent without authorization, with a well-formed but wrong signature,
to the admin routes, or all three mixed, against an emulator in its own process: the bodies that fit
the budget are read and answered as usual, the rest get a retryable 503 ``ThrottlingException`` at
once, and the process's peak resident memory stays under 150 MiB. Every exit path gives the budget
back: afterwards, exactly as many bodies fit as before.

No step waits on a clock: the test sends every request's head and first KiB, waits until exactly the
requests that cannot fit have been answered (the server decides on the head alone), and only then
sends the rest of every body.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from pathlib import Path

import pytest

from robomaker_deploy.emulator import Emulator
from robomaker_deploy.emulator._http import BODY_BUDGET_BYTES, MAX_BODY_BYTES
from robomaker_deploy.emulator._process import emulator_process
from tests.support.http import address, forged_signature, raw_head, status_of
from tests.support.leaks import memory_kib
from tests.support.raw import raw_client

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")

EIGHT_MIB = MAX_BODY_BYTES
#: How many of the largest bodies the budget holds at once.
FITS = BODY_BUDGET_BYTES // MAX_BODY_BYTES
#: The peak resident memory the emulator may reach, in MiB.
PEAK_MIB = 150
FIRST = 1024
JSON = {"Content-Type": "application/json"}

#: What each kind of request carries, where it goes, and whether it is refused before its body.
KINDS: dict[str, tuple[str, Mapping[str, str], bool]] = {
    "no authorization": ("/createFleet", JSON, True),
    "wrong signature": ("/createFleet", {**JSON, **forged_signature("testing")}, False),
    "admin route": ("/_emulator/faults", JSON, False),
}
#: What an admitted request of each kind is answered with, once its whole body is read.
ADMITTED = {"wrong signature": 403, "admin route": 200}
MIXES = {
    **{kind: [kind] * 40 for kind in KINDS},
    "all three": [kind for _ in range(14) for kind in KINDS][:40],
}


async def _answer(reader: asyncio.StreamReader) -> bytes:
    try:
        return await reader.readuntil(b"\r\n\r\n")
    except (ConnectionError, asyncio.IncompleteReadError):
        return b""


async def _send(writer: asyncio.StreamWriter, body: memoryview) -> None:
    """Send ``body`` a slice at a time (the server may stop reading: that ends it quietly)."""
    with contextlib.suppress(ConnectionError):
        for start in range(0, len(body), 256 * 1024):
            writer.write(body[start : start + 256 * 1024])
            await writer.drain()


async def _storm(url: str, kinds: list[str], body: bytes, answered_early: int) -> list[bytes]:
    """Send each request's head and first KiB; once ``answered_early`` of them are answered, the rest
    of every body (refused ones too, as a hostile client would); every answer's head, in order."""
    host, port = address(url)
    connections = [await asyncio.open_connection(host, port) for _ in kinds]
    try:
        for (_, writer), kind in zip(connections, kinds, strict=True):
            path, headers, _ = KINDS[kind]
            writer.write(raw_head(url, path, headers, len(body)) + body[:FIRST])
        await asyncio.gather(*(writer.drain() for _, writer in connections))
        answers = [asyncio.ensure_future(_answer(reader)) for reader, _ in connections]
        while sum(answer.done() for answer in answers) < answered_early:
            await asyncio.wait([a for a in answers if not a.done()], return_when=asyncio.FIRST_COMPLETED)
        rest = memoryview(body)[FIRST:]
        await asyncio.gather(*(_send(writer, rest) for _, writer in connections))
        return await asyncio.gather(*answers)
    finally:
        for _, writer in connections:
            writer.transport.abort()


def _kind_of(answer: bytes) -> tuple[int, str]:
    error = [line for line in answer.split(b"\r\n") if line.lower().startswith(b"x-amzn-errortype:")]
    return status_of(answer), error[0].split(b":", 1)[1].strip().decode() if error else ""


async def _check_mix(url: str, kinds: list[str], body: bytes) -> None:
    read = [kind for kind in kinds if not KINDS[kind][2]]
    early = len(kinds) - min(FITS, len(read))
    answers = await asyncio.wait_for(_storm(url, kinds, body, early), 300)
    got = [_kind_of(answer) for answer in answers]
    throttled = [
        kind for kind, answer in zip(kinds, got, strict=True) if answer == (503, "ThrottlingException")
    ]
    assert len(throttled) == len(read) - min(FITS, len(read))
    for kind, (status, error) in zip(kinds, got, strict=True):
        if KINDS[kind][2]:
            assert (status, error) == (403, "MissingAuthenticationTokenException")
        else:
            assert (status, error) in ((503, "ThrottlingException"), (ADMITTED[kind], _error_for(kind)))


def _error_for(kind: str) -> str:
    return "InvalidSignatureException" if kind == "wrong signature" else ""


@pytest.mark.asyncio
@pytest.mark.parametrize("mix", list(MIXES))
async def test_forty_8_mib_bodies_stay_within_the_budget(mix: str) -> None:
    kinds = MIXES[mix]
    body = b" " * EIGHT_MIB
    with emulator_process() as (process, url):
        async with raw_client(Emulator(), endpoint_url=url) as client:
            await client.list_fleets()  # warm: the model and the routes are loaded
        before = memory_kib(process.pid)
        await _check_mix(url, kinds, body)
        during = memory_kib(process.pid)
        # Every exit path gave its bytes back: exactly FITS bodies fit again, and one more does not.
        await _check_mix(url, ["wrong signature"] * (FITS + 1), body)
        after = memory_kib(process.pid)
    print(
        f"\n{mix}, 40 x 8 MiB: resident {before['VmRSS'] / 1024:.0f} MiB before, peak"
        f" {during['VmHWM'] / 1024:.0f} MiB; with {FITS} bodies held after it {after['VmHWM'] / 1024:.0f} MiB"
    )
    assert during["VmHWM"] / 1024 < PEAK_MIB
    assert after["VmHWM"] / 1024 < PEAK_MIB


@pytest.mark.asyncio
async def test_the_budget_comes_back_after_a_client_leaves_a_body_half_sent(
    robomaker_emulator: Emulator,
) -> None:
    url = robomaker_emulator.endpoint_url
    host, port = address(url)
    path, headers, _ = KINDS["wrong signature"]
    for _ in range(FITS + 1):
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(raw_head(url, path, headers, EIGHT_MIB) + b" " * FIRST)
        await writer.drain()
        writer.close()
        await writer.wait_closed()
    # Too large, declared: refused before a byte of it is read.
    too_large = raw_head(url, path, headers, EIGHT_MIB + 1)
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(too_large)
    await writer.drain()
    assert _kind_of(await _answer(reader)) == (413, "RequestEntityTooLargeException")
    writer.transport.abort()
    # Too large, chunked: counted chunk by chunk, refused once past the limit.
    reader, writer = await asyncio.open_connection(host, port)
    head = raw_head(url, path, headers, 0).replace(b"Content-Length: 0", b"Transfer-Encoding: chunked")
    chunk = b" " * (1024 * 1024)
    writer.write(head)
    answer = asyncio.ensure_future(_answer(reader))
    with contextlib.suppress(ConnectionError):
        for _ in range(EIGHT_MIB // len(chunk) + 1):
            writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()
    assert _kind_of(await answer) == (413, "RequestEntityTooLargeException")
    writer.transport.abort()
    await _check_mix(url, ["wrong signature"] * (FITS + 1), b" " * EIGHT_MIB)
