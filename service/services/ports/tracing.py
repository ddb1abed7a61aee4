"""How the worker reports an execution's lifecycle to tracing, without knowing OpenTelemetry.

The adapter (OpenTelemetry) continues the trace the API started for the execution (its
`trace_id`), so one trace spans the request, the queue wait and the sandbox's life.
"""

from __future__ import annotations

from typing import Protocol

from service.domain.executions import Execution
from service.domain.sandboxes import ResourceUsage
from service.domain.statuses import ExecutionStatus
from service.domain.verdicts import Verdict


class RunSpan(Protocol):
    def sandbox_env(self) -> dict[str, str]:
        """Environment for the sandbox (TRACEPARENT) so the script's own spans join in."""
        ...

    def launched(self) -> None: ...

    def started(self) -> None: ...

    def output(self, nbytes: int) -> None:
        """The script wrote `nbytes` (called for every read; the first one is an event)."""
        ...

    def files_in(self, count: int, nbytes: int) -> None:
        """The sandbox is given `count` files of `nbytes` in total."""
        ...

    def files_out(self, count: int, nbytes: int) -> None:
        """`count` files of `nbytes` the script left were stored."""
        ...

    def transition(self, status: ExecutionStatus) -> None: ...

    def finished(self, verdict: Verdict, usage: ResourceUsage | None) -> None: ...

    def end(self, status: ExecutionStatus) -> None: ...


class ExecutionTracer(Protocol):
    def start_run(self, execution: Execution) -> RunSpan: ...


class _NullRunSpan:
    def sandbox_env(self) -> dict[str, str]:
        return {}

    def launched(self) -> None:
        return None

    def started(self) -> None:
        return None

    def output(self, nbytes: int) -> None:
        return None

    def files_in(self, count: int, nbytes: int) -> None:
        return None

    def files_out(self, count: int, nbytes: int) -> None:
        return None

    def transition(self, status: ExecutionStatus) -> None:
        return None

    def finished(self, verdict: Verdict, usage: ResourceUsage | None) -> None:
        return None

    def end(self, status: ExecutionStatus) -> None:
        return None


class NullExecutionTracer:
    """Tracing switched off."""

    def start_run(self, execution: Execution) -> RunSpan:
        return _NullRunSpan()
