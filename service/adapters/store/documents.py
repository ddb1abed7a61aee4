"""The collections of executions, their events and inputs, workers and processes: each
one's name and indexes, which Beanie creates at start (`connection.connect`).

These documents hold no fields: a collection's records are the domain's dataclasses, and
`mapping` derives their columns from those (the one source of their shape). The
repositories read and write through pymongo (`get_pymongo_collection`).
"""

from __future__ import annotations

import pymongo
from beanie import Document
from pymongo import IndexModel


class ExecutionDocument(Document):
    """`Execution` records (`service.domain.executions`). Output lives in the event log until
    the execution ends."""

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
            # Executions whose status is yet to be told (`outbox`).
            IndexModel(
                [("outbox_pending", pymongo.ASCENDING)],
                name="outbox_pending",
                partialFilterExpression={"outbox_pending": True},
            ),
        ]


class ExecutionEventDocument(Document):
    """`StatusEvent` and `OutputEvent` records, told apart by `kind`; (execution_id, seq) is
    unique."""

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
    """`StdinChunk` records, input for a running script's stdin; (execution_id, seq) is
    unique."""

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
    """A worker process's liveness record (`workers`)."""

    class Settings:
        name = "workers"


class ProcessDocument(Document):
    """A Podrun process (API, worker or both) sharing the store; see `presence`."""

    class Settings:
        name = "processes"


DOCUMENT_MODELS: list[type[Document]] = [
    ExecutionDocument,
    ExecutionEventDocument,
    ExecutionInputDocument,
    WorkerDocument,
    ProcessDocument,
]
