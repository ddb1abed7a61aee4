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
    )
