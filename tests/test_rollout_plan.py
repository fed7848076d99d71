"""Rollout plans: read from TOML with every problem listed at once, and fingerprinted for checkpoints."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from robomaker_deploy import (
    AbortRule,
    CallableGate,
    CommandGate,
    DeploymentApplicationConfig,
    DeploymentConfig,
    Fleet,
    HttpGate,
    LaunchConfig,
    RetryPolicy,
    RolloutPlan,
    Stage,
    ValidationError,
)
from robomaker_deploy._rollout.plan import plan_problems
from robomaker_deploy._rollout.rules import DAY

APP = "arn:aws:robomaker:us-east-1:123456789012:robot-application/app/1700000000000"
FLEET = "arn:aws:robomaker:us-east-1:123456789012:deployment-fleet/{}/1700000000000"

APPLICATION = f"""
[application]
arn = "{APP}"
version = 3
package = "hello_world"
launch_file = "hello.launch"
"""

GOOD = f"""
rollback = true
stage_timeout = 900
{APPLICATION}pre_launch_file = "scripts/pre.sh"
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


def _one_stage(top: str = "", stage: str = "", fleet: str | None = None, version: str = "3") -> str:
    """A plan of one stage: ``top`` keys first, then the application, then the stage's keys."""
    application = APPLICATION.replace("version = 3", f"version = {version}")
    return f'{top}\n{application}\n[[stages]]\nfleet = "{fleet or FLEET.format("canary")}"\n{stage}\n'


def test_a_plan_that_cannot_work_is_refused_with_every_problem_by_its_key(tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    robot = "arn:aws:robomaker:us-east-1:123456789012:robot/r1/1700000000000"
    path.write_text(
        _one_stage("stage_timeout = inf\ngate_timeout = 0", "bake = 1e308\nconcurrency = 0", robot).replace(
            "version = 3", 'version = "$LATEST"'
        )
        + f'[[stages]]\nfleet = "{robot}"\nbake = -1\n'
        + "[retry]\nattempts = 3\nbackoff = 1e6\n[gate]\ncommand = []\ntimeout = -5\n"
    )
    with pytest.raises(ValidationError) as caught:
        RolloutPlan.from_toml(path)
    problems = caught.value.problems
    keys = sorted({problem.partition("=")[0] for problem in problems})
    assert keys == [
        "gate.command",
        "gate.timeout",
        "gate_timeout",
        "retry.backoff",
        "stage_timeout",
        "stages[0].bake",
        "stages[1].bake",
    ], problems
    # Fixed, the next round names what only the whole plan shows, by the file's keys again.
    path.write_text(
        _one_stage(stage="concurrency = 0\nfailure_threshold = 101", fleet=robot).replace(
            "version = 3", 'version = "$LATEST"'
        )
        + f'[[stages]]\nfleet = "{robot}"\n'
    )
    with pytest.raises(ValidationError) as caught:
        RolloutPlan.from_toml(path)
    problems = caught.value.problems
    assert [problem.partition("=")[0] for problem in problems] == [
        "application.version",
        "stages[0].fleet",
        "stages[0].concurrency",
        "stages[0].failure_threshold",
        "stages[1].fleet",
        "stages[1].fleet",
    ], problems
    assert "robot's ARN, not a fleet's" in problems[1] and "appears 2 times" in problems[5]
    assert "$LATEST" in problems[0]
    # The message carries every problem, not only the last ones.
    message = str(caught.value)
    assert message.startswith(f"{path}=<plan>: is not a valid rollout plan: ")
    assert all(problem in message for problem in problems)


def test_bounds_of_times_are_refused_at_once_from_code() -> None:
    with pytest.raises(
        ValidationError, match=r"bake=1e\+308: must be a finite number of seconds from 0 to 604800"
    ):
        Stage(fleet=FLEET.format("a"), bake=1e308)
    with pytest.raises(ValidationError) as caught:
        RetryPolicy(attempts=11, backoff=-1)
    assert [p.partition("=")[0] for p in caught.value.problems] == ["attempts", "backoff"]
    with pytest.raises(ValidationError, match="waits 691200s before retry 4"):
        RetryPolicy(attempts=4, backoff=DAY)
    with pytest.raises(ValidationError) as caught:
        AbortRule(min_finished=0, max_failed_percent=float("nan"))
    assert len(caught.value.problems) == 2
    RetryPolicy(attempts=10, backoff=0)  # no wait at all is fine


def test_an_empty_plan_lists_both_problems() -> None:
    with pytest.raises(ValidationError) as caught:
        RolloutPlan(application_configs=[], stages=[], stage_timeout=0.5)
    assert [p.partition("=")[0] for p in caught.value.problems] == [
        "application_configs",
        "stages",
        "stage_timeout",
    ]


def test_a_wrong_type_is_a_type_error_naming_the_field_and_the_type() -> None:
    fleet = Fleet(name="a", arn=FLEET.format("a"), created_at=datetime.now(timezone.utc))
    with pytest.raises(TypeError, match=r"Stage\.fleet must be a str \(the fleet's ARN\), not a Fleet"):
        Stage(fleet=fleet)  # type: ignore[arg-type]
    config = DeploymentApplicationConfig(
        application=APP,
        application_version="1",
        launch_config=LaunchConfig(package_name="p", launch_file="l"),
    )
    stages = [Stage(fleet=FLEET.format("a"))]
    with pytest.raises(TypeError, match=r"RolloutPlan\.abort must be an AbortRule or None, not a dict"):
        RolloutPlan(application_configs=[config], stages=stages, abort={"min_finished": 1})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"RolloutPlan\.stages\[0\] must be a Stage, not a str"):
        RolloutPlan(application_configs=[config], stages=[FLEET.format("a")])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"RolloutPlan\.application_configs must be a list"):
        RolloutPlan(application_configs=config, stages=stages)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"RolloutPlan\.stage_timeout must be a number"):
        RolloutPlan(application_configs=[config], stages=stages, stage_timeout="1h")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"RolloutPlan\.gate must be a CommandGate"):
        RolloutPlan(application_configs=[config], stages=stages, gate=["./check.sh"])  # type: ignore[arg-type]

    def sync_gate(stage: object) -> bool:
        return True

    with pytest.raises(TypeError, match=r"CallableGate\.func must be an async function"):
        RolloutPlan(application_configs=[config], stages=stages, gate=sync_gate)  # type: ignore[arg-type]

    async def gate(stage: object) -> bool:
        return True

    plan = RolloutPlan(application_configs=[config], stages=stages, gate=gate)
    assert plan.gate == CallableGate(func=gate)  # an async callable is shorthand for a CallableGate


