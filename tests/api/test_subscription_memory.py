"""A self-contained `podrun serve` (embedded store, API and worker in one process) answers a
subscription to an execution it ran from memory: every event, from any seq, without reading
the store, and still refuses another user's execution like an unknown one.

Store reads are counted with the store's own profiler (every command on Podrun's database is
recorded in `system.profile`), so nothing here looks inside the server."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import pytest_asyncio
from pymongo import AsyncMongoClient

from tests.auth.accounts import Account, register
from tests.support.client import Api, output_of, statuses_of
from tests.support.servers import PodrunProcess

SCRIPT = "import time\nfor i in range(3):\n    print(i, flush=True)\n    time.sleep(0.05)"
READS = ("find", "aggregate", "count", "distinct")


class StoreProfiler:
    def __init__(self, client: AsyncMongoClient[dict[str, Any]], database: str) -> None:
        self.database = client[database]

    async def reads_of(self, execution_id: str) -> list[dict[str, Any]]:
        """Every read the store served that names `execution_id`."""
        entries = self.database["system.profile"].find({"command.find": {"$exists": True}})
        reads = [e async for e in entries]
        for name in READS[1:]:
            entries = self.database["system.profile"].find({f"command.{name}": {"$exists": True}})
            reads += [e async for e in entries]
        return [e for e in reads if execution_id in repr(e["command"])]


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PodrunProcess]:
    workdir = tmp_path_factory.mktemp("embedded")
    process = PodrunProcess(workdir, ["serve"], env={"PODRUN_DATA_DIR": str(workdir / "data")})
    yield process.start()
    process.stop()


@pytest_asyncio.fixture(scope="module")
async def profiler(embedded: PodrunProcess) -> AsyncIterator[StoreProfiler]:
    port = json.loads((embedded.workdir / "data" / "store.json").read_text())["port"]
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        f"mongodb://127.0.0.1:{port}/?directConnection=true"
    )
    profiler = StoreProfiler(client, "podrun")
    await profiler.database.command("profile", 2)
    yield profiler
    await profiler.database.command("profile", 0)
    await client.close()


@pytest_asyncio.fixture(scope="module")
async def alice(embedded: PodrunProcess) -> Account:
    return await register(Api(embedded.url), "alice")


async def test_a_finished_execution_replays_every_event_without_a_store_read(
    alice: Account, profiler: StoreProfiler
) -> None:
    submitted = await alice.api.submit(SCRIPT)
    assert submitted["__typename"] == "Execution", submitted
    live = await alice.api.events(submitted["id"])
    assert statuses_of(live) == ["QUEUED", "SCHEDULED", "RUNNING", "COMPLETED"]
    assert output_of(live) == "0\n1\n2\n"
    reads_before = await profiler.reads_of(submitted["id"])

    everything = await alice.api.events(submitted["id"], timeout=10)
    assert everything == live
    middle = len(everything) // 2
    rest = await alice.api.events(submitted["id"], after_seq=middle, timeout=10)
    assert rest == everything[middle:]
    started = time.monotonic()
    last = everything[-1]["seq"]
    assert await alice.api.events(submitted["id"], after_seq=last, timeout=10) == []
    # Completed at once: not after a poll of the store.
    assert time.monotonic() - started < 0.5

    assert await profiler.reads_of(submitted["id"]) == reads_before
    # The store has exactly what was streamed from memory.
    assert (await alice.api.get(submitted["id"]))["lastSeq"] == last


async def test_another_users_execution_reads_as_unknown(
    embedded: PodrunProcess, alice: Account, profiler: StoreProfiler
) -> None:
    submitted = await alice.api.submit("print('mine')")
    assert submitted["__typename"] == "Execution", submitted
    await alice.api.events(submitted["id"])
    bob = await register(Api(embedded.url), "bob")
    with pytest.raises(Exception, match=f"no execution with id '{submitted['id']}'"):
        await bob.api.events(submitted["id"], timeout=10)
    with pytest.raises(Exception, match=f"no execution with id '{submitted['id']}'"):
        await Api(embedded.url).events(submitted["id"], timeout=10)
    with pytest.raises(Exception, match="no execution with id 'unknown'"):
        await bob.api.events("unknown", timeout=10)
    # Its owner still gets it all.
    assert statuses_of(await alice.api.events(submitted["id"], timeout=10))[-1] == "COMPLETED"
