"""``robomaker-deploy``: the command line, a thin layer over the public API.

Every subcommand makes a :class:`DeploymentClient`, calls one or two of its
methods and prints the result, as tables and live bars for people or as JSON
(``--json``) for scripts. The exit code says how it went:

====  =========================================================================
0     success (for a deployment: it ended Succeeded)
1     the deployment ended Failed or Canceled
2     usage or validation error (bad option, invalid input, no region or profile)
3     a wait timed out (the deployment itself goes on)
4     the service or the connection to it failed (not found, denied, unreachable)
130   interrupted (Ctrl-C)
====  =========================================================================
"""

from __future__ import annotations

import asyncio
import enum
import json
import os
import sys
import traceback
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import aclosing
from datetime import datetime
from typing import Any, TypeVar

import anyio
import attrs
import click
from rich.console import Console
from rich.table import Table

from . import __version__
from ._client import DeploymentClient
from ._config import DEFAULT_MAX_DELAY, DEFAULT_MIN_DELAY, DEFAULT_TIMEOUT, ClientConfig
from ._enums import DeploymentStatus, RobotStatus
from ._errors import (
    AuthenticationError,
    ConcurrentDeploymentError,
    ConfigurationError,
    DeploymentFailedError,
    EndpointConnectionError,
    InvalidParameterError,
    ResourceNotFoundError,
    RoboMakerError,
    ValidationError,
    WaiterTimeoutError,
)
from ._models import (
    DeploymentApplicationConfig,
    DeploymentConfig,
    DeploymentJob,
    LaunchConfig,
    S3Object,
)
from ._progress import final_line, renderer, robot_label, summary_table
from ._waiting import DeploymentWatch
from ._wire.secrets import is_secret_field, mask

__all__ = [
    "EXIT_DEPLOYMENT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_SERVICE_ERROR",
    "EXIT_TIMEOUT",
    "EXIT_USAGE",
    "main",
    "to_json",
]

T = TypeVar("T")

EXIT_OK = 0
EXIT_DEPLOYMENT_FAILED = 1
EXIT_USAGE = 2
EXIT_TIMEOUT = 3
EXIT_SERVICE_ERROR = 4
EXIT_INTERRUPTED = 130

_EXIT_CODES_HELP = """\b
Exit codes:
  0    success (a deployment ended Succeeded)
  1    the deployment ended Failed or Canceled
  2    usage or validation error
  3    a wait timed out (the deployment goes on)
  4    service or connection error
  130  interrupted (Ctrl-C)
"""

# -- settings shared by every subcommand -----------------------------------------------------------


@attrs.define
class Settings:
    """Where to connect and how to print, from the options of the group and of the subcommand."""

    endpoint_url: str | None = None
    region: str | None = None
    profile: str | None = None
    max_attempts: int | None = None
    json: bool = False
    debug: bool = False

    def client(self) -> DeploymentClient:
        config = ClientConfig(max_attempts=self.max_attempts) if self.max_attempts else None
        return DeploymentClient(
            endpoint_url=self.endpoint_url,
            region_name=self.region,
            profile_name=self.profile,
            config=config,
        )


def _settings(ctx: click.Context) -> Settings:
    root = ctx.find_root()
    if not isinstance(root.obj, Settings):
        root.obj = Settings()
    return root.obj


