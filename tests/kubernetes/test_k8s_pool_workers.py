"""The warm pod pool of real `podrun` processes on the emulated cluster, seen through
GraphQL and `/metrics`: served executions, shutdown, and a leader change."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
from k8s_cluster import PODS, ClusterEmulator, running_cluster
from k8s_podrun import (
    NAMESPACE,
    eventually,
    kill,
    lease_holder,
    live_objects,
    podrun_env,
    start,
    stop,
    unique_database,
    write_kubeconfig,
)
from test_k8s_traces import wait_for_trace

from service.adapters.sandbox.kubernetes.podspecs import object_name
from tests.support.client import Api
from tests.support.servers import PodrunProcess, StoreProcess

WARM = {"PODRUN_K8S_WARM_PODS": json.dumps({"python3.11": 2})}


def idle_warm_pods(emulator: ClusterEmulator, *, running: bool = True) -> dict[str, str]:
    """Name → owner of the idle warm pods (by default those whose runner waits already)."""
    return {
        name: pod["metadata"]["labels"].get("podrun.dev/pool-owner", "")
        for name, pod in live_objects(emulator, PODS).items()
        if pod["metadata"]["labels"].get("podrun.dev/pool-state") == "idle"
        and (not running or (pod.get("status") or {}).get("phase") == "Running")
    }


def ran_cold(emulator: ClusterEmulator, execution_id: str) -> bool:
    return (PODS, NAMESPACE, object_name(execution_id)) in emulator.objects


async def test_warm_pods_serve_executions_and_vanish_on_shutdown(
    store: StoreProcess, tmp_path: Path
) -> None:
    async with running_cluster(tmp_path / "node") as (emulator, kubelet, url):
        kubelet.start_delay_seconds = 1.0  # what a cold pod costs
        env = podrun_env(
            store,
            unique_database("k8s_pool"),
            write_kubeconfig(tmp_path, url),
            OTEL_TRACES_EXPORTER="console",
            **WARM,
        )
        process = await start(PodrunProcess(tmp_path / "serve", ["serve"], env=env))
        try:
            await eventually(
                lambda: len(idle_warm_pods(emulator)) == 2, 60, "two warm pods waiting"
            )
            await asyncio.sleep(2.0)  # the warm pods wait 2 s more, which is not the run's
            api = Api(process.url)
            execution = await api.run("print('warm')")
            assert execution["status"] == "COMPLETED" and execution["stdout"] == "warm\n"
            assert execution["usage"]["wallTimeMs"] < 2000
            assert not ran_cold(emulator, execution["id"])
            # The trace shows the hand-over to a warm pod, not a pod's creation.
            spans = await wait_for_trace(
                process, execution["traceId"], {"k8s.pod.handover", "k8s.pod.running"}
            )
            handover = next(s for s in spans if s["name"] == "k8s.pod.handover")
            assert handover["attributes"]["podrun.warm_pod"] is True
            assert "k8s.pod.create" not in {s["name"] for s in spans}
            cold = await api.run("print('cold')", limits={"memoryMib": 64})
            assert cold["status"] == "COMPLETED" and ran_cold(emulator, cold["id"])
            async with httpx.AsyncClient() as client:
                metrics = (await client.get(f"{process.url}/metrics")).text
            assert 'podrun_warm_pool_hits_total{runtime="python3.11"} 1.0' in metrics
            assert (
                'podrun_warm_pool_misses_total{reason="shape",runtime="python3.11"} 1.0' in metrics
            )
            assert "podrun_warm_pool_refill_seconds_count" in metrics
            assert 'podrun_warm_pool_pods{runtime="python3.11",state="ready"}' in metrics
        finally:
            await stop(process)
        assert idle_warm_pods(emulator, running=False) == {}


async def test_a_new_leader_adopts_the_warm_pods_of_a_dead_one(
    store: StoreProcess, tmp_path: Path
) -> None:
    async with running_cluster(tmp_path / "node") as (emulator, _kubelet, url):
        env = podrun_env(
            store, unique_database("k8s_pool_lead"), write_kubeconfig(tmp_path, url), **WARM
        )
        api_process = await start(
            PodrunProcess(tmp_path / "api", ["serve", "--no-worker"], env=env)
        )
        workers = [
            await start(PodrunProcess(tmp_path / f"worker-{n}", ["worker"], env=env))
            for n in (1, 2)
        ]
        try:
            holder = await eventually(lambda: lease_holder(emulator), what="a lease holder")
            leader = next(w for w in workers if f"-{w.process.pid}-" in holder)  # type: ignore[union-attr]
            before = await eventually(
                lambda: len(pods := idle_warm_pods(emulator)) == 2 and pods, 60, "a full pool"
            )
            await kill(leader)  # a crash: its idle pods stay behind
            new_holder = await eventually(
                lambda: (h := lease_holder(emulator)) and h != holder and h, 60, "a new leader"
            )
            # Adopted, not replaced: the same pods, one owner, still two.
            after = await eventually(
                lambda: (
                    (pods := idle_warm_pods(emulator))
                    and set(pods.values()) != set(before.values())
                    and len(set(pods.values())) == 1
                    and pods
                ),
                60,
                "the pool adopted by the new leader",
            )
            assert set(after) == set(before)
            # Owned by the new leader's pool: the label names the worker.
            assert all(owner.startswith(new_holder[:54]) for owner in after.values())
            assert all(owner.startswith(holder[:54]) for owner in before.values())
            api = Api(api_process.url)
            execution = await api.run("print('after the handover')")
            assert execution["status"] == "COMPLETED"
            assert not ran_cold(emulator, execution["id"])
            await eventually(lambda: len(idle_warm_pods(emulator)) == 2, 60, "refilled")
        finally:
            for process in (*workers, api_process):
                await stop(process)
