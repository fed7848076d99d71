"""The commands about deployment jobs: deploy, describe, list, watch, wait, sync and cancel.

Each turns its options into a call or two of :class:`DeploymentClient` and
hands the result to ``output`` (to print it) or ``follow`` (to follow the
job to its end).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from .. import (
    DeploymentApplicationConfig,
    DeploymentConfig,
    DeploymentJob,
    DeploymentStatus,
    LaunchConfig,
    S3Object,
)
from .follow import follow_to_end, start
from .options import (
    Paging,
    Pairs,
    Polling,
    Settings,
    canonical,
    choice,
    client_token_option,
    command,
    key_values,
    one_filter,
    s3_object,
    starting_token_option,
)
from .output import Columns, blank, print_job, show, show_listing, when

if TYPE_CHECKING:
    from .. import DeploymentClient, Pager

__all__ = ["COMMANDS"]

F = TypeVar("F", bound=Callable[..., Any])


#: deploy's rollout options (flag, unit, help): one shape, a whole number whose help starts with the
#: service's name for the DeploymentConfig member it sets, so one table rather than three blocks.
_ROLLOUT = (
    (
        "--concurrency",
        "PERCENT",
        "concurrentDeploymentPercentage: share of the fleet deploying at once (1-100).",
    ),
    (
        "--failure-threshold",
        "PERCENT",
        "failureThresholdPercentage: share of failed robots past which the job stops (1-100).",
    ),
    ("--robot-timeout", "SECONDS", "robotDeploymentTimeoutInSeconds: how long one robot may take."),
)


def _rollout(func: F) -> F:
    for flag, unit, text in reversed(_ROLLOUT):
        func = click.option(flag, type=int, metavar=unit, help=text)(func)
    return func


@command(waits=True)
@click.option("--fleet", required=True, metavar="ARN", help="The fleet to deploy to.")
@click.option("--application", required=True, metavar="ARN", help="The robot application.")
@click.option("--version", "version", required=True, metavar="VERSION", help="A numbered version, such as 1.")
@click.option("--package", required=True, metavar="NAME", help="The package that holds the launch file.")
@click.option("--launch-file", required=True, metavar="FILE", help="The launch file to run.")
@click.option("--pre-launch-file", metavar="PATH", help="Script the robot runs before launching.")
@click.option("--post-launch-file", metavar="PATH", help="Script the robot runs after launching.")
@click.option(
    "--env",
    "-e",
    "env",
    multiple=True,
    metavar="KEY=VALUE",
    callback=key_values(from_env=True),
    help="Environment variable for the launch, KEY=VALUE; a bare KEY passes your own $KEY"
    " (keeps secrets off the command line). Values are never printed. Repeatable.",
)
@_rollout
@click.option(
    "--download-condition",
    metavar="s3://BUCKET/KEY",
    callback=s3_object,
    help="Script in S3 the robot runs after downloading; a failure stops its deployment.",
)
@click.option(
    "--tag",
    "tags",
    multiple=True,
    metavar="KEY=VALUE",
    callback=key_values(from_env=False),
    help="Tag for the job, KEY=VALUE. Repeatable.",
)
@client_token_option
@click.option("--wait", is_flag=True, help="Wait for the deployment to end, showing its progress.")
def deploy(
    settings: Settings,
    *,
    fleet: str,
    application: str,
    version: str,
    package: str,
    launch_file: str,
    pre_launch_file: str | None,
    post_launch_file: str | None,
    env: Pairs,
    concurrency: int | None,
    failure_threshold: int | None,
    robot_timeout: int | None,
    download_condition: S3Object | None,
    tags: Pairs,
    client_token: str | None,
    wait: bool,
    polling: Polling,
) -> None:
    """Deploy an application version to every robot of a fleet.

    Example:

    \b
      robomaker-deploy deploy --fleet arn:...:deployment-fleet/lab/1 \\
          --application arn:...:robot-application/hello/1 --version 1 \\
          --package hello_world --launch-file hello.launch \\
          -e LOG_LEVEL=info -e API_TOKEN --concurrency 25 --wait
    """
    rollout = (concurrency, failure_threshold, robot_timeout, download_condition)
    deployment_config = (
        DeploymentConfig(
            concurrent_deployment_percentage=concurrency,
            failure_threshold_percentage=failure_threshold,
            robot_deployment_timeout_in_seconds=robot_timeout,
            download_condition_file=download_condition,
        )
        if any(value is not None for value in rollout)
        else None
    )
    config = DeploymentApplicationConfig(
        application=application,
        application_version=version,
        launch_config=LaunchConfig(
            package_name=package,
            launch_file=launch_file,
            pre_launch_file=pre_launch_file,
            post_launch_file=post_launch_file,
            environment_variables=dict(env),
        ),
    )
    start(
        settings,
        lambda client: client.create_deployment_job(
            fleet=fleet,
            application_configs=[config],
            deployment_config=deployment_config,
            tags=dict(tags) if tags else None,
            client_request_token=client_token,
        ),
        wait=wait,
        polling=polling,
        hint=True,
    )


@command()
@click.argument("job", metavar="JOB_ARN")
def describe(settings: Settings, job: str) -> None:
    """Show a deployment job: its status, launch config and every robot's progress."""
    found = settings.run(lambda client: client.describe_deployment_job(job))
    show(settings, found, lambda out: print_job(out, found))


