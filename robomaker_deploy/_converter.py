"""The one place where wire names and wire types meet the models.

A single cattrs converter turns the service's JSON (camelCase members,
epoch-second timestamps, enum strings) into the frozen models and back. Its
hooks are generated once per class, so structuring a 1,000-robot
DescribeDeploymentJob is a handful of straight-line function calls per
robot rather than a walk over botocore's shape tree.

The converter is built on first use, not at import: a program that only
imports the package (a CLI printing its help) pays neither for cattrs nor
for the hooks.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from types import MappingProxyType, UnionType
from typing import TYPE_CHECKING, Any, TypeVar, Union, get_args, get_origin

import attrs

from . import _enums, _models
from ._enums import _OpenEnum
from ._wire.names import wire_name

if TYPE_CHECKING:
    import cattrs

__all__ = ["converter", "structure", "unstructure"]

T = TypeVar("T")

#: Members whose wire name is not the camelCase of the field name.
_WIRE_RENAMES: dict[tuple[type[Any], str], str] = {
    (_models.Robot, "greengrass_group_id"): "greenGrassGroupId",
}

#: Other spellings of a member that some operations use: the Robot shape says
#: ``greenGrassGroupId`` while CreateRobot and DescribeRobot say ``greengrassGroupId``.
_WIRE_ALIASES: dict[type[Any], dict[str, str]] = {
    _models.Robot: {"greengrassGroupId": "greenGrassGroupId"},
}


_UTC = timezone.utc
_from_epoch = datetime.fromtimestamp


#: Hooks that already map ``None`` to ``None``: ``X | None`` uses them as they are.
_NULL_SAFE: set[Callable[[Any, Any], Any]] = set()


def _timestamp(value: Any, _: Any) -> datetime | None:
    # Hot path first: a 1,000-robot job carries two thousand of these.
    kind = value.__class__
    if kind is float or kind is int:
        return _from_epoch(value, _UTC)
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=_UTC)
    raise TypeError(f"expected epoch seconds, got {value!r}")


def _enum_hook(cls: type[_OpenEnum]) -> Callable[[Any, Any], _OpenEnum | None]:
    # Enum.__call__ is slow for the hot path; a dict lookup answers known values
    # and the class call is only needed to make an unknown value's pseudo-member.
    table: Mapping[str, _OpenEnum] = {member.value: member for member in cls}

    def structure_enum(value: Any, _: Any) -> _OpenEnum | None:
        member = table.get(value)
        if member is not None or value is None:
            return member
        if not isinstance(value, str):
            raise TypeError(f"expected a string for {cls.__name__}, got {value!r}")
        return cls(value)

    _NULL_SAFE.add(structure_enum)
    return structure_enum


def _string_map(value: Any, _: Any) -> Mapping[str, str]:
    if not isinstance(value, Mapping):
        raise TypeError(f"expected an object, got {type(value).__name__}")
    return MappingProxyType({str(k): str(v) for k, v in value.items()})


def _is_optional(t: Any) -> bool:
    return get_origin(t) in (Union, UnionType) and len(get_args(t)) == 2 and type(None) in get_args(t)


def _optional_hook(conv: cattrs.Converter) -> Callable[[Any], Callable[[Any, Any], Any]]:
    # cattrs' generic union handling costs a dispatch per optional member; on
    # a 1,000-robot job that is most of the structuring time. Almost every
    # member is optional, so ``X | None`` goes straight to X's hook.
    def factory(t: Any) -> Callable[[Any, Any], Any]:
        inner: Any = next(arg for arg in get_args(t) if arg is not type(None))
        if inner in (str, int):
            return lambda v, _: v if v is None or v.__class__ is inner else inner(v)
        if inner is float:
            return lambda v, _: None if v is None else float(v)
        hook = conv.get_structure_hook(inner)
        if hook in _NULL_SAFE:
            return hook
        return lambda v, _: None if v is None else hook(v, inner)

    return factory


@functools.cache
def converter() -> cattrs.Converter:
    """The converter, built once per process on first use."""
    import cattrs
    from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

    # Without detailed validation the generated hooks are straight-line code; a
    # malformed response still raises, and the client reports it as such.
    conv = cattrs.Converter(forbid_extra_keys=False, detailed_validation=False)
    conv.register_structure_hook_factory(_is_optional, _optional_hook(conv))
    _NULL_SAFE.add(_timestamp)
    conv.register_structure_hook(datetime, _timestamp)
    conv.register_unstructure_hook(datetime, lambda value: value.timestamp())
    for name in _enums.__all__:
        cls = getattr(_enums, name)
        if isinstance(cls, type) and issubclass(cls, _OpenEnum):
            conv.register_structure_hook(cls, _enum_hook(cls))
            conv.register_unstructure_hook(cls, lambda member: member.value)
    conv.register_structure_hook_func(lambda t: t == Mapping[str, str], _string_map)
    conv.register_unstructure_hook(MappingProxyType, dict)
    models = {getattr(_models, name) for name in _models.__all__}

    def renames(cls: type[Any]) -> dict[str, Any]:
        return {
            field.name: override(rename=_WIRE_RENAMES.get((cls, field.name), wire_name(field.name)))
            for field in attrs.fields(cls)
        }

    # Factories, not hooks: they run on first use, once every model's hook can
    # be found, whatever order the classes nest in.
    def structure_fn(cls: type[Any]) -> Callable[[Any, Any], Any]:
        made = make_dict_structure_fn(cls, conv, **renames(cls))

        def generated(data: Any, target: Any) -> Any:
            # The generated code tests members with `in`, which a string or a list answers too: a
            # response with "x" where an object belongs would become a model of Nones, not an error.
            if data.__class__ is not dict and not isinstance(data, Mapping):
                raise TypeError(f"expected an object for {cls.__name__}, got {type(data).__name__}")
            return made(data, target)

        aliases = _WIRE_ALIASES.get(cls)
        if not aliases:
            return generated

        def structure_with_aliases(data: Any, target: Any) -> Any:
            if isinstance(data, Mapping) and any(alias in data for alias in aliases):
                data = dict(data)
                for alias, name in aliases.items():
                    if alias in data:
                        data.setdefault(name, data.pop(alias))
            return generated(data, target)

        return structure_with_aliases

    conv.register_structure_hook_factory(lambda t: t in models, structure_fn)
    conv.register_unstructure_hook_factory(
        lambda t: t in models,
        lambda cls: make_dict_unstructure_fn(cls, conv, _cattrs_omit_if_default=True, **renames(cls)),
    )
    return conv


def structure(data: Any, cls: type[T]) -> T:
    """Wire dict -> model."""
    return converter().structure(data, cls)


def unstructure(value: Any) -> Any:
    """Model (or a collection of models) -> wire-shaped dict, leaving out unset members."""
    return converter().unstructure(value)
