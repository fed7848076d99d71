"""``python -m robomaker_deploy.emulator``: the same as ``robomaker-deploy emulator``, under its own name."""

from robomaker_deploy._cli import standalone

standalone("emulator", prog_name="python -m robomaker_deploy.emulator")
