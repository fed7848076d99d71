"""The ``robomaker-deploy`` group: its commands, and how any failure becomes one line and an exit code."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any

import click

from .. import __version__
from . import jobs, local, resources, rollouts
from .exits import EXIT_CODES_HELP, EXIT_OK, EXIT_USAGE, Failed, explain
from .options import Settings, shared_options, with_options

__all__ = ["main", "run_guarded", "standalone"]


def run_guarded(invoke: Callable[[Settings], object], *, standalone_mode: bool = True) -> int:
    """Run ``invoke`` (a click ``main`` in non-standalone mode); any failure is one line and an exit code.

    Exits with that code when ``standalone_mode``, else returns it.
    """
    settings = Settings(debug=os.environ.get("ROBOMAKER_DEPLOY_DEBUG", "") not in ("", "0"))
    try:
        invoke(settings)
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx is not None else "robomaker-deploy"
        click.echo(f"error: {exc.format_message()} (see '{where} --help')", err=True)
        code = EXIT_USAGE
    except click.ClickException as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        code = exc.exit_code
    except Failed as exc:
        code = exc.code
    except (Exception, KeyboardInterrupt, click.exceptions.Abort) as exc:
        code, line = explain(exc)
        if settings.debug:
            traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
        click.echo(f"error: {line}", err=True)
    else:
        code = EXIT_OK
    if standalone_mode:
        sys.exit(code)
    return code


class _Group(click.Group):
    """A group whose errors are one line on stderr and a documented exit code, never a traceback."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        if prog_name is None and args is None and os.path.basename(sys.argv[0]) == "__main__.py":
            prog_name = "robomaker-deploy"

        def invoke(settings: Settings) -> object:
            extra.setdefault("obj", settings)
            return super(_Group, self).main(argv, prog_name, complete_var, standalone_mode=False, **extra)

        return run_guarded(invoke, standalone_mode=standalone_mode)


@with_options(*shared_options())
@click.group(
    "robomaker-deploy",
    cls=_Group,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=EXIT_CODES_HELP,
)
@click.version_option(__version__, "--version", prog_name="robomaker-deploy")
def main() -> None:
    """Deploy robot applications to RoboMaker fleets, and watch them roll out.

    Connection options work before or after the subcommand; credentials come
    from the usual AWS environment variables or --profile. Try
    'robomaker-deploy demo' for a one-minute tour on the built-in emulator.
    """


for _command in (*jobs.COMMANDS, *resources.COMMANDS, *rollouts.COMMANDS, *local.COMMANDS):
    main.add_command(_command)


def standalone(name: str, prog_name: str) -> None:
    """Run the subcommand ``name`` as a program of its own, ``prog_name`` (``python -m ...emulator``).

    Its usage and errors name ``prog_name``, not ``robomaker-deploy name``; failures are handled as
    the group handles them.
    """
    command = main.commands[name]
    run_guarded(lambda settings: command.main(None, prog_name, standalone_mode=False, obj=settings))
