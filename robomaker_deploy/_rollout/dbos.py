"""The DBOS driver: a rollout as a DBOS Transact workflow, each of its commands a step.

DBOS checkpoints a workflow's steps in a system database (SQLite, or
Postgres shared by many workers). The workflow body is the core's loop::

    previous, started = step(prepare)                  # what each fleet ran, and when we began
    state = begin(plan, now=started, token_seed=<workflow id>, previous=previous)
    while not Finish:
        result, at = step(execute(command))            # the only I/O, recorded by DBOS
        state = apply(plan, state, command, result, now=at)

so a workflow recovered after its worker died replays the recorded steps'
results through the pure :func:`~.core.decide` and :func:`~.core.apply`,
reaches the same state, and runs the first step that had no recorded
result again. A step may so run twice (DBOS steps are at-least-once): the
core made every command safe to repeat (a create re-sends its client token).
Steps record the core's small results (a watch's counts and robot ARNs
once, at its end), never a snapshot per poll.

Everything DBOS stores is JSON (a serializer of ours, and DBOS's portable
format for the workflow's input and output), readable with ``sqlite3`` or
``psql``; the workflow's input is the plan, launch-config values included,
so a SQLite system database is made owner-only (0600).

Workflows run on asyncio only (DBOS's event loop): the driver's worker runs
under ``asyncio.run``. The client the steps use is the one given to the
worker (:class:`RolloutWorker`), held per process, since a workflow's input
must be data.
"""

from __future__ import annotations

import asyncio
import json
import os
import typing
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, ParamSpec, TypeVar

import attrs
from dbos import (
    DBOS,
    DBOSClient,
    DBOSConfig,
    EnqueueOptions,
    PortableWorkflowError,
    Serializer,
    SetWorkflowID,
    WorkflowHandleAsync,
    WorkflowSerializationFormat,
)
from sqlalchemy.engine import make_url

from .._documents import _converter
from .._errors import RoboMakerError, ValidationError
from .core import Command, Finish, Previous, Result, apply, begin, decide
from .effects import execute, prepare
from .gates import CallableGate, CommandGate, HttpGate
from .plan import RolloutPlan
from .report import RolloutReport

if TYPE_CHECKING:
    from .._client import ClientCore as DeploymentClient

__all__ = [
    "QUEUE",
    "WORKFLOW",
    "RolloutStepError",
    "RolloutWorker",
    "rollout_id",
    "rollout_report",
    "submit_rollout",
]

#: The DBOS queue rollouts are enqueued on, and the workflow's registered name.
QUEUE: Final = "robomaker-deploy-rollouts"
WORKFLOW: Final = "robomaker_deploy.rollout"
#: The DBOS application name workers and submitters share (DBOS scopes recovery by it).
APPLICATION: Final = "robomaker-deploy"

_PORTABLE = WorkflowSerializationFormat.PORTABLE
P = ParamSpec("P")
R = TypeVar("R")

# -- what is stored ----------------------------------------------------------------------------------------


class RolloutStepError(Exception):
    """A DBOS rollout ended with an error (a step raised); DBOS recorded its type and message as JSON."""


class _JsonSerializer(Serializer):
    """DBOS's serializer for step outputs and errors: plain JSON instead of its default pickle.

    A rollout's steps return JSON-able dicts; an exception is kept as its type
    and message and comes back as :class:`RolloutStepError`.
    """

    def serialize(self, data: Any) -> str:
        if isinstance(data, BaseException):
            data = {"__exception__": type(data).__name__, "message": str(data)}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    def deserialize(self, serialized_data: str) -> Any:
        data = json.loads(serialized_data)
        if isinstance(data, dict) and "__exception__" in data:
            return RolloutStepError(f"{data['__exception__']}: {data['message']}")
        return data

    def name(self) -> str:
        return "robomaker_deploy_json"


_GATES: Final[dict[str, type[CommandGate | HttpGate]]] = {"command": CommandGate, "http": HttpGate}


