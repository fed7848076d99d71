"""A world to start an emulator with: the small JSON format of ``--seed FILE``, and the built-in ``demo``.

A world file is one JSON object; every member but the names is optional::

    {
      "applications": [
        {
          "name": "hello-world",
          "sources": {"X86_64": "s3://my-bundles/hello/x86_64.tar.gz",
                      "ARM64": "s3://my-bundles/hello/arm64.tar.gz"},
          "robot_software_suite": {"name": "ROS2", "version": "Foxy"},
          "versions": 1,
          "tags": {"team": "navigation"}
        }
      ],
      "fleets": [
        {
          "name": "lab",
          "tags": {},
          "robots": [
            {"name": "lab-01", "architecture": "X86_64"},
            {"name": "lab-02", "architecture": "ARM64", "greengrass_group_id": "gg-lab-02",
             "tags": {"emulator:fail-step": "Launching"}}
          ]
        }
      ]
    }

``sources`` maps an architecture to its bundle; ``robot_software_suite``
defaults to ROS2 Foxy; ``versions`` is how many numbered versions to make
("1", "2"...; default 1, 0 for none); a robot's ``greengrass_group_id``
defaults to ``gg-<name>``. Every robot joins its fleet. The emulator's
fault tags (``emulator:fail-step``...) make a robot fail on purpose. Names,
architectures and the rest are checked as the service checks them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from .._enums import Architecture, RobotDeploymentStep
from ._simulation import TAG_FAIL_STEP

__all__ = ["DEMO", "Application", "FleetSpec", "RobotSpec", "World", "WorldError", "load_world"]


class WorldError(ValueError):
    """A world that cannot be read or seeded; says where (``fleets[0].robots[2].name``) and why."""


@attrs.frozen
class Application:
    """A robot application to create, with ``versions`` numbered versions."""

    name: str
    sources: Mapping[str, str]
    """Architecture -> ``s3://BUCKET/KEY``."""
    suite: Mapping[str, str]
    versions: int = 1
    tags: Mapping[str, str] = attrs.field(factory=dict)


@attrs.frozen
class RobotSpec:
    """A robot to create and register in its fleet."""

    name: str
    architecture: str
    greengrass_group_id: str
    tags: Mapping[str, str] = attrs.field(factory=dict)


@attrs.frozen
class FleetSpec:
    """A fleet to create, with its robots."""

    name: str
    robots: Sequence[RobotSpec] = ()
    tags: Mapping[str, str] = attrs.field(factory=dict)


@attrs.frozen
class World:
    """What a seeded emulator starts with."""

    applications: Sequence[Application] = ()
    fleets: Sequence[FleetSpec] = ()

    @classmethod
    def from_json(cls, data: object) -> World:
        """Read a world from decoded JSON; anything off the format is a :class:`WorldError` saying where."""
        top = _members(data, "the world", required=(), optional=("applications", "fleets"))
        return cls(
            applications=tuple(
                _application(item, f"applications[{index}]")
                for index, item in enumerate(_list(top.get("applications", []), "applications"))
            ),
            fleets=tuple(
                _fleet(item, f"fleets[{index}]")
                for index, item in enumerate(_list(top.get("fleets", []), "fleets"))
            ),
        )


def load_world(spec: str | Path) -> World:
    """``"demo"`` (the built-in world), or the world in the JSON file at ``spec``."""
    if str(spec) == "demo":
        return World.from_json(DEMO)
    try:
        text = Path(spec).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise WorldError(
            f"cannot read the world file {str(spec)!r} ({exc.strerror if isinstance(exc, OSError) else exc});"
            " a seed is an integer, 'demo' or the path of a JSON world file"
        ) from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise WorldError(f"the world file {str(spec)!r} is not JSON: {exc}") from exc
    try:
        return World.from_json(data)
    except WorldError as exc:
        raise WorldError(f"{spec}: {exc}") from exc


# -- reading, member by member ---------------------------------------------------------------------


def _members(
    value: object, where: str, *, required: Sequence[str], optional: Sequence[str]
) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise WorldError(f"{where} must be an object, not {type(value).__name__}")
    unknown = sorted(set(value) - {*required, *optional})
    if unknown:
        raise WorldError(
            f"{where} has no member {unknown[0]!r} (it takes {', '.join([*required, *optional])})"
        )
    missing = [name for name in required if name not in value]
    if missing:
        raise WorldError(f"{where}.{missing[0]} is required")
    return value


