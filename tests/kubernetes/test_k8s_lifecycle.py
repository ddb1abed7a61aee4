"""A script's whole life in a pod, against the emulated cluster: bodies sent, observations,
verdicts and cleanup."""

from __future__ import annotations

import asyncio

import kmock
from k8s_cluster import PODS, ClusterEmulator, PodPlan, SimulatedKubelet
from k8s_sandboxes import collect, make_spec, outcome_of, output_of, with_limits

from service.adapters.sandbox.kubernetes import KubernetesSandboxBackend
from service.adapters.sandbox.kubernetes.podspecs import build_configmap, build_pod
from service.domain.sandboxes import (
    OutputStream,
    SandboxFinished,
    SandboxOutput,
    SandboxScheduled,
    SandboxStarted,
)
from service.domain.statuses import ExecutionStatus
from service.domain.verdicts import classify

CONFIGMAPS = kmock.resource("", "v1", "configmaps")
NAMESPACE = "podrun-sandboxes"


def requests_to(emulator: ClusterEmulator, method: str, fragment: str) -> list[kmock.Request]:
    return [
        r
        for r in emulator
        if r.method == method
        and fragment in r.url.path
        and "simulated-kubelet" not in r.headers.get("User-Agent", "")
    ]


async def wait_until_gone(emulator: ClusterEmulator, resource: kmock.resource, name: str) -> None:
    for _ in range(100):
        key = (resource, NAMESPACE, name)
        if key not in emulator.objects or emulator.objects[key].deleted:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{name} was not deleted")


async def test_script_completes_with_ordered_streams(
    backend: KubernetesSandboxBackend, emulator: ClusterEmulator
) -> None:
    spec = make_spec(
        backend,
        (
            "import sys, time\n"
            "print('out 1', flush=True); time.sleep(0.05)\n"
            "print('err 1', file=sys.stderr, flush=True); time.sleep(0.05)\n"
            "print('out 2', flush=True); time.sleep(0.05)\n"
            "print('err 2', file=sys.stderr)\n"
        ),
    )
    observations = await collect(await backend.launch(spec))

    assert isinstance(observations[0], SandboxScheduled)
    assert isinstance(observations[1], SandboxStarted)
    # Chunks may split a line; what matters is the interleaving of the streams.
    outputs: list[tuple[OutputStream, bytes]] = []
    for o in observations:
        if isinstance(o, SandboxOutput):
            if outputs and outputs[-1][0] == o.stream:
                outputs[-1] = (o.stream, outputs[-1][1] + o.data)
            else:
                outputs.append((o.stream, o.data))
    assert outputs == [
        (OutputStream.STDOUT, b"out 1\n"),
        (OutputStream.STDERR, b"err 1\n"),
        (OutputStream.STDOUT, b"out 2\n"),
        (OutputStream.STDERR, b"err 2\n"),
    ]
    outcome = outcome_of(observations)
    assert outcome.exit_code == 0
    assert outcome.usage is not None and outcome.usage.wall_time_ms > 0
    assert outcome.usage.cpu_time_ms > 0 and outcome.usage.peak_memory_kib > 0
    assert classify(outcome).status == ExecutionStatus.COMPLETED


async def test_exact_bodies_are_sent_and_everything_is_cleaned_up(
    backend: KubernetesSandboxBackend, emulator: ClusterEmulator
) -> None:
    spec = make_spec(backend, "print('hi')", env={"TRACEPARENT": "00-abc-def-01"}, stdin=b"in")
    handle = await backend.launch(spec)
    name = f"podrun-{spec.execution_id}"
    image = "ghcr.io/podrun/runner:3.11"

    [cm_create] = requests_to(emulator, "POST", f"/namespaces/{NAMESPACE}/configmaps")
    [pod_create] = requests_to(emulator, "POST", f"/namespaces/{NAMESPACE}/pods")
    assert cm_create.data == {
        **build_configmap(spec, backend.config),
        "metadata": {
            **build_configmap(spec, backend.config)["metadata"],
            **{
                k: cm_create.data["metadata"][k]
                for k in ("uid", "creationTimestamp", "resourceVersion")
            },
        },
    }
    sent_pod = dict(pod_create.data)
    expected = build_pod(spec, backend.config, image)
    assert sent_pod["spec"] == expected["spec"]
    assert sent_pod["metadata"]["labels"] == expected["metadata"]["labels"]
    assert cm_create.id < pod_create.id, "the ConfigMap exists before the pod that mounts it"

    [owner_patch] = requests_to(emulator, "PATCH", f"/configmaps/{name}")
    assert owner_patch.id > pod_create.id
    pod_uid = emulator.objects[PODS, NAMESPACE, name]["metadata"]["uid"]
    assert owner_patch.data["metadata"]["ownerReferences"] == [
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "name": name,
            "uid": pod_uid,
            "controller": False,
            "blockOwnerDeletion": False,
        }
    ]
    assert owner_patch.headers["Content-Type"] == "application/merge-patch+json"

    observations = await collect(handle)
    assert output_of(observations) == b"hi\n"
    [delete] = requests_to(emulator, "DELETE", f"/pods/{name}")
    assert delete.data == {"propagationPolicy": "Background"}
    await wait_until_gone(emulator, PODS, name)
    await wait_until_gone(emulator, CONFIGMAPS, name)  # owned by the pod: garbage-collected