def _plan_document(plan: RolloutPlan) -> dict[str, Any]:
    """The plan as the workflow's JSON input; refused if JSON cannot carry it whole (a Python gate)."""
    gate = plan.gate
    if isinstance(gate, CallableGate):
        raise ValidationError(
            "gate",
            repr(getattr(gate.func, "__qualname__", gate.func)),
            "cannot run on DBOS: a rollout's plan is stored in the system database as JSON and run by"
            " any worker, so its gate must be a CommandGate or an HttpGate",
        )
    converter = _converter()
    document: dict[str, Any] = converter.unstructure(attrs.evolve(plan, gate=None))
    if gate is not None:
        kind = next(name for name, cls in _GATES.items() if isinstance(gate, cls))
        document["gate"] = {"kind": kind, **converter.unstructure(gate)}
    if _load_plan(document) != plan:  # pragma: no cover - a field the converter cannot carry
        raise ValidationError("plan", "<plan>", "changes when stored as JSON, so a worker would run another")
    return document


def _load_plan(document: Mapping[str, Any]) -> RolloutPlan:
    # Field by field: the gate's union holds CallableGate, which no converter can build.
    converter = _converter()
    types = typing.get_type_hints(RolloutPlan)
    fields = {
        name: converter.structure(value, types[name]) for name, value in document.items() if name != "gate"
    }
    gate = dict(document.get("gate") or {})
    if gate:
        fields["gate"] = converter.structure(gate, _GATES[gate.pop("kind")])
    return RolloutPlan(**fields)


def _one_of(document: Any, union: Any) -> Any:
    """A command or a result back from JSON (its ``type`` field tells which class).

    Typed ``Any``: cattrs types ``structure`` for a class, not a union; the
    callers' variables say what comes back.
    """
    return _converter().structure(document, union)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


# -- the workflow ------------------------------------------------------------------------------------------

_client: DeploymentClient | None = None
#: The rollouts running in this process, cancelled when its worker stops (so none sees a closed client).
_running: set[asyncio.Task[Any]] = set()


def _the_client() -> DeploymentClient:
    if _client is None:
        raise RuntimeError("no DeploymentClient in this process: run rollouts inside a RolloutWorker")
    return _client


def _transient(error: BaseException) -> bool:
    """Whether a step that raised ``error`` is tried again: a throttle, a 5xx, a lost connection."""
    return isinstance(error, RoboMakerError) and error.retryable


