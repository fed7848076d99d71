"""The options commands share, their value parsers, and what makes a new command a few lines.

The connection and output options (``--endpoint-url``, ``--json``...) are
accepted both before and after the subcommand's name: the group and every
command that talks to the service take them, and each stores its value in
one :class:`Settings` on the root context instead of passing it to the
command. :func:`command` gives a function those options, the exit-code
epilog and, with ``waits=True``, the wait options; the function receives the
:class:`Settings` first and runs its calls with :meth:`Settings.run`.
"""

from __future__ import annotations

import enum
import functools
import os
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar

import anyio
import attrs
import click

from .. import S3Object
from .._config import DEFAULT_MAX_DELAY, DEFAULT_MIN_DELAY, DEFAULT_TIMEOUT
from .exits import EXIT_CODES_HELP

if TYPE_CHECKING:
    from .. import DeploymentClient, Pager

__all__ = [
    "Paging",
    "Pairs",
    "Polling",
    "Settings",
    "canonical",
    "choice",
    "client_token_option",
    "command",
    "debug_option",
    "key_values",
    "one_filter",
    "s3_object",
    "settings_of",
    "shared_options",
    "starting_token_option",
    "wait_options",
    "with_options",
]

T = TypeVar("T")
C = TypeVar("C", bound=click.Command)


@attrs.define
class Settings:
    """Where to connect and how to print, from the options of the group and of the subcommand."""

    endpoint_url: str | None = None
    region: str | None = None
    profile: str | None = None
    max_attempts: int | None = None
    json: bool = False
    debug: bool = False

    def client(self) -> DeploymentClient:
        """A client (not yet open) for the endpoint, region and profile given."""
        # Imported on first use: the client brings aiobotocore, which --help and usage errors do without.
        from .. import ClientConfig, DeploymentClient

        config = ClientConfig(max_attempts=self.max_attempts) if self.max_attempts else None
        return DeploymentClient(
            endpoint_url=self.endpoint_url,
            region_name=self.region,
            profile_name=self.profile,
            config=config,
        )

    def run(self, work: Callable[[DeploymentClient], Awaitable[T]]) -> T:
        """Open a client, await ``work(client)`` on a new event loop, close the client; return the result."""

        async def main() -> T:
            async with self.client() as client:
                return await work(client)

        return anyio.run(main)

    def page(self, listing: Callable[[DeploymentClient], Pager[T]]) -> tuple[list[T], str | None]:
        """Run a listing up to its ``max_items``; return the items and the token that resumes it."""

        async def collect(client: DeploymentClient) -> tuple[list[T], str | None]:
            pager = listing(client)
            return [item async for item in pager], pager.resume_token

        return self.run(collect)


def settings_of(ctx: click.Context) -> Settings:
    """The :class:`Settings` of this invocation, kept on the root context."""
    root = ctx.find_root()
    if not isinstance(root.obj, Settings):
        root.obj = Settings()
    return root.obj