async def test_given_stdin_reaches_the_script(backend: KubernetesSandboxBackend) -> None:
    spec = make_spec(backend, "import sys; print(sys.stdin.read().upper())", stdin=b"hello")
    observations = await collect(await backend.launch(spec))
    assert output_of(observations) == b"HELLO\n"


async def test_failing_script_keeps_its_exit_code_and_output(
    backend: KubernetesSandboxBackend,
) -> None:
    spec = make_spec(backend, "import sys; print('partial'); sys.exit(3)")
    observations = await collect(await backend.launch(spec))
    outcome = outcome_of(observations)
    assert outcome.exit_code == 3
    assert output_of(observations) == b"partial\n"
    assert classify(outcome).status == ExecutionStatus.FAILED


async def test_a_signal_is_reported(backend: KubernetesSandboxBackend) -> None:
    spec = make_spec(backend, "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)")
    outcome = outcome_of(await collect(await backend.launch(spec)))
    assert outcome.signal == 11
    verdict = classify(outcome)
    assert verdict.status == ExecutionStatus.FAILED and verdict.exit_code == 139


async def test_oom_killed(backend: KubernetesSandboxBackend, kubelet: SimulatedKubelet) -> None:
    spec = make_spec(backend, "import sys, time; sys.stdout.write('allocating\\n'); time.sleep(30)")
    kubelet.plans[spec.execution_id] = PodPlan(oom_after_output=True)
    observations = await collect(await backend.launch(spec))
    outcome = outcome_of(observations)
    assert outcome.oom_killed
    assert classify(outcome).status == ExecutionStatus.OOM_KILLED
    assert output_of(observations) == b"allocating\n"


async def test_runner_timeout_is_exact(backend: KubernetesSandboxBackend) -> None:
    spec = make_spec(
        backend,
        "import time; print('tick', flush=True); time.sleep(30)",
        limits=with_limits(timeout_seconds=0.5),
    )
    observations = await collect(await backend.launch(spec))
    outcome = outcome_of(observations)
    assert outcome.timed_out
    assert outcome.usage is not None and 500 <= outcome.usage.wall_time_ms < 2000
    assert classify(outcome).status == ExecutionStatus.TIMED_OUT
    assert output_of(observations) == b"tick\n"


async def test_our_own_timeout_backs_up_the_runner(
    backend: KubernetesSandboxBackend, kubelet: SimulatedKubelet, emulator: ClusterEmulator
) -> None:
    spec = make_spec(
        backend, "import time; time.sleep(30)", limits=with_limits(timeout_seconds=0.5)
    )
    kubelet.plans[spec.execution_id] = PodPlan(drop_env=("PODRUN_TIMEOUT_SECONDS",))
    loop = asyncio.get_running_loop()
    started = loop.time()
    outcome = outcome_of(await collect(await backend.launch(spec)))
    assert outcome.timed_out
    assert classify(outcome).status == ExecutionStatus.TIMED_OUT
    assert loop.time() - started < 5
    kills = requests_to(emulator, "DELETE", f"/pods/podrun-{spec.execution_id}")
    assert kills[0].data == {"propagationPolicy": "Background", "gracePeriodSeconds": 0}


async def test_deadline_exceeded_is_a_timeout(
    backend: KubernetesSandboxBackend, kubelet: SimulatedKubelet
) -> None:
    spec = make_spec(backend, "import time; print('slow', flush=True); time.sleep(30)")
    kubelet.plans[spec.execution_id] = PodPlan(active_deadline=0.5)
    observations = await collect(await backend.launch(spec))
    outcome = outcome_of(observations)
    assert outcome.timed_out
    assert classify(outcome).status == ExecutionStatus.TIMED_OUT
    assert output_of(observations) == b"slow\n"


async def test_output_cap_keeps_exactly_the_first_bytes(backend: KubernetesSandboxBackend) -> None:
    spec = make_spec(
        backend,
        "import sys, time\nsys.stdout.write('a' * 3000); sys.stdout.flush()\n"
        "sys.stderr.write('b' * 3000); sys.stderr.flush(); time.sleep(30)",
        limits=with_limits(max_output_bytes=4000),
    )
    observations = await collect(await backend.launch(spec))
    outcome = outcome_of(observations)
    assert outcome.output_limit_exceeded
    assert classify(outcome).status == ExecutionStatus.OUTPUT_LIMIT_EXCEEDED
    assert output_of(observations, OutputStream.STDOUT) == b"a" * 3000
    assert output_of(observations, OutputStream.STDERR) == b"b" * 1000