def _fleet_name(arn: str) -> str:
    return arn.rsplit("/", 2)[-2] if arn.count("/") >= 2 else arn


_JOB_COLUMNS: Columns[DeploymentJob] = (
    ("job", lambda job: job.arn),
    ("fleet", lambda job: _fleet_name(job.fleet)),
    ("status", lambda job: job.status.value),
    ("created", lambda job: when(job.created_at)),
    ("failure code", lambda job: blank(job.failure_code)),
)


@command("list")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=choice(DeploymentStatus),
    help="Only jobs in this status. Repeatable.",
)
@click.option("--fleet-name", metavar="NAME", help="Only jobs of this fleet (not with --status).")
@click.option("--max-items", type=int, default=50, show_default=True, help="List at most this many jobs.")
@click.option("--page-size", type=int, help="Jobs per request (1-200).")
@starting_token_option
def list_jobs(
    settings: Settings,
    statuses: tuple[str, ...],
    fleet_name: str | None,
    max_items: int,
    page_size: int | None,
    starting_token: str | None,
) -> None:
    """List deployment jobs, newest first."""
    one_filter(statuses, fleet_name)
    status = [DeploymentStatus(canonical(DeploymentStatus, value)) for value in statuses] or None

    def listing(client: DeploymentClient) -> Pager[DeploymentJob]:
        paging = Paging(max_items=max_items, page_size=page_size, starting_token=starting_token)
        if fleet_name is not None:
            return client.list_deployment_jobs(fleet_name=fleet_name, **paging)
        return client.list_deployment_jobs(status=status, **paging)

    page = settings.page(listing)
    show_listing(settings, "deployment_jobs", page, _JOB_COLUMNS)


@command(waits=True)
@click.argument("job", metavar="JOB_ARN")
def watch(settings: Settings, job: str, polling: Polling) -> None:
    """Follow a deployment job robot by robot until it ends.

    On a terminal each robot gets a live bar (step, percent done, time
    remaining); otherwise one line is printed per change. With --json, one
    JSON snapshot per line (each time anything changes).
    """
    follow_to_end(settings, job, stream=True, polling=polling)


@command(waits=True)
@click.argument("job", metavar="JOB_ARN", required=False)
@click.option(
    "--fleet", metavar="ARN", help="Instead of a job, wait until every robot of this fleet is in sync."
)
def wait(settings: Settings, job: str | None, fleet: str | None, polling: Polling) -> None:
    """Wait for a deployment job to end (exit 0 if it succeeded, 1 if not).

    On a terminal the robots' progress is shown as it goes; with --json only
    the final job is printed.
    """
    if job is not None and fleet is None:
        follow_to_end(settings, job, stream=False, polling=polling)
    elif fleet is not None and job is None:
        in_sync = settings.run(lambda client: client.wait_for_fleet_in_sync(fleet, **polling))
        show(settings, in_sync, lambda out: out.print(f"Fleet {fleet} is in sync."))
    else:
        raise click.UsageError("give either a JOB_ARN or --fleet", click.get_current_context())


@command(waits=True)
@click.option("--fleet", required=True, metavar="ARN", help="The fleet to bring in sync.")
@client_token_option
@click.option("--wait", is_flag=True, help="Wait for the sync job to end, showing its progress.")
def sync(settings: Settings, fleet: str, client_token: str | None, wait: bool, polling: Polling) -> None:
    """Deploy the fleet's last successful deployment to the robots that missed it."""
    start(
        settings,
        lambda client: client.sync_deployment_job(fleet=fleet, client_request_token=client_token),
        wait=wait,
        polling=polling,
    )


@command()
@click.argument("job", metavar="JOB_ARN")
def cancel(settings: Settings, job: str) -> None:
    """Cancel a deployment job that has not finished."""
    settings.run(lambda client: client.cancel_deployment_job(job))
    show(settings, {"job": job, "canceled": True}, lambda out: out.print(f"Canceled {job}"))


#: In no particular order: the group lists its commands by name.
COMMANDS = (deploy, describe, list_jobs, watch, wait, sync, cancel)
