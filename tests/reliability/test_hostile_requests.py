"""The emulator against hostile clients: big unsigned bodies, slow sockets, deep JSON, SigV4 tricks."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from robomaker_deploy.emulator import Emulator, EmulatorCredentials
from robomaker_deploy.emulator import _http as http_limits
from robomaker_deploy.emulator._process import emulator_process
from tests.support.http import (
    address,
    forged_signature,
    post,
    raw_exchange,
    raw_head,
    signed_headers,
    status_of,
)
from tests.support.leaks import memory_kib
from tests.support.raw import error_of, raw_client

Factory = Callable[..., Awaitable[Emulator]]
EIGHT_MIB = 8 * 1024 * 1024
BAD_TOKEN = "The security token included in the request is invalid."


def _authorization(key: str, *, region: str = "us-east-1", minutes_off: int = 0) -> str:
    headers = forged_signature(key, region=region, minutes_off=minutes_off)
    return "".join(f"{name}: {value}\r\n" for name, value in headers.items())


#: Requests refused on their headers alone, and the error each gets.
UNAUTHENTICATED = {
    "no-signature": ("", "MissingAuthenticationTokenException"),
    "unknown-key": (_authorization("AKIDUNKNOWN"), "UnrecognizedClientException"),
    "stale-date": (_authorization("testing", minutes_off=-60), "InvalidSignatureException"),
    "other-region": (_authorization("testing", region="eu-west-1"), "InvalidSignatureException"),
    "unexpected-token": (
        _authorization("testing") + "X-Amz-Security-Token: forged\r\n",
        "UnrecognizedClientException",
    ),
}


@pytest.mark.parametrize("case", list(UNAUTHENTICATED), ids=list(UNAUTHENTICATED))
@pytest.mark.asyncio
async def test_an_unauthenticated_request_is_refused_before_its_body_is_read(
    robomaker_emulator: Emulator, case: str
) -> None:
    headers, code = UNAUTHENTICATED[case]
    host, port = address(robomaker_emulator.endpoint_url)
    # Each declares 8 MiB and sends 1 KiB: the answer comes without the rest, so nothing waits for it.
    head = (
        f"POST /createFleet HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {EIGHT_MIB}\r\n{headers}\r\n"
    ).encode()
    answers = await asyncio.gather(
        *(raw_exchange(robomaker_emulator.endpoint_url, head + b"x" * 1024) for _ in range(5))
    )
    for answer in answers:
        assert status_of(answer) in (400, 403)
        assert f"x-amzn-ErrorType: {code}".encode() in answer
    assert robomaker_emulator.call("ListFleets", {})["fleetDetails"] == []


# -- bodies ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [b"[" * 100_000, b'{"name": ' * 100_000, b"[" * 65 + b"]" * 65])
@pytest.mark.asyncio
async def test_json_nested_too_deep_is_a_serialization_error(
    robomaker_emulator: Emulator, body: bytes
) -> None:
    url = f"{robomaker_emulator.endpoint_url}/createFleet"
    status, headers, answer = await post(url, body, signed_headers(robomaker_emulator, "/createFleet", body))
    assert (status, headers["x-amzn-ErrorType"]) == (400, "SerializationException")
    assert "nests deeper" in answer["message"]
    admin = f"{robomaker_emulator.endpoint_url}/_emulator/faults"
    status, headers, answer = await post(admin, body, {"Content-Type": "application/json"})
    assert (status, headers["x-amzn-ErrorType"]) == (400, "SerializationException")


@pytest.mark.asyncio
async def test_a_body_swapped_under_unsigned_payload_is_refused(robomaker_emulator: Emulator) -> None:
    url = f"{robomaker_emulator.endpoint_url}/createFleet"
    honest, sneaky = b'{"name": "honest"}', b'{"name": "sneaky"}'
    unsigned = signed_headers(
        robomaker_emulator, "/createFleet", honest, extra={"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"}
    )
    for body in (sneaky, honest):
        status, headers, _ = await post(url, body, unsigned)
        assert (status, headers["x-amzn-ErrorType"]) == (403, "InvalidSignatureException")
    assert robomaker_emulator.call("ListFleets", {})["fleetDetails"] == []
    # Declaring the real hash is fine: it is the body the signature covers.
    declared = signed_headers(
        robomaker_emulator,
        "/createFleet",
        honest,
        extra={"X-Amz-Content-SHA256": hashlib.sha256(honest).hexdigest()},
    )
    assert (await post(url, honest, declared))[0] == 200
    assert (await post(url, sneaky, declared))[0] == 403


# -- session tokens ------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_session_token_must_be_the_one_the_emulator_was_given(
    robomaker_emulator_factory: Factory,
) -> None:
    emu = await robomaker_emulator_factory(credentials=EmulatorCredentials("ASIATEMP", "secret", "the-token"))
    assert "the-token" not in repr(emu.credentials)
    async with raw_client(emu, session_token="the-token") as c:
        assert (await c.list_fleets())["fleetDetails"] == []
    for token in (None, "another-token"):
        async with raw_client(emu, session_token=token) as c:
            assert await error_of(c.list_fleets()) == ("UnrecognizedClientException", 403, BAD_TOKEN)


@pytest.mark.asyncio
async def test_a_token_the_emulator_was_not_given_is_refused_signed_or_not(
    robomaker_emulator: Emulator,
) -> None:
    async with raw_client(robomaker_emulator, session_token="bogus") as c:
        assert await error_of(c.list_fleets()) == ("UnrecognizedClientException", 403, BAD_TOKEN)
    # Added after signing, outside the signed headers.
    url = f"{robomaker_emulator.endpoint_url}/listFleets"
    headers = signed_headers(robomaker_emulator, "/listFleets", b"{}")
    assert (await post(url, b"{}", headers))[0] == 200
    status, answer_headers, answer = await post(url, b"{}", {**headers, "X-Amz-Security-Token": "bogus"})
    assert (status, answer_headers["x-amzn-ErrorType"], answer["message"]) == (
        403,
        "UnrecognizedClientException",
        BAD_TOKEN,
    )


# -- slow and vanishing clients ------------------------------------------------------------------------------


@pytest.fixture
def short_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Idle and body timeouts of half a second, for the emulators the test starts."""
    monkeypatch.setattr(http_limits, "IDLE_TIMEOUT_SECONDS", 0.5)
    monkeypatch.setattr(http_limits, "BODY_TIMEOUT_SECONDS", 0.5)


