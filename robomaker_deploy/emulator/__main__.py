"""``python -m robomaker_deploy.emulator``: the emulator without the project CLI."""

import sys

from ._main import run

sys.exit(run())