async def test_output_cap_is_enforced_again_on_our_side(
    backend: KubernetesSandboxBackend, kubelet: SimulatedKubelet, emulator: ClusterEmulator
) -> None:
    spec = make_spec(
        backend,
        "import sys, time\nfor _ in range(50):\n    print('x' * 99, flush=True)\ntime.sleep(30)",
        limits=with_limits(max_output_bytes=1234),
    )
    kubelet.plans[spec.execution_id] = PodPlan(drop_env=("PODRUN_MAX_OUTPUT_BYTES",))
    observations = await collect(await backend.launch(spec))
    outcome = outcome_of(observations)
    assert outcome.output_limit_exceeded
    assert output_of(observations) == (b"x" * 99 + b"\n") * 12 + b"x" * 34
    kills = requests_to(emulator, "DELETE", f"/pods/podrun-{spec.execution_id}")
    assert kills[0].data["gracePeriodSeconds"] == 0


async def test_image_pull_failure_past_the_deadline_is_an_error(
    backend: KubernetesSandboxBackend, kubelet: SimulatedKubelet
) -> None:
    spec = make_spec(backend, "print(1)")
    kubelet.plans[spec.execution_id] = PodPlan(image_error="ErrImagePull")
    observations = await collect(await backend.launch(spec))
    outcome = outcome_of(observations)
    assert outcome.error is not None
    assert "ghcr.io/podrun/runner:3.11" in outcome.error
    assert "cannot be pulled" in outcome.error and "ImagePullBackOff" in outcome.error
    assert not any(isinstance(o, SandboxStarted) for o in observations)
    assert classify(outcome).status == ExecutionStatus.ERROR


async def test_invalid_image_name_fails_at_once(
    backend: KubernetesSandboxBackend, kubelet: SimulatedKubelet
) -> None:
    spec = make_spec(backend, "print(1)")
    kubelet.plans[spec.execution_id] = PodPlan(image_error="InvalidImageName")
    outcome = outcome_of(await collect(await backend.launch(spec), timeout=2))
    assert outcome.error is not None and "invalid" in outcome.error


async def test_unschedulable_past_the_deadline_is_an_error(
    backend: KubernetesSandboxBackend, kubelet: SimulatedKubelet, emulator: ClusterEmulator
) -> None:
    spec = make_spec(backend, "print(1)")
    kubelet.plans[spec.execution_id] = PodPlan(unschedulable=True)
    observations = await collect(await backend.launch(spec))
    outcome = outcome_of(observations)
    assert outcome.error is not None
    assert "no node can run the sandbox pod" in outcome.error
    assert "Insufficient memory" in outcome.error
    assert not any(isinstance(o, SandboxScheduled) for o in observations)
    await wait_until_gone(emulator, PODS, f"podrun-{spec.execution_id}")


async def test_cancel_deletes_the_pod_at_once(
    backend: KubernetesSandboxBackend, emulator: ClusterEmulator
) -> None:
    spec = make_spec(backend, "import sys, time\nsys.stdout.write('working\\n')\ntime.sleep(30)")
    handle = await backend.launch(spec)
    observations = []
    async for observation in handle.observations():
        observations.append(observation)
        if isinstance(observation, SandboxOutput):
            await handle.cancel()
            await handle.cancel()  # idempotent
    outcome = outcome_of(observations)
    assert outcome.cancelled
    assert classify(outcome).status == ExecutionStatus.CANCELLED
    assert output_of(observations) == b"working\n"
    name = f"podrun-{spec.execution_id}"
    deletes = requests_to(emulator, "DELETE", f"/pods/{name}")
    assert deletes[0].data == {"propagationPolicy": "Background", "gracePeriodSeconds": 0}
    await wait_until_gone(emulator, PODS, name)


async def test_cancel_before_the_pod_starts(
    backend: KubernetesSandboxBackend, kubelet: SimulatedKubelet
) -> None:
    spec = make_spec(backend, "print(1)")
    kubelet.plans[spec.execution_id] = PodPlan(unschedulable=True)
    handle = await backend.launch(spec)
    await handle.cancel()
    observations = await collect(handle, timeout=8)
    assert outcome_of(observations).cancelled


async def test_pod_deleted_by_someone_else_is_an_error(
    backend: KubernetesSandboxBackend, emulator: ClusterEmulator
) -> None:
    spec = make_spec(backend, "import time; print('up', flush=True); time.sleep(30)")
    handle = await backend.launch(spec)
    observations = []
    async for observation in handle.observations():
        observations.append(observation)
        if isinstance(observation, SandboxOutput):
            await emulator.delete(f"/api/v1/namespaces/{NAMESPACE}/pods/podrun-{spec.execution_id}")
    outcome = outcome_of(observations)
    assert outcome.error is not None
    assert classify(outcome).status == ExecutionStatus.ERROR


async def test_many_sandboxes_at_once(backend: KubernetesSandboxBackend) -> None:
    specs = [make_spec(backend, f"print({i} * 2)") for i in range(6)]
    handles = [await backend.launch(spec) for spec in specs]
    results = await asyncio.gather(*(collect(h) for h in handles))
    for i, observations in enumerate(results):
        assert output_of(observations) == f"{i * 2}\n".encode()
        assert isinstance(observations[-1], SandboxFinished)
