"""The warm pod pool against the emulated cluster: executions served by warm pods, cold
fallback, compare-and-set claims, replacement, shutdown, orphans and leader hand-over."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio
from k8s_cluster import PODS, ClusterEmulator, SimulatedKubelet
from k8s_podrun import eventually, live_objects
from k8s_sandboxes import collect, make_spec, outcome_of, output_of, with_limits

from service.adapters.sandbox.kubernetes import (
    KubernetesBackendConfig,
    KubernetesSandboxBackend,
    WarmPodPool,
)
from service.adapters.sandbox.kubernetes.poolpods import POOL_LABEL, STATE_LABEL, pool_shapes
from service.domain.files import FileCollection
from service.domain.sandboxes import OutputStream, SandboxSpec
from service.domain.statuses import ExecutionStatus
from service.domain.verdicts import classify

WARM = 2


def warm_pods(emulator: ClusterEmulator, state: str | None = "idle") -> dict[str, dict[str, Any]]:
    return {
        name: pod
        for name, pod in live_objects(emulator, PODS).items()
        if (pod["metadata"].get("labels") or {}).get(POOL_LABEL) == "warm"
        and (state is None or pod["metadata"]["labels"].get(STATE_LABEL) == state)
    }


def pool_config(config: KubernetesBackendConfig, **changes: Any) -> KubernetesBackendConfig:
    base = {
        "warm_pods": {"python3.11": WARM},
        "warm_pod_reconcile_seconds": 0.5,
        "warm_pod_max_timeout_seconds": 10.0,
    }
    return dataclasses.replace(config, **{**base, **changes})


async def until_ready(backend: KubernetesSandboxBackend, count: int = WARM) -> WarmPodPool:
    pool = backend.pool
    assert pool is not None
    await eventually(lambda: pool.ready_count() >= count, 30, f"{count} warm pods ready")
    return pool


@pytest_asyncio.fixture
async def warm_backend(config: KubernetesBackendConfig) -> AsyncIterator[KubernetesSandboxBackend]:
    backend = KubernetesSandboxBackend(pool_config(config))
    await backend.start()
    try:
        yield backend
    finally:
        await backend.close()


async def run(backend: KubernetesSandboxBackend, spec: SandboxSpec) -> tuple[str, list[Any]]:
    handle = await backend.launch(spec)
    return handle.pod_name, await collect(handle, timeout=30)


async def test_a_warm_pod_serves_an_execution_with_its_own_terms(
    warm_backend: KubernetesSandboxBackend, emulator: ClusterEmulator, kubelet: SimulatedKubelet
) -> None:
    await until_ready(warm_backend)
    spec = make_spec(
        warm_backend,
        "import os, sys\n"
        "data = sys.stdin.read()\n"
        "print('got', data, os.environ.get('TRACEPARENT'))\n"
        "print('oops', file=sys.stderr)\n"
        "sys.exit(3)\n",
        stdin=b"hello",
        env={"TRACEPARENT": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
    )
    name, observations = await run(warm_backend, spec)

    assert name.startswith("podrun-warm-")
    outcome = outcome_of(observations)
    assert outcome.exit_code == 3
    assert classify(outcome).status == ExecutionStatus.FAILED
    assert output_of(observations, OutputStream.STDOUT) == (
        b"got hello 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\n"
    )
    assert output_of(observations, OutputStream.STDERR) == b"oops\n"
    assert outcome.usage is not None and outcome.usage.peak_memory_kib > 0
    pool = warm_backend.pool
    assert pool is not None and pool.stats.hits == 1
    # Used once: deleted at its end, and replaced.
    await eventually(lambda: name not in live_objects(emulator, PODS), 10, "the used pod gone")
    await until_ready(warm_backend)


async def test_clocks_start_at_hand_over_not_at_the_pods_start(
    warm_backend: KubernetesSandboxBackend, kubelet: SimulatedKubelet
) -> None:
    pool = await until_ready(warm_backend)
    await asyncio.sleep(2.0)  # the pods have been waiting for 2 s at least
    spec = make_spec(
        warm_backend,
        "import time; time.sleep(0.3); print('done')",
        limits=with_limits(timeout_seconds=1.5),
    )
    name, observations = await run(warm_backend, spec)

    assert name.startswith("podrun-warm-") and pool.stats.hits == 1
    outcome = outcome_of(observations)
    # Neither timed out by the wait before it, nor billed for it.
    assert classify(outcome).status == ExecutionStatus.COMPLETED
    assert outcome.usage is not None and outcome.usage.wall_time_ms < 2000


async def test_the_timeout_applies_to_a_warm_run(warm_backend: KubernetesSandboxBackend) -> None:
    await until_ready(warm_backend)
    spec = make_spec(
        warm_backend, "import time; time.sleep(30)", limits=with_limits(timeout_seconds=0.5)
    )
    name, observations = await run(warm_backend, spec)
    assert name.startswith("podrun-warm-")
    assert classify(outcome_of(observations)).status == ExecutionStatus.TIMED_OUT


async def test_the_output_cap_applies_to_a_warm_run(
    warm_backend: KubernetesSandboxBackend,
) -> None:
    await until_ready(warm_backend)
    spec = make_spec(warm_backend, "print('x' * 5000)", limits=with_limits(max_output_bytes=100))
    name, observations = await run(warm_backend, spec)
    assert name.startswith("podrun-warm-")
    assert classify(outcome_of(observations)).status == ExecutionStatus.OUTPUT_LIMIT_EXCEEDED
    assert output_of(observations) == b"x" * 100


async def test_interactive_stdin_follows_the_hand_over(
    warm_backend: KubernetesSandboxBackend,
) -> None:
    await until_ready(warm_backend)
    spec = make_spec(
        warm_backend,
        "import sys\nfor line in sys.stdin:\n    print('echo', line.strip(), flush=True)\n",
        stdin=b"first\n",
        interactive=True,
    )
    handle = await warm_backend.launch(spec)
    assert handle.pod_name.startswith("podrun-warm-")
    collecting = asyncio.create_task(collect(handle, timeout=30))
    await handle.write_stdin(b"second\n")
    await handle.close_stdin()
    observations = await collecting
    assert output_of(observations) == b"echo first\necho second\n"
    assert classify(outcome_of(observations)).status == ExecutionStatus.COMPLETED


async def test_other_limits_start_a_cold_pod(
    warm_backend: KubernetesSandboxBackend,
) -> None:
    pool = await until_ready(warm_backend)
    spec = make_spec(warm_backend, "print('cold')", limits=with_limits(memory_mib=256))
    name, observations = await run(warm_backend, spec)
    assert not name.startswith("podrun-warm-")
    assert output_of(observations) == b"cold\n"
    assert pool.stats.hits == 0 and pool.stats.misses == {"shape": 1}
    assert pool.ready_count() == WARM  # untouched


async def test_a_burst_larger_than_the_pool_falls_back_to_cold_pods(
    warm_backend: KubernetesSandboxBackend, emulator: ClusterEmulator
) -> None:
    pool = await until_ready(warm_backend)
    specs = [make_spec(warm_backend, f"print({i})") for i in range(WARM + 3)]
    results = await asyncio.gather(*(run(warm_backend, spec) for spec in specs))

    names = [name for name, _ in results]
    assert len(set(names)) == len(names)  # no pod served twice
    assert sum(name.startswith("podrun-warm-") for name in names) == WARM
    for i, (_, observations) in enumerate(results):
        assert output_of(observations) == f"{i}\n".encode()
        assert classify(outcome_of(observations)).status == ExecutionStatus.COMPLETED
    assert pool.stats.hits == WARM and pool.stats.misses == {"empty": 3}


async def test_concurrent_claims_on_the_same_pods_serve_each_once(
    warm_backend: KubernetesSandboxBackend, config: KubernetesBackendConfig
) -> None:
    """Two pools that both believe they own the same idle pods (two leaders overlapping):
    the API's compare-and-set lets each pod go to exactly one execution."""
    pool = await until_ready(warm_backend)
    await pool.stop()  # no refills: only the pods that exist now can be claimed
    twin = WarmPodPool(
        warm_backend._api,  # type: ignore[arg-type]
        pool_config(config),
        pool_shapes(pool_config(config)),
        owner=pool.owner,
    )
    await twin.refresh()
    assert twin.ready_count() == WARM
    specs = [make_spec(warm_backend, "print(1)") for _ in range(2 * WARM)]
    claims = await asyncio.gather(
        *((pool if i % 2 else twin).claim(spec) for i, spec in enumerate(specs))
    )
    won = [c for c in claims if c is not None]
    assert len(won) == WARM
    assert len({c["metadata"]["name"] for c in won}) == WARM
    # Each pod is labelled for the one execution whose claim won it.
    owners = [c["metadata"]["labels"]["podrun.dev/execution-id"] for c in won]
    assert len(set(owners)) == WARM and set(owners) <= {spec.execution_id for spec in specs}


