"""Running the command line in process against an emulator, as a user's shell would."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
from click.testing import CliRunner, Result

from robomaker_deploy._cli import main
from robomaker_deploy.emulator import Emulator


def shell_env(emulator: Emulator, home: Path) -> dict[str, str]:
    """The environment a user points the CLI at ``emulator`` with; no AWS config files of the machine's."""
    return {
        "AWS_ENDPOINT_URL": emulator.endpoint_url,
        "AWS_ACCESS_KEY_ID": emulator.credentials.access_key_id,
        "AWS_SECRET_ACCESS_KEY": emulator.credentials.secret_access_key,
        "AWS_DEFAULT_REGION": emulator.region,
        "AWS_CONFIG_FILE": str(home / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "no-credentials"),
    }


@attrs.frozen
class Shell:
    """``robomaker-deploy`` with a fixed environment."""

    env: Mapping[str, str]

    def run(self, *args: str, env: Mapping[str, str | None] | None = None) -> Result:
        """Run the command line; its output and exit code."""
        return CliRunner().invoke(main, list(args), env={**self.env, **(env or {})}, catch_exceptions=False)

    def json(self, *args: str) -> Any:
        """Run with ``--json`` and expect success; the decoded output."""
        result = self.run(*args, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


def one_error_line(result: Result) -> str:
    """The one line of stderr a failure prints (it must be exactly one, and no traceback)."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.output
    return lines[0]
