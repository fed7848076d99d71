"""The one place where wire names and wire types meet the models.

A single cattrs converter turns the service's JSON (camelCase members,
epoch-second timestamps, enum strings) into the frozen models and back. Each
model's structure function is written once per class (``_structure_function``),
so structuring a 1,000-robot DescribeDeploymentJob is two straight-line
function calls per robot rather than a walk over botocore's shape tree.

The converter is built on first use, not at import: a program that only
imports the package (a CLI printing its help) pays neither for cattrs nor
for the hooks.
"""

from __future__ import annotations

import functools
import linecache
from collections.abc import Callable, Collection, Mapping
from datetime import datetime, timezone
from types import MappingProxyType, MemberDescriptorType, UnionType
from typing import TYPE_CHECKING, Any, TypeVar, Union, get_args, get_origin, get_type_hints

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


#: What a member absent from the wire reads as, to tell it from a null.
_ABSENT = object()


def _structure_function(
    conv: cattrs.Converter, cls: type[Any], models: Collection[type[Any]]
) -> Callable[..., Any]:
    """One straight-line function that builds ``cls`` from its wire dict.

    cattrs' generated functions call a hook per member and gather the members
    present into a dict of keyword arguments; on a 1,000-robot job those calls
    were most of the decode. Here the common members (strings, numbers, epoch
    timestamps, open enums, nested models and tuples of them) are converted by
    expressions written into the function itself, and only the rest go through
    the converter's hooks. Each member converts exactly as its hook does, so
    what a model holds, and what a malformed response raises, are unchanged.

    The function is called as ``(data, cls)`` (a cattrs hook) or, by the
    function of the model that holds this one, ``(data, None, keep)``.
    """
    hints = get_type_hints(cls)
    env: dict[str, Any] = {
        "_cls": cls,
        "_Mapping": Mapping,
        "_ABSENT": _ABSENT,
        "_fromts": _from_epoch,
        "_UTC": _UTC,
        "_timestamp": _timestamp,
    }

    def convert(name: str, kind: Any) -> str:
        # An expression of ``v`` that gives ``kind`` as the converter's hook for it would.
        optional = _is_optional(kind)
        inner: Any = next(arg for arg in get_args(kind) if arg is not type(None)) if optional else kind
        if inner is str and optional:
            # One string object per distinct value in a response: a thousand robots' targetResource
            # (the job's ARN) and their failureReason are mostly the same few strings. Required
            # strings are what a record is (its ARN, its name), not worth the lookup.
            return "keep(v, v) if v.__class__ is str else (None if v is None else str(v))"
        if inner is str:
            return "v if v.__class__ is str else str(v)"
        if inner is int:
            guard = "v is None or " if optional else ""
            return f"v if {guard}v.__class__ is int else int(v)"
        if inner is float:
            tail = "None if v is None else float(v)" if optional else "float(v)"
            return f"v if v.__class__ is float else ({tail})"
        if inner is datetime:
            # _timestamp passes None through, so it serves both forms.
            return "_fromts(v, _UTC) if v.__class__ is float else _timestamp(v, None)"
        if isinstance(inner, type) and issubclass(inner, _OpenEnum):
            env[f"_t_{name}"] = {member.value: member for member in inner}
            env[f"_h_{name}"] = conv.get_structure_hook(inner)  # makes the pseudo-member of an unknown value
            return f"_t_{name}.get(v) or (None if v is None else _h_{name}(v, None))"
        if inner in models:
            env[f"_h_{name}"] = conv.get_structure_hook(inner)
            made = f"_h_{name}(v, None, keep)"
            return f"None if v is None else {made}" if optional else made
        args = get_args(inner)
        if get_origin(inner) is tuple and len(args) == 2 and args[1] is Ellipsis and args[0] in models:
            env[f"_h_{name}"] = conv.get_structure_hook(args[0])
            made = f"tuple([_h_{name}(item, None, keep) for item in v])"
            return f"None if v is None else {made}" if optional else made
        env[f"_h_{name}"] = conv.get_structure_hook(kind)
        env[f"_k_{name}"] = kind
        return f"_h_{name}(v, _k_{name})"

    lines = [
        # ``keep`` (a dict's setdefault) is shared by the functions of one response's models: see
        # the str case.
        "def structure(o, _=None, keep=None):",
        "    if o.__class__ is not dict and not isinstance(o, _Mapping):",
        # The members are read with `in` and `get`, which a string or a list answers too: a
        # response with "x" where an object belongs would become a model of Nones, not an error.
        f"        raise TypeError(f'expected an object for {cls.__name__}, got {{type(o).__name__}}')",
        "    if keep is None:",
        "        keep = {}.setdefault",
    ]
    plain = _plain(cls)
    if plain:
        # Written slot by slot: what attrs' __init__ would do, minus a call with seven keywords.
        lines.append("    self = _new(_cls)")
        env["_new"] = object.__new__
    given = []
    for field in attrs.fields(cls):
        name, kind = field.name, hints[field.name]
        key = _WIRE_RENAMES.get((cls, name), wire_name(name))
        value = convert(name, kind)
        if field.default is attrs.NOTHING:
            lines += [f"    v = o[{key!r}]", f"    f_{name} = {value}"]
        elif field.default is None and _is_optional(kind):
            # An absent member and a null one both give None, the default.
            lines += [f"    v = o.get({key!r})", f"    f_{name} = {value}"]
        else:
            default = field.default
            if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                if default.takes_self:
                    raise TypeError(f"{cls.__name__}.{name}: a default that takes self is not supported")
                env[f"_d_{name}"] = default.factory
                default_expr = f"_d_{name}()"
            else:
                env[f"_d_{name}"] = default
                default_expr = f"_d_{name}"
            lines.append(f"    v = o.get({key!r}, _ABSENT)")
            lines.append(f"    f_{name} = {default_expr} if v is _ABSENT else ({value})")
        if plain:
            env[f"_s_{name}"] = getattr(cls, name).__set__
            lines.append(f"    _s_{name}(self, f_{name})")
        else:
            given.append(f"{name}=f_{name}")
    lines.append("    return self" if plain else f"    return _cls({', '.join(given)})")
    source = "\n".join(lines) + "\n"
    filename = f"<robomaker_deploy structure {cls.__qualname__}>"
    # In linecache, so a traceback through the function shows its lines.
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    exec(compile(source, filename, "exec"), env)  # our own source, written from the model's fields
    function: Callable[..., Any] = env["structure"]
    return function