def _step(name: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """A DBOS step that the client's own retries could not save is tried again if what it raised is
    transient, 8 tries in all, 1, 2, 4 ... 64 s apart (about 2 minutes): an outage is ridden out.
    Anything else ends the rollout with that error."""
    return DBOS.step(
        name=name,
        retries_allowed=True,
        max_attempts=8,
        interval_seconds=1.0,
        backoff_rate=2.0,
        should_retry=_transient,
    )


@_step("robomaker_deploy.rollout.prepare")
async def _prepare_step(plan_document: dict[str, Any]) -> dict[str, Any]:
    previous = await prepare(_the_client(), _load_plan(plan_document))
    return {"previous": _converter().unstructure(previous, tuple[Previous, ...]), "at": _now()}


@_step("robomaker_deploy.rollout.command")
async def _command_step(plan_document: dict[str, Any], command: dict[str, Any]) -> dict[str, Any]:
    converter = _converter()
    plan = _load_plan(plan_document)
    order: Command = _one_of(command, Command)
    result = await execute(_the_client(), plan, order)
    return {"result": converter.unstructure(result, Result), "at": _now()}


@DBOS.workflow(name=WORKFLOW, serialization_type=_PORTABLE)
async def _rollout_workflow(plan_document: dict[str, Any]) -> dict[str, Any]:
    task = asyncio.current_task()
    assert task is not None
    _running.add(task)
    try:
        return await _roll_out(plan_document)
    finally:
        _running.discard(task)


async def _roll_out(plan_document: dict[str, Any]) -> dict[str, Any]:
    converter = _converter()
    plan = _load_plan(plan_document)
    prepared = await _prepare_step(plan_document)
    previous = converter.structure(prepared["previous"], tuple[Previous, ...])
    state = begin(
        plan,
        now=datetime.fromisoformat(prepared["at"]),
        token_seed=DBOS.workflow_id or "",
        previous=previous,
    )
    while not isinstance(command := decide(plan, state), Finish):
        done = await _command_step(plan_document, converter.unstructure(command, Command))
        result: Result = _one_of(done["result"], Result)
        state = apply(plan, state, command, result, now=datetime.fromisoformat(done["at"]))
    report: dict[str, Any] = converter.unstructure(command.report)
    return report


# -- submitting and reading --------------------------------------------------------------------------------


def rollout_id(plan: RolloutPlan, key: str = "") -> str:
    """The workflow ID of ``plan``'s rollout: submitting the same plan (and ``key``) again is the same one.

    ``key`` tells two rollouts of one plan apart (``"2024-06-01"``, a
    ticket number): a plan rolled out again on purpose needs a new key.
    """
    return f"rollout-{plan.digest[:32]}" + (f"-{key}" if key else "")


def _database_url(database: str | os.PathLike[str]) -> str:
    """A system database URL: as given, or a file path made a SQLite URL; a SQLite file is made 0600.

    The URL is read as SQLAlchemy (DBOS's engine) reads it, so that a query such as ``?timeout=30``
    is not taken for part of the file's name. Without ``uri=true`` SQLAlchemy drops a ``mode`` and
    opens the file read-write, creating it if need be, so it is made here first, owner-only. A SQLite
    URI (``uri=true``, a ``file:`` name) is refused: which file it opens, and whether it creates one,
    is SQLite's to decide, so it could not be made owner-only before DBOS writes to it.
    """
    text = os.fspath(database)
    if "://" not in text:
        text = f"sqlite:///{Path(text).resolve()}"
    url = make_url(text)
    if url.get_backend_name() != "sqlite":
        return text
    if str(url.query.get("uri", "")).lower() in ("true", "1", "yes", "on"):
        raise ValidationError(
            "database",
            text,
            "a SQLite URI (uri=true) cannot be made owner-only before DBOS opens it: give the file's "
            "path, or a sqlite:/// URL without uri",
        )
    path = url.database
    if not path or path == ":memory:":
        return text
    # The workflow inputs are plans with their launch configs: owner-only from the first byte.
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    Path(path).chmod(0o600)
    return text


def _client_for(database: str | os.PathLike[str]) -> DBOSClient:
    return DBOSClient(
        system_database_url=_database_url(database),
        serializer=_JsonSerializer(),
        application_name=APPLICATION,
    )


async def submit_rollout(database: str | os.PathLike[str], plan: RolloutPlan, *, key: str = "") -> str:
    """Enqueue ``plan``'s rollout on the workers of ``database`` from any process; its workflow ID.

    Idempotent: a rollout already submitted (the same :func:`rollout_id`) is
    not submitted again, whatever it is doing. The system database must
    exist already (a worker creates it when it starts). Without a client,
    the plan is checked against the service by the worker that takes it: a
    plan that cannot be rolled out ends the rollout with an error
    (:func:`rollout_report` raises :class:`RolloutStepError`).
    """
    document = _plan_document(plan)
    workflow = rollout_id(plan, key)
    client = _client_for(database)
    try:
        options: EnqueueOptions = {
            "queue_name": QUEUE,
            "workflow_name": WORKFLOW,
            "workflow_id": workflow,
            "serialization_type": _PORTABLE,
        }
        await client.enqueue_async(options, document)
    finally:
        await asyncio.to_thread(client.destroy)
    return workflow


async def rollout_report(database: str | os.PathLike[str], workflow_id: str) -> RolloutReport:
    """The report of a submitted rollout, once it has finished (waits for it, polling the database).

    Raises :class:`RolloutStepError` if the rollout ended with an error.
    """
    client = _client_for(database)
    try:
        handle: WorkflowHandleAsync[dict[str, Any]] = await client.retrieve_workflow_async(workflow_id)
        return await _report(handle, polling_interval_sec=0.2)
    finally:
        await asyncio.to_thread(client.destroy)


async def _report(handle: WorkflowHandleAsync[dict[str, Any]], **options: float) -> RolloutReport:
    try:
        document = await handle.get_result(**options)
    except PortableWorkflowError as exc:
        raise RolloutStepError(f"rollout {handle.get_workflow_id()} failed: {exc.name}: {exc}") from exc
    return _converter().structure(document, RolloutReport)


# -- the worker --------------------------------------------------------------------------------------------


async def _cancel_running() -> None:
    tasks = list(_running)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


class RolloutWorker:
    """A process's DBOS executor for rollouts: launch it, then submit rollouts or serve the queue.

    ::

        async with DeploymentClient() as client, RolloutWorker(client, "rollouts.sqlite") as worker:
            report = await worker.run(plan)

    ``database`` is the system database: a file path (SQLite, made 0600) or
    a ``postgresql://`` URL that many workers share. ``executor_id`` names
    this worker (DBOS's executor ID; default ``DBOS__VMID`` or ``"local"``):
    a worker started with the ID of one that died recovers that one's
    rollouts, so give each worker a stable ID of its own and restart a dead
    one's ID in one process at a time. ``concurrency``: rollouts this worker
    runs at once. One worker per process (DBOS is process-wide); asyncio only.
    """

    def __init__(
        self,
        client: DeploymentClient,
        database: str | os.PathLike[str],
        *,
        executor_id: str | None = None,
        concurrency: int = 10,
        polling_interval: float = 1.0,
    ) -> None:
        if concurrency < 1:
            raise ValidationError("concurrency", repr(concurrency), "must be at least 1")
        self._client = client
        self._url = _database_url(database)
        self._database = database
        self._executor_id = executor_id
        self._concurrency = concurrency
        self._polling_interval = polling_interval

    @property
    def database_url(self) -> str:
        """The system database's URL."""
        return self._url

    async def __aenter__(self) -> RolloutWorker:
        global _client
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            raise RuntimeError(
                "a RolloutWorker runs on asyncio only (DBOS runs its workflows as asyncio tasks):"
                " start it under asyncio.run, not trio"
            ) from None
        if _client is not None:
            raise RuntimeError("a RolloutWorker already runs in this process (DBOS is process-wide)")
        config: DBOSConfig = {
            "name": APPLICATION,
            "system_database_url": self._url,
            "serializer": _JsonSerializer(),
            "log_level": os.environ.get("ROBOMAKER_DEPLOY_DBOS_LOG_LEVEL", "WARNING"),
        }
        if self._executor_id is not None:
            config["executor_id"] = self._executor_id
        _client = self._client
        try:
            # Launched from this running loop, DBOS runs the workflows on it: where the client lives.
            DBOS(config=config)
            DBOS.launch()
            await DBOS.register_queue_async(
                QUEUE, worker_concurrency=self._concurrency, polling_interval_sec=self._polling_interval
            )
        except BaseException:
            _client = None
            DBOS.destroy(destroy_registry=False)
            raise
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        global _client
        # Cancelled, a rollout records nothing more: it stays PENDING, and the next launch of this
        # executor ID recovers it. So no step of this worker runs on past it, against the client its
        # owner closes next or a DBOS launched later in this process. Again after DBOS stopped: its
        # queue may have started one meanwhile.
        await _cancel_running()
        # The registry keeps the workflow's registration for a worker started later in this process.
        await asyncio.to_thread(DBOS.destroy, destroy_registry=False)
        await _cancel_running()
        _client = None

    async def submit(self, plan: RolloutPlan, *, key: str = "") -> str:
        """Enqueue ``plan``'s rollout (idempotent, see :func:`rollout_id`); its workflow ID.

        The plan is checked against the service first (fleets, application
        version...): a plan that cannot be rolled out raises a
        :class:`ValidationError` listing every problem, and nothing is stored.
        """
        document = _plan_document(plan)
        await prepare(self._client, plan)
        workflow = rollout_id(plan, key)
        with SetWorkflowID(workflow):
            queue = await DBOS.retrieve_queue_async(QUEUE)
            assert queue is not None, "registered when the worker started"
            await queue.enqueue_async(_rollout_workflow, document)
        return workflow

    async def report(self, workflow_id: str) -> RolloutReport:
        """The report of a rollout once it has finished (it may run on another worker)."""
        handle: WorkflowHandleAsync[dict[str, Any]] = await DBOS.retrieve_workflow_async(workflow_id)
        return await _report(handle)

    async def run(self, plan: RolloutPlan, *, key: str = "") -> RolloutReport:
        """Submit ``plan``'s rollout and wait for its report."""
        return await self.report(await self.submit(plan, key=key))

    async def serve_forever(self) -> None:
        """Run the queue's rollouts until cancelled (SIGTERM, Ctrl-C)."""
        await asyncio.Event().wait()
