"""``python -m robomaker_deploy``: the ``robomaker-deploy`` command line."""

from ._cli import main

if __name__ == "__main__":
    main(prog_name="robomaker-deploy")
