"""SigV4 verification of incoming requests, in two steps: the headers, then the body.

:func:`authorize` decides everything the headers can (key, session token,
date, scope) before the server reads a byte of the body, so an
unauthenticated client cannot make it hold megabytes; :func:`verify` then
checks the signature over the body as received. The canonical request,
string to sign and signature are botocore's own
(:class:`botocore.auth.SigV4Auth`), fed with exactly the headers the client
listed in ``SignedHeaders``: hand-rolled crypto would be one more thing that
could disagree with the clients we are meant to accept.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from datetime import datetime, timezone

import attrs
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials

from ._errors import ServiceError

_TIMESTAMP = "%Y%m%dT%H%M%SZ"
# AWS refuses a request whose X-Amz-Date is more than 15 minutes off its own clock.
MAX_SKEW_SECONDS = 15 * 60

_AUTH_RE = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+)\s*,\s*"
    r"SignedHeaders=(?P<signed>[^,\s]+)\s*,\s*Signature=(?P<signature>[0-9a-fA-F]+)\s*$"
)

_BAD_TOKEN = "The security token included in the request is invalid."
_BAD_SIGNATURE = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)


class _Verifier(SigV4Auth):
    """botocore's signer, restricted to the headers the client chose to sign."""

    def __init__(
        self, credentials: Credentials, service: str, region: str, signed: HTTPHeaders, body_hash: str
    ) -> None:
        super().__init__(credentials, service, region)
        self._signed = signed
        self._body_hash = body_hash

    def headers_to_sign(self, request: AWSRequest) -> HTTPHeaders:
        # botocore would pick every header it sees (minus a blacklist) and add `host`;
        # a verifier must use the client's list, no more and no less.
        return self._signed

    def payload(self, request: AWSRequest) -> str:
        # The hash of the bytes that arrived, computed once by verify().
        return self._body_hash


@attrs.frozen
class EmulatorCredentials:
    """The one key pair the emulator accepts; a request signed with any other key is refused.

    With ``session_token``, the pair stands for temporary credentials: a
    request must carry that token (``X-Amz-Security-Token``), as on AWS.
    Without it, a request carrying any token is refused.
    """

    access_key_id: str = "testing"
    secret_access_key: str = attrs.field(default="testing", repr=False)
    session_token: str | None = attrs.field(default=None, repr=False)


@attrs.frozen
class Authorization:
    """A request's ``Authorization`` header, checked as far as it can be without the body."""

    credentials: EmulatorCredentials
    amz_date: str
    signed: HTTPHeaders
    """The headers the client signed, by their lowered names, as received."""
    signature: str


