"""Rollout plans: read from TOML with every problem listed at once, and fingerprinted for checkpoints."""

from __future__ import annotations

from pathlib import Path

import pytest

from robomaker_deploy import (
    AbortRule,
    CommandGate,
    DeploymentConfig,
    RetryPolicy,
    RolloutPlan,
    ValidationError,
)

APP = "arn:aws:robomaker:us-east-1:123456789012:robot-application/app/1700000000000"
FLEET = "arn:aws:robomaker:us-east-1:123456789012:deployment-fleet/{}/1700000000000"

GOOD = f"""
rollback = true
stage_timeout = 900

[application]
arn = "{APP}"
version = 3
package = "hello_world"
launch_file = "hello.launch"
pre_launch_file = "scripts/pre.sh"
environment = {{ LOG_LEVEL = "info" }}

[[stages]]
fleet = "{FLEET.format("canary")}"
bake = 60

[[stages]]
fleet = "{FLEET.format("site-a")}"
concurrency = 25
failure_threshold = 10

[abort]
min_finished = 3
max_failed_percent = 20

[retry]
attempts = 2
backoff = 30

[gate]
command = ["./check-metrics.sh", "--strict"]
"""


def test_a_plan_file_reads_into_a_plan(tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    path.write_text(GOOD)
    plan = RolloutPlan.from_toml(path)
    (config,) = plan.application_configs
    assert config.application == APP and config.application_version == "3"
    assert config.launch_config.environment_variables == {"LOG_LEVEL": "info"}
    assert [s.name for s in plan.stages] == ["canary", "site-a"]
    assert plan.stages[0].bake == 60 and plan.stages[0].deployment_config is None
    assert plan.stages[1].deployment_config == DeploymentConfig(
        concurrent_deployment_percentage=25, failure_threshold_percentage=10
    )
    assert plan.abort == AbortRule(min_finished=3, max_failed_percent=20)
    assert plan.retry == RetryPolicy(attempts=2, backoff=30)
    assert plan.gate == CommandGate(argv=["./check-metrics.sh", "--strict"])
    assert plan.stage_timeout == 900 and plan.rollback
    assert plan.digest == RolloutPlan.from_toml(path).digest
    path.write_text(GOOD.replace("bake = 60", "bake = 61"))
    assert RolloutPlan.from_toml(path).digest != plan.digest


def test_every_problem_of_a_plan_file_is_listed_at_once(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        """
colour = "blue"
[application]
arn = "x"
package = 5
[[stages]]
bake = -1
[[stages]]
fleet = "f"
concurrency = "lots"
[abort]
min_finished = 0
[retry]
attempts = -2
[gate]
command = 7
"""
    )
    with pytest.raises(ValidationError) as caught:
        RolloutPlan.from_toml(path)
    problems = "\n".join(caught.value.problems)
    assert str(path) in str(caught.value)
    for expected in (
        "colour",
        "application.version",
        "application.package=5",
        "application.launch_file",
        "stages[0].fleet",
        "stages[1].concurrency",
        "abort",
        "retry.attempts",
        "gate.command",
    ):
        assert expected in problems, expected


def test_an_unreadable_or_broken_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="cannot be read"):
        RolloutPlan.from_toml(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[application\n")
    with pytest.raises(ValidationError, match="not valid TOML"):
        RolloutPlan.from_toml(broken)
