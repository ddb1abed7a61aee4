"""Beanie documents: how executions, their events and workers are laid out in MongoDB."""

from __future__ import annotations

from datetime import datetime

import pymongo
from beanie import Document
from pydantic import BaseModel, Field
from pymongo import IndexModel


class LimitsFields(BaseModel):
    timeout_seconds: float
    memory_mib: int
    cpu_millicores: int
    max_processes: int
    max_output_bytes: int
    disk_mib: int


class UsageFields(BaseModel):
    cpu_time_ms: float
    peak_memory_kib: int
    wall_time_ms: float


class ExecutionDocument(Document):
    """One execution. Output lives in the event log until the execution ends."""

    id: str = Field(alias="_id")  # type: ignore[assignment]
    status: str
    runtime: str
    script: str
    stdin: str | None = None
    limits: LimitsFields
    created_at: datetime
    scheduled_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    exit_code: int | None = None
    stdout: str = ""
    stderr: str = ""
    output_truncated: bool = False
    usage: UsageFields | None = None
    error_message: str | None = None
    trace_id: str | None = None
    trace_parent: str | None = None
    last_seq: int = 0
    cancel_requested: bool = False
    worker_id: str | None = None
    owner_id: str | None = None
    idempotency_key: str | None = None
    interactive: bool = False
    labels: dict[str, str] = Field(default_factory=dict)

    class Settings:
        name = "executions"
        indexes = [
            IndexModel(
                [("created_at", pymongo.DESCENDING), ("_id", pymongo.DESCENDING)],
                name="newest_first",
            ),
            IndexModel(
                [("status", pymongo.ASCENDING), ("created_at", pymongo.ASCENDING)],
                name="status_created",
            ),
            IndexModel(
                [("worker_id", pymongo.ASCENDING), ("status", pymongo.ASCENDING)],
                name="worker_status",
            ),
            IndexModel(
                [("owner_id", pymongo.ASCENDING), ("idempotency_key", pymongo.ASCENDING)],
                name="owner_idempotency_key",
                unique=True,
                partialFilterExpression={"idempotency_key": {"$type": "string"}},
            ),
            # Quotas and history: an owner's newest executions.
            IndexModel(
                [("owner_id", pymongo.ASCENDING), ("created_at", pymongo.DESCENDING)],
                name="owner_created",
            ),
        ]


class ExecutionEventDocument(Document):
    """One event of one execution; (execution_id, seq) is unique."""

    execution_id: str
    seq: int
    at: datetime
    kind: str  # "status" | "output"
    status: str | None = None
    exit_code: int | None = None
    message: str | None = None
    stream: str | None = None
    data: str | None = None

    class Settings:
        name = "execution_events"
        indexes = [
            IndexModel(
                [("execution_id", pymongo.ASCENDING), ("seq", pymongo.ASCENDING)],
                name="execution_seq",
                unique=True,
            ),
        ]


class ExecutionInputDocument(Document):
    """One piece of input for a running script's stdin; (execution_id, seq) is unique."""

    execution_id: str
    seq: int
    at: datetime
    data: str
    eof: bool = False

    class Settings:
        name = "execution_inputs"
        indexes = [
            IndexModel(
                [("execution_id", pymongo.ASCENDING), ("seq", pymongo.ASCENDING)],
                name="execution_seq",
                unique=True,
            ),
        ]


class WorkerDocument(Document):
    """A worker process's liveness record."""

    id: str = Field(alias="_id")  # type: ignore[assignment]
    hostname: str
    pid: int
    started_at: datetime
    heartbeat_at: datetime

    class Settings:
        name = "workers"


class ProcessDocument(Document):
    """A Podrun process (API, worker or both) sharing the store; see `presence`."""

    id: str = Field(alias="_id")  # type: ignore[assignment]
    roles: list[str]
    hostname: str
    pid: int
    started_at: datetime
    heartbeat_at: datetime

    class Settings:
        name = "processes"


DOCUMENT_MODELS: list[type[Document]] = [
    ExecutionDocument,
    ExecutionEventDocument,
    ExecutionInputDocument,
    WorkerDocument,
    ProcessDocument,
]