def authorize(
    *,
    headers: Sequence[tuple[str, str]],
    credentials: EmulatorCredentials,
    region: str,
    service: str,
    now: float,
) -> Authorization:
    """Check everything the headers alone decide: presence, form, key, token, date, scope.

    Called before the body is read, so a request that cannot be signed right
    costs the server nothing. ``now`` is the real wall clock: the emulator's
    virtual clock may run days ahead, clients' clocks do not. Raises
    :class:`ServiceError` with the code AWS used for each failure.
    """
    lowered: dict[str, list[str]] = {}
    for name, value in headers:
        lowered.setdefault(name.lower(), []).append(value)

    def first(name: str) -> str | None:
        values = lowered.get(name)
        return values[0] if values else None

    authorization = first("authorization")
    if authorization is None:
        raise ServiceError("MissingAuthenticationTokenException", "Missing Authentication Token")
    match = _AUTH_RE.match(authorization.strip())
    if match is None:
        raise ServiceError(
            "IncompleteSignatureException",
            "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' "
            "parameters of an AWS4-HMAC-SHA256 signature.",
        )
    scope = match["credential"].split("/")
    if len(scope) != 5 or scope[4] != "aws4_request":
        raise ServiceError(
            "IncompleteSignatureException",
            "Credential must have the form KEY/DATE/REGION/SERVICE/aws4_request.",
        )
    access_key, scope_date, scope_region, scope_service, _ = scope
    if not hmac.compare_digest(access_key.encode(), credentials.access_key_id.encode()):
        raise ServiceError("UnrecognizedClientException", _BAD_TOKEN)
    # Signed or added after signing, a token must be the one these credentials came with.
    token = first("x-amz-security-token")
    expected_token = credentials.session_token
    if (token is None) != (expected_token is None) or (
        token is not None
        and expected_token is not None
        and not hmac.compare_digest(token.encode(), expected_token.encode())
    ):
        raise ServiceError("UnrecognizedClientException", _BAD_TOKEN)

    amz_date = first("x-amz-date")
    if amz_date is None:
        raise ServiceError(
            "IncompleteSignatureException",
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
        )
    try:
        signed_at = datetime.strptime(amz_date, _TIMESTAMP).replace(tzinfo=timezone.utc).timestamp()
    except ValueError:
        raise ServiceError(
            "IncompleteSignatureException", f"Date must be in ISO-8601 'basic format'. Got '{amz_date}'."
        ) from None
    _check_skew(amz_date, signed_at, now)
    if scope_date != amz_date[:8]:
        raise ServiceError(
            "InvalidSignatureException",
            f"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
            f"'{scope_date}' != '{amz_date[:8]}', from '{amz_date}'.",
        )
    if scope_region != region:
        raise ServiceError(
            "InvalidSignatureException",
            f"Credential should be scoped to a valid region, not '{scope_region}'.",
        )
    if scope_service != service:
        raise ServiceError(
            "InvalidSignatureException", f"Credential should be scoped to correct service: '{service}'."
        )

    signed_names = match["signed"].lower().split(";")
    if "host" not in signed_names:
        raise ServiceError(
            "InvalidSignatureException", "'Host' must be a 'SignedHeader' in the AWS Authorization."
        )
    signed = HTTPHeaders()
    for name in signed_names:
        for value in lowered.get(name, []):
            signed[name] = value
    return Authorization(credentials, amz_date, signed, match["signature"].lower())


def verify(
    auth: Authorization,
    *,
    method: str,
    host: str,
    raw_path: str,
    body: bytes | bytearray,
    region: str,
    service: str,
) -> None:
    """Check the signature over the request as received.

    ``raw_path`` is the path and query exactly as received (percent-encoding
    intact), because that is what the client signed. The payload hash is
    always that of ``body``, the bytes that arrived: a declared
    ``x-amz-content-sha256`` (``UNSIGNED-PAYLOAD`` included) must match it.
    """
    actual_hash = hashlib.sha256(body).hexdigest()
    declared_hash = auth.signed.get("x-amz-content-sha256")
    if declared_hash is not None and not hmac.compare_digest(declared_hash, actual_hash):
        raise ServiceError(
            "InvalidSignatureException",
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
        )
    credentials = auth.credentials
    request = AWSRequest(
        method=method, url=f"http://{host}{raw_path}", headers=dict(auth.signed.items()), data=body
    )
    request.context["timestamp"] = auth.amz_date
    verifier = _Verifier(
        Credentials(credentials.access_key_id, credentials.secret_access_key),
        service,
        region,
        auth.signed,
        actual_hash,
    )
    canonical = verifier.canonical_request(request)
    expected = verifier.signature(verifier.string_to_sign(request, canonical), request)
    if not hmac.compare_digest(expected, auth.signature):
        raise ServiceError("InvalidSignatureException", _BAD_SIGNATURE)


def _check_skew(amz_date: str, signed_at: float, now: float) -> None:
    def fmt(epoch: float) -> str:
        return datetime.fromtimestamp(epoch, timezone.utc).strftime(_TIMESTAMP)

    if signed_at < now - MAX_SKEW_SECONDS:
        raise ServiceError(
            "InvalidSignatureException",
            f"Signature expired: {amz_date} is now earlier than {fmt(now - MAX_SKEW_SECONDS)} "
            f"({fmt(now)} - 15 min.)",
        )
    if signed_at > now + MAX_SKEW_SECONDS:
        raise ServiceError(
            "InvalidSignatureException",
            f"Signature not yet current: {amz_date} is still later than {fmt(now + MAX_SKEW_SECONDS)} "
            f"({fmt(now)} + 15 min.)",
        )
