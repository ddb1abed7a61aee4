"""Worker restarts and leader handover with the kubernetes backend, seen through GraphQL.

Pods outlive their worker: after a crash the next leader (the restarted process, or another
replica once the Lease expires) re-attaches the running pods, and their executions finish
with all their output, nothing lost or repeated.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from k8s_cluster import running_cluster
from k8s_podrun import (
    eventually,
    kill,
    lease_holder,
    podrun_env,
    pods_of,
    start,
    stop,
    unique_database,
    write_kubeconfig,
)

from tests.support.client import Api, output_of, statuses_of
from tests.support.servers import PodrunProcess, StoreProcess

# Prints a numbered line every 0.2 s for about 6 s: long enough to outlive a leader.
COUNTING = (
    "import sys, time\n"
    "for i in range(30):\n"
    "    print(f'line {i}', flush=True)\n"
    "    if i % 10 == 0:\n"
    "        print(f'warn {i}', file=sys.stderr, flush=True)\n"
    "    time.sleep(0.2)\n"
)
EXPECTED_STDOUT = "".join(f"line {i}\n" for i in range(30))
EXPECTED_STDERR = "".join(f"warn {i}\n" for i in (0, 10, 20))


async def wait_for_output(api: Api, execution_id: str, text: str) -> None:
    """Until the store holds `text` of the execution's stdout (so some output predates the
    crash and must not be repeated)."""
    for _ in range(600):
        if text in (await api.get(execution_id))["stdout"]:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{text!r} never reached the store")


def assert_complete_and_gapless(events: list[dict[str, object]]) -> None:
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert statuses_of(events) == ["QUEUED", "SCHEDULED", "RUNNING", "COMPLETED"]
    assert output_of(events) == EXPECTED_STDOUT
    assert output_of(events, "STDERR") == EXPECTED_STDERR


async def test_a_restarted_worker_reattaches_running_pods(
    store: StoreProcess, tmp_path: Path
) -> None:
    async with running_cluster(tmp_path / "node") as (emulator, _kubelet, url):
        env = podrun_env(store, unique_database("k8s_restart"), write_kubeconfig(tmp_path, url))
        first = await start(PodrunProcess(tmp_path / "first", ["serve"], env=env))
        try:
            api = Api(first.url)
            submitted = await api.submit(COUNTING, limits={"timeoutSeconds": 30})
            await api.wait_status(submitted["id"], {"RUNNING"}, timeout=60)
            await wait_for_output(api, submitted["id"], "line 3\n")
        finally:
            await kill(first)  # a crash: no lease release, no clean-up
        assert pods_of(emulator, submitted["id"]), "the pod outlives its worker"

        second = await start(PodrunProcess(tmp_path / "second", ["serve"], env=env))
        try:
            api = Api(second.url)
            events = await api.events(submitted["id"], timeout=90)
            assert_complete_and_gapless(events)
            execution = await api.get(submitted["id"])
            assert execution["status"] == "COMPLETED"
            assert execution["stdout"] == EXPECTED_STDOUT
            assert execution["stderr"] == EXPECTED_STDERR
            holder = lease_holder(emulator)
            assert holder and f"-{second.process.pid}-" in holder  # type: ignore[union-attr]
        finally:
            await stop(second)


async def test_a_standby_worker_takes_over_when_the_leader_dies(
    store: StoreProcess, tmp_path: Path
) -> None:
    async with running_cluster(tmp_path / "node") as (emulator, _kubelet, url):
        env = podrun_env(store, unique_database("k8s_handover"), write_kubeconfig(tmp_path, url))
        api_process = await start(
            PodrunProcess(tmp_path / "api", ["serve", "--no-worker"], env=env)
        )
        workers = [
            await start(PodrunProcess(tmp_path / f"worker-{n}", ["worker"], env=env))
            for n in (1, 2)
        ]
        try:
            api = Api(api_process.url)
            holder = await eventually(lambda: lease_holder(emulator), what="a lease holder")
            leader = next(w for w in workers if f"-{w.process.pid}-" in holder)  # type: ignore[union-attr]
            standby = next(w for w in workers if w is not leader)

            # Exactly one replica dispatches: everything runs while the other stands by.
            first = await api.run("print('led by one')")
            assert first["status"] == "COMPLETED"
            assert lease_holder(emulator) == holder

            submitted = await api.submit(COUNTING, limits={"timeoutSeconds": 30})
            await wait_for_output(api, submitted["id"], "line 3\n")
            await kill(leader)

            new_holder = await eventually(
                lambda: (h := lease_holder(emulator)) and h != holder and h,
                timeout=60,
                what="a new leader",
            )
            assert f"-{standby.process.pid}-" in new_holder  # type: ignore[union-attr]
            events = await api.events(submitted["id"], timeout=90)
            assert_complete_and_gapless(events)

            # The new leader dispatches new work too.
            after = await api.run("print('after the handover')")
            assert after["status"] == "COMPLETED"
            assert after["stdout"] == "after the handover\n"
        finally:
            for process in (*workers, api_process):
                await stop(process)


async def test_a_reattached_run_counts_the_output_stored_before_against_the_cap(
    store: StoreProcess, tmp_path: Path
) -> None:
    # Invalid bytes, stored as U+FFFD (3 bytes each): 300 stored bytes are 100 raw ones.
    script = (
        "import os, time\nfor i in range(60):\n    os.write(1, b'\\xff' * 5)\n    time.sleep(0.1)\n"
    )
    async with running_cluster(tmp_path / "node") as (_emulator, _kubelet, url):
        env = podrun_env(store, unique_database("k8s_cap"), write_kubeconfig(tmp_path, url))
        first = await start(PodrunProcess(tmp_path / "first", ["serve"], env=env))
        try:
            api = Api(first.url)
            submitted = await api.submit(
                script, limits={"timeoutSeconds": 30, "maxOutputBytes": 300}
            )
            await wait_for_output(api, submitted["id"], "\ufffd" * 30)
        finally:
            await kill(first)
        second = await start(PodrunProcess(tmp_path / "second", ["serve"], env=env))
        try:
            api = Api(second.url)
            events = await api.events(submitted["id"], timeout=90)
            execution = await api.get(submitted["id"])
            assert execution["status"] == "OUTPUT_LIMIT_EXCEEDED"
            assert execution["stdout"] == "\ufffd" * 100
            assert output_of(events) == execution["stdout"]
        finally:
            await stop(second)