def _store(field: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        # A value given at either level wins over an unset one; the subcommand's is parsed last.
        if value is not None and value is not False and value != "":
            setattr(settings_of(ctx), field, value)

    return callback


def _setting(flag: str, **attributes: Any) -> click.Option:
    """An option whose value goes to the :class:`Settings` field named like the flag, not to the command."""
    field = flag.removeprefix("--").replace("-", "_")
    return click.Option([flag, field], callback=_store(field), expose_value=False, **attributes)


def debug_option(text: str = "Show the full traceback of an error.") -> click.Option:
    """``--debug``: print the traceback of an error, not only its one line; ``text`` is its help."""
    return _setting("--debug", is_flag=True, default=None, help=text)


def shared_options() -> list[click.Option]:
    """The connection and output options, fresh for one command (click options are not shared)."""
    return [
        _setting(
            "--endpoint-url",
            metavar="URL",
            help="Endpoint to call instead of AWS (the emulator's URL). Default: $AWS_ENDPOINT_URL.",
        ),
        _setting(
            "--region",
            metavar="REGION",
            envvar="AWS_REGION",
            help="AWS region. Default: $AWS_REGION, $AWS_DEFAULT_REGION or the profile's.",
        ),
        _setting("--profile", metavar="NAME", help="Profile of ~/.aws/config to use. Default: $AWS_PROFILE."),
        _setting(
            "--max-attempts",
            type=int,
            metavar="N",
            help="Tries per API call, retries of throttling and connection errors included (default 10).",
        ),
        _setting(
            "--json",
            is_flag=True,
            default=None,
            help="Print machine-readable JSON instead of tables and progress bars.",
        ),
        debug_option(),
    ]


class Paging(TypedDict, total=False):
    """The paging options, as keywords of the client's listing methods."""

    max_items: int | None
    page_size: int | None
    starting_token: str | None


def one_filter(status: object, fleet_name: str | None) -> None:
    """Refuse ``--status`` with ``--fleet-name``: the service takes one filter per request."""
    if status and fleet_name is not None:
        raise click.UsageError("--status cannot be combined with --fleet-name: the service takes one filter")


class Polling(TypedDict):
    """The wait options, as keywords of the client's wait and watch methods."""

    timeout: float
    min_delay: float
    max_delay: float


_WAITS: tuple[tuple[str, float, str], ...] = (
    ("--timeout", DEFAULT_TIMEOUT, "Give up waiting after this long (exit code 3); the deployment goes on."),
    ("--min-delay", DEFAULT_MIN_DELAY, "First and shortest pause between two polls."),
    ("--max-delay", DEFAULT_MAX_DELAY, "Longest pause between two polls."),
)


def wait_options() -> list[click.Option]:
    """``--timeout``, ``--min-delay`` and ``--max-delay``, with the SDK's defaults."""
    return [
        click.Option([flag], type=float, metavar="SECONDS", default=default, show_default=True, help=text)
        for flag, default, text in _WAITS
    ]


def with_options(*options: click.Option) -> Callable[[C], C]:
    """Add ``options`` to a command after its own (they are listed in that order in its help)."""

    def add(cmd: C) -> C:
        cmd.params.extend(options)
        return cmd

    return add


def command(
    name: str | None = None, *, waits: bool = False
) -> Callable[[Callable[..., None]], click.Command]:
    """Make ``func(settings, **params)`` a command that talks to the service.

    It gets the shared options (and with ``waits`` the wait options, passed
    to ``func`` together as ``polling``, a :class:`Polling`) after its own,
    and the exit codes as its epilog. Its docstring is its help.
    """

    def decorate(func: Callable[..., None]) -> click.Command:
        @functools.wraps(func)
        def callback(**params: Any) -> None:
            if waits:
                params["polling"] = Polling(
                    timeout=params.pop("timeout"),
                    min_delay=params.pop("min_delay"),
                    max_delay=params.pop("max_delay"),
                )
            func(settings_of(click.get_current_context()), **params)

        cmd = click.command(name, epilog=EXIT_CODES_HELP)(callback)
        return with_options(*(wait_options() if waits else ()), *shared_options())(cmd)

    return decorate


#: ``--starting-token``, which every listing takes.
starting_token_option = click.option(
    "--starting-token", metavar="TOKEN", help="Continue a listing where the last one stopped."
)
#: ``--client-token``, which every command that creates a job takes.
client_token_option = click.option(
    "--client-token", metavar="TOKEN", help="Idempotency token (generated if not given)."
)


# -- option values ---------------------------------------------------------------------------------

Pairs = tuple[tuple[str, str], ...]


def key_values(*, from_env: bool) -> Callable[[click.Context, click.Parameter, Any], Pairs]:
    """``KEY=VALUE`` items; with ``from_env``, a bare ``KEY`` takes its value from the environment."""

    def parse(ctx: click.Context, param: click.Parameter, values: Any) -> Pairs:
        pairs = []
        for value in values or ():
            key, sep, rest = str(value).partition("=")
            if sep:
                pairs.append((key, rest))
            elif from_env and key in os.environ:
                pairs.append((key, os.environ[key]))
            elif from_env:
                raise click.BadParameter(
                    f"{key!r} is neither KEY=VALUE nor the name of a set environment variable", ctx, param
                )
            else:
                raise click.BadParameter(f"{key!r} is not KEY=VALUE", ctx, param)
        return tuple(pairs)

    return parse


def s3_object(ctx: click.Context, param: click.Parameter, value: str | None) -> S3Object | None:
    """``s3://BUCKET/KEY`` as an :class:`S3Object`."""
    if value is None:
        return None
    bucket, _, key = value.removeprefix("s3://").partition("/")
    if not value.startswith("s3://") or not bucket or not key:
        raise click.BadParameter(f"{value!r} is not s3://BUCKET/KEY", ctx, param)
    return S3Object(bucket=bucket, key=key)


def choice(enum_cls: type[enum.Enum]) -> click.Choice[str]:
    """One of the enum's values, in any case (:func:`canonical` spells it as the service does)."""
    return click.Choice([str(member.value) for member in enum_cls], case_sensitive=False)


def canonical(enum_cls: type[enum.Enum], value: str) -> str:
    """``value`` spelled as the enum's member it names, whatever its case."""
    for member in enum_cls:
        if str(member.value).lower() == value.lower():
            return str(member.value)
    return value
