"""Operations on deployment jobs: create, describe, sync, cancel, list."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import overload

from .._enums import DeploymentStatus, DeploymentStatusValue, member_of
from .._errors import ValidationError
from .._models import (
    DeploymentApplicationConfig,
    DeploymentConfig,
    DeploymentJob,
    DescribedDeploymentJob,
    Fleet,
)
from .._pagination import Pager
from .calls import Operations, arn_of, filtered, one_filter, request_token, wire_list, wire_of
from .outputs import CREATE_DEPLOYMENT_JOB, DESCRIBE_DEPLOYMENT_JOB, LIST_DEPLOYMENT_JOBS, SYNC_DEPLOYMENT_JOB

__all__ = ["JobOperations"]


Statuses = DeploymentStatus | DeploymentStatusValue | Collection[DeploymentStatus | DeploymentStatusValue]
"""One deployment status, or several (as members or wire strings)."""


def _status_values(status: Statuses | None) -> list[str | None]:
    if status is None:
        return [None]
    given: list[object] = [status] if isinstance(status, str) else list(status)
    if not given:
        raise ValidationError("status", repr(status), "must name at least one DeploymentStatus, or be None")
    values: list[str | None] = []
    for item in given:
        value = member_of(DeploymentStatus, item, "status").value
        if value not in values:
            values.append(value)
    return values


class JobOperations(Operations):
    """The deployment-job part of :class:`DeploymentClient`."""

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
        return await self._calls.structured(
            CREATE_DEPLOYMENT_JOB,
            {
                "fleet": arn_of(fleet),
                "deploymentApplicationConfigs": wire_list(
                    "application_configs", application_configs, DeploymentApplicationConfig
                ),
                "deploymentConfig": wire_of("deployment_config", deployment_config, DeploymentConfig),
                "tags": dict(tags) if tags is not None else None,
                "clientRequestToken": request_token(client_request_token),
            },
            {("deploymentApplicationConfigs",): "application_configs"},
        )

    async def describe_deployment_job(self, job: str | DeploymentJob) -> DescribedDeploymentJob:
        """The job as it is now, with every robot's status and progress."""
        return await self._calls.structured(DESCRIBE_DEPLOYMENT_JOB, {"job": arn_of(job)})

    async def sync_deployment_job(
        self, *, fleet: str | Fleet, client_request_token: str | None = None
    ) -> DeploymentJob:
        """Bring robots that missed the fleet's last successful deployment up to date."""
        return await self._calls.structured(
            SYNC_DEPLOYMENT_JOB,
            {"fleet": arn_of(fleet), "clientRequestToken": request_token(client_request_token)},
        )

    async def cancel_deployment_job(self, job: str | DeploymentJob) -> None:
        """Cancel a job that has not finished; robots not yet deployed are left as they are."""
        await self._calls.call("CancelDeploymentJob", {"job": arn_of(job)})

    # The service takes one filter per request: status or fleet name, never both (a type error too).
    @overload
    def list_deployment_jobs(
        self,
        *,
        status: Statuses | None = None,
        fleet_name: None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        starting_token: str | None = None,
        prefetch: int = 1,
    ) -> Pager[DeploymentJob]: ...

    @overload
    def list_deployment_jobs(
        self,
        *,
        status: None = None,
        fleet_name: str,
        page_size: int | None = None,
        max_items: int | None = None,
        starting_token: str | None = None,
        prefetch: int = 1,
    ) -> Pager[DeploymentJob]: ...

    def list_deployment_jobs(
        self,
        *,
        status: Statuses | None = None,
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
        one_filter(status, fleet_name)
        requests = [
            filtered("status", value, "status") if value else filtered("fleetName", fleet_name, "fleet_name")
            for value in _status_values(status)
        ]
        return self._calls.listing(
            LIST_DEPLOYMENT_JOBS,
            requests,
            page_size=page_size,
            max_items=max_items,
            starting_token=starting_token,
            prefetch=prefetch,
            key=lambda job: job.arn,
            # Newest first, as each stream is ordered; the ARN breaks ties stably.
            order=lambda job: (-job.created_at.timestamp(), job.arn),
        )
