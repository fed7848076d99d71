"""Resource names as AWS formats them, new identifiers that never repeat, and reading ARNs back.

The formats are the service's own, as AWS's documented examples show them
(the CloudFormation reference's ``Ref`` values and the AWS CLI's RoboMaker
examples)::

    arn:aws:robomaker:us-west-2:123456789012:deployment-fleet/MyFleet/1539894765711
    arn:aws:robomaker:us-west-2:123456789012:robot/MyRobot/1544035373264
    arn:aws:robomaker:us-west-2:123456789012:robot-application/MyRobotApplication/1546541208251
    arn:aws:robomaker:us-west-2:111111111111:deployment-job/deployment-xl8qssl6pbcn

Named resources end in their name and creation time in epoch milliseconds;
deployment jobs in ``deployment-`` and twelve lowercase letters and digits.
Job ids and revision ids are a keyed permutation of the store's sequence
number, so they look random, repeat with a seed, and can never repeat within
one state file: the sequence only grows, and the key is kept in the file.
"""

from __future__ import annotations

import hashlib
import re
import uuid

from ._errors import invalid

FLEET = "deployment-fleet"
ROBOT = "robot"
APPLICATION = "robot-application"
JOB = "deployment-job"

#: How messages name each kind of resource.
NOUNS = {FLEET: "fleet", ROBOT: "robot", APPLICATION: "robot application", JOB: "deployment job"}
_SHAPES = {
    FLEET: "deployment-fleet/<name>/<created-epoch-millis>",
    ROBOT: "robot/<name>/<created-epoch-millis>",
    APPLICATION: "robot-application/<name>/<created-epoch-millis>",
    JOB: "deployment-job/<job-id>",
}

# arn:partition:robomaker:region:account:type/rest
_ARN = re.compile(r"arn:[a-z0-9-]+:robomaker:[a-z0-9-]*:[0-9]*:(?P<kind>[a-z-]+)/(?P<rest>.+)")
_ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
_ID_LENGTH = 12
# A permutation of 62-bit numbers: two 31-bit halves through a keyed Feistel network. 2**62 is
# below 36**12, so every output spells in twelve base-36 digits.
_HALF_BITS = 31
_HALF_MASK = (1 << _HALF_BITS) - 1
_ROUNDS = 4


def named(region: str, account: str, kind: str, name: str, millis: int) -> str:
    """The ARN of a fleet, robot or robot application created at ``millis``."""
    return f"arn:aws:robomaker:{region}:{account}:{kind}/{name}/{millis}"


def job(region: str, account: str, key: int, number: int) -> str:
    """The ARN of the deployment job with sequence ``number``, under the store's identifier ``key``."""
    value = _permute(key, number)
    digits = []
    for _ in range(_ID_LENGTH):
        value, digit = divmod(value, len(_ID_ALPHABET))
        digits.append(_ID_ALPHABET[digit])
    return f"arn:aws:robomaker:{region}:{account}:{JOB}/deployment-{''.join(reversed(digits))}"


def revision_id(key: int, number: int) -> str:
    """A UUID for the application created with sequence ``number``: its low 62 bits are a permutation."""
    high = int.from_bytes(_digest(key, "revision", number, 8), "big")
    return str(uuid.UUID(int=(high << 64) | _permute(key, number), version=4))


def kind_of(arn: str) -> str | None:
    """The resource type an ARN names (``deployment-fleet``...), or ``None`` if it is no RoboMaker ARN."""
    match = _ARN.fullmatch(arn)
    return match["kind"] if match is not None else None


def expect(arn: str, kind: str) -> None:
    """Refuse an ARN that is not of ``kind`` (malformed, another service's, another resource type's).

    The service answers these with ``InvalidParameterException``: the request
    itself is wrong, whether or not such a resource exists.
    """
    found = kind_of(arn)
    if found == kind:
        return
    if found is None:
        what = "not a valid RoboMaker ARN"
    elif found in NOUNS:
        what = f"the ARN of a {NOUNS[found]}"
    else:
        what = f"the ARN of a {found} resource"
    raise invalid(
        f"{arn} is {what}, not of a {NOUNS[kind]}: "
        f"expected arn:aws:robomaker:<region>:<account>:{_SHAPES[kind]}."
    )


def _permute(key: int, number: int) -> int:
    if not 0 <= number < 1 << (2 * _HALF_BITS):
        raise ValueError(f"identifier number out of range: {number}")
    left, right = number >> _HALF_BITS, number & _HALF_MASK
    for round_ in range(_ROUNDS):
        mixed = int.from_bytes(_digest(key, round_, right, 4), "big") & _HALF_MASK
        left, right = right, left ^ mixed
    return (left << _HALF_BITS) | right


def _digest(key: int, purpose: object, value: int, size: int) -> bytes:
    return hashlib.blake2b(f"{key}:{purpose}:{value}".encode(), digest_size=size).digest()
