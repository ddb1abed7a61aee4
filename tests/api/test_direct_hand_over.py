"""A submission to a `podrun serve` whose own worker has a free slot is stored already claimed
and handed straight to that worker: the store sees no claim write, and the run stores the
QUEUED event with the rest of its events. Clients see exactly what a queued-then-claimed
execution shows. At capacity, submissions queue and are claimed as before.

What the store served is read from its own profiler and its collections, over the wire."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import pytest_asyncio
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.client import Api, output_of, statuses_of
from tests.support.servers import PodrunProcess


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PodrunProcess]:
    workdir = tmp_path_factory.mktemp("direct")
    process = PodrunProcess(
        workdir,
        ["serve"],
        env={"PODRUN_DATA_DIR": str(workdir / "data"), "PODRUN_MAX_CONCURRENCY": "2"},
    )
    yield process.start()
    process.stop()


@pytest_asyncio.fixture(scope="module")
async def store(server: PodrunProcess) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    port = json.loads((server.workdir / "data" / "store.json").read_text())["port"]
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        f"mongodb://127.0.0.1:{port}/?directConnection=true"
    )
    database = client["podrun"]
    await database.command("profile", 2)
    yield database
    await database.command("profile", 0)
    await client.close()


async def _writes_naming(
    store: AsyncDatabase[dict[str, Any]], command: str, execution_id: str
) -> list[dict[str, Any]]:
    entries = store["system.profile"].find({f"command.{command}": {"$exists": True}})
    return [e async for e in entries if execution_id in repr(e["command"])]


async def _stored_events(
    store: AsyncDatabase[dict[str, Any]], execution_id: str
) -> list[dict[str, Any]]:
    async with asyncio.timeout(10):
        while True:
            execution = await store["executions"].find_one({"_id": execution_id})
            assert execution is not None
            events = [
                e
                async for e in store["execution_events"]
                .find({"execution_id": execution_id})
                .sort("seq", 1)
            ]
            if events and events[-1]["seq"] == execution["last_seq"]:
                return events
            await asyncio.sleep(0.05)


async def test_a_submission_goes_straight_to_a_free_slot(
    server: PodrunProcess, store: AsyncDatabase[dict[str, Any]]
) -> None:
    api = Api(server.url)
    submitted = await api.submit("print('direct')")
    assert submitted["__typename"] == "Execution", submitted
    # As submitted: queued, whatever happened since.
    assert submitted["status"] == "QUEUED"
    events = await api.events(submitted["id"])
    assert statuses_of(events) == ["QUEUED", "SCHEDULED", "RUNNING", "COMPLETED"]
    assert output_of(events) == "direct\n"

    stored = await _stored_events(store, submitted["id"])
    assert [e["seq"] for e in stored] == list(range(1, len(stored) + 1))
    assert [e.get("status") for e in stored if e["kind"] == "status"] == [
        "QUEUED",
        "SCHEDULED",
        "RUNNING",
        "COMPLETED",
    ]
    record = await store["executions"].find_one({"_id": submitted["id"]})
    assert record is not None and record["status"] == "COMPLETED" and record["worker_id"]
    # No claim: the record was inserted claimed. After it, the terminal write (and the
    # RUNNING one, when the run outlived the write-behind delay on a slow machine).
    updates = await _writes_naming(store, "update", submitted["id"])
    claims = [
        statement
        for update in updates
        for statement in update["command"].get("updates", [])
        if statement["q"].get("status") == "QUEUED"
    ]
    assert claims == [] and 1 <= len(updates) <= 2, updates
    # The record, then the events in one batch (two when the run outlived the delay).
    assert 2 <= len(await _writes_naming(store, "insert", submitted["id"])) <= 3
    # A replay from the log (another server would read it) matches what was streamed.
    assert await api.events(submitted["id"], timeout=10) == events


async def test_at_capacity_submissions_queue_and_run_in_turn(
    server: PodrunProcess, store: AsyncDatabase[dict[str, Any]]
) -> None:
    api = Api(server.url)
    script = "import time; time.sleep(0.5); print('slept')"
    submitted = [await api.submit(script) for _ in range(4)]
    results = await asyncio.gather(*(api.events(s["id"], timeout=30) for s in submitted))
    for events in results:
        assert statuses_of(events) == ["QUEUED", "SCHEDULED", "RUNNING", "COMPLETED"]
        assert output_of(events) == "slept\n"
    # The two beyond the cap of 2 were stored QUEUED and claimed later, by a write.
    claims = 0
    for execution in submitted:
        for update in await _writes_naming(store, "update", execution["id"]):
            for statement in update["command"].get("updates", []):
                if statement["q"].get("status") == "QUEUED":
                    claims += 1
    assert claims == 2
    for execution in submitted:
        stored = await _stored_events(store, execution["id"])
        assert [e["seq"] for e in stored] == list(range(1, len(stored) + 1))
