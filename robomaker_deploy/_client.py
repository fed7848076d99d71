"""``DeploymentClient``: the typed, async face of the RoboMaker deployment API.

Each method checks its input against the service model (so a mistake is a
:class:`ValidationError` naming the field before anything leaves the
process), makes one call through the transport and returns a model. The
listing methods return pagers (``_pagination``), the waiters live in
``_waiters`` and use this client's describe and list calls.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Coroutine, Hashable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
import orjson

from ._background import BackgroundTasks
from ._config import DEFAULT_MAX_DELAY, DEFAULT_MIN_DELAY, DEFAULT_TIMEOUT, ClientConfig
from ._converter import structure, unstructure
from ._enums import Architecture, DeploymentStatus, RobotStatus
from ._errors import MalformedResponseError, ValidationError
from ._logging import install_redaction
from ._models import (
    DeploymentApplicationConfig,
    DeploymentConfig,
    DeploymentJob,
    Environment,
    Fleet,
    Robot,
    RobotApplication,
    RobotApplicationSummary,
    RobotRegistration,
    RobotSoftwareSuite,
    SourceConfig,
)
from ._pagination import Page, Pager, PageSource
from ._transport import Transport
from ._wire.model import operation_model, page_limit
from ._wire.names import python_name
from ._wire.validation import Path, Violation, dotted, violations

if TYPE_CHECKING:
    # Imported on first use at run time: most programs never wait, and import time counts.
    from ._waiters import DeploymentWatch, WaitClock, Waiters, WaitPolicy

__all__ = ["DeploymentClient"]

T = TypeVar("T")

Arguments = Mapping[Path, str]
"""Where a method's argument lands in the request, when not at its own snake_case name: a wire
path prefix -> the argument. Errors under that prefix are reported under the argument's name."""

#: A listing's paging arguments.
_PAGING: Arguments = {("nextToken",): "starting_token", ("maxResults",): "page_size"}

_NONE: Mapping[Path, str] = {}

_LATEST_HINT = (
    "must be a numbered version such as '1': $LATEST cannot be deployed; "
    "create one with create_robot_application_version() and deploy its number"
)


def _arn(value: str | DeploymentJob | Fleet | Robot | RobotApplication) -> str:
    if isinstance(value, (DeploymentJob, Fleet, Robot, RobotApplication)):
        return value.arn
    # A str, or something else that passes through unchanged so that
    # validation, not an AttributeError, tells the caller what is wrong.
    return value


def _status_values(
    status: DeploymentStatus | str | Collection[DeploymentStatus | str] | None,
) -> list[str | None]:
    if status is None:
        return [None]
    given = [status] if isinstance(status, str) else list(status)
    if not given:
        raise ValidationError("status", repr(status), "must name at least one DeploymentStatus, or be None")
    values: list[str | None] = []
    for item in given:
        member = DeploymentStatus(item) if isinstance(item, str) else item
        if not isinstance(member, DeploymentStatus) or not member.is_known:
            known = ", ".join(m.value for m in DeploymentStatus)
            raise ValidationError("status", repr(item), f"must be a DeploymentStatus ({known})")
        if member.value not in values:
            values.append(member.value)
    return values


def _token(given: str | None) -> str:
    # Only an omitted token is generated: an empty one is invalid input, and silently replacing it
    # would turn the caller's idempotent retries into new jobs.
    return str(uuid.uuid4()) if given is None else given


Request = tuple[Mapping[str, Any], Arguments]
"""One request stream of a listing: its fixed parameters, and where its arguments went in them."""


def _filtered(name: str, value: str | None, argument: str, **params: Any) -> Request:
    """A listing request filtered on ``name`` (none when ``value`` is None), from ``argument``."""
    filters = None if value is None else [{"name": name, "values": [value]}]
    return {"filters": filters, **params}, {("filters", 0, "values", 0): argument}


