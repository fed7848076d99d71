"""The public :class:`DeploymentClient`: the client core with the rollouts on top.

Put together here, above both, so that the layers below point one way: the
core (``_client``) knows nothing of rollouts, and the rollouts (``_rollout``)
use the core's public methods.
"""

from __future__ import annotations

from ._rollout.operations import RolloutOperations

__all__ = ["DeploymentClient"]


class DeploymentClient(RolloutOperations):
    """An async client for RoboMaker deployments: fleets, robots, applications and deployment jobs.

    Use it as an async context manager; it owns one connection pool::

        async with DeploymentClient(region_name="us-east-1") as client:
            job = await client.create_deployment_job(fleet=fleet_arn, application_configs=[...])
            job = await client.wait_for_deployment_job(job)

    Credentials come from the arguments, else from botocore's usual chain
    (environment, profile, instance role). The region is ``region_name``,
    else ``AWS_REGION``, else ``AWS_DEFAULT_REGION``, else the profile's.
    ``endpoint_url`` points the client at another endpoint, such as the
    emulator. ``config`` holds the SDK's settings (timeouts, retries, limits,
    waiter delays). ``session`` builds the client from your own aiobotocore
    session (its credential providers, profile and config; it is not
    modified), and ``aio_config`` merges aiobotocore settings such as
    proxies; the SDK's own settings go on top of both (see the
    configuration guide). A setting of the wrong type is a ``TypeError``
    here, not at the first call.
    """
