"""The order in which queued executions get a worker's slots, against a real `podrun serve`
with two slots: first in, first out under a crowd of clients (a new submission never takes a
freed slot ahead of a queued one), and a fair share between users (one user's burst does not
hold back another user's single run).

"Overtaken" counts, for one execution, the executions created after it that were scheduled
(or started) before it. A worker with `c` slots may let a later one start up to `c - 1` times
ahead (launches race), so the bound below is the concurrency itself."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from tests.auth.accounts import JWT_SECRET, register
from tests.support.client import Api
from tests.support.servers import PodrunProcess, StoreProcess

CONCURRENCY = 2
TIMES = "query($id: ID!) { execution(id: $id) { id status createdAt scheduledAt startedAt finishedAt } }"


# Quotas out of the way: the crowd is anonymous, the burst one user's.
SETTINGS = {
    "PODRUN_MAX_CONCURRENCY": str(CONCURRENCY),
    "PODRUN_AUTH_JWT_SECRET": JWT_SECRET,
    "PODRUN_QUOTA_ANONYMOUS_CONCURRENT": "500",
    "PODRUN_QUOTA_ANONYMOUS_PER_MINUTE": "5000",
    "PODRUN_QUOTA_USER_CONCURRENT": "500",
    "PODRUN_QUOTA_USER_PER_MINUTE": "5000",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PodrunProcess]:
    """`podrun serve`: the API and the worker in one process, with its embedded store."""
    workdir = tmp_path_factory.mktemp("dispatch-order")
    process = PodrunProcess(
        workdir, ["serve"], env={"PODRUN_DATA_DIR": str(workdir / "data"), **SETTINGS}
    )
    yield process.start()
    process.stop()


@pytest.fixture(scope="module")
def split_api(
    store: StoreProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PodrunProcess]:
    """`podrun serve --no-worker` and a `podrun worker`: no submission is handed over, the
    worker hears of each through the store."""
    workdir = tmp_path_factory.mktemp("dispatch-split")
    env = {"PODRUN_MONGODB_URI": store.uri, "PODRUN_DATABASE": "dispatch_split", **SETTINGS}
    api_process = PodrunProcess(workdir, ["serve", "--no-worker"], env=env).start()
    worker = PodrunProcess(workdir, ["worker"], env=env).start()
    yield api_process
    worker.stop()
    api_process.stop()


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def _times(api: Api, ids: list[str]) -> list[dict[str, Any]]:
    """Each execution once it has finished, with its timestamps."""
    found = []
    for execution_id in ids:
        await api.events(execution_id, timeout=180)
        execution = (await api.gql(TIMES, id=execution_id))["execution"]
        assert execution["status"] == "COMPLETED", execution
        found.append(execution)
    return found


def _most_overtaken(executions: list[dict[str, Any]], field: str) -> int:
    """The largest number of later-created executions that got `field` before one did."""
    most = 0
    for one in executions:
        created, at = _at(one["createdAt"]), _at(one[field])
        later_first = [
            other
            for other in executions
            if _at(other["createdAt"]) > created and _at(other[field]) < at
        ]
        most = max(most, len(later_first))
    return most


def _most_at_once(executions: list[dict[str, Any]]) -> int:
    """The most executions that held a slot (from scheduled to finished) at one instant."""
    changes = sorted(
        change
        for e in executions
        for change in ((_at(e["scheduledAt"]), 1), (_at(e["finishedAt"]), -1))
    )  # at one instant, a slot is given back (-1) before it is taken again
    most = held = 0
    for _, change in changes:
        held += change
        most = max(most, held)
    return most


async def _crowd(api: Api, clients: int, each: int) -> list[str]:
    """`clients` clients at once, each submitting as soon as its last submission was
    accepted: slots keep freeing while new submissions arrive."""
    script = "import time; time.sleep(0.05)"
    ids: list[str] = []

    async def client() -> None:
        for _ in range(each):
            submitted = await api.submit(script)
            assert submitted["__typename"] == "Execution", submitted
            ids.append(submitted["id"])

    await asyncio.gather(*(client() for _ in range(clients)))
    return ids


async def test_a_crowd_of_clients_is_served_first_in_first_out(server: PodrunProcess) -> None:
    api = Api(server.url)
    executions = await _times(api, await _crowd(api, 40, 3))
    assert _most_overtaken(executions, "scheduledAt") <= CONCURRENCY
    assert _most_overtaken(executions, "startedAt") <= CONCURRENCY
    assert _most_at_once(executions) <= CONCURRENCY


async def test_a_separate_worker_serves_a_crowd_first_in_first_out(
    split_api: PodrunProcess,
) -> None:
    api = Api(split_api.url)
    executions = await _times(api, await _crowd(api, 40, 3))
    assert _most_overtaken(executions, "scheduledAt") <= CONCURRENCY
    assert _most_overtaken(executions, "startedAt") <= CONCURRENCY
    assert _most_at_once(executions) <= CONCURRENCY


async def test_one_users_burst_does_not_hold_back_another_users_run(
    server: PodrunProcess,
) -> None:
    anonymous = Api(server.url)
    busy, other = await register(anonymous, "burst"), await register(anonymous, "single")
    script = "import time; time.sleep(1)"
    burst = await asyncio.gather(*(busy.api.submit(script) for _ in range(12)))
    assert all(s["__typename"] == "Execution" for s in burst), burst
    single = await other.api.submit(script)
    assert single["__typename"] == "Execution", single

    (mine,) = await _times(other.api, [single["id"]])
    theirs = await _times(busy.api, [s["id"] for s in burst])
    submitted_at, scheduled_at = _at(mine["createdAt"]), _at(mine["scheduledAt"])
    waiting = [e for e in theirs if _at(e["scheduledAt"]) > submitted_at]
    assert len(waiting) >= 3 * CONCURRENCY, "the burst was over before the single run came"
    # The single run waited for one slot to free, not for the burst to end: of the burst's
    # executions still queued when it came, at most the worker's concurrency went first.
    ahead = [e for e in waiting if _at(e["scheduledAt"]) < scheduled_at]
    assert len(ahead) <= CONCURRENCY, (mine, theirs)
