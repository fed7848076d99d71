"""SigV4 verification of incoming requests.

The canonical request, string to sign and signature are botocore's own
(:class:`botocore.auth.SigV4Auth`), fed with exactly the headers the client
listed in ``SignedHeaders``: hand-rolled crypto would be one more thing that
could disagree with the clients we are meant to accept.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials

from ._errors import ServiceError

_TIMESTAMP = "%Y%m%dT%H%M%SZ"
# AWS refuses a request whose X-Amz-Date is more than 15 minutes off its own clock.
MAX_SKEW_SECONDS = 15 * 60
_UNSIGNED = "UNSIGNED-PAYLOAD"

_AUTH_RE = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+)\s*,\s*"
    r"SignedHeaders=(?P<signed>[^,\s]+)\s*,\s*Signature=(?P<signature>[0-9a-fA-F]+)\s*$"
)

_BAD_SIGNATURE = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)


class _Verifier(SigV4Auth):
    """botocore's signer, restricted to the headers the client chose to sign."""

    def __init__(
        self, credentials: Credentials, service: str, region: str, signed: HTTPHeaders, body: bytes
    ) -> None:
        super().__init__(credentials, service, region)
        self._signed = signed
        self._body = body

    def headers_to_sign(self, request: AWSRequest) -> HTTPHeaders:
        # botocore would pick every header it sees (minus a blacklist) and add `host`;
        # a verifier must use the client's list, no more and no less.
        return self._signed

    def payload(self, request: AWSRequest) -> str:
        return hashlib.sha256(self._body).hexdigest()


def verify(
    *,
    method: str,
    host: str,
    raw_path: str,
    headers: Sequence[tuple[str, str]],
    body: bytes,
    secrets: Mapping[str, str],
    region: str,
    service: str,
    now: float,
) -> str:
    """Check a request's SigV4 signature; return the access key id it was signed with.

    ``raw_path`` is the path and query exactly as received (percent-encoding
    intact), because that is what the client signed. ``now`` is the real wall
    clock: the emulator's virtual clock may run days ahead, clients' clocks do not.
    Raises :class:`ServiceError` with the code AWS used for each failure.
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
    secret = secrets.get(access_key)
    if secret is None:
        raise ServiceError(
            "UnrecognizedClientException", "The security token included in the request is invalid."
        )

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
    declared_hash = first("x-amz-content-sha256")
    if declared_hash not in (None, _UNSIGNED) and not hmac.compare_digest(
        declared_hash, hashlib.sha256(body).hexdigest()
    ):
        raise ServiceError(
            "InvalidSignatureException",
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
        )

    request = AWSRequest(
        method=method, url=f"http://{host}{raw_path}", headers=dict(signed.items()), data=body
    )
    request.context["timestamp"] = amz_date
    verifier = _Verifier(Credentials(access_key, secret), service, region, signed, body)
    canonical = verifier.canonical_request(request)
    expected = verifier.signature(verifier.string_to_sign(request, canonical), request)
    if not hmac.compare_digest(expected, match["signature"].lower()):
        raise ServiceError("InvalidSignatureException", _BAD_SIGNATURE)
    return access_key


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
