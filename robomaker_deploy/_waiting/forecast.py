"""How many of a watch's robots can end before its next poll: the count its cadence follows.

A watch polls to notice each robot's end, a failure as much as a success.
The service says when a robot's download should end
(``estimatedTimeRemainingSeconds``), but never when a robot fails: a
deployment can fail in any step, validating, downloading or launching, at
any moment of it. So what a watch can read from its snapshot is not when an
end comes but how many can: one per robot in flight. The more robots are
in flight, the sooner one of them ends, and the denser the polls that see
each end soon (``WaitPolicy.next_delay(in_flight=...)`` turns the count into
the time to the next poll):

* a robot in flight is one the service started (its deployment start time,
  its progress, or ``Deploying``) and that has not ended;
* while none runs but some have yet to start (before the first start, the
  job pending or preparing; or between one robot's end and the next one's
  start), the robots the service starts next count: it deploys a job to
  ``concurrentDeploymentPercentage`` of its fleet at once (all of it without
  a limit), as many as are left, and each of them can fail within seconds
  of its start;
* once every robot has ended, the job's own end is due: ``0``, and the
  plain backoff applies.

The cadence spends a job's calls where its robots are: a watch of one robot
polls about every ``max_delay`` and sees its end later than the backoff
would (median 13.5 s against 7 s on the bench), a watch of twenty robots
polls more often than the backoff and sees theirs sooner (5.5 s against
9 s); per robot, the median end and the median failure are seen sooner, for
about 31% fewer calls per job (``bench/bench_watch.py``, which prints both
by fleet size). Past about six robots in flight the cadence stops
tightening (``WaitPolicy.next_delay``): a poll describes every robot of the
job, so a large job's polls cost more.

This replaced a forecast of when the robots could first succeed (the time
left in a download, spans learned from the job's finished robots) whose
backoff counted from then: it saved calls by sleeping while robots
downloaded, and so saw the failures that came in those sleeps late (the
median failed robot 10 s after its end, against 7 s for the plain backoff).
The time left still says when a download should end, but not whether the
robot fails first: polling at those ends as well as on the cadence cost
0.8-0.9 of the backoff's calls, and counting a downloading robot as half a
robot saw failures later than the backoff (measured on the same bench).
"""

from __future__ import annotations

from .._enums import RobotStatus
from .._models import DescribedDeploymentJob, RobotDeployment

__all__ = ["in_flight"]


def _started(robot: RobotDeployment) -> bool:
    return (
        robot.deployment_start_time is not None
        or robot.progress_detail is not None
        or robot.status is RobotStatus.DEPLOYING
    )


def in_flight(job: DescribedDeploymentJob) -> float:
    """How many robots of ``job`` can end before the next poll (see the module docs); ``0``: none."""
    robots = job.robot_deployment_summary
    running = sum(1 for robot in robots if not robot.status.is_terminal and _started(robot))
    if running:
        return float(running)
    left = sum(1 for robot in robots if not robot.status.is_terminal)
    if not left:
        return 0.0  # every robot ended (or none is listed yet): the job's own end is due
    # None runs: the next robots the service starts are the job's concurrent share, of those left.
    config = job.deployment_config
    share = None if config is None else config.concurrent_deployment_percentage
    return min(float(left), max(1.0, len(robots) * (share or 100) / 100))