async def test_pods_that_die_or_age_out_are_replaced(
    config: KubernetesBackendConfig, emulator: ClusterEmulator, kubelet: SimulatedKubelet
) -> None:
    backend = KubernetesSandboxBackend(pool_config(config, warm_pod_max_idle_seconds=3.0))
    await backend.start()
    try:
        pool = await until_ready(backend)
        first = set(warm_pods(emulator))
        victim = sorted(first)[0]
        await kubelet._kill_container(victim, graceful=False)  # the node loses it
        await eventually(
            lambda: victim not in live_objects(emulator, PODS), 10, "the dead pod retired"
        )
        await until_ready(backend)
        # Every pod of the first generation is replaced once it waited too long.
        await eventually(
            lambda: not first & set(warm_pods(emulator)) and pool.ready_count() == WARM,
            30,
            "pods past their idle age replaced",
        )
        assert pool.stats.retired >= WARM
    finally:
        await backend.close()


async def test_shutdown_removes_the_warm_pods(
    config: KubernetesBackendConfig, emulator: ClusterEmulator
) -> None:
    backend = KubernetesSandboxBackend(pool_config(config))
    await backend.start()
    await until_ready(backend)
    assert len(warm_pods(emulator)) == WARM
    await backend.close()
    await eventually(lambda: not warm_pods(emulator, None), 10, "no warm pods left")


