"""One-line notes on stderr while a command runs: the SDK's retries, as they happen.

A call to an endpoint that does not answer is retried for a while before it
fails; without a word, a person at the terminal cannot tell a slow answer from
a hang. The SDK logs each retry at INFO on ``robomaker_deploy.transport``
(``retrying ListDeploymentJobs after EndpointConnectionError, attempt 2 of 10``);
while a command runs, those lines go to stderr as they are, never into
``--json`` output on stdout.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import click

__all__ = ["NOTES_LOGGER", "retry_notes"]

#: Where the SDK logs its retries.
NOTES_LOGGER = "robomaker_deploy.transport"


class _Stderr(logging.Handler):
    """Prints each record's message alone on a line of stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            # Looked up at each line, not at install: stderr may be swapped (a live display, a test runner).
            click.echo(record.getMessage(), err=True)
        except Exception:
            self.handleError(record)


@contextmanager
def retry_notes() -> Iterator[None]:
    """Within the block, print the SDK's INFO records (its retries) on stderr; restore logging after."""
    logger = logging.getLogger(NOTES_LOGGER)
    handler = _Stderr(logging.INFO)
    level = logger.level
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
