"""Where a client's region comes from: one answer for the SDK and the command line.

The order is the one the AWS CLI v2 and the current AWS SDKs document: the
region given in code, then ``AWS_REGION``, then ``AWS_DEFAULT_REGION``, then
the ``region`` of the profile in the shared config file. botocore alone reads
only ``AWS_DEFAULT_REGION`` and the profile, so the SDK resolves the region
itself and hands botocore the answer.
"""

from __future__ import annotations

import os

from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession

from .._errors import ConfigurationError

__all__ = ["ENVIRONMENT", "no_region", "resolve_region"]

#: The environment variables read, first match wins.
ENVIRONMENT = ("AWS_REGION", "AWS_DEFAULT_REGION")


def resolve_region(
    region_name: str | None = None,
    *,
    profile_name: str | None = None,
    session: AioSession | None = None,
    aio_config: AioConfig | None = None,
) -> str | None:
    """The region a client uses, or ``None`` if no source names one.

    In order: ``region_name``; set in code elsewhere (the ``region_name`` of
    ``aio_config``, merged with the session's default client config, or
    ``session.set_config_variable("region", ...)``);
    ``AWS_REGION``; ``AWS_DEFAULT_REGION``; the ``region`` of the profile
    (``profile_name``, else the session's, else ``AWS_PROFILE``, else
    ``default``). An empty value counts as unset. Reading the profile may
    raise botocore's ``ProfileNotFound``.
    """
    if region_name:
        return region_name
    if aio_config is not None and aio_config.region_name:
        return str(aio_config.region_name)
    if session is not None and session.instance_variables().get("region"):
        return str(session.instance_variables()["region"])
    for name in ENVIRONMENT:
        if os.environ.get(name):
            return os.environ[name]
    session = session or AioSession(profile=profile_name)
    region = session.get_scoped_config().get("region")
    return str(region) if region else None


def no_region(session: AioSession) -> ConfigurationError:
    """The error for a client that found no region, naming every place it looked."""
    profile = session.profile or "default"
    config_file = session.get_config_variable("config_file")
    return ConfigurationError(
        "no region given: pass region_name=, set AWS_REGION or AWS_DEFAULT_REGION, "
        f"or set region in the profile {profile!r} of {config_file}",
        code="NoRegion",
    )
