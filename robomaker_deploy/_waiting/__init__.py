"""Waiting for deployments to end, and sharing the polling between waiters.

The rooms, in the order a wait passes through them:

* ``policy``: when to poll and when to give up (:class:`WaitPolicy`, the
  Smithy waiter delay rule, on an injectable :class:`WaitClock`);
* ``watch``: one watch per job (:class:`~.watch.Watch`): its policy, its
  poll loop, the fold of its snapshots into job state, its checkpoint, and
  its exit policy; :class:`DeploymentWatch` (its snapshots) is a view of it,
  as the event stream (``stream``) and a wait's result are;
* ``source``: the client's shared poller, which the watches poll through:
  each poll answered by the cheapest call that is true, one describe in
  flight per job (``flights``) or a shared ListDeploymentJobs pass over the
  active jobs (``passes``);
* ``events``, ``checkpoint``, ``forecast``: pure data and functions: typed
  events (a diff of two snapshots), a JSON checkpoint to resume a watch after
  a restart, and how many of a watch's robots are in flight (its poll cadence);
* ``tracing``: the OpenTelemetry span of each wait, watch or event stream
  (the ``otel`` extra; without it, nothing is imported).

A wait goes client method -> watch -> poller -> client call; a poll returns
what it found, and nothing calls back up.

Nothing is imported here: the package's plain data (events, checkpoints,
policies) loads with ``import robomaker_deploy``, and the watches and the
poller only on a first wait, so each room is imported by its own name.
"""
