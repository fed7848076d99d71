"""How a wire member's name becomes a Python name and back (``deploymentConfig`` <-> ``deployment_config``).

The converter renames model fields with these, error messages name the
caller's arguments with them, and the secrecy rule turns the model's secret
members into the field names the models and the CLI show.
"""

from __future__ import annotations

import re

__all__ = ["python_name", "wire_name"]

_CAMEL_BOUNDARY = re.compile(r"(?<!^)(?=[A-Z])")


def wire_name(field: str) -> str:
    """``deployment_config`` -> ``deploymentConfig``."""
    head, *rest = field.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def python_name(member: str) -> str:
    """``deploymentConfig`` -> ``deployment_config``."""
    return _CAMEL_BOUNDARY.sub("_", member).lower().replace("green_grass", "greengrass")