def _list(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise WorldError(f"{where} must be a list, not {type(value).__name__}")
    return value


def _text(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise WorldError(f"{where} must be a string, not {type(value).__name__}")
    return value


def _texts(value: object, where: str) -> dict[str, str]:
    """A JSON object of strings (tags, sources)."""
    if not isinstance(value, dict):
        raise WorldError(f"{where} must be an object of strings, not {type(value).__name__}")
    return {key: _text(item, f"{where}.{key}") for key, item in value.items()}


def _application(value: object, where: str) -> Application:
    given = _members(
        value,
        where,
        required=("name", "sources"),
        optional=("robot_software_suite", "versions", "tags"),
    )
    suite = _texts(
        _members(
            given.get("robot_software_suite", {"name": "ROS2", "version": "Foxy"}),
            f"{where}.robot_software_suite",
            required=("name",),
            optional=("version",),
        ),
        f"{where}.robot_software_suite",
    )
    versions = given.get("versions", 1)
    if isinstance(versions, bool) or not isinstance(versions, int) or versions < 0:
        raise WorldError(f"{where}.versions must be a whole number, 0 or more, not {versions!r}")
    return Application(
        name=_text(given["name"], f"{where}.name"),
        sources=_texts(given["sources"], f"{where}.sources"),
        suite=suite,
        versions=versions,
        tags=_texts(given.get("tags", {}), f"{where}.tags"),
    )


def _fleet(value: object, where: str) -> FleetSpec:
    given = _members(value, where, required=("name",), optional=("robots", "tags"))
    return FleetSpec(
        name=_text(given["name"], f"{where}.name"),
        robots=tuple(
            _robot(item, f"{where}.robots[{index}]")
            for index, item in enumerate(_list(given.get("robots", []), f"{where}.robots"))
        ),
        tags=_texts(given.get("tags", {}), f"{where}.tags"),
    )


def _robot(value: object, where: str) -> RobotSpec:
    given = _members(
        value, where, required=("name", "architecture"), optional=("greengrass_group_id", "tags")
    )
    name = _text(given["name"], f"{where}.name")
    return RobotSpec(
        name=name,
        architecture=_text(given["architecture"], f"{where}.architecture"),
        greengrass_group_id=_text(
            given.get("greengrass_group_id", f"gg-{name}"), f"{where}.greengrass_group_id"
        ),
        tags=_texts(given.get("tags", {}), f"{where}.tags"),
    )


# -- the built-in world ----------------------------------------------------------------------------

_ARCHITECTURES = [member.value for member in Architecture]


def _robots(prefix: str, count: int, failing: Mapping[int, str] | None = None) -> list[dict[str, Any]]:
    """``count`` robots ``{prefix}-01``... cycling through the architectures; ``failing``: number -> step."""
    robots: list[dict[str, Any]] = []
    for number in range(1, count + 1):
        robot: dict[str, Any] = {
            "name": f"{prefix}-{number:02d}",
            "architecture": _ARCHITECTURES[(number - 1) % len(_ARCHITECTURES)],
        }
        if failing and number in failing:
            robot["tags"] = {TAG_FAIL_STEP: failing[number]}
        robots.append(robot)
    return robots


#: ``--seed demo``: an application with a bundle per architecture and its version 1, a fleet of six
#: robots that all deploy it, and a fleet of three whose third fails at launch (to see a failure).
DEMO: Mapping[str, Any] = {
    "applications": [
        {
            "name": "hello-world",
            "sources": {
                arch: f"s3://demo-bundles/hello-world/{arch.lower()}.tar.gz" for arch in _ARCHITECTURES
            },
            "robot_software_suite": {"name": "ROS2", "version": "Foxy"},
            "versions": 1,
        }
    ],
    "fleets": [
        {"name": "warehouse-east", "robots": _robots("east", 6)},
        {"name": "warehouse-west", "robots": _robots("west", 3, {3: RobotDeploymentStep.LAUNCHING.value})},
    ],
}
