"""One source per record shape, against a real store: every field of every stored record
round-trips through its repository, under the column name documents have always had, and
documents as earlier versions wrote them stay readable.

The column names below are the one deliberate copy of the records' fields: they are what
is in the database, so a renamed or added field fails here until the change is meant.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest_asyncio
from pymongo import AsyncMongoClient

from service.adapters.store.connection import connect
from service.adapters.store.credentials import (
    MongoApiTokenRepository,
    MongoRefreshTokenRepository,
)
from service.adapters.store.events import MongoEventLog
from service.adapters.store.executions import MongoExecutionRepository
from service.adapters.store.inputs import MongoInputLog
from service.adapters.store.outbox import OUTBOX_FLAG
from service.adapters.store.saved_scripts import MongoSavedScriptRepository
from service.adapters.store.transitions import transition_query, transition_update
from service.adapters.store.users import MongoUserRepository
from service.domain.accounts import QuotaOverrides, Role, User
from service.domain.credentials import ApiTokenRecord, RefreshTokenRecord
from service.domain.events import ExecutionEvent, OutputEvent, StatusEvent
from service.domain.executions import Execution
from service.domain.files import SkippedFile, StoredFile
from service.domain.judging import OutputComparison
from service.domain.limits import Limits, LimitsRequest
from service.domain.sandboxes import OutputStream, ResourceUsage
from service.domain.scripts import SavedScript
from service.domain.statuses import ExecutionStatus
from service.domain.transitions import ExecutionOutput, Transition
from service.services.clock import utcnow
from tests.support.servers import StoreProcess

Client = AsyncMongoClient[dict[str, object]]
DATABASE = "shapes"
NOW = utcnow().replace(microsecond=0)  # the store keeps milliseconds
LIMITS_COLUMNS = {
    "timeout_seconds",
    "memory_mib",
    "cpu_millicores",
    "max_processes",
    "max_output_bytes",
    "disk_mib",
}
EXECUTION_COLUMNS = {
    "_id",
    "workspace_id",
    "workspace_updated",
    "workspace_message",
    "status",
    "runtime",
    "script",
    "stdin",
    "limits",
    "created_at",
    "scheduled_at",
    "started_at",
    "finished_at",
    "exit_code",
    "stdout",
    "stderr",
    "output_in_log",
    "output_truncated",
    "usage",
    "error_message",
    "trace_id",
    "trace_parent",
    "last_seq",
    "cancel_requested",
    "worker_id",
    "owner_id",
    "idempotency_key",
    "interactive",
    "labels",
    "callback_url",
    "callback_secret",
    "expected_stdout",
    "stdout_comparison",
    "carried_events",  # absent while there are none
    # Absent while empty too (most runs have no files, arguments or variables).
    "input_files",
    "output_files",
    "skipped_files",
    "argv",
    "env",
}
FILE_SPARSE = {"input_files", "output_files", "skipped_files", "argv", "env"}
USAGE_COLUMNS = {"cpu_time_ms", "peak_memory_kib", "wall_time_ms"}
EVENT_COLUMNS = {"execution_id", "seq", "at", "kind"}
STATUS_EVENT_COLUMNS = EVENT_COLUMNS | {"status", "exit_code", "message"}
OUTPUT_EVENT_COLUMNS = EVENT_COLUMNS | {"stream", "data"}
INPUT_COLUMNS = {"execution_id", "seq", "data", "eof", "at"}
USER_COLUMNS = {
    "_id",
    "username",
    "email",
    "password_hash",
    "role",
    "created_at",
    "max_concurrent_executions",
    "submissions_per_minute",
    "disabled",
}
SAVED_SCRIPT_COLUMNS = {
    "_id",
    "owner_id",
    "name",
    "script",
    "runtime",
    "stdin",
    "limits",
    "created_at",
    "updated_at",
}
REFRESH_TOKEN_COLUMNS = {
    "_id",
    "family_id",
    "user_id",
    "secret_hash",
    "issued_at",
    "expires_at",
    "used_at",
    "revoked_at",
}
API_TOKEN_COLUMNS = {
    "_id",
    "user_id",
    "name",
    "secret_hash",
    "created_at",
    "last_used_at",
    "revoked_at",
}


@pytest_asyncio.fixture(scope="module")
async def client(store: StoreProcess) -> AsyncIterator[Client]:
    connected = await connect(store.uri, DATABASE)
    yield connected
    await connected.close()


def every_field_set(record: Any) -> None:
    """Fail unless `record` sets every field away from its default, so that a field added to
    the record without a value here is not left out of the round trip."""
    for f in dataclasses.fields(record):
        value = getattr(record, f.name)
        if f.default is not dataclasses.MISSING:
            assert value != f.default, f"{type(record).__name__}.{f.name} is its default"
        if f.default_factory is not dataclasses.MISSING:
            assert value != f.default_factory(), f"{type(record).__name__}.{f.name} is empty"


async def raw(client: Client, collection: str, **query: Any) -> Any:
    found = await client[DATABASE][collection].find_one(query)
    assert found is not None
    return found


def full_execution() -> Execution:
    execution_id = uuid.uuid4().hex
    return Execution(
        id=execution_id,
        status=ExecutionStatus.COMPLETED,
        runtime="python3.12",
        script="print(input())",
        limits=Limits(
            timeout_seconds=2.5,
            memory_mib=256,
            cpu_millicores=500,
            max_processes=8,
            max_output_bytes=4096,
            disk_mib=32,
        ),
        created_at=NOW - timedelta(seconds=3),
        stdin="hello\n",
        exit_code=3,
        stdout="out",
        stderr="err",
        output_in_log=True,
        output_truncated=True,
        usage=ResourceUsage(cpu_time_ms=1.5, peak_memory_kib=2048, wall_time_ms=2.5),
        error_message="why",
        trace_id="ab" * 16,
        trace_parent="00-" + "ab" * 16 + "-" + "cd" * 8 + "-01",
        started_at=NOW - timedelta(seconds=1),
        finished_at=NOW,
        scheduled_at=NOW - timedelta(seconds=2),
        last_seq=5,
        cancel_requested=True,
        worker_id="w1",
        owner_id="u1",
        idempotency_key=uuid.uuid4().hex,
        interactive=True,
        labels={"team": "a"},
        callback_url="https://hooks.example/run",
        callback_secret="whsec_c2VjcmV0",
        expected_stdout="42\n",
        stdout_comparison=OutputComparison.IGNORE_TRAILING_WHITESPACE,
        carried_events=(
            OutputEvent(execution_id, 4, NOW, OutputStream.STDERR, "err"),
            StatusEvent(execution_id, 5, NOW, ExecutionStatus.COMPLETED, exit_code=3, message="m"),
        ),
        input_files=(StoredFile("in.csv", 3, "ab" * 32, "text/csv", "b1"),),
        output_files=(StoredFile("out.png", 4, "cd" * 32, "image/png", "b2"),),
        skipped_files=(SkippedFile("link", "symbolic link"),),
        argv=("--n", "3"),
        env={"MODE": "fast"},
        workspace_id="ws1",
        workspace_updated=True,
        workspace_message="kept",
    )


async def test_every_execution_field_round_trips_under_its_column(
    client: Client,
) -> None:
    executions = MongoExecutionRepository()
    execution = full_execution()
    every_field_set(execution)
    every_field_set(execution.limits)
    assert await executions.create(execution) is not None
    assert await executions.get(execution.id) == execution
    stored = await raw(client, "executions", _id=execution.id)
    assert set(stored) == EXECUTION_COLUMNS
    assert set(stored["limits"]) == LIMITS_COLUMNS
    assert set(stored["usage"]) == USAGE_COLUMNS
    assert stored["status"] == "COMPLETED"
    assert [set(e) for e in stored["carried_events"]] == [
        OUTPUT_EVENT_COLUMNS,
        STATUS_EVENT_COLUMNS,
    ]
    assert [e["kind"] for e in stored["carried_events"]] == ["output", "status"]


async def test_a_new_execution_stores_no_carried_events(
    client: Client,
) -> None:
    executions = MongoExecutionRepository()
    execution = Execution(
        id=uuid.uuid4().hex,
        status=ExecutionStatus.QUEUED,
        runtime="python3.12",
        script="pass",
        limits=Limits(),
        created_at=NOW,
        last_seq=1,
    )
    assert await executions.create(execution) is not None
    assert await executions.get(execution.id) == execution
    stored = await raw(client, "executions", _id=execution.id)
    assert set(stored) == EXECUTION_COLUMNS - {"carried_events"} - FILE_SPARSE


async def test_an_execution_stored_by_an_earlier_version_reads(
    client: Client,
) -> None:
    # Written before `output_in_log`, `trace_parent`, `interactive`, `labels` and
    # `carried_events` existed: absent columns take the field's default.
    execution_id = uuid.uuid4().hex
    await client[DATABASE]["executions"].insert_one(
        {
            "_id": execution_id,
            "status": "FAILED",
            "runtime": "python3.11",
            "script": "raise SystemExit(1)",
            "stdin": None,
            "limits": {
                "timeout_seconds": 5.0,
                "memory_mib": 128,
                "cpu_millicores": 1000,
                "max_processes": 64,
                "max_output_bytes": 1048576,
                "disk_mib": 16,
            },
            "created_at": NOW,
            "scheduled_at": NOW,
            "started_at": NOW,
            "finished_at": NOW,
            "exit_code": 1,
            "stdout": None,
            "stderr": "",
            "output_truncated": False,
            "usage": {"cpu_time_ms": 1.0, "peak_memory_kib": 10, "wall_time_ms": 2.0},
            "error_message": None,
            "trace_id": None,
            "last_seq": 4,
            "cancel_requested": False,
            "worker_id": "w0",
            "owner_id": None,
            "idempotency_key": None,
        }
    )
    assert await MongoExecutionRepository().get(execution_id) == Execution(
        id=execution_id,
        status=ExecutionStatus.FAILED,
        runtime="python3.11",
        script="raise SystemExit(1)",
        limits=Limits(),
        created_at=NOW,
        scheduled_at=NOW,
        started_at=NOW,
        finished_at=NOW,
        exit_code=1,
        usage=ResourceUsage(cpu_time_ms=1.0, peak_memory_kib=10, wall_time_ms=2.0),
        last_seq=4,
        worker_id="w0",
    )


async def test_events_round_trip_under_their_columns(
    client: Client,
) -> None:
    execution_id = uuid.uuid4().hex
    events: list[ExecutionEvent] = [
        StatusEvent(execution_id, 1, NOW, ExecutionStatus.FAILED, exit_code=2, message="m"),
        OutputEvent(execution_id, 2, NOW, OutputStream.STDOUT, "data"),
    ]
    every_field_set(events[0])
    every_field_set(events[1])
    log = MongoEventLog()
    await log.append_many(events)
    assert await log.after(execution_id, 0, 10) == events
    status = await raw(client, "execution_events", execution_id=execution_id, seq=1)
    output = await raw(client, "execution_events", execution_id=execution_id, seq=2)
    assert set(status) - {"_id"} == STATUS_EVENT_COLUMNS
    assert set(output) - {"_id"} == OUTPUT_EVENT_COLUMNS
    assert (status["kind"], status["status"]) == ("status", "FAILED")
    assert (output["kind"], output["stream"]) == ("output", "STDOUT")


async def test_input_round_trips_under_its_columns(
    client: Client,
) -> None:
    execution_id = uuid.uuid4().hex
    inputs = MongoInputLog()
    chunk = await inputs.append(execution_id, "line\n", eof=True, at=NOW)
    assert chunk is not None
    every_field_set(chunk)
    assert await inputs.after(execution_id, 0, 10) == [chunk]
    stored = await raw(client, "execution_inputs", execution_id=execution_id)
    assert set(stored) - {"_id"} == INPUT_COLUMNS


async def test_a_user_round_trips_with_its_quotas_beside_its_fields(
    client: Client,
) -> None:
    users = MongoUserRepository()
    user = User(
        id=uuid.uuid4().hex,
        username=f"shape-{uuid.uuid4().hex[:8]}",
        password_hash="hash",
        role=Role.ADMIN,
        created_at=NOW,
        email="a@example.org",
        quotas=QuotaOverrides(max_concurrent_executions=2, submissions_per_minute=3),
        disabled=True,
    )
    every_field_set(user)
    every_field_set(user.quotas)
    assert await users.create(user) is not None
    assert await users.get(user.id) == user
    stored = await raw(client, "users", _id=user.id)
    assert set(stored) == USER_COLUMNS
    assert stored["role"] == "ADMIN"
    fewer = QuotaOverrides(max_concurrent_executions=None, submissions_per_minute=9)
    changed = await users.set_quotas(user.id, fewer)
    assert changed == dataclasses.replace(user, quotas=fewer)


async def test_a_saved_script_round_trips_with_its_requested_limits(
    client: Client,
) -> None:
    scripts = MongoSavedScriptRepository()
    script = SavedScript(
        id=uuid.uuid4().hex,
        owner_id="u1",
        name="name",
        script="print(1)",
        created_at=NOW - timedelta(seconds=1),
        updated_at=NOW,
        runtime="python3.12",
        stdin="in",
        limits=LimitsRequest(memory_mib=256, disk_mib=8),
    )
    every_field_set(script)
    await scripts.create(script)
    assert await scripts.get(script.id) == script
    stored = await raw(client, "saved_scripts", _id=script.id)
    assert set(stored) == SAVED_SCRIPT_COLUMNS
    assert set(stored["limits"]) == LIMITS_COLUMNS
    change: dict[str, Any] = {
        "limits": LimitsRequest(cpu_millicores=100),
        "runtime": None,
        "updated_at": NOW,
    }
    updated = await scripts.update(script.id, change)
    assert updated == dataclasses.replace(script, **change)
    assert await scripts.get(script.id) == updated


async def test_tokens_round_trip_under_their_columns(
    client: Client,
) -> None:
    refresh = RefreshTokenRecord(
        id=uuid.uuid4().hex,
        family_id="f",
        user_id="u",
        secret_hash="h",
        issued_at=NOW - timedelta(seconds=2),
        expires_at=NOW + timedelta(days=1),
        used_at=NOW - timedelta(seconds=1),
        revoked_at=NOW,
    )
    api = ApiTokenRecord(
        id=uuid.uuid4().hex,
        user_id="u",
        name="ci",
        secret_hash="h",
        created_at=NOW - timedelta(seconds=1),
        last_used_at=NOW,
        revoked_at=NOW,
    )
    every_field_set(refresh)
    every_field_set(api)
    await MongoRefreshTokenRepository().create(refresh)
    await MongoApiTokenRepository().create(api)
    assert await MongoRefreshTokenRepository().get(refresh.id) == refresh
    assert await MongoApiTokenRepository().get(api.id) == api
    assert set(await raw(client, "refresh_tokens", _id=refresh.id)) == REFRESH_TOKEN_COLUMNS
    assert set(await raw(client, "api_tokens", _id=api.id)) == API_TOKEN_COLUMNS


def test_a_transition_writes_only_execution_columns() -> None:
    end = Transition(
        ExecutionStatus.RUNNING,
        ExecutionStatus.COMPLETED,
        worker_id="w1",
        started_at=NOW,
        finished_at=NOW,
        exit_code=0,
        output=ExecutionOutput("out", ""),
        output_truncated=False,
        usage=ResourceUsage(cpu_time_ms=1.0, peak_memory_kib=1, wall_time_ms=1.0),
        carried=(StatusEvent("e", 3, NOW, ExecutionStatus.COMPLETED, exit_code=0),),
    )
    update = transition_update(end)
    written = {column for operator in update.values() for column in operator}
    # Besides the record's columns, the outbox flag the store alone keeps (`outbox`).
    assert written <= EXECUTION_COLUMNS | {OUTBOX_FLAG}
    assert set(transition_query("e", end)) <= EXECUTION_COLUMNS
