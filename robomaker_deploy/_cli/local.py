"""The commands that need no AWS: ``demo`` and ``emulator``, both on the built-in emulator."""

from __future__ import annotations

import asyncio
import warnings
from typing import Any

import anyio
import click

from .exits import EXIT_SERVICE_ERROR, EXIT_USAGE, CliError
from .options import debug_option, with_options
from .output import console

__all__ = ["COMMANDS"]


@with_options(debug_option())
@click.command()
@click.option("--speed", type=float, default=25.0, show_default=True, help="How much faster than real time.")
@click.option(
    "--robots", "robot_count", type=int, default=12, show_default=True, help="Robots in the three fleets."
)
def demo(speed: float, robot_count: int) -> None:
    """Roll a new version out across three fleets of simulated robots on the built-in emulator, live.

    A canary fleet, then two sites (12 robots of mixed architectures, all on
    version 1). Version 2 goes to the canary, bakes, passes its gate, goes to
    the first site, then to the second, where one robot's pre-launch script
    fails: the stage is aborted early and every changed fleet is rolled back
    to version 1, newest first. Ends with the rollout's report.
    """
    # Imported on use: the scenario brings the emulator, which the other commands do without.
    from .demo import run_demo

    anyio.run(lambda: run_demo(console(), speed=speed, robots=robot_count))


def _seed(ctx: click.Context, param: click.Parameter, value: str | None) -> int | str | None:
    """``--seed``: an integer, else ``demo`` or the path of a world file, which ``serve`` reads."""
    try:
        return int(value) if value is not None else None
    except ValueError:
        return value


@with_options(debug_option("Show tracebacks."))
@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port", type=int, default=4566, show_default=True, help="Port to listen on (0: any free one)."
)
@click.option("--speed", type=float, default=1.0, show_default=True, help="How much faster than real time.")
@click.option("--access-key-id", default="testing", show_default=True, help="The access key it accepts.")
@click.option("--secret-access-key", default="testing", show_default=True, help="The secret key it accepts.")
@click.option(
    "--session-token", metavar="TOKEN", help="The session token it requires (default: none is accepted)."
)
@click.option("--region", default="us-east-1", show_default=True, help="The region it answers for.")
@click.option(
    "--state-file",
    type=click.Path(dir_okay=False),
    help="SQLite file that keeps the state across restarts (default: memory only).",
)
@click.option(
    "--admin/--no-admin",
    default=None,
    help="Expose the /_emulator/ control routes (default: only on a loopback host).",
)
@click.option(
    "--seed",
    metavar="N|demo|FILE",
    callback=_seed,
    help="An integer: make timings and identifiers repeat from run to run. 'demo', or a JSON world"
    " file: start with those applications, fleets and robots, and print their ARNs.",
)
@click.option(
    "--clock",
    type=click.Choice(["real", "manual"]),
    default="real",
    show_default=True,
    help="manual: simulated time moves only when POST /_emulator/clock says so (for tests).",
)
def emulator(**options: Any) -> None:
    """Run the RoboMaker emulator until Ctrl-C.

    It prints its endpoint URL once it listens. Point any client at it, e.g.

    \b
      export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
      robomaker-deploy --endpoint-url http://127.0.0.1:4566 --region us-east-1 fleets

    With --seed demo it starts with an application (version 1) and two fleets
    of robots of mixed architectures, and prints a command that deploys.
    """
    from ..emulator import StateFileError, serve

    if options["speed"] <= 0:
        raise click.BadParameter("must be positive", param_hint="--speed")
    try:
        with warnings.catch_warnings():
            # The emulator's own warnings (admin routes exposed) as the command's warning lines.
            warnings.simplefilter("always")
            warnings.showwarning = _show_warning
            # The options are named after serve's keywords, so they go to it as they are.
            asyncio.run(serve(**options))
    except KeyboardInterrupt:
        pass
    except ValueError as exc:
        # serve's refusal of a world (unreadable, off the format, or refused by the emulator).
        raise click.BadParameter(str(exc), param_hint="--seed") from exc
    except StateFileError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    except OSError as exc:
        raise CliError(
            f"cannot start the emulator on {options['host']}:{options['port']}: {exc.strerror or exc}."
            " Pick another --port (0 picks a free one).",
            EXIT_SERVICE_ERROR,
        ) from exc


def _show_warning(message: Warning | str, *args: object, **kwargs: object) -> None:
    click.echo(f"warning: {message}", err=True)


#: In no particular order: the group lists its commands by name.
COMMANDS = (demo, emulator)