async def test_the_reaper_removes_orphaned_warm_pods(
    config: KubernetesBackendConfig, emulator: ClusterEmulator
) -> None:
    leader = KubernetesSandboxBackend(pool_config(config))
    await leader.start()
    await until_ready(leader)
    await leader.suspend()  # a leader that is gone (its pods stay, ownerless)
    successor = KubernetesSandboxBackend(config)  # now without a pool
    await successor.start()
    try:

        async def nothing_active(ids: set[str]) -> set[str]:
            return set()

        result = await successor.reaper(nothing_active, min_age_seconds=0).reap_once()
        assert len(result.pods) == WARM
        await eventually(lambda: not warm_pods(emulator, None), 10, "no warm pods left")
    finally:
        await successor.close()
        await leader.close()


async def test_a_new_leader_adopts_the_pool_and_the_old_one_cannot_take_it_back(
    config: KubernetesBackendConfig, emulator: ClusterEmulator
) -> None:
    old = KubernetesSandboxBackend(pool_config(config))
    await old.start()
    await until_ready(old)
    left = set(warm_pods(emulator))
    await old.suspend()  # leadership lost

    new = KubernetesSandboxBackend(pool_config(config))
    await new.start()
    try:
        pool = new.pool
        assert pool is not None and pool.stats.adopted == WARM and pool.stats.created == 0
        assert {
            p["metadata"]["labels"]["podrun.dev/pool-owner"] for p in warm_pods(emulator).values()
        } == {pool.owner}
        await old.close()  # its shutdown must not delete what the new leader owns now
        assert set(warm_pods(emulator)) == left
        name, observations = await run(new, make_spec(new, "print('adopted')"))
        assert name in left
        assert output_of(observations) == b"adopted\n"
    finally:
        await new.close()


