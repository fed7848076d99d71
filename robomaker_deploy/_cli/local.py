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
@click.option("--speed", type=float, default=10.0, show_default=True, help="How much faster than real time.")
@click.option("--robots", "robot_count", type=int, default=12, show_default=True, help="Robots in the fleet.")
def demo(speed: float, robot_count: int) -> None:
    """Deploy to a fleet of simulated robots on the built-in emulator, live.

    Creates an application version and a fleet of 12 robots of mixed
    architectures (one set to fail its pre-launch script), deploys with
    25% concurrency and shows every robot's progress, then a summary.
    """
    # Imported on use: the scenario brings the emulator, which the other commands do without.
    from .demo import run_demo

    anyio.run(lambda: run_demo(console(), speed=speed, robots=robot_count))


@with_options(debug_option("Show tracebacks."))
@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port", type=int, default=4566, show_default=True, help="Port to listen on (0: any free one)."
)
@click.option("--speed", type=float, default=1.0, show_default=True, help="How much faster than real time.")
@click.option("--access-key-id", default="testing", show_default=True, help="The access key it accepts.")
@click.option("--secret-access-key", default="testing", show_default=True, help="The secret key it accepts.")
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
@click.option("--seed", type=int, help="Make timings and identifiers repeat from run to run.")
def emulator(**options: Any) -> None:
    """Run the RoboMaker emulator until Ctrl-C.

    It prints its endpoint URL once it listens. Point any client at it, e.g.

    \b
      export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
      robomaker-deploy --endpoint-url http://127.0.0.1:4566 --region us-east-1 fleets
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
