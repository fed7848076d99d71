"""A web page in the developer's browser cannot steer the emulator's admin routes (issue 13)."""

from __future__ import annotations

import signal
import subprocess
import sys
import warnings
from collections.abc import Mapping

import aiohttp
import pytest

from robomaker_deploy.emulator import Emulator
from tests.support.http import address, raw_exchange, status_of

EVIL = "https://evil.example"


async def _admin(
    emu: Emulator,
    method: str,
    route: str,
    *,
    headers: Mapping[str, str] | None = None,
    data: bytes | None = None,
) -> int:
    async with (
        aiohttp.ClientSession(skip_auto_headers=("Content-Type",)) as http,
        http.request(
            method, f"{emu.endpoint_url}{route}", headers=dict(headers or {}), data=data
        ) as response,
    ):
        return response.status


def _fleets(emu: Emulator) -> int:
    return len(emu.call("ListFleets", {})["fleetDetails"])


JSON = {"Content-Type": "application/json"}

#: What a page can send across origins without asking first, or with a name it rebound to 127.0.0.1.
FOREIGN: dict[str, tuple[str, str, dict[str, str], bytes | None, int]] = {
    "cross-origin-json": ("POST", "/_emulator/reset", {**JSON, "Origin": EVIL}, b"{}", 403),
    "null-origin": ("POST", "/_emulator/reset", {**JSON, "Origin": "null"}, b"{}", 403),
    "text-plain": ("POST", "/_emulator/reset", {"Content-Type": "text/plain"}, b"{}", 415),
    "form": ("POST", "/_emulator/reset", {"Content-Type": "application/x-www-form-urlencoded"}, b"a=1", 415),
    "no-content-type": ("POST", "/_emulator/reset", {}, b"", 415),
    "form-cross-origin": (
        "POST",
        "/_emulator/faults",
        {"Content-Type": "text/plain", "Origin": EVIL},
        b"{}",
        403,
    ),
    "rebound-host": ("GET", "/_emulator/stats", {"Host": "evil.example"}, None, 403),
    "rebound-host-with-port": ("GET", "/_emulator/clock", {"Host": "evil.example:{port}"}, None, 403),
    "loopback-other-port": ("GET", "/_emulator/stats", {"Host": "127.0.0.1:1"}, None, 403),
}


@pytest.mark.parametrize("case", list(FOREIGN), ids=list(FOREIGN))
@pytest.mark.asyncio
async def test_what_a_web_page_could_send_is_refused(robomaker_emulator: Emulator, case: str) -> None:
    method, route, headers, data, status = FOREIGN[case]
    _, port = address(robomaker_emulator.endpoint_url)
    robomaker_emulator.call("CreateFleet", {"name": "kept"})
    headers = {name: value.format(port=port) for name, value in headers.items()}
    assert await _admin(robomaker_emulator, method, route, headers=headers, data=data) == status
    assert _fleets(robomaker_emulator) == 1  # nothing was reset
    assert robomaker_emulator.stats()["faults"]["throttle"] == {}


@pytest.mark.parametrize("path", ["/%5Femulator/health", "/%5femulator/reset", "/_emulator%2Fhealth"])
@pytest.mark.asyncio
async def test_an_encoded_path_does_not_reach_the_admin_routes(
    robomaker_emulator: Emulator, path: str
) -> None:
    # Raw bytes: HTTP clients would decode "%5F" before sending it.
    host, port = address(robomaker_emulator.endpoint_url)
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
    answer = await raw_exchange(robomaker_emulator.endpoint_url, request)
    assert status_of(answer) == 404
    assert b"x-amzn-ErrorType: UnknownOperationException" in answer


@pytest.mark.parametrize(
    "host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}"], ids=["address", "localhost", "case"]
)
@pytest.mark.asyncio
async def test_the_emulators_own_names_and_origin_are_accepted(
    robomaker_emulator: Emulator, host: str
) -> None:
    _, port = address(robomaker_emulator.endpoint_url)
    robomaker_emulator.call("CreateFleet", {"name": "gone"})
    same = {"Host": host.format(port=port), "Origin": f"http://{host.format(port=port)}"}
    assert await _admin(robomaker_emulator, "GET", "/_emulator/health", headers=same) == 200
    assert (
        await _admin(robomaker_emulator, "POST", "/_emulator/reset", headers={**JSON, **same}, data=b"{}")
        == 200
    )
    assert _fleets(robomaker_emulator) == 0


@pytest.mark.asyncio
async def test_an_ipv6_loopback_emulator_accepts_its_own_name() -> None:
    async with Emulator(host="::1") as emu:
        _, port = address(emu.endpoint_url)
        for host in (f"[::1]:{port}", f"localhost:{port}"):
            assert await _admin(emu, "GET", "/_emulator/health", headers={"Host": host}) == 200
        assert await _admin(emu, "GET", "/_emulator/health", headers={"Host": f"[::2]:{port}"}) == 403


def test_admin_routes_on_a_public_address_warn_in_process_and_on_the_command_line() -> None:
    with pytest.warns(UserWarning, match=r"admin routes are on for 0\.0\.0\.0, which is not a loopback"):
        Emulator(host="0.0.0.0", admin=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Emulator(host="0.0.0.0")  # admin off: nothing to say
        Emulator(host="127.0.0.1", admin=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "robomaker_deploy", "emulator", "--host", "0.0.0.0", "--admin", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("http://127.0.0.1:")
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("warning: the emulator's /_emulator/ admin routes are on for 0.0.0.0")