def test_a_warm_pod_is_as_locked_down_as_a_cold_one(config: KubernetesBackendConfig) -> None:
    from service.adapters.sandbox.kubernetes.podspecs import build_pod
    from service.adapters.sandbox.kubernetes.poolpods import build_pool_pod

    warm_config = pool_config(config)
    (shape,) = pool_shapes(warm_config)
    warm = build_pool_pod(shape, warm_config, owner="worker-1")
    # As the worker launches every run: collecting the files it leaves.
    cold_spec = SandboxSpec(
        execution_id="e1",
        runtime=shape.runtime,
        script="print(1)",
        limits=shape.limits,
        collect=FileCollection.for_limits(shape.limits),
    )
    cold = build_pod(cold_spec, warm_config, shape.image)
    warm_container, cold_container = warm["spec"]["containers"][0], cold["spec"]["containers"][0]
    assert warm_container["securityContext"] == cold_container["securityContext"]
    assert warm_container["resources"] == cold_container["resources"]
    for key in (
        "securityContext",
        "automountServiceAccountToken",
        "enableServiceLinks",
        "hostUsers",
        "restartPolicy",
    ):
        assert warm["spec"].get(key) == cold["spec"].get(key)
    assert warm_container["stdin"] is True and warm_container["stdinOnce"] is True
    assert warm_container["args"][0] == "--pooled"
    assert not any(e["name"] == "PODRUN_SCRIPT" for e in warm_container["env"])
    labels = warm["metadata"]["labels"]
    assert labels["podrun.dev/pool-state"] == "idle" and "podrun.dev/execution-id" not in labels
    # The cluster's backstop leaves room for the idle life and the longest run.
    assert warm["spec"]["activeDeadlineSeconds"] >= warm_config.warm_pod_max_idle_seconds + 10


async def test_warm_pods_count_against_the_quota_and_wait_for_room(
    config: KubernetesBackendConfig, emulator: ClusterEmulator
) -> None:
    emulator.pod_quota = 2  # the namespace's ResourceQuota: 2 pods
    backend = KubernetesSandboxBackend(pool_config(config, warm_pods={"python3.11": 3}))
    await backend.start()
    try:
        pool = backend.pool
        assert pool is not None
        await eventually(lambda: pool.ready_count() == 2, 30, "the pool filled to the quota")
        await eventually(lambda: pool.stats.create_failures >= 1, 10, "a refused warm pod")
        # Refusals slow the pool down, never an execution: it takes a warm pod, and the
        # pool fills the freed room once that pod is gone.
        name, observations = await run(backend, make_spec(backend, "print('fits')"))
        assert name.startswith("podrun-warm-") and output_of(observations) == b"fits\n"
        await eventually(
            lambda: name not in live_objects(emulator, PODS) and pool.ready_count() == 2,
            30,
            "the freed room refilled",
        )
        assert len(warm_pods(emulator, None)) == 2
    finally:
        await backend.close()


