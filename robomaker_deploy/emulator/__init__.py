"""A local RoboMaker deployment service that speaks the real wire protocol.

``async with Emulator(speed=50) as emu:`` gives ``emu.endpoint_url``,
``emu.credentials``, ``emu.region`` and ``emu.client()``; any SigV4 client
carrying the RoboMaker model works against it unchanged. Robots fail on
purpose through tags (``emulator:fail-step``, ``emulator:failure-code``,
``emulator:offline``); the service itself misbehaves through
:meth:`Emulator.set_faults` or ``POST /_emulator/faults``.

Admin routes (no signature; on by default only when bound to a loopback host; a POST must carry
``Content-Type: application/json``, and a request from another origin, or with a ``Host`` other
than the emulator's address or ``localhost`` with its port, is refused):

- ``POST /_emulator/faults`` with :class:`FaultConfig`'s fields as JSON
  (``{"throttle": 0.5, "internal_error": 0.2, "drop": 0.3, "latency_ms": 200,
  "operations": ["CreateDeploymentJob"], "seed": 1, "limit": 10}``; ``{}`` clears);
  ``GET /_emulator/faults`` returns the settings.
- ``POST /_emulator/clock`` ``{"advance_seconds": N}`` moves the virtual clock;
  both it and ``GET /_emulator/clock`` return ``{"offset_seconds": ..., "now": ...,
  "mode": "real" | "manual"}`` (``Emulator(clock="manual")``: it moves only when told).
- ``GET /_emulator/stats`` returns ``{"calls": {"DescribeDeploymentJob": 12, ...},
  "faults": {"throttle": {op: n}, "internal_error": {...}, "drop": {...}, "latency": {...}}}``;
  every request routed to an operation counts, faulted or refused ones included.
- ``POST /_emulator/reset`` forgets everything (resources, tokens, faults, counts, clock).
- ``GET /_emulator/health`` returns ``{"ok": true}``.
"""

from ._clock import ClockMode
from ._context import JOB_RETENTION_SECONDS
from ._emulator import DEFAULT_ACCOUNT_ID, Emulator
from ._errors import ServiceError
from ._faults import FaultConfig, FaultSettings
from ._main import serve
from ._sigv4 import EmulatorCredentials
from ._simulation import TAG_FAIL_STEP, TAG_FAILURE_CODE, TAG_OFFLINE
from ._statefile import StateFileError

__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "JOB_RETENTION_SECONDS",
    "TAG_FAILURE_CODE",
    "TAG_FAIL_STEP",
    "TAG_OFFLINE",
    "ClockMode",
    "Emulator",
    "EmulatorCredentials",
    "FaultConfig",
    "FaultSettings",
    "ServiceError",
    "StateFileError",
    "serve",
]
