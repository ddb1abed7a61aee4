"""The pod's life as OpenTelemetry spans, in the execution's own trace.

The worker hands the sandbox its trace context (`TRACEPARENT`, also kept in the pod's env, so
a pod re-attached after a restart continues the same trace). Under the worker's
`podrun.execution` span the backend adds:

    k8s.pod.create    the ConfigMap and Pod requests (aiohttp client spans beneath)
    k8s.pod.pending   created → container started; events: scheduled (node), waiting (cause)
    k8s.pod.running   container started → terminated; exit code, reason
    k8s.pod.delete    the delete request (aiohttp client span beneath)

Without a trace context (tracing off) the spans are no-ops of the SDK's choosing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.propagate import extract
from opentelemetry.trace import Span, Status, StatusCode

from service.adapters.sandbox.kubernetes.podstates import PodState

_TRACER_NAME = "podrun.kubernetes"


class PodSpans:
    """One pod's spans; every method is safe to call in any order and more than once."""

    def __init__(
        self,
        traceparent: str | None,
        *,
        execution_id: str,
        namespace: str,
        pod_name: str,
        resumed: bool = False,
    ) -> None:
        self._tracer = trace.get_tracer(_TRACER_NAME)
        self._parent: Context | None = (
            extract({"traceparent": traceparent}) if traceparent else None
        )
        self._attributes: dict[str, str | bool] = {
            "podrun.execution.id": execution_id,
            "k8s.namespace.name": namespace,
            "k8s.pod.name": pod_name,
        }
        if resumed:
            self._attributes["podrun.reattached"] = True
        self._pending: Span | None = None
        self._running: Span | None = None
        self._waiting: str | None = None
        self._ended = False

    @contextmanager
    def creating(self) -> Iterator[None]:
        """Around the create requests; the pending span starts when they succeed."""
        with self._tracer.start_as_current_span(
            "k8s.pod.create", context=self._parent, attributes=self._attributes
        ):
            yield
        self.pending()

    @contextmanager
    def handing_over(self) -> Iterator[None]:
        """Around the hand-over to a warm pod (claimed already): attach, send the script."""
        with self._tracer.start_as_current_span(
            "k8s.pod.handover",
            context=self._parent,
            attributes={**self._attributes, "podrun.warm_pod": True},
        ):
            yield
        self.pending()

    @contextmanager
    def deleting(self, grace_seconds: int | None) -> Iterator[None]:
        attributes = dict(self._attributes)
        if grace_seconds is not None:
            attributes["k8s.pod.grace_period_seconds"] = str(grace_seconds)
        with self._tracer.start_as_current_span(
            "k8s.pod.delete", context=self._parent, attributes=attributes
        ):
            yield

    def pending(self) -> None:
        if self._pending is None and self._running is None and not self._ended:
            self._pending = self._tracer.start_span(
                "k8s.pod.pending", context=self._parent, attributes=self._attributes
            )

    def scheduled(self, node_name: str | None) -> None:
        self.pending()
        if self._pending is not None:
            self._pending.add_event("scheduled", {"k8s.node.name": node_name or ""})

    def waiting(self, message: str) -> None:
        self.pending()
        if self._pending is not None and message != self._waiting:
            self._waiting = message
            self._pending.add_event("waiting", {"message": message})

    def started(self) -> None:
        if self._running is not None or self._ended:
            return
        if self._pending is not None:
            self._pending.end()
            self._pending = None
        self._running = self._tracer.start_span(
            "k8s.pod.running", context=self._parent, attributes=self._attributes
        )

    def terminated(self, state: PodState | None) -> None:
        span = self._running or self._pending
        if span is not None and state is not None:
            span.set_attribute("k8s.pod.phase", state.phase)
            if state.reason:
                span.set_attribute("k8s.pod.reason", state.reason)
            if state.terminated is not None:
                if state.terminated.exit_code is not None:
                    span.set_attribute("k8s.container.exit_code", state.terminated.exit_code)
                if state.terminated.reason:
                    span.set_attribute("k8s.container.reason", state.terminated.reason)
        self.end()

    def failed(self, message: str) -> None:
        span = self._running or self._pending
        if span is not None:
            span.set_status(Status(StatusCode.ERROR, message))
        self.end()

    def end(self) -> None:
        for span in (self._pending, self._running):
            if span is not None:
                span.end()
        self._pending = self._running = None
        self._ended = True
