"""Files and arguments on Kubernetes, against the emulated cluster with the real runner.

Input files and argv reach a cold pod over its attach channel (the warm pods' hand-over);
the files a run leaves come back as "f" frames in its log. Nothing here looks into the
pod's directory to learn what the run left: the outcome must say it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio
from k8s_cluster import PODS, ClusterEmulator, SimulatedKubelet
from k8s_podrun import eventually
from k8s_sandboxes import collect, make_spec, outcome_of, output_of

from service.adapters.sandbox.kubernetes import KubernetesBackendConfig, KubernetesSandboxBackend
from service.adapters.sandbox.kubernetes.podspecs import COLLECT_ANNOTATION
from service.domain.files import FileCollection, FileContent, SkippedFile
from service.domain.limits import Limits
from service.domain.sandboxes import OutputStream, SandboxSpec
from service.domain.statuses import ExecutionStatus
from service.domain.verdicts import classify

COLLECT = FileCollection.for_limits(Limits())

READ_INPUTS_WRITE_OUTPUT = """
import hashlib, pathlib, sys
rows = pathlib.Path("data/in.csv").read_text().splitlines()
weights = pathlib.Path("weights.bin").read_bytes()
report = f"{sys.argv[1:]} rows={len(rows)} weights={hashlib.sha256(weights).hexdigest()}"
pathlib.Path("out").mkdir()
pathlib.Path("out/report.txt").write_text(report)
print("wrote", len(report))
"""
INPUTS = (
    FileContent("data/in.csv", b"a,b\n1,2\n3,4\n"),
    FileContent("weights.bin", bytes(range(256)) * 1024),
)
ARGV = ("--mode", "fast and loose")


def expected_report() -> bytes:
    weights = hashlib.sha256(INPUTS[1].data).hexdigest()
    return f"{list(ARGV)} rows=3 weights={weights}".encode()


def files_spec(backend: KubernetesSandboxBackend, script: str, **kwargs: Any) -> SandboxSpec:
    return make_spec(backend, script, collect=COLLECT, **kwargs)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def test_a_cold_run_reads_its_files_and_arguments_and_its_output_comes_back(
    backend: KubernetesSandboxBackend, emulator: ClusterEmulator, kubelet: SimulatedKubelet
) -> None:
    spec = files_spec(backend, READ_INPUTS_WRITE_OUTPUT, files=INPUTS, argv=ARGV)
    handle = await backend.launch(spec)
    observations = await collect(handle)

    outcome = outcome_of(observations)
    assert classify(outcome).status == ExecutionStatus.COMPLETED, outcome
    assert (
        output_of(observations, OutputStream.STDOUT) == f"wrote {len(expected_report())}\n".encode()
    )
    # Only what the run made: the inputs it left as they were are not outputs.
    assert [(f.path, sha256(f.data)) for f in outcome.files] == [
        ("out/report.txt", sha256(expected_report()))
    ]
    assert outcome.skipped_files == ()
    # The files went in over attach, as the hand-over (no ConfigMap, nothing in the pod spec).
    line, _, rest = kubelet.stdin_received[handle.pod_name].partition(b"\n")
    files_header = json.loads(line)
    assert files_header["t"] == "files"
    stream = rest[: files_header["bytes"]]
    assert INPUTS[1].data in stream and INPUTS[0].data in stream
    run_header = json.loads(rest[files_header["bytes"] :].partition(b"\n")[0])
    assert run_header["t"] == "run" and run_header["argv"] == list(ARGV)
    pod = emulator.objects[PODS, backend.config.namespace, handle.pod_name].last.raw
    container = pod["spec"]["containers"][0]
    assert container["args"][0] == "--pooled"
    assert container["stdin"] is True and container["stdinOnce"] is True
    assert "weights.bin" not in json.dumps(pod)
    assert pod["metadata"]["annotations"][COLLECT_ANNOTATION] == (
        f"{COLLECT.max_files},{COLLECT.max_file_bytes},{COLLECT.max_total_bytes}"
    )


async def test_a_changed_input_comes_back_and_a_symlink_is_reported_as_skipped(
    backend: KubernetesSandboxBackend,
) -> None:
    script = (
        "import os\nopen('data/in.csv', 'a').write('5,6\\n')\nos.symlink('/etc/passwd', 'passwd')\n"
    )
    spec = files_spec(backend, script, files=INPUTS)
    outcome = outcome_of(await collect(await backend.launch(spec)))

    assert classify(outcome).status == ExecutionStatus.COMPLETED, outcome
    assert [(f.path, f.data) for f in outcome.files] == [("data/in.csv", b"a,b\n1,2\n3,4\n5,6\n")]
    assert outcome.skipped_files == (SkippedFile("passwd", "symbolic link"),)


async def test_a_plain_run_that_collects_gets_its_files_without_a_hand_over(
    backend: KubernetesSandboxBackend, emulator: ClusterEmulator, kubelet: SimulatedKubelet
) -> None:
    payload = bytes(range(256)) * 100  # many "f" frames
    spec = files_spec(backend, "open('made.bin', 'wb').write(bytes(range(256)) * 100); print('ok')")
    handle = await backend.launch(spec)
    observations = await collect(handle)

    outcome = outcome_of(observations)
    assert [(f.path, sha256(f.data)) for f in outcome.files] == [("made.bin", sha256(payload))]
    assert output_of(observations) == b"ok\n"
    assert handle.pod_name not in kubelet.stdin_received
    pod = emulator.objects[PODS, backend.config.namespace, handle.pod_name].last.raw
    assert "--pooled" not in pod["spec"]["containers"][0]["args"]


async def test_an_input_path_with_dotdot_is_refused_inside_the_pod(
    backend: KubernetesSandboxBackend, kubelet: SimulatedKubelet
) -> None:
    # The service validates paths first; this is the runner's own refusal, if one got by.
    spec = files_spec(
        backend,
        "open('ran', 'w').write('yes')",
        files=(FileContent("../escaped.txt", b"bad"),),
    )
    handle = await backend.launch(spec)
    observations = await collect(handle)

    outcome = outcome_of(observations)
    assert outcome.exit_code == 126
    assert classify(outcome).status == ExecutionStatus.FAILED
    assert b"cannot place the input files: refusing path '../escaped.txt'" in output_of(
        observations, OutputStream.STDERR
    )
    assert outcome.files == ()
    pod_dir = kubelet.workdir / handle.pod_name
    assert not (pod_dir / "escaped.txt").exists()
    assert not (pod_dir / "work" / "ran").exists()


async def test_a_run_that_collects_nothing_returns_no_files(
    backend: KubernetesSandboxBackend,
) -> None:
    spec = make_spec(backend, "open('left.txt', 'w').write('x')", argv=("a",))
    outcome = outcome_of(await collect(await backend.launch(spec)))
    assert outcome.exit_code == 0
    assert outcome.files == () and outcome.skipped_files == ()


@pytest_asyncio.fixture
async def warm_backend(config: KubernetesBackendConfig) -> AsyncIterator[KubernetesSandboxBackend]:
    backend = KubernetesSandboxBackend(
        dataclasses.replace(
            config,
            warm_pods={"python3.11": 1},
            warm_pod_reconcile_seconds=0.5,
            warm_pod_max_timeout_seconds=10.0,
        )
    )
    await backend.start()
    try:
        yield backend
    finally:
        await backend.close()


async def test_a_warm_pod_gets_the_files_and_arguments_in_its_hand_over(
    warm_backend: KubernetesSandboxBackend, emulator: ClusterEmulator, kubelet: SimulatedKubelet
) -> None:
    pool = warm_backend.pool
    assert pool is not None
    await eventually(lambda: pool.ready_count() >= 1, 30, "a warm pod ready")
    spec = files_spec(
        warm_backend,
        READ_INPUTS_WRITE_OUTPUT + "import os; os.symlink('x', 'dangling')\n",
        files=INPUTS,
        argv=ARGV,
    )
    handle = await warm_backend.launch(spec)
    observations = await collect(handle, timeout=30)

    assert handle.pod_name.startswith("podrun-warm-")
    outcome = outcome_of(observations)
    assert classify(outcome).status == ExecutionStatus.COMPLETED, outcome
    assert [(f.path, sha256(f.data)) for f in outcome.files] == [
        ("out/report.txt", sha256(expected_report()))
    ]
    assert outcome.skipped_files == (SkippedFile("dangling", "symbolic link"),)
    # The claim keeps the bounds on the pod, for a worker that finds it again.
    claimed = emulator.objects[PODS, warm_backend.config.namespace, handle.pod_name].last.raw
    assert claimed["metadata"]["annotations"][COLLECT_ANNOTATION] == (
        f"{COLLECT.max_files},{COLLECT.max_file_bytes},{COLLECT.max_total_bytes}"
    )
