"""The client: :class:`DeploymentClient` and the rooms it is built from.

* ``client``: the class itself, its life cycle and its waiters;
* ``jobs``, ``fleets``, ``applications``: the operations of each resource,
  one short method per operation, saying what it sends and what it returns;
* ``calls``: the one path every call takes (check against the model, send,
  decode, structure) and the listing pagers built on it;
* ``outputs``: the table of what each operation's response is structured
  into, which the methods name and the benchmarks read.
"""

from .client import DeploymentClient

__all__ = ["DeploymentClient"]
