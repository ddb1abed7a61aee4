"""Wiring the Kubernetes worker: Lease election, adoption of running pods, and the reaper.

With the `kubernetes` backend, sandbox pods outlive their worker, so worker replicas elect a
leader on a `coordination.k8s.io` Lease: only the leader watches pods and dispatches, the next
one adopts the pods still running, and the leader's reaper removes pods and ConfigMaps whose
execution is terminal or unknown to the store (the store is the source of truth).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from service.adapters.leases import LeaseElector
from service.adapters.sandbox.kubernetes import KubernetesSandboxBackend
from service.services.ports.bus import EventFeed
from service.services.ports.sandbox import SandboxBackend
from service.services.ports.store import EventLog, ExecutionRepository
from service.services.worker.adopting import Adoption
from service.services.worker.dispatching import Dispatcher
from service.services.worker.leading import LeadingWorker
from service.services.worker.observing import ExecutionObserver
from service.services.worker.working import Worker
from service.settings import Settings


def active_among_in(executions: ExecutionRepository) -> Callable[[set[str]], Awaitable[set[str]]]:
    """The reaper's question, answered by the store: which of these ids are still active?"""

    async def active_among(execution_ids: set[str]) -> set[str]:
        active: set[str] = set()
        for execution_id in execution_ids:
            execution = await executions.get(execution_id)
            if execution is not None and not execution.status.is_terminal:
                active.add(execution_id)
        return active

    return active_among


async def lead_kubernetes_worker(
    settings: Settings,
    backend: SandboxBackend,
    observer: ExecutionObserver,
    new_worker: Callable[[], Worker],
    *,
    executions: ExecutionRepository,
    events: EventLog,
    feed: EventFeed,
    worker_id: str,
) -> LeadingWorker:
    """A worker that watches and dispatches only while it holds the Lease."""
    if not isinstance(backend, KubernetesSandboxBackend):
        raise TypeError("leader election is for the kubernetes backend")
    client = await backend.connect()
    backend.worker_id = worker_id  # its warm pods name the worker whose pool owns them
    duration = settings.k8s_lease_duration_seconds
    renew = min(settings.k8s_lease_renew_seconds, duration / 3)
    elector = LeaseElector(
        client,
        namespace=settings.k8s_lease_namespace or settings.k8s_namespace,
        name=settings.k8s_lease_name,
        identity=worker_id,
        lease_duration_seconds=duration,
        renew_interval_seconds=renew,
        retry_interval_seconds=min(2.0, renew),
        request_timeout_seconds=min(settings.k8s_request_timeout_seconds, renew * 2),
    )
    active_among = active_among_in(executions)

    async def reap() -> None:
        reaper = backend.reaper(active_among, min_age_seconds=settings.k8s_reap_min_age_seconds)
        await reaper.run(settings.k8s_reap_interval_seconds)

    return LeadingWorker(
        worker_id=worker_id,
        leadership=elector,
        new_worker=new_worker,
        adoption=Adoption(
            executions=executions,
            events=events,
            feed=feed,
            backend=backend,
            observer=observer,
            worker_id=worker_id,
        ),
        standby=Dispatcher(
            executions=executions,
            observer=observer,
            worker_id=worker_id,
            capacity=settings.max_concurrency,
        ),
        begin=backend.start,
        end=backend.suspend,
        housekeeping=reap,
        retry_seconds=min(2.0, renew),
    )
