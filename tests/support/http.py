"""Requests no SDK would send: hand-signed bodies, raw sockets, processes that hold an emulator."""

from __future__ import annotations

import asyncio
import datetime
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from robomaker_deploy.emulator import Emulator

ROOT = Path(__file__).resolve().parents[2]


def address(url: str) -> tuple[str, int]:
    """Host and port of an endpoint URL."""
    parts = urlsplit(url)
    assert parts.hostname is not None and parts.port is not None
    return parts.hostname, parts.port


def signed_headers(
    emu: Emulator,
    path: str,
    body: bytes,
    *,
    token: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The headers botocore's SigV4 signer gives a POST of ``body`` to ``path`` with the emulator's key.

    ``extra`` headers are added before signing (so they are signed), ``token``
    as the session token botocore adds itself.
    """
    credentials = emu.credentials
    request = AWSRequest(
        method="POST",
        url=f"{emu.endpoint_url}{path}",
        data=body,
        headers={"Content-Type": "application/json", **(extra or {})},
    )
    SigV4Auth(
        Credentials(credentials.access_key_id, credentials.secret_access_key, token), "robomaker", emu.region
    ).add_auth(request)
    return dict(request.headers.items())


def raw_head(url: str, path: str, headers: Mapping[str, str], length: int) -> bytes:
    """The head of a POST of ``length`` body bytes to ``path``, as it goes on the wire."""
    host, port = address(url)
    lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Length: {length}\r\n{lines}\r\n".encode()


async def post(
    url: str, body: bytes, headers: Mapping[str, str]
) -> tuple[int, Mapping[str, str], dict[str, Any]]:
    """POST exactly ``body`` with ``headers`` (and Host, Content-Length); the status, headers and JSON."""
    async with (
        aiohttp.ClientSession(skip_auto_headers=("Content-Type", "User-Agent")) as http,
        http.post(url, data=body, headers=dict(headers)) as response,
    ):
        text = await response.read()
        return response.status, response.headers, json.loads(text) if text else {}


async def raw_exchange(url: str, request: bytes, *, read_timeout: float = 30.0) -> bytes:
    """Send ``request`` on a fresh socket and read until the server closes or answers a whole head.

    Returns what came back (empty if the server closed without answering).
    """
    host, port = address(url)
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(request)
        await writer.drain()
        return await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), read_timeout)
    except asyncio.IncompleteReadError as partial:
        return partial.partial
    finally:
        writer.transport.abort()


def status_of(head: bytes) -> int:
    """The status code of a raw response head."""
    return int(head.split(b" ", 2)[1])


def forged_signature(key: str, *, region: str = "us-east-1", minutes_off: int = 0) -> dict[str, str]:
    """Headers of a well-formed SigV4 signature that is wrong (all zeros): it passes the header checks
    when the key, region and date are right, and fails only once the body is read and hashed."""
    moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=minutes_off)
    stamp = moment.strftime("%Y%m%dT%H%M%SZ")
    return {
        "X-Amz-Date": stamp,
        "Authorization": (
            f"AWS4-HMAC-SHA256 Credential={key}/{stamp[:8]}/{region}/robomaker/aws4_request, "
            f"SignedHeaders=host;x-amz-date, Signature={'0' * 64}"
        ),
    }
