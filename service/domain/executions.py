"""The Execution record: one script run, as the rest of the system sees it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from service.domain.events import ExecutionEvent
from service.domain.files import SkippedFile, StoredFile
from service.domain.judging import OutputComparison
from service.domain.limits import Limits
from service.domain.sandboxes import ResourceUsage
from service.domain.statuses import ExecutionStatus


@dataclass(frozen=True, slots=True)
class Execution:
    id: str
    status: ExecutionStatus
    runtime: str
    script: str
    limits: Limits
    created_at: datetime
    stdin: str | None = None
    exit_code: int | None = None
    # Complete only once terminal, and only when small enough to keep in the record
    # (`output_in_log` False); otherwise output lives in the event log only.
    stdout: str = ""
    stderr: str = ""
    output_in_log: bool = False
    output_truncated: bool = False
    usage: ResourceUsage | None = None
    error_message: str | None = None
    trace_id: str | None = None
    # W3C traceparent of the span that submitted it: the worker's spans continue that trace.
    trace_parent: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    scheduled_at: datetime | None = None
    last_seq: int = 0
    cancel_requested: bool = False
    worker_id: str | None = None
    owner_id: str | None = None
    idempotency_key: str | None = None
    interactive: bool = False
    labels: dict[str, str] = field(default_factory=dict)
    # Told when it ends (a webhook of its own, see `service.domain.webhooks`), signed with
    # `callback_secret`.
    callback_url: str | None = None
    callback_secret: str | None = None
    # What stdout should be (a test case), and how it is compared: see `judging`.
    expected_stdout: str | None = None
    stdout_comparison: OutputComparison = OutputComparison.EXACT
    # Events the terminal write carried because they were delivered before the log held
    # them: whoever finds the log short of `last_seq` appends them (see `repairing`).
    carried_events: tuple[ExecutionEvent, ...] = ()
    # Files (blobs in the file store): given to the run, and left by it; files it left
    # that were not kept, and why. Arguments and the caller's environment variables.
    input_files: tuple[StoredFile, ...] = ()
    output_files: tuple[StoredFile, ...] = ()
    skipped_files: tuple[SkippedFile, ...] = ()
    argv: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    # The workspace it runs on (its files in /work at the start, its /work kept at the end),
    # and once it ended: whether the workspace took what it left, or why not.
    workspace_id: str | None = None
    workspace_updated: bool | None = None
    workspace_message: str | None = None

    def claimed_by(self, worker_id: str, at: datetime) -> Execution:
        """This QUEUED execution as a claim leaves it: SCHEDULED on `worker_id`, with the
        SCHEDULED event's seq reserved."""
        return replace(
            self,
            status=ExecutionStatus.SCHEDULED,
            worker_id=worker_id,
            scheduled_at=at,
            last_seq=self.last_seq + 1,
        )