def _store(name: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        # A value given at either level wins over an unset one; the subcommand's is parsed last.
        if value is not None and value is not False and value != "":
            setattr(_settings(ctx), name, value)

    return callback


def _common(func: Callable[..., T]) -> Callable[..., T]:
    """The connection and output options, accepted before or after the subcommand."""
    options = [
        click.option(
            "--endpoint-url",
            metavar="URL",
            callback=_store("endpoint_url"),
            expose_value=False,
            help="Endpoint to call instead of AWS (the emulator's URL). Default: $AWS_ENDPOINT_URL.",
        ),
        click.option(
            "--region",
            metavar="REGION",
            envvar="AWS_REGION",
            callback=_store("region"),
            expose_value=False,
            help="AWS region. Default: $AWS_REGION, $AWS_DEFAULT_REGION or the profile's.",
        ),
        click.option(
            "--profile",
            metavar="NAME",
            callback=_store("profile"),
            expose_value=False,
            help="Profile of ~/.aws/config to use. Default: $AWS_PROFILE.",
        ),
        click.option(
            "--max-attempts",
            type=int,
            metavar="N",
            callback=_store("max_attempts"),
            expose_value=False,
            help="Tries per API call, retries of throttling and connection errors included (default 10).",
        ),
        click.option(
            "--json",
            "json_output",
            is_flag=True,
            default=None,
            callback=_store("json"),
            expose_value=False,
            help="Print machine-readable JSON instead of tables and progress bars.",
        ),
        click.option(
            "--debug",
            is_flag=True,
            default=None,
            callback=_store("debug"),
            expose_value=False,
            help="Show the full traceback of an error.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _wait_options(func: Callable[..., T]) -> Callable[..., T]:
    options = [
        click.option(
            "--timeout",
            type=float,
            metavar="SECONDS",
            default=DEFAULT_TIMEOUT,
            show_default=True,
            help="Give up waiting after this long (exit code 3); the deployment goes on.",
        ),
        click.option(
            "--min-delay",
            type=float,
            metavar="SECONDS",
            default=DEFAULT_MIN_DELAY,
            show_default=True,
            help="First and shortest pause between two polls.",
        ),
        click.option(
            "--max-delay",
            type=float,
            metavar="SECONDS",
            default=DEFAULT_MAX_DELAY,
            show_default=True,
            help="Longest pause between two polls.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


# -- errors and exit codes -------------------------------------------------------------------------


class _CliError(Exception):
    """An error the command explains itself, with its exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


class _Failed(Exception):
    """A command's outcome that is not success but also not an error to explain (exit 1)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _explain(exc: BaseException) -> tuple[int, str]:
    """The exit code and the one line that says what failed, why and what to do."""
    if isinstance(exc, _CliError):
        return exc.code, str(exc)
    if isinstance(exc, ValidationError):
        return EXIT_USAGE, f"invalid input: {exc}. Check the value given for {exc.field} (see --help)."
    if isinstance(exc, WaiterTimeoutError):
        return (
            EXIT_TIMEOUT,
            f"{exc}. The deployment goes on: follow it with 'robomaker-deploy watch <job-arn>',"
            " or give a larger --timeout.",
        )
    if isinstance(exc, DeploymentFailedError):
        return EXIT_DEPLOYMENT_FAILED, str(exc)
    if isinstance(exc, ConfigurationError):
        if exc.code == "NoRegion":
            return EXIT_USAGE, "no AWS region given: pass --region or set AWS_REGION / AWS_DEFAULT_REGION."
        return EXIT_USAGE, f"{exc.message}: check --profile / AWS_PROFILE, --region and --endpoint-url."
    if isinstance(exc, RoboMakerError):
        hint = _HINTS.get(type(exc), "")
        if isinstance(exc, InvalidParameterError):
            return EXIT_USAGE, f"the service refused the request: {exc}. Check the options you gave."
        return EXIT_SERVICE_ERROR, f"{exc}.{hint}"
    if isinstance(exc, (KeyboardInterrupt, click.exceptions.Abort)):
        return EXIT_INTERRUPTED, "interrupted."
    return EXIT_SERVICE_ERROR, f"unexpected {type(exc).__name__}: {exc}. Run again with --debug for details."


_HINTS: dict[type[RoboMakerError], str] = {
    AuthenticationError: " Check your credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or --profile)"
    " and the region.",
    EndpointConnectionError: " Check --endpoint-url (is the emulator running?) and your network.",
    ResourceNotFoundError: " Check the ARN: 'robomaker-deploy list', 'fleets' and 'robots' show them.",
    ConcurrentDeploymentError: " The fleet has a deployment that has not finished: wait for it"
    " ('robomaker-deploy wait <job-arn>') or cancel it.",
}


class _Group(click.Group):
    """A group whose errors are one line on stderr and a documented exit code, never a traceback."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        if prog_name is None and args is None and os.path.basename(sys.argv[0]) == "__main__.py":
            prog_name = "robomaker-deploy"
        settings = Settings(debug=os.environ.get("ROBOMAKER_DEPLOY_DEBUG", "") not in ("", "0"))
        extra.setdefault("obj", settings)
        try:
            super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Exit as exc:
            code = exc.exit_code
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else "robomaker-deploy"
            click.echo(f"error: {exc.format_message()} (see '{where} --help')", err=True)
            code = EXIT_USAGE
        except click.ClickException as exc:
            click.echo(f"error: {exc.format_message()}", err=True)
            code = exc.exit_code
        except _Failed as exc:
            code = exc.code
        except (Exception, KeyboardInterrupt, click.exceptions.Abort) as exc:
            code, line = _explain(exc)
            if settings.debug:
                traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
            click.echo(f"error: {line}", err=True)
        else:
            code = EXIT_OK
        if standalone_mode:
            sys.exit(code)
        return code


def _run(func: Callable[[], Awaitable[T]]) -> T:
    return anyio.run(func)


# -- output ----------------------------------------------------------------------------------------


def to_json(value: Any) -> Any:
    """A model as JSON-ready data: snake_case keys, enum values, ISO 8601 times, secrets redacted.

    A field whose repr the model redacts (a launch config's environment
    variables) keeps its keys and loses its values here too.
    """
    if attrs.has(type(value)):
        out: dict[str, Any] = {}
        for field in attrs.fields(type(value)):
            item = getattr(value, field.name)
            if is_secret_field(field.name):
                out[field.name] = mask(item)
            else:
                out[field.name] = to_json(item)
        return out
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): to_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    return value


def _echo_json(value: Any, *, compact: bool = False) -> None:
    if compact:
        click.echo(json.dumps(value, separators=(",", ":")))
    else:
        click.echo(json.dumps(value, indent=2))


def _console() -> Console:
    # Off a terminal (a pipe, a CI log) lines are not cut at 80 columns, so ARNs stay whole.
    probe = Console()
    return Console(highlight=False, width=None if probe.is_terminal else 250)


def _when(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S") if value is not None else "-"


def _text(value: object | None) -> str:
    return "-" if value is None else str(value)


def _print_job(console: Console, job: DeploymentJob) -> None:
    console.print(f"[bold]{job.arn}[/bold]")
    console.print(f"  fleet:    {job.fleet}")
    console.print(f"  status:   {job.status.value}")
    console.print(f"  created:  {_when(job.created_at)}")
    if job.failure_code is not None:
        console.print(f"  failure:  {job.failure_code.value}: {job.failure_code.description}")
    if job.failure_reason:
        console.print(f"  reason:   {job.failure_reason}")
    for config in job.deployment_application_configs:
        launch = config.launch_config
        console.print(f"  app:      {config.application} version {config.application_version}")
        console.print(f"  launch:   {launch.package_name} {launch.launch_file}")
        if launch.pre_launch_file:
            console.print(f"  pre:      {launch.pre_launch_file}")
        if launch.post_launch_file:
            console.print(f"  post:     {launch.post_launch_file}")
        if launch.environment_variables:
            # Keys only: the values are often secrets.
            console.print(f"  env:      {', '.join(sorted(launch.environment_variables))} (values hidden)")
    cfg = job.deployment_config
    if cfg is not None:
        console.print(
            f"  rollout:  {_text(cfg.concurrent_deployment_percentage)}% at once,"
            f" fail above {_text(cfg.failure_threshold_percentage)}%,"
            f" robot timeout {_text(cfg.robot_deployment_timeout_in_seconds)}s"
        )
    robots = job.robot_deployment_summary
    if robots:
        table = Table()
        for title in ("robot", "status", "step", "done", "failure code"):
            table.add_column(title)
        for robot in robots:
            detail = robot.progress_detail
            percent = detail.percent_done if detail is not None else None
            table.add_row(
                robot_label(robot.arn),
                _text(robot.status),
                _text(detail.current_progress if detail is not None else None),
                f"{percent:.0f}%" if percent is not None else "",
                robot.failure_code.value if robot.failure_code is not None else "",
            )
        console.print(table)


def _outcome(job: DeploymentJob) -> int:
    return EXIT_OK if job.status == DeploymentStatus.SUCCEEDED else EXIT_DEPLOYMENT_FAILED


def _watch(
    client: DeploymentClient, job: DeploymentJob | str, timeout: float, min_delay: float, max_delay: float
) -> DeploymentWatch:
    return client.watch_deployment_job(job, timeout=timeout, min_delay=min_delay, max_delay=max_delay)


async def _follow(
    client: DeploymentClient,
    job: DeploymentJob | str,
    settings: Settings,
    *,
    stream: bool,
    timeout: float,  # noqa: ASYNC109 - a duration the waiter manages, not a scope
    min_delay: float,
    max_delay: float,
) -> DeploymentJob:
    """Wait for ``job`` to end, showing it as it goes; print the summary (or the JSON) at the end.

    ``stream``: with ``--json``, print every snapshot as one JSON line (watch)
    rather than only the final job (wait).
    """
    console = _console()
    final: DeploymentJob | None = None
    if settings.json and not stream:
        final = await client.wait_for_deployment_job(
            job, timeout=timeout, min_delay=min_delay, max_delay=max_delay
        )
    elif settings.json:
        async with aclosing(_watch(client, job, timeout, min_delay, max_delay)) as snapshots:
            async for snapshot in snapshots:
                _echo_json(to_json(snapshot), compact=True)
                final = snapshot
    else:
        async with aclosing(_watch(client, job, timeout, min_delay, max_delay)) as snapshots:
            with renderer(console) as view:
                async for snapshot in snapshots:
                    view.update(snapshot)
                    final = snapshot
    assert final is not None, "watch_deployment_job ended without a snapshot"
    if settings.json:
        if not stream:
            _echo_json(to_json(final))
    else:
        console.print(summary_table(final))
        console.print(final_line(final))
    return final


def _exit_for(job: DeploymentJob) -> None:
    code = _outcome(job)
    if code != EXIT_OK:
        raise _Failed(code)


# -- option types ----------------------------------------------------------------------------------


_Pairs = tuple[tuple[str, str], ...]


def _key_values(*, from_env: bool) -> Callable[[click.Context, click.Parameter, Any], _Pairs]:
    """``KEY=VALUE`` items; with ``from_env``, a bare ``KEY`` takes its value from the environment."""

    def parse(ctx: click.Context, param: click.Parameter, values: Any) -> _Pairs:
        pairs = []
        for value in values or ():
            key, sep, rest = str(value).partition("=")
            if sep:
                pairs.append((key, rest))
            elif from_env and key in os.environ:
                pairs.append((key, os.environ[key]))
            elif from_env:
                raise click.BadParameter(
                    f"{key!r} is neither KEY=VALUE nor the name of a set environment variable", ctx, param
                )
            else:
                raise click.BadParameter(f"{key!r} is not KEY=VALUE", ctx, param)
        return tuple(pairs)

    return parse


def _s3_object(ctx: click.Context, param: click.Parameter, value: str | None) -> S3Object | None:
    if value is None:
        return None
    bucket, _, key = value.removeprefix("s3://").partition("/")
    if not value.startswith("s3://") or not bucket or not key:
        raise click.BadParameter(f"{value!r} is not s3://BUCKET/KEY", ctx, param)
    return S3Object(bucket=bucket, key=key)


def _choice(enum_cls: type[enum.Enum]) -> click.Choice[str]:
    return click.Choice([str(member.value) for member in enum_cls], case_sensitive=False)


def _canonical(enum_cls: type[enum.Enum], value: str) -> str:
    for member in enum_cls:
        if str(member.value).lower() == value.lower():
            return str(member.value)
    return value


# -- the commands ----------------------------------------------------------------------------------


@click.group(
    cls=_Group,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=_EXIT_CODES_HELP,
)
@click.version_option(__version__, "--version", prog_name="robomaker-deploy")
@_common
def main() -> None:
    """Deploy robot applications to RoboMaker fleets, and watch them roll out.

    Connection options work before or after the subcommand; credentials come
    from the usual AWS environment variables or --profile. Try
    'robomaker-deploy demo' for a one-minute tour on the built-in emulator.
    """


@main.command(epilog=_EXIT_CODES_HELP)
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
    callback=_key_values(from_env=True),
    help="Environment variable for the launch, KEY=VALUE; a bare KEY passes your own $KEY"
    " (keeps secrets off the command line). Values are never printed. Repeatable.",
)
@click.option(
    "--concurrency",
    type=int,
    metavar="PERCENT",
    help="concurrentDeploymentPercentage: share of the fleet deploying at once (1-100).",
)
@click.option(
    "--failure-threshold",
    type=int,
    metavar="PERCENT",
    help="failureThresholdPercentage: share of failed robots past which the job stops (1-100).",
)
@click.option(
    "--robot-timeout",
    type=int,
    metavar="SECONDS",
    help="robotDeploymentTimeoutInSeconds: how long one robot may take.",
)
@click.option(
    "--download-condition",
    metavar="s3://BUCKET/KEY",
    callback=_s3_object,
    help="Script in S3 the robot runs after downloading; a failure stops its deployment.",
)
@click.option(
    "--tag",
    "tags",
    multiple=True,
    metavar="KEY=VALUE",
    callback=_key_values(from_env=False),
    help="Tag for the job, KEY=VALUE. Repeatable.",
)
@click.option("--client-token", metavar="TOKEN", help="Idempotency token (generated if not given).")
@click.option("--wait", is_flag=True, help="Wait for the deployment to end, showing its progress.")
@_wait_options
@_common
@click.pass_context
def deploy(
    ctx: click.Context,
    fleet: str,
    application: str,
    version: str,
    package: str,
    launch_file: str,
    pre_launch_file: str | None,
    post_launch_file: str | None,
    env: tuple[tuple[str, str], ...],
    concurrency: int | None,
    failure_threshold: int | None,
    robot_timeout: int | None,
    download_condition: S3Object | None,
    tags: tuple[tuple[str, str], ...],
    client_token: str | None,
    wait: bool,
    timeout: float,
    min_delay: float,
    max_delay: float,
) -> None:
    """Deploy an application version to every robot of a fleet.

    Example:

    \b
      robomaker-deploy deploy --fleet arn:...:deployment-fleet/lab/1 \\
          --application arn:...:robot-application/hello/1 --version 1 \\
          --package hello_world --launch-file hello.launch \\
          -e LOG_LEVEL=info -e API_TOKEN --concurrency 25 --wait
    """
    settings = _settings(ctx)
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

    async def run() -> DeploymentJob:
        async with settings.client() as client:
            job = await client.create_deployment_job(
                fleet=fleet,
                application_configs=[config],
                deployment_config=deployment_config,
                tags=dict(tags) if tags else None,
                client_request_token=client_token,
            )
            if not wait:
                return job
            if not settings.json:
                _console().print(f"Created {job.arn}")
            return await _follow(
                client,
                job,
                settings,
                stream=False,
                timeout=timeout,
                min_delay=min_delay,
                max_delay=max_delay,
            )

    job = _run(run)
    if not wait:
        if settings.json:
            _echo_json(to_json(job))
        else:
            console = _console()
            console.print(f"Created {job.arn} ({job.status.value})")
            console.print(f"Follow it with: robomaker-deploy watch {job.arn}", style="dim")
        return
    _exit_for(job)


@main.command(epilog=_EXIT_CODES_HELP)
@click.argument("job", metavar="JOB_ARN")
@_common
@click.pass_context
def describe(ctx: click.Context, job: str) -> None:
    """Show a deployment job: its status, launch config and every robot's progress."""
    settings = _settings(ctx)

    async def run() -> DeploymentJob:
        async with settings.client() as client:
            return await client.describe_deployment_job(job)

    result = _run(run)
    if settings.json:
        _echo_json(to_json(result))
    else:
        _print_job(_console(), result)


@main.command("list", epilog=_EXIT_CODES_HELP)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=_choice(DeploymentStatus),
    help="Only jobs in this status. Repeatable.",
)
@click.option("--fleet-name", metavar="NAME", help="Only jobs of this fleet (not with --status).")
@click.option("--max-items", type=int, default=50, show_default=True, help="List at most this many jobs.")
@click.option("--page-size", type=int, help="Jobs per request (1-200).")
@click.option("--starting-token", metavar="TOKEN", help="Continue a listing where the last one stopped.")
@_common
@click.pass_context
def list_jobs(
    ctx: click.Context,
    statuses: tuple[str, ...],
    fleet_name: str | None,
    max_items: int,
    page_size: int | None,
    starting_token: str | None,
) -> None:
    """List deployment jobs, newest first."""
    settings = _settings(ctx)
    status = [_canonical(DeploymentStatus, value) for value in statuses] or None

    async def run() -> tuple[list[DeploymentJob], str | None]:
        async with settings.client() as client:
            pager = client.list_deployment_jobs(
                status=status,
                fleet_name=fleet_name,
                max_items=max_items,
                page_size=page_size,
                starting_token=starting_token,
            )
            items = [job async for job in pager]
            return items, pager.resume_token

    jobs, token = _run(run)
    if settings.json:
        _echo_json({"deployment_jobs": to_json(jobs), "next_token": token})
        return
    table = Table()
    for title in ("job", "fleet", "status", "created", "failure code"):
        table.add_column(title, overflow="fold")
    for item in jobs:
        table.add_row(
            item.arn,
            item.fleet.rsplit("/", 2)[-2] if item.fleet.count("/") >= 2 else item.fleet,
            item.status.value,
            _when(item.created_at),
            item.failure_code.value if item.failure_code is not None else "",
        )
    console = _console()
    console.print(table)
    _print_more(console, token)


def _print_more(console: Console, token: str | None) -> None:
    if token is not None:
        console.print(f"More: add --starting-token {token}", style="dim")


@main.command(epilog=_EXIT_CODES_HELP)
@click.argument("job", metavar="JOB_ARN")
@_wait_options
@_common
@click.pass_context
def watch(ctx: click.Context, job: str, timeout: float, min_delay: float, max_delay: float) -> None:
    """Follow a deployment job robot by robot until it ends.

    On a terminal each robot gets a live bar (step, percent done, time
    remaining); otherwise one line is printed per change. With --json, one
    JSON snapshot per line (each time anything changes).
    """
    settings = _settings(ctx)

    async def run() -> DeploymentJob:
        async with settings.client() as client:
            return await _follow(
                client, job, settings, stream=True, timeout=timeout, min_delay=min_delay, max_delay=max_delay
            )

    _exit_for(_run(run))


@main.command(epilog=_EXIT_CODES_HELP)
@click.argument("job", metavar="JOB_ARN", required=False)
@click.option(
    "--fleet", metavar="ARN", help="Instead of a job, wait until every robot of this fleet is in sync."
)
@_wait_options
@_common
@click.pass_context
def wait(
    ctx: click.Context,
    job: str | None,
    fleet: str | None,
    timeout: float,
    min_delay: float,
    max_delay: float,
) -> None:
    """Wait for a deployment job to end (exit 0 if it succeeded, 1 if not).

    On a terminal the robots' progress is shown as it goes; with --json only
    the final job is printed.
    """
    settings = _settings(ctx)
    if (job is None) == (fleet is None):
        raise click.UsageError("give either a JOB_ARN or --fleet", ctx)

    if fleet is not None:

        async def run_fleet() -> Any:
            async with settings.client() as client:
                return await client.wait_for_fleet_in_sync(
                    fleet, timeout=timeout, min_delay=min_delay, max_delay=max_delay
                )

        result = _run(run_fleet)
        if settings.json:
            _echo_json(to_json(result))
        else:
            _console().print(f"Fleet {fleet} is in sync.")
        return

    assert job is not None

    async def run() -> DeploymentJob:
        async with settings.client() as client:
            return await _follow(
                client, job, settings, stream=False, timeout=timeout, min_delay=min_delay, max_delay=max_delay
            )

    _exit_for(_run(run))


@main.command(epilog=_EXIT_CODES_HELP)
@click.option("--fleet", required=True, metavar="ARN", help="The fleet to bring in sync.")
@click.option("--client-token", metavar="TOKEN", help="Idempotency token (generated if not given).")
@click.option("--wait", is_flag=True, help="Wait for the sync job to end, showing its progress.")
@_wait_options
@_common
@click.pass_context
def sync(
    ctx: click.Context,
    fleet: str,
    client_token: str | None,
    wait: bool,
    timeout: float,
    min_delay: float,
    max_delay: float,
) -> None:
    """Deploy the fleet's last successful deployment to the robots that missed it."""
    settings = _settings(ctx)

    async def run() -> DeploymentJob:
        async with settings.client() as client:
            job = await client.sync_deployment_job(fleet=fleet, client_request_token=client_token)
            if not wait:
                return job
            if not settings.json:
                _console().print(f"Created {job.arn}")
            return await _follow(
                client, job, settings, stream=False, timeout=timeout, min_delay=min_delay, max_delay=max_delay
            )

    job = _run(run)
    if not wait:
        if settings.json:
            _echo_json(to_json(job))
        else:
            _console().print(f"Created {job.arn} ({job.status.value})")
        return
    _exit_for(job)


@main.command(epilog=_EXIT_CODES_HELP)
@click.argument("job", metavar="JOB_ARN")
@_common
@click.pass_context
def cancel(ctx: click.Context, job: str) -> None:
    """Cancel a deployment job that has not finished."""
    settings = _settings(ctx)

    async def run() -> None:
        async with settings.client() as client:
            await client.cancel_deployment_job(job)

    _run(run)
    if settings.json:
        _echo_json({"job": job, "canceled": True})
    else:
        _console().print(f"Canceled {job}")


@main.command(epilog=_EXIT_CODES_HELP)
@click.option("--name", metavar="NAME", help="Only the fleet with this name.")
@click.option("--max-items", type=int, default=100, show_default=True, help="List at most this many.")
@click.option("--starting-token", metavar="TOKEN", help="Continue a listing where the last one stopped.")
@_common
@click.pass_context
def fleets(ctx: click.Context, name: str | None, max_items: int, starting_token: str | None) -> None:
    """List fleets, with their last deployment."""
    settings = _settings(ctx)

    async def run() -> tuple[list[Any], str | None]:
        async with settings.client() as client:
            pager = client.list_fleets(name=name, max_items=max_items, starting_token=starting_token)
            return [fleet async for fleet in pager], pager.resume_token

    items, token = _run(run)
    if settings.json:
        _echo_json({"fleets": to_json(items), "next_token": token})
        return
    table = Table()
    for title in ("name", "arn", "last deployment", "last job"):
        table.add_column(title, overflow="fold")
    for fleet in items:
        table.add_row(
            fleet.name, fleet.arn, _text(fleet.last_deployment_status), _text(fleet.last_deployment_job)
        )
    console = _console()
    console.print(table)
    _print_more(console, token)


@main.command(epilog=_EXIT_CODES_HELP)
@click.option("--fleet-name", metavar="NAME", help="Only robots of this fleet (not with --status).")
@click.option("--status", type=_choice(RobotStatus), help="Only robots in this status.")
@click.option("--max-items", type=int, default=100, show_default=True, help="List at most this many.")
@click.option("--starting-token", metavar="TOKEN", help="Continue a listing where the last one stopped.")
@_common
@click.pass_context
def robots(
    ctx: click.Context,
    fleet_name: str | None,
    status: str | None,
    max_items: int,
    starting_token: str | None,
) -> None:
    """List robots, with their architecture, status and last deployment."""
    settings = _settings(ctx)
    robot_status = _canonical(RobotStatus, status) if status is not None else None

    async def run() -> tuple[list[Any], str | None]:
        async with settings.client() as client:
            pager = client.list_robots(
                fleet_name=fleet_name, status=robot_status, max_items=max_items, starting_token=starting_token
            )
            return [robot async for robot in pager], pager.resume_token

    items, token = _run(run)
    if settings.json:
        _echo_json({"robots": to_json(items), "next_token": token})
        return
    table = Table()
    for title in ("name", "architecture", "status", "fleet", "last job"):
        table.add_column(title, overflow="fold")
    for robot in items:
        table.add_row(
            robot.name,
            _text(robot.architecture),
            _text(robot.status),
            _text(robot.fleet_arn),
            _text(robot.last_deployment_job),
        )
    console = _console()
    console.print(table)
    _print_more(console, token)


@main.command()
@click.option("--speed", type=float, default=10.0, show_default=True, help="How much faster than real time.")
@click.option("--robots", "robot_count", type=int, default=12, show_default=True, help="Robots in the fleet.")
@click.option(
    "--debug",
    is_flag=True,
    default=None,
    callback=_store("debug"),
    expose_value=False,
    help="Show the full traceback of an error.",
)
def demo(speed: float, robot_count: int) -> None:
    """Deploy to a fleet of simulated robots on the built-in emulator, live.

    Creates an application version and a fleet of 12 robots of mixed
    architectures (one set to fail its pre-launch script), deploys with
    25% concurrency and shows every robot's progress, then a summary.
    """
    from ._demo import run_demo

    _run(lambda: run_demo(_console(), speed=speed, robots=robot_count))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port", type=int, default=4566, show_default=True, help="Port to listen on (0: any free one)."
)
@click.option("--speed", type=float, default=1.0, show_default=True, help="How much faster than real time.")
@click.option("--access-key-id", default="testing", show_default=True, help="The access key it accepts.")
@click.option("--secret-access-key", default="testing", show_default=True, help="The secret key it accepts.")
@click.option("--region", default="us-east-1", show_default=True, help="The region it answers for.")
@click.option(
    "--state-file",
    type=click.Path(dir_okay=False),
    help="SQLite file that keeps the state across restarts (default: memory only).",
)
@click.option(
    "--admin/--no-admin",
    default=None,
    help="Expose the /_emulator/ control routes (default: only on a loopback host).",
)
@click.option("--seed", type=int, help="Make timings and identifiers repeat from run to run.")
@click.option(
    "--debug",
    is_flag=True,
    default=None,
    callback=_store("debug"),
    expose_value=False,
    help="Show tracebacks.",
)
def emulator(
    host: str,
    port: int,
    speed: float,
    access_key_id: str,
    secret_access_key: str,
    region: str,
    state_file: str | None,
    admin: bool | None,
    seed: int | None,
) -> None:
    """Run the RoboMaker emulator until Ctrl-C.

    It prints its endpoint URL once it listens. Point any client at it, e.g.

    \b
      export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
      robomaker-deploy --endpoint-url http://127.0.0.1:4566 --region us-east-1 fleets
    """
    from .emulator import serve

    if speed <= 0:
        raise click.BadParameter("must be positive", param_hint="--speed")
    try:
        asyncio.run(
            serve(
                host=host,
                port=port,
                speed=speed,
                access_key_id=access_key_id,
                secret_access_key=secret_access_key,
                region=region,
                state_file=state_file,
                admin=admin,
                seed=seed,
            )
        )
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        raise _CliError(
            f"cannot start the emulator on {host}:{port}: {exc.strerror or exc}."
            " Pick another --port (0 picks a free one).",
            EXIT_SERVICE_ERROR,
        ) from exc