def _plain(cls: type[Any]) -> bool:
    """Whether attrs' ``__init__`` of ``cls`` only stores its arguments, one slot each.

    Then the structure function may store them itself. A converter, a
    validator, an init hook or a cached hash each need ``__init__``, and a
    class with any of them gets it.
    """
    return (
        "__slots__" in cls.__dict__
        and not hasattr(cls, "__attrs_pre_init__")
        and not hasattr(cls, "__attrs_post_init__")
        and not hasattr(cls, "_attrs_cached_hash")
        and all(
            field.init
            and field.converter is None
            and field.validator is None
            and field.alias == field.name
            and isinstance(getattr(cls, field.name, None), MemberDescriptorType)
            for field in attrs.fields(cls)
        )
    )


@functools.cache
def converter() -> cattrs.Converter:
    """The converter, built once per process on first use."""
    import cattrs
    from cattrs.gen import make_dict_unstructure_fn, override

    # The models' structure functions are this module's own (_structure_function); cattrs gives
    # the hooks of anything else a field holds, and the unstructure side.
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
    def structure_fn(cls: type[Any]) -> Callable[..., Any]:
        generated = _structure_function(conv, cls, models)
        aliases = _WIRE_ALIASES.get(cls)
        if not aliases:
            return generated

        def structure_with_aliases(
            data: Any, target: Any, keep: Callable[[str, str], str] | None = None
        ) -> Any:
            if isinstance(data, Mapping) and any(alias in data for alias in aliases):
                data = dict(data)
                for alias, name in aliases.items():
                    if alias in data:
                        data.setdefault(name, data.pop(alias))
            return generated(data, target, keep)

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