async def _closed_by_server(url: str, trickle: bytes) -> bool:
    """Send ``trickle`` a byte at a time; whether the server closed the socket within 20 s."""
    host, port = address(url)
    reader, writer = await asyncio.open_connection(host, port)
    try:

        async def send() -> None:
            for byte in trickle:
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.sleep(0.1)
            await asyncio.sleep(3600)

        sender = asyncio.ensure_future(send())
        try:
            return await asyncio.wait_for(reader.read(), 20) == b""
        except (asyncio.TimeoutError, ConnectionError):
            return False
        finally:
            sender.cancel()
    finally:
        writer.transport.abort()


@pytest.mark.usefixtures("short_timeouts")
@pytest.mark.parametrize(
    "trickle",
    [b"", b"POST /listFleets HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"z" * 400],
    ids=["idle", "slow-headers"],
)
@pytest.mark.asyncio
async def test_a_socket_that_never_completes_a_request_is_closed(
    robomaker_emulator_factory: Factory, trickle: bytes
) -> None:
    emu = await robomaker_emulator_factory()
    assert await _closed_by_server(emu.endpoint_url, trickle)


@pytest.mark.usefixtures("short_timeouts")
@pytest.mark.asyncio
async def test_a_body_that_never_arrives_times_out(robomaker_emulator_factory: Factory) -> None:
    emu = await robomaker_emulator_factory()
    body = b'{"name": "never-finished"}'
    head = raw_head(emu.endpoint_url, "/createFleet", signed_headers(emu, "/createFleet", body), len(body))
    answer = await raw_exchange(emu.endpoint_url, head + body[:5])
    assert status_of(answer) == 408
    assert b"RequestTimeoutException" in answer


@pytest.mark.asyncio
async def test_a_client_that_goes_away_is_one_quiet_line(
    robomaker_emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    body = b'{"name": "half-sent"}'
    url = robomaker_emulator.endpoint_url
    head = raw_head(url, "/createFleet", signed_headers(robomaker_emulator, "/createFleet", body), len(body))
    with caplog.at_level(logging.DEBUG):
        for _ in range(3):
            _, writer = await asyncio.open_connection(*address(url))
            writer.write(head + body[:5])
            await writer.drain()
            writer.transport.abort()
        for _ in range(2000):
            if len([r for r in caplog.records if "went away" in r.getMessage()]) == 3:
                break
            await asyncio.sleep(0.01)
    gone = [r for r in caplog.records if "went away" in r.getMessage()]
    assert [(r.name, r.levelname, r.exc_info) for r in gone] == [
        ("robomaker_deploy.emulator", "INFO", None)
    ] * 3
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    assert robomaker_emulator.call("ListFleets", {})["fleetDetails"] == []


# -- soak: many bodies, many slow sockets ----------------------------------------------------------------


async def _send_whole(url: str, head: bytes, body: bytes) -> int:
    """Send a whole request (the server may stop reading it); the status it got, 0 for none."""
    host, port = address(url)
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(head + body)
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        answer = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 120)
        return status_of(answer)
    except (ConnectionError, asyncio.IncompleteReadError):
        return 0
    finally:
        writer.transport.abort()


@pytest.mark.soak
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
@pytest.mark.asyncio
async def test_forty_unauthenticated_8_mib_bodies_are_never_held_soak() -> None:
    with emulator_process() as (process, url):
        host, port = address(url)
        async with raw_client(Emulator(), endpoint_url=url) as c:
            await c.list_fleets()  # warm: the model and the routes are loaded
        before = memory_kib(process.pid)
        head = (
            f"POST /createFleet HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {EIGHT_MIB}\r\n\r\n"
        ).encode()
        body = b" " * EIGHT_MIB
        statuses = await asyncio.gather(*(_send_whole(url, head, body) for _ in range(40)))
        after = memory_kib(process.pid)
    grown_mib = (after["VmHWM"] - before["VmRSS"]) / 1024
    print(
        f"\n40 x 8 MiB unauthenticated: statuses {sorted(set(statuses))}, before {before}, after {after}, "
        f"peak growth {grown_mib:.1f} MiB"
    )
    assert set(statuses) <= {403, 0}
    assert statuses.count(403) >= 1
    assert grown_mib < 64


@pytest.mark.soak
@pytest.mark.usefixtures("short_timeouts")
@pytest.mark.asyncio
async def test_two_hundred_slow_sockets_are_all_closed_soak(robomaker_emulator_factory: Factory) -> None:
    emu = await robomaker_emulator_factory()
    loop = asyncio.get_running_loop()
    started = loop.time()
    slow = b"POST /listFleets HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"z" * 400
    sockets = [asyncio.ensure_future(_closed_by_server(emu.endpoint_url, slow)) for _ in range(200)]
    async with raw_client(emu) as c:
        assert (await c.list_fleets())["fleetDetails"] == []  # the service answers all the while
    closed = await asyncio.gather(*sockets)
    print(f"\n200 slow sockets: {sum(closed)} closed by the server, in {loop.time() - started:.1f} s")
    assert all(closed)
