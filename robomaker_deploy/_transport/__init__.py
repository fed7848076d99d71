"""The only package that touches aiobotocore.

``transport``: one client's calls (retries, the per-call deadline, errors);
``sessions``: the sessions and settings clients are built from (a loader
shared by the process, a private copy of a user's session, the SDK's
non-negotiable settings); ``region``: where the region comes from;
``bodies``: response bodies read with a size limit; ``parsing``: the parser
that hands successful bodies through as bytes.
"""

from .region import resolve_region
from .transport import Transport

__all__ = ["Transport", "resolve_region"]
