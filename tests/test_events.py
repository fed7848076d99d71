"""Typed events: the pure diff (property-tested), the outcome, and the checkpoint document."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from robomaker_deploy import (
    DeploymentStatus,
    DescribedDeploymentJob,
    FailureCategory,
    FailureCode,
    JobStatusChanged,
    ProgressDetail,
    RobotAppeared,
    RobotDeployment,
    RobotDeploymentStep,
    RobotEvent,
    RobotFailed,
    RobotLeft,
    RobotStarted,
    RobotStatus,
    RobotStepChanged,
    RobotSucceeded,
    ValidationError,
    WaitCheckpoint,
)
from robomaker_deploy._outcome import DeploymentOutcome
from robomaker_deploy._waiting.events import DeploymentEvent, JobState, RobotState, diff, state_of

JOB = "arn:aws:robomaker:us-east-1:123456789012:deployment-job/deployment-abcdefabcdef"
FLEET = "arn:aws:robomaker:us-east-1:123456789012:deployment-fleet/f/1"
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
ROBOTS = [f"arn:aws:robomaker:us-east-1:123456789012:robot/r{i}/1" for i in range(5)]


def _robot(arn: str, status: RobotStatus, step: RobotDeploymentStep | None, code: FailureCode | None = None):  # type: ignore[no-untyped-def]
    detail = None if step is None else ProgressDetail(current_progress=step)
    return RobotDeployment(arn=arn, status=status, progress_detail=detail, failure_code=code)


def _job(status: DeploymentStatus, robots: list[RobotDeployment]) -> DescribedDeploymentJob:
    return DescribedDeploymentJob(
        arn=JOB, fleet=FLEET, status=status, created_at=T0, robot_deployment_summary=robots
    )


robot_states = st.tuples(
    st.sampled_from(list(RobotStatus)),
    st.none() | st.sampled_from(list(RobotDeploymentStep)),
    st.none()
    | st.sampled_from([FailureCode.PRE_LAUNCH_FILE_FAILURE, FailureCode.ROBOT_DEPLOYMENT_NO_RESPONSE]),
)
snapshots = st.builds(
    lambda status, robots: _job(status, [_robot(arn, *state) for arn, state in robots.items()]),
    st.sampled_from(list(DeploymentStatus)),
    st.dictionaries(st.sampled_from(ROBOTS), robot_states, max_size=len(ROBOTS)),
)


def _fold(
    events: list[DeploymentEvent], seen: dict[str, tuple[RobotStatus, RobotDeploymentStep | None]]
) -> None:
    """What a consumer knows of each robot from the events alone (written independently of JobState.apply)."""
    for event in events:
        if isinstance(event, RobotLeft):
            del seen[event.arn]
        elif isinstance(event, RobotEvent):
            seen[event.arn] = (event.robot.status, event.step)


@settings(max_examples=300, deadline=None)
@given(st.lists(snapshots, min_size=1, max_size=8))
def test_folding_the_events_reproduces_every_snapshot(sequence: list[DescribedDeploymentJob]) -> None:
    state = JobState()
    seen: dict[str, tuple[RobotStatus, RobotDeploymentStep | None]] = {}
    status: DeploymentStatus | None = None
    ended: list[str] = []
    for index, snapshot in enumerate(sequence):
        events = diff(state, snapshot, T0 + timedelta(seconds=index))
        for event in events:
            state = state.apply(event)
            if isinstance(event, JobStatusChanged):
                assert event.previous is status
                status = event.status
            if isinstance(event, (RobotSucceeded, RobotFailed)):
                ended.append(event.arn)
            assert event.snapshot is snapshot
        _fold(events, seen)
        expected = {
            r.arn: (r.status, r.progress_detail.current_progress if r.progress_detail else None)
            for r in snapshot.robot_deployment_summary
        }
        assert seen == expected
        assert {arn: (s.status, s.step) for arn, s in state.robots.items()} == expected
        assert status is snapshot.status
        # Polling again and seeing the same job says nothing.
        assert diff(state, snapshot, T0) == []
    assert len(ended) == len(set(ended)), "a robot was reported as ended twice"


def test_a_deployment_reads_as_a_story() -> None:
    pending = _job(
        DeploymentStatus.IN_PROGRESS, [_robot(ROBOTS[0], RobotStatus.PENDING_NEW_DEPLOYMENT, None)]
    )
    started = _job(
        DeploymentStatus.IN_PROGRESS,
        [_robot(ROBOTS[0], RobotStatus.DEPLOYING, RobotDeploymentStep.DOWNLOADING_EXTRACTING)],
    )
    stepped = _job(
        DeploymentStatus.IN_PROGRESS,
        [_robot(ROBOTS[0], RobotStatus.DEPLOYING, RobotDeploymentStep.LAUNCHING)],
    )
    failed = _job(
        DeploymentStatus.FAILED,
        [
            _robot(
                ROBOTS[0],
                RobotStatus.FAILED,
                RobotDeploymentStep.LAUNCHING,
                FailureCode.PRE_LAUNCH_FILE_FAILURE,
            )
        ],
    )
    state = JobState()
    kinds = []
    for snapshot in (pending, started, stepped, failed):
        for event in diff(state, snapshot, T0):
            state = state.apply(event)
            kinds.append(type(event).__name__)
            if isinstance(event, RobotFailed):
                assert event.failure_code is FailureCode.PRE_LAUNCH_FILE_FAILURE
                assert event.category is FailureCategory.LAUNCH_SCRIPTS
                assert not event.retryable
            if isinstance(event, RobotStepChanged):
                assert event.step is RobotDeploymentStep.LAUNCHING
    assert kinds == [
        "JobStatusChanged",
        "RobotAppeared",
        "RobotStarted",
        "RobotStepChanged",
        "RobotFailed",
        "JobStatusChanged",  # a final status comes after the robots' ends that made it
    ]
    assert isinstance(RobotAppeared, type) and isinstance(RobotStarted, type)
    # A robot added by a sync appears; one deregistered leaves.
    later = _job(DeploymentStatus.IN_PROGRESS, [_robot(ROBOTS[1], RobotStatus.PENDING_NEW_DEPLOYMENT, None)])
    events = diff(state, later, T0)
    assert [type(e).__name__ for e in events] == ["JobStatusChanged", "RobotAppeared", "RobotLeft"]


def test_state_of_one_snapshot_marks_ended_robots() -> None:
    job = _job(
        DeploymentStatus.SUCCEEDED,
        [_robot(ROBOTS[0], RobotStatus.IN_SYNC, RobotDeploymentStep.FINISHED)],
    )
    state = state_of(job)
    assert state.status is DeploymentStatus.SUCCEEDED
    assert state.robots[ROBOTS[0]] == RobotState(RobotStatus.IN_SYNC, RobotDeploymentStep.FINISHED)
    assert state.finished_robots == {ROBOTS[0]}


def test_the_outcome_groups_the_robots() -> None:
    job = _job(
        DeploymentStatus.FAILED,
        [
            _robot(ROBOTS[0], RobotStatus.IN_SYNC, RobotDeploymentStep.FINISHED),
            _robot(ROBOTS[1], RobotStatus.FAILED, None, FailureCode.PRE_LAUNCH_FILE_FAILURE),
            _robot(ROBOTS[2], RobotStatus.NO_RESPONSE, None, FailureCode.ROBOT_DEPLOYMENT_NO_RESPONSE),
        ],
    )
    outcome = DeploymentOutcome(job=job, polls=7, elapsed=12.5)
    assert outcome.finished and not outcome.succeeded
    assert [r.arn for r in outcome.failed] == ROBOTS[1:3]
    assert set(outcome.failed_by_code) == {
        FailureCode.PRE_LAUNCH_FILE_FAILURE,
        FailureCode.ROBOT_DEPLOYMENT_NO_RESPONSE,
    }
    assert set(outcome.failed_by_category) == {
        FailureCategory.LAUNCH_SCRIPTS,
        FailureCategory.ROBOT_CONNECTIVITY,
    }
    assert [r.arn for r in outcome.retryable] == [ROBOTS[2]]
    assert [r.arn for r in outcome.by_status[RobotStatus.IN_SYNC]] == [ROBOTS[0]]
    assert "Failed: 3/3 robots done, 2 failed; 7 poll(s)" in outcome.summary


def test_a_checkpoint_is_readable_json_and_round_trips() -> None:
    checkpoint = WaitCheckpoint(
        job=JOB,
        started_at=T0,
        deadline=T0 + timedelta(hours=1),
        polls=4,
        state=JobState(
            status=DeploymentStatus.IN_PROGRESS,
            robots={ROBOTS[0]: RobotState(RobotStatus.DEPLOYING, RobotDeploymentStep.LAUNCHING)},
        ),
    )
    text = checkpoint.to_json()
    document = json.loads(text)
    assert document["schema"] == "robomaker-deploy/deployment-wait/1"
    assert document["deadline"] == "2026-01-01T01:00:00+00:00"
    assert document["state"]["robots"][ROBOTS[0]] == {"status": "Deploying", "step": "Launching"}
    assert WaitCheckpoint.from_json(text) == checkpoint
    assert checkpoint.remaining(T0 + timedelta(minutes=45)) == 15 * 60
    assert checkpoint.remaining(T0 + timedelta(hours=2)) == 0


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d.update(schema="something/else/1"), "checkpoint.schema"),
        (lambda d: d.update(polls="many"), "polls"),
        (lambda d: d.update(started_at="yesterday"), "started_at"),
        (lambda d: d["state"].update(robots=[1, 2]), "robots"),
        (lambda d: d.pop("job"), "job"),
    ],
)
def test_a_bad_checkpoint_is_refused_with_what_is_wrong(change: object, where: str) -> None:
    document = json.loads(WaitCheckpoint(job=JOB, started_at=T0, deadline=None, polls=0).to_json())
    change(document)  # type: ignore[operator]
    with pytest.raises(ValidationError) as caught:
        WaitCheckpoint.from_json(json.dumps(document))
    assert where in str(caught.value)
    with pytest.raises(ValidationError):
        WaitCheckpoint.from_json("not json at all")