async def test_a_warm_run_reattached_by_a_new_leader_keeps_its_hand_over_clock(
    config: KubernetesBackendConfig, emulator: ClusterEmulator
) -> None:
    first = KubernetesSandboxBackend(pool_config(config))
    await first.start()
    await until_ready(first)
    await asyncio.sleep(2.5)  # idle time that must not count against the run
    spec = make_spec(
        first,
        "import time\nfor i in range(8):\n    print(i, flush=True)\n    time.sleep(0.2)\n",
        limits=with_limits(timeout_seconds=2.5),
    )
    handle = await first.launch(spec)
    assert handle.pod_name.startswith("podrun-warm-")
    await first.suspend()  # leadership lost while it runs; the pod keeps running

    second = KubernetesSandboxBackend(config)
    await second.start()
    try:
        resumed = await second.reattach(spec.execution_id)
        assert resumed is not None and resumed.pod_name == handle.pod_name
        observations = await collect(resumed, timeout=30)
        assert classify(outcome_of(observations)).status == ExecutionStatus.COMPLETED
        assert output_of(observations) == b"".join(f"{i}\n".encode() for i in range(8))
    finally:
        handle.discard()
        await second.close()
        await first.close()


async def test_a_claim_whose_hand_over_never_came_ends_in_error_not_a_verdict(
    warm_backend: KubernetesSandboxBackend,
) -> None:
    """The leader claimed a pod and died before it could send the script: the next
    leader's reattach must not judge a script that never ran (no TIMED_OUT)."""
    pool = await until_ready(warm_backend)
    spec = make_spec(warm_backend, "print(1)", limits=with_limits(timeout_seconds=0.5))
    claimed = await pool.claim(spec)  # the claim, and then nothing
    assert claimed is not None
    handle = await warm_backend.reattach(spec.execution_id)
    assert handle is not None and handle.pod_name == claimed["metadata"]["name"]
    outcome = outcome_of(await collect(handle, timeout=30))
    assert classify(outcome).status == ExecutionStatus.ERROR
    assert outcome.error is not None and "never reached its pod" in outcome.error


def test_every_ownership_change_is_conditioned_on_the_version_seen(
    config: KubernetesBackendConfig,
) -> None:
    from service.adapters.sandbox.kubernetes.claims import (
        adoption_patch,
        claim_patch,
        retire_options,
    )
    from service.adapters.sandbox.kubernetes.poolpods import build_pool_pod

    warm_config = pool_config(config)
    (shape,) = pool_shapes(warm_config)
    pod = build_pool_pod(shape, warm_config, owner="worker-1")
    pod["metadata"].update(resourceVersion="42", creationTimestamp="2026-01-01T00:00:00Z")
    spec = make_spec_for(shape, timeout_seconds=3.0, traceparent="00-abc-def-01")
    patch = claim_patch(pod, spec, warm_config)
    assert patch["metadata"]["resourceVersion"] == "42"
    assert patch["metadata"]["labels"]["podrun.dev/execution-id"] == spec.execution_id
    assert patch["metadata"]["labels"]["podrun.dev/pool-state"] == "claimed"
    annotations = patch["metadata"]["annotations"]
    assert annotations["podrun.dev/timeout-seconds"] == "3"
    assert annotations["podrun.dev/traceparent"] == "00-abc-def-01"
    assert "podrun.dev/handed-over-at" in annotations
    # An old pod: its deadline would have to grow, which the API refuses: left alone.
    assert "spec" not in patch
    pod["metadata"]["creationTimestamp"] = None
    lowered = claim_patch(pod, spec, warm_config)["spec"]["activeDeadlineSeconds"]
    assert lowered == 3 + warm_config.active_deadline_grace_seconds
    assert adoption_patch(pod, "worker-2")["metadata"] == {
        "resourceVersion": "42",
        "labels": {"podrun.dev/pool-owner": "worker-2"},
    }
    assert retire_options(pod)["preconditions"] == {"resourceVersion": "42"}


def make_spec_for(shape: Any, *, timeout_seconds: float, traceparent: str) -> SandboxSpec:
    return SandboxSpec(
        execution_id="e-1",
        runtime=shape.runtime,
        script="print(1)",
        limits=dataclasses.replace(shape.limits, timeout_seconds=timeout_seconds),
        env={"TRACEPARENT": traceparent},
    )
