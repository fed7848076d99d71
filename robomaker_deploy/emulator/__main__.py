"""``python -m robomaker_deploy.emulator``: the same as ``robomaker-deploy emulator``."""

import sys

from robomaker_deploy._cli import main

main(["emulator", *sys.argv[1:]], prog_name="python -m robomaker_deploy")