class DeploymentClient:
    """An async client for RoboMaker deployments: fleets, robots, applications and deployment jobs.

    Use it as an async context manager; it owns one connection pool::

        async with DeploymentClient(region_name="us-east-1") as client:
            job = await client.create_deployment_job(fleet=fleet_arn, application_configs=[...])
            job = await client.wait_for_deployment_job(job)

    Credentials come from the arguments, else from botocore's usual chain
    (environment, profile, instance role). ``endpoint_url`` points the client
    at another endpoint, such as the emulator.
    """

    def __init__(
        self,
        *,
        region_name: str | None = None,
        endpoint_url: str | None = None,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        aws_session_token: str | None = None,
        profile_name: str | None = None,
        config: ClientConfig | None = None,
    ) -> None:
        self._config = config or ClientConfig()
        install_redaction()
        self._transport = Transport(
            region_name=region_name,
            endpoint_url=endpoint_url,
            aws_access_key_id=aws_access_key_id,
            aws_secret_access_key=aws_secret_access_key,
            aws_session_token=aws_session_token,
            profile_name=profile_name,
            config=self._config,
        )
        self._endpoint_url = endpoint_url
        self._waiters: Waiters | None = None
        self._background: BackgroundTasks | None = None

    def __repr__(self) -> str:
        return f"<DeploymentClient endpoint_url={self._endpoint_url!r}>"

    async def __aenter__(self) -> DeploymentClient:
        if self._background is not None:
            raise RuntimeError("this DeploymentClient is already open")
        await self._transport.__aenter__()
        self._background = BackgroundTasks()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        background, self._background = self._background, None
        self._waiters = None
        try:
            if background is not None:
                await background.aclose()
        finally:
            await self._transport.__aexit__(exc_type, exc_val, exc_tb)

    def _spawn(self, func: Callable[[], Coroutine[Any, Any, None]]) -> anyio.CancelScope:
        """Run ``func`` in the background until it ends or the client closes (it must not raise)."""
        if self._background is None:
            raise RuntimeError(
                "the client is not open: use it as `async with DeploymentClient(...) as client:`"
            )
        return self._background.spawn(func)

    @property
    def config(self) -> ClientConfig:
        """The settings this client was made with."""
        return self._config

    # -- the one path every call takes ---------------------------------------------------------

    async def _call(self, operation: str, params: Mapping[str, Any], arguments: Arguments = _NONE) -> Any:
        """Validate wire-shaped ``params``, send them, and return the decoded JSON body."""
        wire = {key: value for key, value in params.items() if value is not None}
        self._check(operation, wire, arguments)
        body = await self._transport.call(operation, wire)
        if not body:
            return {}
        try:
            # orjson: the body of a 1,000-robot job decodes in well under half
            # json's time (see docs/benchmarks.md); it raises ValueError subclasses.
            data = orjson.loads(body)
        except ValueError as exc:
            raise MalformedResponseError(
                f"the response body is not JSON ({len(body)} bytes)",
                code="MalformedResponse",
                operation=operation,
            ) from exc
        if not isinstance(data, dict):
            # Every output of the model is a JSON object; callers read members off it.
            raise MalformedResponseError(
                f"the response body is JSON but not an object ({type(data).__name__})",
                code="MalformedResponse",
                operation=operation,
            )
        return data

    @staticmethod
    def _check(operation: str, wire: Mapping[str, Any], arguments: Arguments = _NONE) -> None:
        shape = operation_model(operation).input_shape
        assert shape is not None  # every operation of the model has an input
        problems = list(violations(shape, wire))
        if not problems:
            return

        def name(problem: Violation) -> str:
            # Named as the caller wrote it: the argument the value came from, snake_case below it.
            for prefix, argument in arguments.items():
                if problem.path[: len(prefix)] == prefix:
                    rest = dotted(problem.path[len(prefix) :], python_name)
                    return argument + ("" if not rest else rest if rest[0] == "[" else f".{rest}")
            return problem.dotted(python_name)

        first = problems[0]
        rule = first.rule
        if first.path and first.path[-1] == "applicationVersion" and first.value == "'$LATEST'":
            rule = _LATEST_HINT
        raise ValidationError(
            name(first), first.value, rule, [f"{name(p)}={p.value}: {p.rule}" for p in problems]
        )

    async def _structured(
        self, operation: str, params: Mapping[str, Any], cls: type[T], arguments: Arguments = _NONE
    ) -> T:
        data = await self._call(operation, params, arguments)
        return self._to_model(operation, data, cls)

    @staticmethod
    def _to_model(operation: str, data: Any, cls: type[T]) -> T:
        try:
            return structure(data, cls)
        except Exception as exc:  # any shape mismatch in a response is the response's fault
            raise MalformedResponseError(
                f"the response does not have the shape of a {cls.__name__}: {exc!r}",
                code="MalformedResponse",
                operation=operation,
            ) from exc

    # -- deployment jobs -----------------------------------------------------------------------

    async def create_deployment_job(
        self,
        *,
        fleet: str | Fleet,
        application_configs: Sequence[DeploymentApplicationConfig],
        deployment_config: DeploymentConfig | None = None,
        tags: Mapping[str, str] | None = None,
        client_request_token: str | None = None,
    ) -> DeploymentJob:
        """Start deploying an application version to every robot of a fleet.

        ``client_request_token`` makes the call idempotent; one is generated
        when omitted and reused on every retry, so a retried create never
        makes two jobs.
        """
        return await self._structured(
            "CreateDeploymentJob",
            {
                "fleet": _arn(fleet),
                "deploymentApplicationConfigs": unstructure(list(application_configs)),
                "deploymentConfig": unstructure(deployment_config),
                "tags": dict(tags) if tags is not None else None,
                "clientRequestToken": _token(client_request_token),
            },
            DeploymentJob,
            {("deploymentApplicationConfigs",): "application_configs"},
        )

    async def describe_deployment_job(self, job: str | DeploymentJob) -> DeploymentJob:
        """The job as it is now, with every robot's status and progress."""
        return await self._structured("DescribeDeploymentJob", {"job": _arn(job)}, DeploymentJob)

    async def sync_deployment_job(
        self, *, fleet: str | Fleet, client_request_token: str | None = None
    ) -> DeploymentJob:
        """Bring robots that missed the fleet's last successful deployment up to date."""
        return await self._structured(
            "SyncDeploymentJob",
            {"fleet": _arn(fleet), "clientRequestToken": _token(client_request_token)},
            DeploymentJob,
        )

    async def cancel_deployment_job(self, job: str | DeploymentJob) -> None:
        """Cancel a job that has not finished; robots not yet deployed are left as they are."""
        await self._call("CancelDeploymentJob", {"job": _arn(job)})

    def list_deployment_jobs(
        self,
        *,
        status: DeploymentStatus | str | Collection[DeploymentStatus | str] | None = None,
        fleet_name: str | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        starting_token: str | None = None,
        prefetch: int = 1,
    ) -> Pager[DeploymentJob]:
        """Deployment jobs, newest first, as an async iterator (see :class:`Pager`).

        ``status`` takes one status or several; the service filters on one
        value per request, so several fan out into one request stream each,
        merged, every job once. ``fleet_name`` and ``status`` cannot be
        combined (the service takes a single filter).
        """
        if fleet_name is not None and status is not None:
            raise ValidationError(
                "status", repr(status), "cannot be combined with fleet_name: the service takes one filter"
            )
        requests = [
            _filtered("status", value, "status")
            if value
            else _filtered("fleetName", fleet_name, "fleet_name")
            for value in _status_values(status)
        ]
        return self._listing(
            "ListDeploymentJobs",
            "deploymentJobs",
            DeploymentJob,
            requests,
            page_size=page_size,
            max_items=max_items,
            starting_token=starting_token,
            prefetch=prefetch,
            key=lambda job: job.arn,
            # Newest first, as each stream is ordered; the ARN breaks ties stably.
            order=lambda job: (-job.created_at.timestamp(), job.arn),
        )

    # -- fleets ----------------------------------------------------------------------------------

    async def create_fleet(self, *, name: str, tags: Mapping[str, str] | None = None) -> Fleet:
        """Create an empty fleet."""
        params = {"name": name, "tags": dict(tags) if tags is not None else None}
        return await self._structured("CreateFleet", params, Fleet)

    async def describe_fleet(self, fleet: str | Fleet) -> Fleet:
        """The fleet with its robots and its last deployment."""
        return await self._structured("DescribeFleet", {"fleet": _arn(fleet)}, Fleet)

    async def delete_fleet(self, fleet: str | Fleet) -> None:
        """Delete a fleet."""
        await self._call("DeleteFleet", {"fleet": _arn(fleet)})

    def list_fleets(
        self,
        *,
        name: str | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        starting_token: str | None = None,
        prefetch: int = 1,
    ) -> Pager[Fleet]:
        """Fleets, optionally only those with ``name``, as an async iterator."""
        return self._listing(
            "ListFleets",
            "fleetDetails",
            Fleet,
            [_filtered("name", name, "name")],
            page_size=page_size,
            max_items=max_items,
            starting_token=starting_token,
            prefetch=prefetch,
        )

    # -- robots ----------------------------------------------------------------------------------

    async def create_robot(
        self,
        *,
        name: str,
        architecture: Architecture | str,
        greengrass_group_id: str,
        tags: Mapping[str, str] | None = None,
    ) -> Robot:
        """Create a robot backed by a Greengrass group."""
        params = {
            "name": name,
            "architecture": unstructure(architecture),
            "greengrassGroupId": greengrass_group_id,
            "tags": dict(tags) if tags is not None else None,
        }
        return await self._structured("CreateRobot", params, Robot)

    async def describe_robot(self, robot: str | Robot) -> Robot:
        """The robot, with its fleet and last deployment."""
        return await self._structured("DescribeRobot", {"robot": _arn(robot)}, Robot)

    async def delete_robot(self, robot: str | Robot) -> None:
        """Delete a robot."""
        await self._call("DeleteRobot", {"robot": _arn(robot)})

    async def register_robot(self, *, fleet: str | Fleet, robot: str | Robot) -> RobotRegistration:
        """Add a robot to a fleet."""
        params = {"fleet": _arn(fleet), "robot": _arn(robot)}
        return await self._structured("RegisterRobot", params, RobotRegistration)

    async def deregister_robot(self, *, fleet: str | Fleet, robot: str | Robot) -> RobotRegistration:
        """Remove a robot from a fleet."""
        params = {"fleet": _arn(fleet), "robot": _arn(robot)}
        return await self._structured("DeregisterRobot", params, RobotRegistration)

    def list_robots(
        self,
        *,
        fleet_name: str | None = None,
        status: RobotStatus | str | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        starting_token: str | None = None,
        prefetch: int = 1,
    ) -> Pager[Robot]:
        """Robots, optionally of one fleet or in one status (not both), as an async iterator."""
        if fleet_name is not None and status is not None:
            raise ValidationError(
                "status", repr(status), "cannot be combined with fleet_name: the service takes one filter"
            )
        if status is not None and not RobotStatus(status).is_known:
            known = ", ".join(m.value for m in RobotStatus)
            raise ValidationError("status", repr(status), f"must be a RobotStatus ({known})")
        request = (
            _filtered("status", RobotStatus(status).value, "status")
            if status is not None
            else _filtered("fleetName", fleet_name, "fleet_name")
        )
        return self._listing(
            "ListRobots",
            "robots",
            Robot,
            [request],
            page_size=page_size,
            max_items=max_items,
            starting_token=starting_token,
            prefetch=prefetch,
        )

    # -- robot applications --------------------------------------------------------------------

    async def create_robot_application(
        self,
        *,
        name: str,
        sources: Sequence[SourceConfig],
        robot_software_suite: RobotSoftwareSuite,
        tags: Mapping[str, str] | None = None,
        environment: Environment | None = None,
    ) -> RobotApplication:
        """Create a robot application (its ``$LATEST``); deploy a numbered version of it."""
        params = {
            "name": name,
            "sources": unstructure(list(sources)),
            "robotSoftwareSuite": unstructure(robot_software_suite),
            "tags": dict(tags) if tags is not None else None,
            "environment": unstructure(environment),
        }
        return await self._structured("CreateRobotApplication", params, RobotApplication)

    async def create_robot_application_version(
        self,
        application: str | RobotApplication,
        *,
        current_revision_id: str | None = None,
        s3_etags: Sequence[str] | None = None,
        image_digest: str | None = None,
    ) -> RobotApplication:
        """Freeze the application's current sources as the next numbered version ("1", "2", ...)."""
        params = {
            "application": _arn(application),
            "currentRevisionId": current_revision_id,
            "s3Etags": list(s3_etags) if s3_etags is not None else None,
            "imageDigest": image_digest,
        }
        return await self._structured("CreateRobotApplicationVersion", params, RobotApplication)

    async def describe_robot_application(
        self, application: str | RobotApplication, *, version: str | None = None
    ) -> RobotApplication:
        """An application, or one version of it."""
        params = {"application": _arn(application), "applicationVersion": version}
        return await self._structured(
            "DescribeRobotApplication", params, RobotApplication, {("applicationVersion",): "version"}
        )

    async def delete_robot_application(
        self, application: str | RobotApplication, *, version: str | None = None
    ) -> None:
        """Delete an application, or one version of it."""
        await self._call(
            "DeleteRobotApplication",
            {"application": _arn(application), "applicationVersion": version},
            {("applicationVersion",): "version"},
        )

    def list_robot_applications(
        self,
        *,
        name: str | None = None,
        version_qualifier: str | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        starting_token: str | None = None,
        prefetch: int = 1,
    ) -> Pager[RobotApplicationSummary]:
        """Robot applications, optionally by ``name``; ``version_qualifier="ALL"`` lists every version."""
        return self._listing(
            "ListRobotApplications",
            "robotApplicationSummaries",
            RobotApplicationSummary,
            [_filtered("name", name, "name", versionQualifier=version_qualifier)],
            page_size=page_size,
            max_items=max_items,
            starting_token=starting_token,
            prefetch=prefetch,
        )

    # -- tags ------------------------------------------------------------------------------------

    async def tag_resource(self, resource_arn: str, tags: Mapping[str, str]) -> None:
        """Add or replace tags on a resource."""
        await self._call("TagResource", {"resourceArn": resource_arn, "tags": dict(tags)})

    async def untag_resource(self, resource_arn: str, tag_keys: Sequence[str]) -> None:
        """Remove tags from a resource."""
        await self._call("UntagResource", {"resourceArn": resource_arn, "tagKeys": list(tag_keys)})

    async def list_tags_for_resource(self, resource_arn: str) -> Mapping[str, str]:
        """A resource's tags."""
        data = await self._call("ListTagsForResource", {"resourceArn": resource_arn})
        return self._to_model("ListTagsForResource", data.get("tags") or {}, Mapping[str, str])  # type: ignore[type-abstract]

    # -- listing plumbing ------------------------------------------------------------------------

    def _listing(
        self,
        operation: str,
        result_key: str,
        cls: type[T],
        requests: Sequence[Request],
        *,
        page_size: int | None,
        max_items: int | None,
        starting_token: str | None,
        prefetch: int,
        key: Callable[[T], Hashable] | None = None,
        order: Callable[[T], Any] | None = None,
    ) -> Pager[T]:
        """A pager over one request stream per entry of ``requests`` (each a set of filters)."""
        return Pager(
            [self._page_source(operation, result_key, cls, *request) for request in requests],
            key=key,
            order=order,
            page_size=page_size,
            max_items=max_items,
            starting_token=starting_token,
            prefetch=prefetch,
            spawn=self._spawn,
            max_page_size=page_limit(operation),
        )

    def _page_source(
        self, operation: str, result_key: str, cls: type[T], params: Mapping[str, Any], arguments: Arguments
    ) -> PageSource[T]:
        base = {key: value for key, value in params.items() if value is not None}
        arguments = {**arguments, **_PAGING}
        # Validate the filter part now, so a bad filter fails at the call site
        # rather than at the first iteration.
        self._check(operation, base, arguments)
        token_shape = operation_model(operation).input_shape.members["nextToken"]  # type: ignore[union-attr]

        async def fetch(token: str | None, page_size: int | None) -> Page[T]:
            request = {**base, "nextToken": token, "maxResults": page_size}
            data = await self._call(operation, request, arguments)
            items = data.get(result_key) or []
            if not isinstance(items, list):
                raise MalformedResponseError(
                    f"{result_key} is not a list", code="MalformedResponse", operation=operation
                )
            models = tuple(self._to_model(operation, item, cls) for item in items)
            next_token = data.get("nextToken") or None
            if next_token is not None and any(violations(token_shape, next_token)):
                # Sent back as the next request's nextToken, it would fail there as the caller's
                # ValidationError; it is the response that is wrong.
                raise MalformedResponseError(
                    "the response's nextToken is not a pagination token",
                    code="MalformedResponse",
                    operation=operation,
                )
            return Page(items=models, next_token=next_token)

        return fetch

    # -- waiters (see _waiters) ------------------------------------------------------------------

    def _waiter_hub(self) -> Waiters:
        if self._waiters is None:
            from ._waiters import Waiters

            self._waiters = Waiters(self)
        return self._waiters

    async def wait_for_deployment_job(
        self,
        job: str | DeploymentJob,
        *,
        timeout: float | None = DEFAULT_TIMEOUT,  # noqa: ASYNC109 - a duration the waiter manages
        min_delay: float = DEFAULT_MIN_DELAY,
        max_delay: float = DEFAULT_MAX_DELAY,
        clock: WaitClock | None = None,
    ) -> DeploymentJob:
        """Wait until the job is Succeeded, Failed or Canceled and return it, robot summaries included.

        Polls at once, then after delays growing exponentially from
        ``min_delay`` to ``max_delay`` seconds with jitter (see
        :class:`WaitPolicy`). ``timeout`` (seconds, ``None`` for no limit)
        bounds the whole wait: a poll still in flight at the deadline is
        cancelled and :class:`WaiterTimeoutError` carries the last job seen.
        Throttling, 5xx and connection errors cost a poll, not the wait;
        :class:`ResourceNotFoundError` (no such job, or expired) ends it at
        once. Concurrent waiters on this client share their calls: one
        describe in flight per job, and one shared ListDeploymentJobs pass
        over the active statuses when many jobs are waited on. ``clock``
        injects time, sleep and jitter (tests).
        """
        policy = self._wait_policy(timeout, min_delay, max_delay, clock)
        return await self._waiter_hub().wait_job(job, policy)

    async def wait_until_deployment_succeeded(
        self,
        job: str | DeploymentJob,
        *,
        timeout: float | None = DEFAULT_TIMEOUT,  # noqa: ASYNC109 - a duration the waiter manages
        min_delay: float = DEFAULT_MIN_DELAY,
        max_delay: float = DEFAULT_MAX_DELAY,
        clock: WaitClock | None = None,
    ) -> DeploymentJob:
        """Wait as :meth:`wait_for_deployment_job` does; return the job if it Succeeded.

        A job that ended Failed or Canceled raises
        :class:`DeploymentFailedError`, which carries the final job, its
        :class:`FailureCode` (description, category, retryability) and the
        robots that failed with their own codes and reasons.
        """
        policy = self._wait_policy(timeout, min_delay, max_delay, clock)
        return await self._waiter_hub().wait_job_succeeded(job, policy)

    def watch_deployment_job(
        self,
        job: str | DeploymentJob,
        *,
        timeout: float | None = DEFAULT_TIMEOUT,
        min_delay: float = DEFAULT_MIN_DELAY,
        max_delay: float = DEFAULT_MAX_DELAY,
        clock: WaitClock | None = None,
    ) -> DeploymentWatch:
        """Yield the job each time its status or any robot's progress changes, until it ends.

        ``async for job in client.watch_deployment_job(arn): ...`` sees the
        first snapshot at once, then one per change of status or of a
        robot's status, step, percent done or time remaining, and last the
        terminal snapshot (robot summaries included), after which the
        iteration ends. Every snapshot comes from DescribeDeploymentJob
        (shared with other waiters on the same job). Timing, timeout and
        errors as in :meth:`wait_for_deployment_job`. Leaving the loop early
        is fine; ``contextlib.aclosing`` releases the watch at once.
        """
        policy = self._wait_policy(timeout, min_delay, max_delay, clock)
        return self._waiter_hub().watch_job(job, policy)

    async def wait_for_fleet_in_sync(
        self,
        fleet: str | Fleet,
        *,
        timeout: float | None = DEFAULT_TIMEOUT,  # noqa: ASYNC109 - a duration the waiter manages
        min_delay: float = DEFAULT_MIN_DELAY,
        max_delay: float = DEFAULT_MAX_DELAY,
        clock: WaitClock | None = None,
    ) -> Fleet:
        """Wait until every robot of the fleet is InSync and return the fleet, robots included.

        If the fleet's last deployment ended Failed or Canceled while robots
        are not in sync, nothing brings them there short of a new deployment,
        so :class:`DeploymentFailedError` is raised for that job at once.
        Timing, timeout and errors as in :meth:`wait_for_deployment_job`.
        """
        policy = self._wait_policy(timeout, min_delay, max_delay, clock)
        return await self._waiter_hub().wait_fleet_in_sync(fleet, policy)

    @staticmethod
    def _wait_policy(
        timeout: float | None, min_delay: float, max_delay: float, clock: WaitClock | None
    ) -> WaitPolicy:
        from ._waiters import WaitClock, WaitPolicy

        return WaitPolicy(
            timeout=timeout, min_delay=min_delay, max_delay=max_delay, clock=clock or WaitClock()
        )
