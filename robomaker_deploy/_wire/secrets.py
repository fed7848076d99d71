"""What is secret on the wire, derived from the model's ``sensitive`` trait, and how it is hidden.

The bundled model marks ``EnvironmentVariableValue`` sensitive. From that one
trait this module derives every member whose value must never be shown (today
``environmentVariables``: a map of such values), and everything that shows
data hides them the same way: the models' reprs, validation messages (the
SDK's and the emulator's), botocore's DEBUG logs and the CLI's ``--json``
output. A new sensitive shape in the model is therefore hidden everywhere at
once.

A hidden map keeps its keys (which variables are set is not secret) and
loses its values.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .names import python_name

if TYPE_CHECKING:
    from botocore.model import Shape

# botocore and the model load when a question needs them, not on import: the models' reprs need
# only ``secret_repr``, and ``import robomaker_deploy`` should not pay for botocore.

__all__ = [
    "MASK",
    "holds_secret",
    "is_secret_field",
    "is_secret_member",
    "mask",
    "redact",
    "secret_members",
    "secret_repr",
]

#: What a secret value is shown as.
MASK = "***"


@functools.cache
def holds_secret(shape: Shape) -> bool:
    """Whether a value of ``shape`` may contain a sensitive one anywhere (a structure or map holding one)."""
    from botocore.model import MapShape, StructureShape

    if shape.metadata.get("sensitive"):
        return True
    if isinstance(shape, StructureShape):
        return any(holds_secret(member) for member in shape.members.values())
    if isinstance(shape, MapShape):
        return holds_secret(shape.key) or holds_secret(shape.value)
    member = getattr(shape, "member", None)
    return member is not None and holds_secret(member)


def _secret_leaf(shape: Shape) -> bool:
    # A sensitive scalar, or a map or list of them: the member's whole value is hidden. A structure
    # holding one is not: its other members stay visible and the walk goes on inside it.
    from botocore.model import MapShape, StructureShape

    if shape.metadata.get("sensitive"):
        return True
    if isinstance(shape, MapShape):
        return _secret_leaf(shape.value)
    member = getattr(shape, "member", None)
    return member is not None and not isinstance(shape, StructureShape) and _secret_leaf(member)


@functools.cache
def secret_members() -> frozenset[str]:
    """Wire names of the members whose values are secret (``{"environmentVariables"}``)."""
    from botocore.model import StructureShape

    from .model import service_model

    model = service_model()
    found: set[str] = set()
    for name in model.shape_names:
        shape = model.shape_for(name)
        if isinstance(shape, StructureShape):
            found.update(member for member, inner in shape.members.items() if _secret_leaf(inner))
    return frozenset(found)


@functools.cache
def _secret_fields() -> frozenset[str]:
    return frozenset(python_name(member) for member in secret_members())


def is_secret_member(name: str) -> bool:
    """Whether a wire member (``environmentVariables``) holds a secret value."""
    return name in secret_members()


def is_secret_field(name: str) -> bool:
    """Whether a model field (``environment_variables``) holds a secret value."""
    return name in _secret_fields()


def mask(value: Any) -> Any:
    """A secret member's value as it may be shown: a map keeps its keys, everything else is ``***``."""
    if isinstance(value, Mapping):
        return {str(key): MASK for key in value}
    if isinstance(value, (list, tuple)):
        return [MASK for _ in value]
    return MASK


def secret_repr(value: Any) -> str:
    """The repr of a secret field (attrs ``repr=``): ``{'API_TOKEN': '***'}``."""
    return repr(mask(value))


def redact(data: Any, leaf: Callable[[Any], Any] | None = None) -> Any:
    """``data`` (JSON-like: dicts, lists, scalars, keyed by wire names) with every secret member masked.

    ``leaf``, if given, rewrites every other value that is neither a mapping
    nor a list (the logging filter looks inside JSON text there).
    """
    if isinstance(data, Mapping):
        return {
            key: mask(item) if is_secret_member(str(key)) else redact(item, leaf)
            for key, item in data.items()
        }
    if isinstance(data, list):
        return [redact(item, leaf) for item in data]
    return data if leaf is None else leaf(data)
