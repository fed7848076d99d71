"""``robomaker-deploy``: the command line, a thin layer over the public API.

Every subcommand makes a :class:`DeploymentClient`, calls one or two of its
methods and prints the result, as tables and live bars for people or as JSON
(``--json``) for scripts. The exit code says how it went:

====  =========================================================================
0     success (for a deployment: it ended Succeeded)
1     the deployment ended Failed or Canceled
2     usage or validation error (bad option, invalid input, no region or profile)
3     a wait timed out (the deployment itself goes on)
4     the service or the connection to it failed (not found, denied, unreachable)
130   interrupted (Ctrl-C)
====  =========================================================================

The modules, each with one job:

* ``app``: the group, and how any failure becomes one line and an exit code;
* ``exits``: the exit-code policy (which failure gets which code, and its line);
* ``options``: :class:`~.options.Settings`, the shared options, their value
  parsers, and :func:`~.options.command`, which makes a new command a few lines;
* ``terms``: a validation error restated in the command line's terms (the
  flag that fed each SDK argument, the command for each SDK method);
* ``notes``: the SDK's retries, as one-line notes on stderr;
* ``output``: the console, the ``--json`` converter, tables, a job's details;
* ``progress``: live bars and plain progress lines, the final summary;
* ``follow``: following a job to its end, and exiting by its outcome;
* ``jobs``, ``resources``, ``local``: the commands (deployments; fleets, robots
  and applications; the emulator and the demo);
* ``demo``: the scenario of ``robomaker-deploy demo``.

Nothing here is imported by ``import robomaker_deploy``. click and rich come with
the ``cli`` extra: without them, the command (``robomaker-deploy``, ``python -m
robomaker_deploy``, ``python -m robomaker_deploy.emulator``) prints one line saying
what to install and exits with 2, instead of a traceback.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, NoReturn

#: The packages the ``cli`` extra brings, which the SDK itself does without.
CLI_PACKAGES = ("click", "rich")
MISSING_EXTRA = (
    "robomaker-deploy: the command line needs click and rich, which come with the cli extra:"
    " pip install 'robomaker-deploy[cli]' (or: pip install click rich)"
)


def _without_extra(*args: object, **kwargs: object) -> NoReturn:
    print(MISSING_EXTRA, file=sys.stderr)
    raise SystemExit(2)  # exits.EXIT_USAGE, a set-up problem; that module needs click to import


if TYPE_CHECKING:
    from .app import main, standalone
else:
    try:
        from .app import main, standalone
    except ModuleNotFoundError as error:
        if (error.name or "").partition(".")[0] not in CLI_PACKAGES:
            raise
        main = standalone = _without_extra

__all__ = ["CLI_PACKAGES", "MISSING_EXTRA", "main", "standalone"]
