"""Distributed mode on one machine: two `podrun serve --no-worker` and two `podrun worker`
(local backend) on one SecantusDB store, like the chart's API and worker Deployments.

- an execution submitted through either API runs exactly once, on one of the workers;
- a subscription on either API sees every event of every execution, wherever it ran;
- killing a worker mid-run loses nothing: its running executions end ERROR (a local sandbox
  dies with its worker), queued ones run on the survivor, everything reaches a terminal state.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from service.services.worker.recovering import LOST_WORKER_MESSAGE
from tests.distributed.replicas import Replicas, start_replicas
from tests.support.client import Api, output_of, statuses_of
from tests.support.servers import StoreProcess

PER_WORKER = 2


def _assert_gapless(events: list[dict]) -> None:
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))


async def _events_on_both(apis: list[Api], execution_id: str, timeout: float = 90) -> list[list]:
    return list(await asyncio.gather(*(api.events(execution_id, timeout=timeout) for api in apis)))


async def test_either_api_either_worker_exactly_once(tmp_path: Path, store: StoreProcess) -> None:
    with start_replicas(tmp_path, store, "replicas_once", concurrency=PER_WORKER) as replicas:
        apis = replicas.clients
        # More work than one worker may hold at once, so both workers must take some.
        count = 4 * PER_WORKER
        scripts = [
            f"import time\nprint('job {i} start', flush=True)\ntime.sleep(1)\nprint('job {i} end')"
            for i in range(count)
        ]
        submitted = await asyncio.gather(
            *(apis[i % 2].submit(script) for i, script in enumerate(scripts))
        )
        ids = [s["id"] for s in submitted]
        assert len(set(ids)) == count
        # Subscribe to every execution on both APIs at once.
        seen = await asyncio.gather(*(_events_on_both(apis, execution_id) for execution_id in ids))

        for i, (execution_id, (via_first, via_second)) in enumerate(zip(ids, seen, strict=True)):
            # Both APIs stream the same complete log, wherever the execution was submitted.
            assert via_first == via_second
            _assert_gapless(via_first)
            # Exactly once: one claim, one start, one output, one verdict.
            assert statuses_of(via_first) == ["QUEUED", "SCHEDULED", "RUNNING", "COMPLETED"]
            assert output_of(via_first) == f"job {i} start\njob {i} end\n"
            for api in apis:
                stored = await api.get(execution_id)
                assert stored["status"] == "COMPLETED"
                assert stored["stdout"] == f"job {i} start\njob {i} end\n"
                assert stored["lastSeq"] == len(via_first)
        owners = {replicas.owner_pid(execution_id) for execution_id in ids}
        assert owners == replicas.worker_pids()  # both workers did work, and nobody else


async def test_killing_a_worker_hands_over_without_loss(
    tmp_path: Path, store: StoreProcess
) -> None:
    with start_replicas(tmp_path, store, "replicas_handover", concurrency=PER_WORKER) as replicas:
        apis = replicas.clients
        # Fill both workers with executions that outlive the kill.
        long_script = "import time\nprint('working', flush=True)\ntime.sleep({s})\nprint('done')"
        running = [
            (await apis[i % 2].submit(long_script.format(s=8), limits={"timeoutSeconds": 30}))["id"]
            for i in range(2 * PER_WORKER)
        ]
        for execution_id in running:
            await apis[0].wait_status(execution_id, {"RUNNING"}, timeout=60)
        # Both are full now: these wait in the queue.
        queued = [(await apis[i % 2].submit(f"print('queued {i}')"))["id"] for i in range(4)]
        for execution_id in queued:
            assert (await apis[1].get(execution_id))["status"] == "QUEUED"

        subscriptions = {
            execution_id: asyncio.ensure_future(_events_on_both(apis, execution_id))
            for execution_id in running + queued
        }
        victim, survivor = replicas.workers
        victim_pid = victim.process.pid if victim.process else None
        on_victim = [e for e in running if replicas.owner_pid(e) == victim_pid]
        on_survivor = [e for e in running if e not in on_victim]
        assert len(on_victim) == PER_WORKER and len(on_survivor) == PER_WORKER
        victim.kill()

        results = {e: await task for e, task in subscriptions.items()}
        for via_first, via_second in results.values():
            assert via_first == via_second
            _assert_gapless(via_first)
        for execution_id in on_victim:
            events = results[execution_id][0]
            assert statuses_of(events) == ["QUEUED", "SCHEDULED", "RUNNING", "ERROR"]
            assert events[-1]["message"] == LOST_WORKER_MESSAGE
            stored = await apis[1].get(execution_id)
            assert stored["errorMessage"] == LOST_WORKER_MESSAGE
            assert stored["stdout"] == "working\n"  # what it printed before the crash is kept
        for execution_id in on_survivor:
            events = results[execution_id][0]
            assert statuses_of(events) == ["QUEUED", "SCHEDULED", "RUNNING", "COMPLETED"]
            assert output_of(events) == "working\ndone\n"
        survivor_pid = survivor.process.pid if survivor.process else None
        for i, execution_id in enumerate(queued):
            events = results[execution_id][0]
            assert statuses_of(events) == ["QUEUED", "SCHEDULED", "RUNNING", "COMPLETED"]
            assert output_of(events) == f"queued {i}\n"
            assert replicas.owner_pid(execution_id) == survivor_pid
        _assert_all_terminal(replicas)


def _assert_all_terminal(replicas: Replicas) -> None:
    active = replicas.db.executions.count_documents(
        {"status": {"$in": ["QUEUED", "SCHEDULED", "RUNNING"]}}
    )
    assert active == 0
    assert replicas.db.executions.count_documents({}) == 4 * PER_WORKER