def test_a_plan_file_with_an_http_gate_and_gate_mistakes(tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    path.write_text(
        _one_stage("gate_timeout = 30") + '[gate]\nurl = "http://127.0.0.1:9/health"\nexpect_status = 204\n'
    )
    plan = RolloutPlan.from_toml(path)
    assert (
        plan.gate == HttpGate(url="http://127.0.0.1:9/health", expect_status=204) and plan.gate_timeout == 30
    )
    path.write_text(_one_stage() + '[gate]\ncommand = "./check.sh --strict"\n')
    with pytest.raises(
        ValidationError, match=r"gate\.command='./check.sh --strict': must be a list of strings"
    ):
        RolloutPlan.from_toml(path)
    path.write_text(_one_stage() + '[gate]\ncommand = ["x"]\nurl = "http://h/"\n')
    with pytest.raises(ValidationError, match=r"needs either command .* or url"):
        RolloutPlan.from_toml(path)


def test_a_plan_file_that_is_not_utf8_says_so(tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    path.write_bytes(GOOD.encode() + b"# caf\xe9\n")
    with pytest.raises(ValidationError, match=r"is not UTF-8 text \(byte \d+\)"):
        RolloutPlan.from_toml(path)


def test_a_validation_error_message_carries_every_problem() -> None:
    summary = ValidationError("plan", "<plan>", "x", ["A", "B"])
    assert str(summary) == "plan=<plan>: x: A; B" and summary.details == ("A", "B")
    listed = ValidationError("f", "1", "must be x (hint)", ["f=1: must be x", "g=2: must be y"])
    assert str(listed) == "f=1: must be x (hint); g=2: must be y" and listed.details == ("g=2: must be y",)
    alone = ValidationError("f", "1", "must be x")
    assert str(alone) == "f=1: must be x" and alone.problems == ("f=1: must be x",) and alone.details == ()


def test_a_plan_built_in_code_names_its_problems_by_attribute() -> None:
    config = DeploymentApplicationConfig(
        application=APP,
        application_version="$LATEST",
        launch_config=LaunchConfig(package_name="p", launch_file="l"),
    )
    robot = "arn:aws:robomaker:us-east-1:123456789012:robot/r1/1700000000000"
    plan = RolloutPlan(  # made without complaint: these need the whole plan to be seen
        application_configs=[config],
        stages=[
            Stage(fleet=robot),
            Stage(
                fleet=FLEET.format("a"),
                deployment_config=DeploymentConfig(concurrent_deployment_percentage=0),
            ),
            Stage(fleet=FLEET.format("a")),
        ],
    )
    assert [path for path, _, _ in plan_problems(plan)] == [
        "application_configs[0].application_version",
        "stages[0].fleet",
        "stages[1].deployment_config.concurrent_deployment_percentage",
        "stages[2].fleet",
    ]
