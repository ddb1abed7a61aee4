"""Composition root: builds a Podrun process (API, worker or both) from Settings."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from pymongo import AsyncMongoClient

from service.adapters.bus.changestreams import ChangeStreamFeed
from service.adapters.bus.local import LocalEventBus
from service.adapters.store.connection import connect
from service.adapters.store.embedded import EmbeddedStore, start_embedded_store
from service.adapters.store.events import MongoEventLog
from service.adapters.store.executions import MongoExecutionRepository
from service.adapters.store.files import GridFsBlobStore
from service.adapters.store.inputs import MongoInputLog
from service.adapters.store.outages import OutageRetry
from service.adapters.store.retrying import RetryingEventLog, RetryingExecutionRepository
from service.adapters.store.supervising import StoreSupervisor
from service.adapters.store.workers import MongoWorkerRegistry
from service.adapters.store.workspaces import MongoWorkspaceRepository
from service.adapters.telemetry.instrumenting import instrument_libraries
from service.adapters.telemetry.metrics import ExecutionMetrics, create_metrics
from service.adapters.telemetry.setup import (
    configure_tracing,
    shutdown_tracing,
    tracing_exports,
)
from service.adapters.telemetry.tracing import OtelExecutionTracer
from service.domain.runtimes import RuntimeCatalog
from service.entrypoints.accounts import account_use_cases, quota_guard
from service.entrypoints.backends import build_backend, discover_runtimes
from service.entrypoints.environments import build_in_background, built_environments
from service.entrypoints.presence import FeedSwitch
from service.entrypoints.webhooks import WebhookParts, build_webhooks
from service.services.executions.batching import Batches
from service.services.executions.cancelling import Canceller
from service.services.executions.downloading import FileDownloads
from service.services.executions.feeding import Feeder
from service.services.executions.judging import TestCaseRunner
from service.services.executions.querying import ExecutionQueries
from service.services.executions.submitting import SubmitPolicy, Submitter
from service.services.executions.subscribing import EventStreamer
from service.services.files.keeping import FileKeeper
from service.services.ports.bus import EventBus
from service.services.ports.sandbox import SandboxBackend
from service.services.ports.store import EventLog, ExecutionRepository
from service.services.usecases import UseCases
from service.services.worker.dispatching import Dispatcher
from service.services.worker.leading import LeadingWorker
from service.services.worker.observing import ExecutionObserver
from service.services.worker.recovering import Recovery
from service.services.worker.relaying import StdinRelay
from service.services.worker.working import Worker
from service.services.workspaces.managing import Workspaces
from service.services.workspaces.running import WorkspaceRuns
from service.settings import Settings

log = logging.getLogger(__name__)

# The health check's store ping: a store that does not answer this fast is not ready.
_PING_SECONDS = 0.5
# Each store-dependent step of `stop` (the store may be down or restarting meanwhile).
_STOP_STEP_SECONDS = 5.0


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class Podrun:
    """A running Podrun process: what it owns, so it can be stopped in order."""

    settings: Settings
    client: AsyncMongoClient[dict[str, object]]
    bus: LocalEventBus
    feed: ChangeStreamFeed
    switch: FeedSwitch
    use_cases: UseCases
    metrics: ExecutionMetrics
    store: EmbeddedStore | None = None
    supervisor: StoreSupervisor | None = None
    backend: SandboxBackend | None = None
    worker: Worker | LeadingWorker | None = None
    webhooks: WebhookParts | None = None
    # The worker's store calls wait out outages until `stop` sets `retry.stopping`.
    retry: OutageRetry = field(default_factory=OutageRetry)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    # Environments being built in the background (service.entrypoints.environments).
    builds: asyncio.Task[None] | None = None

    async def ping(self) -> bool:
        if self.supervisor is not None and not self.supervisor.up:
            return False
        try:
            await asyncio.wait_for(self.client.admin.command("ping"), _PING_SECONDS)
        except Exception:  # noqa: BLE001 - any failure (or no answer in time) means "not ready"
            return False
        return True

    async def drain(self, settle_seconds: float = 5.0) -> None:
        """The first half of a graceful stop, while connections stay open: report not ready
        at once, let the worker finish (or end) what it runs, then wait for subscriptions to
        hand on the terminal events. Submissions meanwhile are stored QUEUED and run after the
        restart (or on another worker). `stop` does the rest."""
        self.ready.clear()
        if self.worker is not None:
            await self.worker.stop()
        await self.use_cases.streamer.settle(settle_seconds)

    async def stop(self) -> None:
        """Stop in order, each store-dependent step bounded: the store may be down."""
        self.ready.clear()
        self.retry.stopping.set()
        if self.builds is not None:
            self.builds.cancel()
            await asyncio.gather(self.builds, return_exceptions=True)
        if self.worker is not None:
            await self.worker.stop()
        if self.backend is not None:
            await self.backend.close()
        if self.webhooks is not None:
            await _bounded("stopping webhook deliveries", self.webhooks.stop())
        await _bounded("leaving the presence list", self.switch.close())
        await _bounded("closing change streams", self.feed.close())
        await _bounded("closing the store client", self.client.close())
        if self.supervisor is not None:
            await self.supervisor.stop()
        if self.store is not None:
            self.store.stop()
        shutdown_tracing()


async def _bounded(what: str, step: Coroutine[Any, Any, None]) -> None:
    try:
        await asyncio.wait_for(step, _STOP_STEP_SECONDS)
    except TimeoutError:
        log.warning("%s took over %.0f s; going on without it", what, _STOP_STEP_SECONDS)


def _start_store(
    settings: Settings, retry: OutageRetry
) -> tuple[EmbeddedStore | None, StoreSupervisor | None, str]:
    """The embedded store and its supervisor when no URI is set; the URI to connect to."""
    if settings.mongodb_uri is not None:
        return None, None, settings.mongodb_uri
    # Started from this (the main) thread on purpose: PR_SET_PDEATHSIG fires when the
    # thread that forked the child ends, and a pool thread may end at any time. (Its
    # supervisor restarts it from the event loop, which runs on this thread too.)
    store = start_embedded_store(settings.data_dir)
    supervisor = None
    if store.process is not None:
        supervisor = StoreSupervisor(
            store,
            first_delay_seconds=settings.store_restart_delay_seconds,
            max_delay_seconds=settings.store_restart_max_delay_seconds,
            on_restart=retry.store_back,
        )
        supervisor.start()
    return store, supervisor, store.uri


async def start_podrun(settings: Settings, *, api: bool = True, worker: bool = True) -> Podrun:
    """Start the store (embedded unless a URI is set), the backend and the worker."""
    configure_tracing()
    if tracing_exports():
        instrument_libraries()
    metrics = create_metrics()
    retry = OutageRetry(tolerance_seconds=settings.store_outage_tolerance_seconds)
    store, supervisor, uri = _start_store(settings, retry)
    client = await connect(uri, settings.database, timeout_seconds=settings.store_timeout_seconds)
    bus = LocalEventBus()
    executions = MongoExecutionRepository()
    events = MongoEventLog()
    blobs = GridFsBlobStore(client[settings.database])
    files = FileKeeper(blobs=blobs)
    workspace_records = MongoWorkspaceRepository()
    workspaces = Workspaces(workspace_records, blobs, quota_bytes=settings.workspace_quota_bytes)
    workspace_runs = WorkspaceRuns(
        workspaces=workspaces, records=workspace_records, executions=executions
    )

    backend: SandboxBackend | None = None
    builds: asyncio.Task[None] | None = None
    if worker:
        backend = build_backend(settings, pool_metrics=metrics.warm_pool)
        if not backend.capabilities.needs_leader:  # else each leadership term starts it
            await backend.start()
        runtimes = RuntimeCatalog(backend.runtimes())
        builds = build_in_background(settings, backend, runtimes)
    else:
        found = await discover_runtimes(settings)
        runtimes = RuntimeCatalog(found + built_environments(settings, found))

    # A worker needs to hear of submits and cancels from API replicas; an API needs the
    # events a worker elsewhere appends.
    feed = ChangeStreamFeed(bus)
    switch = FeedSwitch(
        feed,
        api=api,
        worker=worker,
        self_contained=store is not None and store.process is not None and api and worker,
        interval_seconds=settings.worker_heartbeat_seconds,
        dead_after_seconds=settings.worker_dead_after_seconds,
    )
    await switch.start()

    running: Worker | LeadingWorker | None = None
    if backend is not None:
        # The worker waits out store outages; the API (below) fails fast.
        running = await _build_worker(
            settings,
            backend,
            runtimes,
            executions=RetryingExecutionRepository(executions, retry),
            events=RetryingEventLog(events, retry),
            bus=bus,
            metrics=metrics,
            files=files,
            workspace_runs=workspace_runs,
        )
        bus.on_queued(running.wake)

    quotas = quota_guard(settings, executions)
    webhooks = build_webhooks(
        settings,
        executions=executions,
        metrics=metrics,
        process_id=f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}",
    )
    submitter = Submitter(
        executions=executions,
        events=events,
        feed=bus,
        memory=bus,
        signals=bus,
        runtimes=runtimes,
        policy=SubmitPolicy(
            limits=settings.limit_policy(),
            max_script_bytes=settings.max_script_bytes,
            max_stdin_bytes=settings.max_stdin_bytes,
        ),
        quotas=quotas,
        local_worker=running,
        files=files,
        workspaces=workspaces,
    )
    queries = ExecutionQueries(
        executions=executions,
        events=events,
        anonymous_can_list=settings.auth_anonymous_can_list,
    )
    batches = Batches(submitter=submitter, queries=queries, max_inputs=settings.max_batch_inputs)
    streamer = EventStreamer(
        executions=executions,
        events=events,
        feed=bus,
        memory=bus,
        outage_tolerance_seconds=settings.store_outage_tolerance_seconds,
    )
    use_cases = UseCases(
        submitter=submitter,
        canceller=Canceller(executions=executions, events=events, feed=bus, signals=bus),
        feeder=Feeder(executions=executions, inputs=MongoInputLog(), signals=bus),
        queries=queries,
        streamer=streamer,
        runtimes=runtimes,
        limits=settings.limit_policy(),
        accounts=account_use_cases(settings, submitter, quotas),
        webhooks=webhooks.webhooks,
        batches=batches,
        test_cases=TestCaseRunner(
            batches=batches,
            streamer=streamer,
            queries=queries,
            # The longest a case may run, and its queue wait and launch besides.
            wait_seconds=settings.max_timeout_seconds + 60,
        ),
        downloads=FileDownloads(executions=executions, files=files),
        workspaces=workspaces,
    )
    podrun = Podrun(
        settings=settings,
        client=client,
        bus=bus,
        feed=feed,
        switch=switch,
        use_cases=use_cases,
        metrics=metrics,
        store=store,
        supervisor=supervisor,
        backend=backend,
        worker=running,
        webhooks=webhooks,
        retry=retry,
        builds=builds,
    )
    if running is not None:
        term = running  # its dispatcher changes with each leadership term
        metrics.capacity.set(term.dispatcher.capacity)
        metrics.capacity_in_use.set_function(lambda: term.dispatcher.in_use)
        metrics.leading.set_function(
            lambda: float(term.is_leader) if isinstance(term, LeadingWorker) else 1.0
        )
        await running.start()
    webhooks.relay.start()
    podrun.ready.set()
    return podrun


async def _build_worker(
    settings: Settings,
    backend: SandboxBackend,
    runtimes: RuntimeCatalog,
    *,
    executions: ExecutionRepository,
    events: EventLog,
    bus: EventBus,
    metrics: ExecutionMetrics,
    files: FileKeeper | None = None,
    workspace_runs: WorkspaceRuns | None = None,
) -> Worker | LeadingWorker:
    """The worker of this process: an observer for the backend, and the loops around it;
    with a backend that needs a leader, a worker that runs them only while it leads."""
    hostname = socket.gethostname()
    pid = os.getpid()
    worker_id = f"{hostname}-{pid}-{uuid.uuid4().hex[:8]}"
    capabilities = backend.capabilities
    observer = ExecutionObserver(
        executions=executions,
        events=events,
        feed=bus,
        signals=bus,
        backend=backend,
        runtimes=runtimes,
        worker_id=worker_id,
        tracer=OtelExecutionTracer(metrics),
        stdin_relay=StdinRelay(inputs=MongoInputLog(), signals=bus),
        sandboxes_outlive_worker=capabilities.sandboxes_outlive_worker,
        write_behind_seconds=settings.worker_write_behind_seconds,
        output_events_per_second=settings.worker_output_events_per_second,
        output_event_burst=settings.worker_output_event_burst,
        files=files,
        workspace_runs=workspace_runs,
    )
    registry = MongoWorkerRegistry()

    def new_worker() -> Worker:
        return Worker(
            worker_id=worker_id,
            hostname=hostname,
            pid=pid,
            executions=executions,
            registry=registry,
            dispatcher=Dispatcher(
                executions=executions,
                observer=observer,
                worker_id=worker_id,
                capacity=settings.max_concurrency,
                workspace_runs=workspace_runs,
            ),
            observer=observer,
            recovery=Recovery(
                executions=executions,
                events=events,
                feed=bus,
                workers=registry,
                worker_id=worker_id,
                hostname=hostname,
                dead_after_seconds=settings.worker_dead_after_seconds,
                process_alive=_process_alive,
            ),
            heartbeat_seconds=settings.worker_heartbeat_seconds,
            # Sandboxes that outlive the worker are left to the next one, not waited for.
            drain_seconds=0.0
            if capabilities.sandboxes_outlive_worker
            else settings.shutdown_grace_seconds,
        )

    if capabilities.needs_leader:
        from service.entrypoints.leadership import lead_kubernetes_worker

        return await lead_kubernetes_worker(
            settings,
            backend,
            observer,
            new_worker,
            executions=executions,
            events=events,
            feed=bus,
            worker_id=worker_id,
        )
    return new_worker()
