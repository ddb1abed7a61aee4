"""Submitting a script: validate, store the Execution with its QUEUED event, wake a worker.

When a worker in this process has a free slot and nothing queued, the execution is stored
already claimed by it and handed over at once (`LocalWorker`): no claim write, no wait for
one, and its QUEUED event is stored with the run's first batch of events. The caller still
gets the execution as submitted (QUEUED, seq 1), which is what it was at that instant.
Otherwise it is queued and takes its turn (:mod:`service.services.worker.dispatching`).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from service.domain.accounts import ANONYMOUS, Principal
from service.domain.events import StatusEvent
from service.domain.executions import Execution
from service.domain.files import FileContent, StoredFile, check_argv, check_env, check_files
from service.domain.judging import OutputComparison
from service.domain.limits import LimitPolicy, Limits, LimitsRequest, LimitViolation
from service.domain.runtimes import RuntimeCatalog, runtime_policy
from service.domain.statuses import ExecutionStatus
from service.domain.webhooks import url_problem
from service.services.clock import utcnow
from service.services.executions.quotas import QuotaGuard
from service.services.files.keeping import FileKeeper
from service.services.ports.bus import EventFeed, ExecutionMemory, WorkSignals
from service.services.ports.store import EventLog, ExecutionRepository
from service.services.problems import InputProblem, QuotaProblem
from service.services.webhooks.secrets import new_signing_secret
from service.services.workspaces.managing import Workspaces
from service.services.workspaces.running import fits_problem

MAX_IDEMPOTENCY_KEY_LENGTH = 200


@dataclass(frozen=True, slots=True)
class SubmitRequest:
    script: str
    runtime: str | None = None
    stdin: str | None = None
    limits: LimitsRequest | None = None
    idempotency_key: str | None = None
    owner_id: str | None = None
    interactive: bool = False
    trace_parent: str | None = None
    # POSTed (signed) when it ends: see `service.services.webhooks`.
    callback_url: str | None = None
    # A test case: what stdout should be, and how it is compared (`service.domain.judging`).
    expected_stdout: str | None = None
    stdout_comparison: OutputComparison = OutputComparison.EXACT
    # Who submits: decides the owner, the largest limits allowed and the quotas that apply.
    principal: Principal = ANONYMOUS
    # Placed under /work before the script starts; its arguments; its own variables.
    files: tuple[FileContent, ...] = ()
    argv: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    # The caller's workspace to run on (its files in /work, its /work kept at the end).
    workspace_id: str | None = None


@dataclass(frozen=True, slots=True)
class SubmitPolicy:
    limits: LimitPolicy
    max_script_bytes: int
    max_stdin_bytes: int


class LocalWorker(Protocol):
    """A worker in this process that can take an execution as it is submitted."""

    def reserve(self) -> str | None:
        """Reserve a slot: the worker's id, or None when none is free or work is queued;
        then the submission is queued, and reports `arrived` once it is (or failed)."""
        ...

    def arrived(self) -> None:
        """A submission that `reserve` turned away is queued and announced, or failed."""
        ...

    def release(self) -> None:
        """Give back a reserved slot that will not be used."""
        ...

    def start(self, execution: Execution, queued: StatusEvent) -> None:
        """Run `execution`, stored as claimed with the reserved slot."""
        ...


class LocalWorkerHost(Protocol):
    """The worker of this process; its dispatcher may change (a leadership term)."""

    @property
    def dispatcher(self) -> LocalWorker: ...


class _Slot(NamedTuple):
    worker: LocalWorker
    worker_id: str


class Submitter:
    """The `executeScript` use case."""

    def __init__(
        self,
        *,
        executions: ExecutionRepository,
        events: EventLog,
        feed: EventFeed,
        memory: ExecutionMemory,
        signals: WorkSignals,
        runtimes: RuntimeCatalog,
        policy: SubmitPolicy,
        quotas: QuotaGuard | None = None,
        local_worker: LocalWorkerHost | None = None,
        files: FileKeeper | None = None,
        workspaces: Workspaces | None = None,
    ) -> None:
        # Where input files are kept until the run's sandbox gets them (None: no files).
        self._files = files
        # Whose workspaces a run may use (None: this server has none).
        self._workspaces = workspaces
        self._quotas = quotas
        # The worker of this process, when it runs one: a submission goes straight to a free
        # slot of its dispatcher (asked per submission: a leadership term replaces it).
        self._local_worker = local_worker
        self._executions = executions
        self._events = events
        self._feed = feed
        self._memory = memory
        self._signals = signals
        self._runtimes = runtimes
        self._policy = policy

    async def submit(self, request: SubmitRequest) -> Execution | InputProblem | QuotaProblem:
        problem = self._check_text(request)
        if problem is not None:
            return problem
        runtime = self._runtimes.find(request.runtime)
        if runtime is None:
            return InputProblem(_unavailable(self._runtimes, request.runtime), "runtime")
        principal = request.principal
        owner_id = principal.owner_id or request.owner_id
        policy = self._quotas.limit_policy_for(principal) if self._quotas else self._policy.limits
        limits = runtime_policy(policy, runtime).resolve(request.limits)
        if isinstance(limits, LimitViolation):
            return InputProblem(limits.message, limits.field)
        problem = self._check_files(request, limits) or await self._check_workspace(request, limits)
        if problem is not None:
            return problem
        key = _scoped_key(request, owner_id, runtime.id, repr(limits))
        if key is not None:
            existing = await self._executions.get_by_idempotency_key(owner_id, key)
            if existing is not None:
                return existing
        if self._quotas is not None:
            refused = await self._quotas.check(principal)
            if refused is not None:
                return refused
        now = utcnow()
        execution_id = uuid.uuid4().hex
        inputs: tuple[StoredFile, ...] = ()
        if request.files and self._files is not None:
            inputs = await self._files.store(execution_id, request.files, role="input")
        execution = Execution(
            id=execution_id,
            status=ExecutionStatus.QUEUED,
            runtime=runtime.id,
            script=request.script,
            stdin=request.stdin,
            limits=limits,
            created_at=now,
            last_seq=1,
            owner_id=owner_id,
            idempotency_key=key,
            interactive=request.interactive,
            trace_id=_trace_id_of(request.trace_parent),
            trace_parent=request.trace_parent,
            callback_url=request.callback_url,
            callback_secret=new_signing_secret() if request.callback_url else None,
            expected_stdout=request.expected_stdout,
            stdout_comparison=request.stdout_comparison,
            input_files=inputs,
            argv=request.argv,
            env=dict(request.env),
            workspace_id=request.workspace_id,
        )
        # A workspace run waits for its turn on the workspace: always through the queue.
        local = (
            self._local_worker.dispatcher
            if self._local_worker is not None and request.workspace_id is None
            else None
        )
        worker_id = local.reserve() if local is not None else None
        try:
            return await self._store(
                execution,
                principal,
                None if local is None or worker_id is None else _Slot(local, worker_id),
            )
        finally:
            if local is not None and worker_id is None:
                local.arrived()

    async def _store(
        self, execution: Execution, principal: Principal, slot: _Slot | None
    ) -> Execution | InputProblem:
        """Store the execution: claimed with `slot` and handed over, or queued and announced."""
        now = execution.created_at
        stored = execution if slot is None else execution.claimed_by(slot.worker_id, now)
        try:
            created = await self._executions.create(stored)
        except BaseException:
            if slot is not None:
                slot.worker.release()
            raise
        if created is None:  # the same key raced us: answer with the winner
            if slot is not None:
                slot.worker.release()
            key = execution.idempotency_key
            assert key is not None
            winner = await self._executions.get_by_idempotency_key(execution.owner_id, key)
            if winner is None:
                return InputProblem("idempotency key conflict; retry", "idempotencyKey")
            return winner
        if self._quotas is not None:
            self._quotas.record(principal)
        event = StatusEvent(execution.id, 1, now, ExecutionStatus.QUEUED)
        if slot is not None:
            self._feed.publish_ahead(event)
            self._memory.remember(execution)
            slot.worker.start(stored, event)
            return execution
        await self._events.append(event)
        self._feed.publish(event)
        self._signals.announce_queued(created)
        return created

    def _check_files(self, request: SubmitRequest, limits: Limits) -> InputProblem | None:
        if request.files and self._files is None:
            return InputProblem("this server keeps no files", "files")
        problem = (
            check_files(request.files, limits) or check_argv(request.argv) or check_env(request.env)
        )
        return None if problem is None else InputProblem(problem.message, problem.field)

    async def _check_workspace(self, request: SubmitRequest, limits: Limits) -> InputProblem | None:
        """The workspace is the caller's (or they are an admin), and fits the run's disk."""
        if request.workspace_id is None:
            return None
        if self._workspaces is None or self._files is None:
            return InputProblem("this server keeps no workspaces", "workspaceId")
        if request.principal.user_id is None and not request.principal.is_admin:
            return InputProblem("log in to run on a workspace", "workspaceId")
        workspace = await self._workspaces.get(request.principal, request.workspace_id)
        if workspace is None:
            return InputProblem(f"no workspace with id {request.workspace_id!r}", "workspaceId")
        too_big = fits_problem(workspace, sum(len(f.data) for f in request.files), limits)
        return None if too_big is None else InputProblem(too_big, "workspaceId")

    def _check_text(self, request: SubmitRequest) -> InputProblem | None:
        for name, text in (
            ("script", request.script),
            ("stdin", request.stdin),
            ("idempotencyKey", request.idempotency_key),
            ("runtime", request.runtime),
            ("callbackUrl", request.callback_url),
            ("expectedStdout", request.expected_stdout),
        ):
            if text is not None and not _is_valid_unicode(text):
                return InputProblem(f"{name} is not valid Unicode (lone surrogate)", name)
        if not request.script.strip():
            return InputProblem("script must not be empty", "script")
        if "\x00" in request.script:
            return InputProblem("script must not contain NUL characters", "script")
        script_bytes = len(request.script.encode("utf-8"))
        if script_bytes > self._policy.max_script_bytes:
            return InputProblem(
                f"script is {script_bytes} bytes; the maximum is {self._policy.max_script_bytes}",
                "script",
            )
        if request.stdin is not None:
            stdin_bytes = len(request.stdin.encode("utf-8"))
            if stdin_bytes > self._policy.max_stdin_bytes:
                return InputProblem(
                    f"stdin is {stdin_bytes} bytes; the maximum is {self._policy.max_stdin_bytes}",
                    "stdin",
                )
        if request.expected_stdout is not None:
            expected_bytes = len(request.expected_stdout.encode("utf-8"))
            if expected_bytes > self._policy.max_stdin_bytes:
                return InputProblem(
                    f"expectedStdout is {expected_bytes} bytes; the maximum is "
                    f"{self._policy.max_stdin_bytes}",
                    "expectedStdout",
                )
        if request.callback_url is not None:
            problem = url_problem(request.callback_url)
            if problem is not None:
                return InputProblem(problem, "callbackUrl")
        key = request.idempotency_key
        if key is not None and not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY_LENGTH:
            return InputProblem(
                f"idempotencyKey must be 1 to {MAX_IDEMPOTENCY_KEY_LENGTH} characters",
                "idempotencyKey",
            )
        return None


def _is_valid_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _trace_id_of(trace_parent: str | None) -> str | None:
    """The trace id field of a W3C traceparent (version-traceid-spanid-flags)."""
    if trace_parent is None:
        return None
    parts = trace_parent.split("-")
    return parts[1] if len(parts) == 4 and len(parts[1]) == 32 else None


def _scoped_key(
    request: SubmitRequest, owner_id: str | None, runtime: str, limits: str
) -> str | None:
    """The idempotency key as stored. A user's keys are theirs alone; anonymous callers
    share one namespace, so theirs are bound to the request itself: someone guessing
    another's key gets that execution back only by sending the very same script, stdin,
    runtime, limits, files, arguments and variables, i.e. nothing they could not run
    themselves (the files above all: they could be someone's data)."""
    key = request.idempotency_key
    if key is None or owner_id is not None:
        return key
    digest = hashlib.sha256()
    for part in (key, runtime, limits, request.script, request.stdin or ""):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    for file in request.files:
        digest.update(f"{file.path}\x00{len(file.data)}\x00".encode())
        digest.update(file.data)
    for text in (*request.argv, *(f"{name}={value}" for name, value in request.env)):
        digest.update(text.encode("utf-8", "surrogatepass") + b"\x01")
    return f"anonymous:{digest.hexdigest()}"


def _unavailable(runtimes: RuntimeCatalog, name: str | None) -> str:
    """Why `name` cannot run now: unknown, or known but still building or failed."""
    offered = ", ".join(r.id for r in runtimes.all if r.status.ready)
    known = runtimes.lookup(name) if name is not None else None
    if known is None:
        return f"unknown runtime {name!r}; available: {offered}"
    state = known.status.state.value.lower()
    detail = f": {known.status.message}" if known.status.message else ""
    return f"runtime {known.id!r} is not ready ({state}{detail}); available: {offered}"
