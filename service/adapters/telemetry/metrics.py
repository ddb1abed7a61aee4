"""Prometheus metrics, exposed at /metrics."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

_DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)


@dataclass
class ExecutionMetrics:
    registry: CollectorRegistry
    finished: Counter
    queue_wait: Histogram
    run_duration: Histogram
    active_sandboxes: Gauge
    open_subscriptions: Gauge
    output_bytes: Counter
    file_bytes: Counter
    capacity: Gauge
    capacity_in_use: Gauge
    submitted: Counter
    warm_pool: WarmPoolMetrics
    leading: Gauge
    store_up: Gauge
    webhook_attempts: Counter
    webhook_latency: Histogram
    webhook_gave_up: Counter

    def attempted(self, outcome: str, seconds: float) -> None:
        """A webhook attempt (`DeliveryMetrics`): its outcome and how long it took."""
        self.webhook_attempts.labels(outcome).inc()
        self.webhook_latency.observe(seconds)

    def gave_up(self) -> None:
        self.webhook_gave_up.inc()


@dataclass
class WarmPoolMetrics:
    """A backend's warm pool (pods on Kubernetes, sandboxes locally): its `PoolMetrics`."""

    size: Gauge
    hits: Counter
    misses: Counter
    refill: Histogram

    def hit(self, runtime: str) -> None:
        self.hits.labels(runtime=runtime).inc()

    def miss(self, runtime: str, reason: str) -> None:
        self.misses.labels(runtime=runtime, reason=reason).inc()

    def refilled(self, runtime: str, seconds: float) -> None:
        self.refill.labels(runtime=runtime).observe(seconds)

    def sized(self, runtime: str, ready: int, starting: int) -> None:
        self.size.labels(runtime=runtime, state="ready").set(ready)
        self.size.labels(runtime=runtime, state="starting").set(starting)


def create_metrics(registry: CollectorRegistry | None = None) -> ExecutionMetrics:
    registry = registry or CollectorRegistry()
    return ExecutionMetrics(
        registry=registry,
        finished=Counter(
            "podrun_executions_finished",
            "Executions by final status.",
            ["status", "runtime"],
            registry=registry,
        ),
        queue_wait=Histogram(
            "podrun_queue_wait_seconds",
            "Submitted to claimed.",
            ["runtime"],
            buckets=_DURATION_BUCKETS,
            registry=registry,
        ),
        run_duration=Histogram(
            "podrun_run_duration_seconds",
            "Sandbox wall time.",
            ["runtime"],
            buckets=_DURATION_BUCKETS,
            registry=registry,
        ),
        active_sandboxes=Gauge(
            "podrun_active_sandboxes", "Sandboxes running now.", registry=registry
        ),
        open_subscriptions=Gauge(
            "podrun_open_subscriptions",
            "executionEvents subscriptions open now.",
            registry=registry,
        ),
        output_bytes=Counter(
            "podrun_output_bytes", "Bytes scripts wrote.", ["runtime"], registry=registry
        ),
        file_bytes=Counter(
            "podrun_file_bytes",
            "Bytes of files given to sandboxes (in) and stored from them (out).",
            ["direction"],
            registry=registry,
        ),
        capacity=Gauge(
            "podrun_dispatcher_capacity",
            "Sandboxes this worker may run at once.",
            registry=registry,
        ),
        capacity_in_use=Gauge(
            "podrun_dispatcher_in_use", "Of that capacity, in use now.", registry=registry
        ),
        submitted=Counter(
            "podrun_executions_submitted", "Executions accepted.", ["runtime"], registry=registry
        ),
        leading=Gauge(
            "podrun_worker_leading",
            "1 while this process's worker dispatches (with the kubernetes backend: leads).",
            registry=registry,
        ),
        store_up=Gauge(
            "podrun_store_up",
            "1 if the store answered a ping when these metrics were scraped.",
            registry=registry,
        ),
        warm_pool=WarmPoolMetrics(
            size=Gauge(
                "podrun_warm_pool_pods",
                "Warm pods of the pool by state (ready: waiting for a script).",
                ["runtime", "state"],
                registry=registry,
            ),
            hits=Counter(
                "podrun_warm_pool_hits",
                "Executions handed to a warm pod.",
                ["runtime"],
                registry=registry,
            ),
            misses=Counter(
                "podrun_warm_pool_misses",
                "Executions that started a cold pod: no warm pod ready (empty), other limits "
                "(shape), no pool for the runtime (no_pool) or a failed hand-over (handover).",
                ["runtime", "reason"],
                registry=registry,
            ),
            refill=Histogram(
                "podrun_warm_pool_refill_seconds",
                "A warm pod's creation to its runner waiting.",
                ["runtime"],
                buckets=_DURATION_BUCKETS,
                registry=registry,
            ),
        ),
        webhook_attempts=Counter(
            "podrun_webhook_attempts",
            "Webhook delivery attempts by outcome (succeeded, failed, error, refused).",
            ["outcome"],
            registry=registry,
        ),
        webhook_latency=Histogram(
            "podrun_webhook_attempt_seconds",
            "Webhook attempt duration, until the answer or the failure.",
            buckets=_DURATION_BUCKETS,
            registry=registry,
        ),
        webhook_gave_up=Counter(
            "podrun_webhook_deliveries_failed",
            "Webhook deliveries given up after their retry window.",
            registry=registry,
        ),
    )
