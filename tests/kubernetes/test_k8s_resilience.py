"""Faults between the backend and the cluster: expired and dropped watches, dropped log
streams, worker restarts (reattach), interactive stdin, launch failures, orphans."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from pathlib import Path

import kmock
import pytest
from k8s_cluster import PODS, ClusterEmulator, LogDrop, PodPlan, SimulatedKubelet
from k8s_sandboxes import collect, make_spec, outcome_of, output_of

from service.adapters.sandbox.kubernetes import KubernetesBackendConfig, KubernetesSandboxBackend
from service.adapters.sandbox.kubernetes.api import KubeApi
from service.adapters.sandbox.kubernetes.watching import PodEvent, PodWatcher
from service.domain.runtimes import Runtime
from service.domain.sandboxes import (
    OutputStream,
    SandboxObservation,
    SandboxOutput,
    SandboxStarted,
)
from service.services.ports.sandbox import BackendUnavailable, SandboxLaunchError

CONFIGMAPS = kmock.resource("", "v1", "configmaps")
NAMESPACE = "podrun-sandboxes"
COUNTING = "import time\nfor i in range({n}):\n    print(f'line {{i}}', flush=True)\n    time.sleep({pause})\n"


def counting(n: int, pause: float) -> tuple[str, bytes]:
    return COUNTING.format(n=n, pause=pause), b"".join(f"line {i}\n".encode() for i in range(n))


async def test_watch_expiry_relists_and_the_execution_goes_on(
    backend: KubernetesSandboxBackend, emulator: ClusterEmulator
) -> None:
    script, expected = counting(5, 0.1)
    handle = await backend.launch(make_spec(backend, script))
    collecting = asyncio.create_task(collect(handle))
    await asyncio.sleep(0.2)
    watcher = backend._watcher
    assert watcher is not None
    relists = watcher.relists
    emulator.compact()  # the watch is cut, and its resourceVersion is now too old: 410
    observations = await collecting
    assert output_of(observations) == expected
    assert outcome_of(observations).exit_code == 0
    assert watcher.relists > relists


async def test_relist_reports_pods_deleted_while_not_watching(
    config: KubernetesBackendConfig, emulator: ClusterEmulator, kubelet: SimulatedKubelet
) -> None:
    backend = KubernetesSandboxBackend(config)
    await backend.start()
    try:
        spec = make_spec(backend, "print(1)")
        kubelet.plans[spec.execution_id] = PodPlan(unschedulable=True)
        await backend.launch(spec)
        watcher = backend._watcher
        assert watcher is not None
        events: list[PodEvent] = []
        watcher.subscribe(spec.execution_id, events.append)
        emulator.drop_watches = 10**6  # an outage: every watch ends at once
        await asyncio.sleep(0.2)
        await emulator.delete(f"/api/v1/namespaces/{NAMESPACE}/pods/podrun-{spec.execution_id}")
        emulator.compact()
        emulator.drop_watches = 0
        for _ in range(100):
            if any(e.type == "DELETED" for e in events):
                break
            await asyncio.sleep(0.05)
        assert any(e.type == "DELETED" for e in events)
        assert watcher.latest(spec.execution_id) is None
    finally:
        await backend.close()


async def test_dropped_watches_are_resumed(
    backend: KubernetesSandboxBackend, emulator: ClusterEmulator
) -> None:
    emulator.drop_watches = 3
    script, expected = counting(3, 0.05)
    observations = await collect(await backend.launch(make_spec(backend, script)))
    assert output_of(observations) == expected
    assert outcome_of(observations).exit_code == 0


async def test_watch_requests_use_bookmarks_and_resume_from_versions(
    backend: KubernetesSandboxBackend, emulator: ClusterEmulator
) -> None:
    await asyncio.sleep(2.5)  # past one watch timeout
    watches = [
        r for r in emulator if r.params.get("watch") == "true" and "labelSelector" in r.params
    ]
    assert len(watches) >= 2
    for watch in watches:
        assert watch.params["allowWatchBookmarks"] == "true"
        assert watch.params["labelSelector"] == "app.kubernetes.io/managed-by=podrun"
        assert watch.params["timeoutSeconds"] == "2"
        assert watch.params["resourceVersion"].isdigit()
    lists = [
        r
        for r in emulator
        if r.params.get("watch") != "true"
        and r.url.path.endswith("/pods")
        and "labelSelector" in r.params
    ]
    assert lists and int(watches[0].params["resourceVersion"]) >= 100


async def test_dropped_log_streams_lose_and_repeat_nothing(
    backend: KubernetesSandboxBackend, kubelet: SimulatedKubelet
) -> None:
    kubelet.log_drops = [
        LogDrop(after_lines=2, partial=True),
        LogDrop(after_lines=3, partial=False),
        LogDrop(after_lines=0, partial=True),
    ]
    script, expected = counting(20, 0.02)
    handle = await backend.launch(make_spec(backend, script))
    observations = await collect(handle)
    assert output_of(observations, OutputStream.STDOUT) == expected
    assert outcome_of(observations).exit_code == 0
    assert handle.log_reconnects >= 3


async def test_reattach_continues_without_duplicates(
    config: KubernetesBackendConfig, emulator: ClusterEmulator
) -> None:
    script, expected = counting(12, 0.1)
    first = KubernetesSandboxBackend(config)
    await first.start()
    spec = make_spec(first, script)
    handle = await first.launch(spec)
    delivered = b""
    observations = handle.observations()
    async for observation in observations:
        if isinstance(observation, SandboxOutput):
            delivered += observation.data
            if delivered.count(b"\n") >= 3:
                break
    await observations.aclose()  # type: ignore[attr-defined]
    await first.close()  # the worker dies; the pod runs on
    assert (PODS, NAMESPACE, f"podrun-{spec.execution_id}") in emulator.objects

    second = KubernetesSandboxBackend(config)
    await second.start()
    try:
        resumed = await second.reattach(spec.execution_id)
        assert resumed is not None
        resumed.skip_delivered_output(stdout_bytes=len(delivered))
        rest = await collect(resumed)
        assert delivered + output_of(rest) == expected
        assert outcome_of(rest).exit_code == 0
        assert isinstance(rest[1], SandboxStarted)
    finally:
        await second.close()


async def test_reattach_without_a_hint_replays_from_the_start(
    config: KubernetesBackendConfig,
) -> None:
    script, expected = counting(3, 0.2)
    first = KubernetesSandboxBackend(config)
    await first.start()
    spec = make_spec(first, script)
    await first.launch(spec)
    await first.close()
    second = KubernetesSandboxBackend(config)
    await second.start()
    try:
        resumed = await second.reattach(spec.execution_id)
        assert resumed is not None
        observations = await collect(resumed)
        assert output_of(observations) == expected
        assert await second.reattach("no-such-execution") is None
    finally:
        await second.close()


async def test_interactive_stdin_through_attach(
    backend: KubernetesSandboxBackend, kubelet: SimulatedKubelet
) -> None:
    spec = make_spec(
        backend,
        "import sys\nfor line in sys.stdin:\n    print('echo', line.strip(), flush=True)\nprint('eof')",
        stdin=b"first\n",
        interactive=True,
    )
    handle = await backend.launch(spec)
    observations: list[SandboxObservation] = []

    async def observe() -> None:
        async for observation in handle.observations():
            observations.append(observation)

    observing = asyncio.create_task(observe())
    await handle.write_stdin(b"second\n")  # waits for the container to run
    await handle.write_stdin(b"third\n")
    for _ in range(100):
        if b"echo third" in output_of(observations):
            break
        await asyncio.sleep(0.05)
    await handle.close_stdin()
    await handle.close_stdin()  # idempotent
    await asyncio.wait_for(observing, 10)
    assert output_of(observations) == b"echo first\necho second\necho third\neof\n"
    assert kubelet.stdin_received[f"podrun-{spec.execution_id}"] == b"second\nthird\n"
    with pytest.raises(BrokenPipeError):
        await handle.write_stdin(b"too late\n")


async def test_stdin_of_a_non_interactive_sandbox_is_closed(
    backend: KubernetesSandboxBackend,
) -> None:
    handle = await backend.launch(make_spec(backend, "print(1)"))
    with pytest.raises(BrokenPipeError):
        await handle.write_stdin(b"x")
    await handle.close_stdin()
    await collect(handle)


async def test_failed_pod_creation_is_a_launch_error_and_cleans_up(
    backend: KubernetesSandboxBackend, emulator: ClusterEmulator
) -> None:
    emulator[kmock.action.CREATE, PODS] << kmock.KubernetesError(
        status=403, reason="Forbidden", message="pods is forbidden: exceeded quota"
    )
    spec = make_spec(backend, "print(1)")
    with pytest.raises(SandboxLaunchError, match="exceeded quota"):
        await backend.launch(spec)
    name = f"podrun-{spec.execution_id}"
    deletes = [r.url.path for r in emulator if r.method == "DELETE"]
    assert f"/api/v1/namespaces/{NAMESPACE}/configmaps/{name}" in deletes


async def test_runtime_without_image_is_a_launch_error(backend: KubernetesSandboxBackend) -> None:
    spec = make_spec(backend, "print(1)")
    unknown = Runtime(id="python2.7", language="python", version="2.7", command=("python",))
    with pytest.raises(SandboxLaunchError, match="no sandbox image"):
        await backend.launch(
            type(spec)(**{**{f: getattr(spec, f) for f in spec.__slots__}, "runtime": unknown})
        )


async def test_unreachable_api_makes_the_backend_unavailable() -> None:
    backend = KubernetesSandboxBackend(
        KubernetesBackendConfig(api_url="http://127.0.0.1:9", request_timeout_seconds=2)
    )
    with pytest.raises(BackendUnavailable, match="podrun-sandboxes"):
        await backend.start()


async def test_reaper_deletes_what_no_active_execution_needs(
    backend: KubernetesSandboxBackend, emulator: ClusterEmulator, kubelet: SimulatedKubelet
) -> None:
    base = f"/api/v1/namespaces/{NAMESPACE}"
    for execution_id in ("active1", "done1", "unknown1"):
        kubelet.plans[execution_id] = PodPlan(unschedulable=True)
        labels = {"app.kubernetes.io/managed-by": "podrun", "podrun.dev/execution-id": execution_id}
        await emulator.post(
            f"{base}/pods",
            json={
                "metadata": {"name": f"podrun-{execution_id}", "labels": labels},
                "spec": {"containers": [{"name": "script", "image": "x"}]},
            },
        )
        await emulator.post(
            f"{base}/configmaps",
            json={"metadata": {"name": f"podrun-{execution_id}", "labels": labels}, "data": {}},
        )
    await emulator.post(
        f"{base}/configmaps",
        json={
            "metadata": {
                "name": "podrun-orphan1",
                "labels": {
                    "app.kubernetes.io/managed-by": "podrun",
                    "podrun.dev/execution-id": "orphan1",
                },
            }
        },
    )
    await emulator.post(f"{base}/pods", json={"metadata": {"name": "someone-elses"}})

    asked: list[set[str]] = []

    async def active_executions(ids: set[str]) -> set[str]:
        asked.append(ids)
        return ids & {"active1"}

    assert (await backend.reaper(active_executions, min_age_seconds=3600).reap_once()).pods == []
    result = await backend.reaper(active_executions, min_age_seconds=0).reap_once()
    assert asked[-1] == {"active1", "done1", "unknown1", "orphan1"}
    assert sorted(result.pods) == ["podrun-done1", "podrun-unknown1"]
    assert sorted(result.configmaps) == ["podrun-done1", "podrun-orphan1", "podrun-unknown1"]

    def exists(resource: kmock.resource, name: str) -> bool:
        key = (resource, NAMESPACE, name)
        return key in emulator.objects and not emulator.objects[key].deleted

    assert exists(PODS, "podrun-active1") and exists(CONFIGMAPS, "podrun-active1")
    assert exists(PODS, "someone-elses")
    assert not exists(PODS, "podrun-done1") and not exists(CONFIGMAPS, "podrun-orphan1")


async def test_watcher_ignores_pods_that_are_not_ours(
    config: KubernetesBackendConfig, emulator: ClusterEmulator
) -> None:
    from kubernetes_asyncio.client import ApiClient, Configuration

    client = ApiClient(Configuration(host=config.api_url))
    watcher = PodWatcher(KubeApi(client, request_timeout=5), config)
    try:
        await watcher.start(timeout=5)
        seen: list[PodEvent] = []
        watcher.subscribe("x1", seen.append)
        await emulator.post(
            f"/api/v1/namespaces/{NAMESPACE}/pods",
            json={"metadata": {"name": "impostor", "labels": {"podrun.dev/execution-id": "x1"}}},
        )
        await asyncio.sleep(0.3)
        assert seen == []
    finally:
        await watcher.stop()
        await client.close()


async def test_connects_through_a_kubeconfig_with_a_token(
    config: KubernetesBackendConfig, emulator: ClusterEmulator, tmp_path: Path
) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "emulated", "cluster": {"server": config.api_url}}],
                "users": [{"name": "worker", "user": {"token": "s3cr3t"}}],
                "contexts": [
                    {"name": "podrun", "context": {"cluster": "emulated", "user": "worker"}}
                ],
                "current-context": "podrun",
            }
        )
    )
    backend = KubernetesSandboxBackend(replace(config, api_url=None, kubeconfig=str(kubeconfig)))
    await backend.start()
    try:
        observations = await collect(
            await backend.launch(make_spec(backend, "print('via kubeconfig')"))
        )
        assert output_of(observations) == b"via kubeconfig\n"
    finally:
        await backend.close()
    ours = [r for r in emulator if "OpenAPI" in r.headers.get("User-Agent", "")]
    assert ours and all(r.headers.get("Authorization") == "Bearer s3cr3t" for r in ours)
