"""The execution contract through GraphQL, over the kubernetes backend.

A real `podrun serve` subprocess (PODRUN_BACKEND=kubernetes) talks to the emulated API server
through a kubeconfig; the simulated kubelet in this process runs each pod with the real
runner. A client sees the same behaviour as with the local backend.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator

import aiohttp
import pytest
from k8s_cluster import ClusterEmulator, SimulatedKubelet, running_cluster
from k8s_podrun import (
    CONFIGMAPS,
    NAMESPACE,
    NODE_MEMORY_MIB,
    eventually,
    lease_holder,
    live_objects,
    podrun_env,
    pods_of,
    start,
    stop,
    unique_database,
    write_kubeconfig,
)

from tests.support.client import Api, output_of, statuses_of
from tests.support.servers import PodrunProcess, StoreProcess


class Deployment:
    def __init__(
        self, emulator: ClusterEmulator, kubelet: SimulatedKubelet, server: PodrunProcess
    ) -> None:
        self.emulator = emulator
        self.kubelet = kubelet
        self.server = server
        self.api = Api(server.url)


@pytest.fixture(scope="module")
async def deployment(
    store: StoreProcess, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Deployment]:
    workdir = tmp_path_factory.mktemp("k8s-graphql")
    async with running_cluster(workdir / "node") as (emulator, kubelet, url):
        kubelet.node_memory_mib = NODE_MEMORY_MIB
        kubelet.missing_images = {"registry.invalid/podrun/runner:3.13"}
        kubelet.enforce_memory = True
        env = podrun_env(
            store,
            unique_database("k8s_graphql"),
            write_kubeconfig(workdir, url),
            PODRUN_K8S_REAP_INTERVAL_SECONDS="1",
            PODRUN_K8S_REAP_MIN_AGE_SECONDS="0",
            # Anonymous callers may use the server's largest output cap, as users can.
            PODRUN_ROLE_MAX_LIMITS='{"anonymous": {"max_output_bytes": 16777216}}',
        )
        server = await start(PodrunProcess(workdir / "server", ["serve"], env=env))
        try:
            yield Deployment(emulator, kubelet, server)
        finally:
            await stop(server)


@pytest.fixture
def api(deployment: Deployment) -> Api:
    return deployment.api


async def test_exit_zero_completes_with_both_streams_and_usage(api: Api) -> None:
    execution = await api.run("import sys\nprint('hello')\nprint('oops', file=sys.stderr)")
    assert execution["status"] == "COMPLETED"
    assert execution["exitCode"] == 0
    assert execution["stdout"] == "hello\n"
    assert execution["stderr"] == "oops\n"
    assert execution["outputTruncated"] is False
    assert execution["usage"]["wallTimeMs"] > 0
    assert execution["startedAt"] and execution["finishedAt"]
    events = await api.events(execution["id"])
    assert statuses_of(events) == ["QUEUED", "SCHEDULED", "RUNNING", "COMPLETED"]


async def test_nonzero_exit_fails_and_keeps_the_code(api: Api) -> None:
    execution = await api.run("print('before'); raise SystemExit(3)")
    assert execution["status"] == "FAILED"
    assert execution["exitCode"] == 3
    assert execution["stdout"] == "before\n"


async def test_wall_clock_limit_times_out_and_keeps_output(api: Api) -> None:
    execution = await api.run(
        "import time\nprint('started', flush=True)\ntime.sleep(30)",
        limits={"timeoutSeconds": 1},
    )
    assert execution["status"] == "TIMED_OUT"
    assert execution["stdout"] == "started\n"


async def test_memory_hog_is_oom_killed(api: Api) -> None:
    # Bounded on purpose: if nothing killed it, it would time out rather than eat the host.
    execution = await api.run(
        "import time\nprint('allocating', flush=True)\nchunks = []\n"
        "for _ in range(64):\n    chunks.append(bytearray(8 * 1024 * 1024))\n    time.sleep(0.01)\n"
        "time.sleep(60)",
        limits={"memoryMib": 64, "timeoutSeconds": 20},
    )
    assert execution["status"] == "OOM_KILLED"
    assert execution["stdout"] == "allocating\n"


async def test_a_childs_oom_kill_does_not_steal_the_timeout(api: Api) -> None:
    hog = (
        "import time\\nchunks = []\\nfor _ in range(64):\\n"
        "    chunks.append(bytearray(8 * 1024 * 1024))\\n    time.sleep(0.01)\\n"
    )
    submitted = await api.submit(
        "import subprocess, sys, time\n"
        f"print(subprocess.run([sys.executable, '-c', '{hog}']).returncode, flush=True)\n"
        "time.sleep(60)\n",
        limits={"memoryMib": 64, "timeoutSeconds": 3},
    )
    events = await api.events(submitted["id"])
    execution = await api.get(submitted["id"])
    assert (execution["status"], execution["exitCode"]) == ("TIMED_OUT", None)
    assert execution["stdout"] == "-9\n"
    assert events[-1]["message"] == (
        "wall-clock time limit exceeded; "
        "a process of the script was killed for exceeding the memory limit"
    )


async def test_output_over_the_cap_keeps_exactly_the_first_bytes(api: Api) -> None:
    execution = await api.run(
        "import sys\nwhile True:\n    sys.stdout.write('0123456789')",
        limits={"maxOutputBytes": 1000},
    )
    assert execution["status"] == "OUTPUT_LIMIT_EXCEEDED"
    assert execution["outputTruncated"] is True
    assert execution["stdout"] == "0123456789" * 100


async def test_output_at_the_largest_cap_ends_and_keeps_every_byte(api: Api) -> None:
    # The store's 16 MiB document limit must not stop the terminal write.
    execution = await api.run(
        "import sys\nfor i in range(40):\n    sys.stdout.write('x' * 1000000)\n",
        limits={"maxOutputBytes": 16 * 1024 * 1024, "timeoutSeconds": 30},
        timeout=120,
    )
    assert execution["status"] == "OUTPUT_LIMIT_EXCEEDED"
    assert execution["stdout"] == "x" * (16 * 1024 * 1024)


async def test_an_image_that_cannot_be_pulled_is_an_error_naming_it(api: Api) -> None:
    execution = await api.run("print('never')", runtime="python3.13")
    assert execution["status"] == "ERROR"
    assert "registry.invalid/podrun/runner:3.13" in execution["errorMessage"]
    assert "pulled" in execution["errorMessage"]
    assert execution["stdout"] == ""
    events = await api.events(execution["id"])
    assert statuses_of(events) == ["QUEUED", "SCHEDULED", "ERROR"]


async def test_an_unschedulable_pod_is_an_error_naming_the_cause(api: Api) -> None:
    execution = await api.run("print('never')", limits={"memoryMib": 2 * NODE_MEMORY_MIB})
    assert execution["status"] == "ERROR"
    assert "no node can run" in execution["errorMessage"]
    assert "Insufficient memory" in execution["errorMessage"]


async def test_output_streams_live_in_order_without_gaps(api: Api) -> None:
    script = (
        "import sys, time\n"
        "for i in range(5):\n"
        "    print(f'out {i}', flush=True)\n"
        "    print(f'err {i}', file=sys.stderr, flush=True)\n"
        "    time.sleep(0.2)\n"
    )
    submitted = await api.submit(script)
    received = await api.timed_events(submitted["id"])
    events = [r.event for r in received]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert statuses_of(events) == ["QUEUED", "SCHEDULED", "RUNNING", "COMPLETED"]
    assert output_of(events) == "".join(f"out {i}\n" for i in range(5))
    assert output_of(events, "STDERR") == "".join(f"err {i}\n" for i in range(5))
    # Streamed while running: the first output arrived well before the terminal event.
    first_output = next(r for r in received if r.event["__typename"] == "OutputEvent")
    assert received[-1].received_at - first_output.received_at > 0.4


async def test_replay_after_seq_gives_exactly_the_rest(api: Api) -> None:
    execution = await api.run("for i in range(3): print(i, flush=True)")
    everything = await api.events(execution["id"])
    for after in range(len(everything) + 1):
        rest = await api.events(execution["id"], after_seq=after)
        assert rest == everything[after:]


async def test_cancel_deletes_the_pod(deployment: Deployment, api: Api) -> None:
    submitted = await api.submit(
        "import time\nprint('working', flush=True)\ntime.sleep(60)", limits={"timeoutSeconds": 60}
    )
    await api.wait_status(submitted["id"], {"RUNNING"}, timeout=60)
    assert pods_of(deployment.emulator, submitted["id"])
    await api.cancel(submitted["id"])
    events = await api.events(submitted["id"])
    assert statuses_of(events)[-1] == "CANCELLED"
    assert (await api.get(submitted["id"]))["stdout"] == "working\n"
    await eventually(
        lambda: not pods_of(deployment.emulator, submitted["id"]), what="the pod's deletion"
    )


async def test_one_replica_holds_the_lease(deployment: Deployment) -> None:
    holder = await eventually(lambda: lease_holder(deployment.emulator), what="a lease holder")
    assert f"-{deployment.server.process.pid}-" in holder  # type: ignore[union-attr]


async def test_reaper_deletes_what_no_active_execution_needs(
    deployment: Deployment, api: Api
) -> None:
    """Pods and ConfigMaps of unknown or finished executions go; the store decides."""
    running = await api.submit("import time\ntime.sleep(60)", limits={"timeoutSeconds": 60})
    await api.wait_status(running["id"], {"RUNNING"}, timeout=60)
    labels = {
        "app.kubernetes.io/managed-by": "podrun",
        "podrun.dev/execution-id": "unknown0000000000",
    }
    stray = {
        "metadata": {"name": "podrun-stray", "labels": labels},
        "data": {"script.py": "print(1)"},
    }
    url = f"{deployment.kubelet.base_url}/api/v1/namespaces/{NAMESPACE}/configmaps"
    async with aiohttp.ClientSession() as session, session.post(url, json=stray) as response:
        assert response.status < 300
    await eventually(
        lambda: "podrun-stray" not in live_objects(deployment.emulator, CONFIGMAPS),
        what="the stray ConfigMap's deletion",
    )
    finished = await api.run("print('done')")
    await eventually(
        lambda: not pods_of(deployment.emulator, finished["id"]), what="the finished pod's deletion"
    )
    assert pods_of(deployment.emulator, running["id"]), "an active execution's pod stays"
    await api.cancel(running["id"])


FILES_RUN = """
mutation($input: ExecuteScriptInput!) {
  executeScript(input: $input) { __typename ... on Execution { id } ... on InputError { message } }
}
"""
FILES_GET = """
query($id: ID!) { execution(id: $id) {
  status stdout stderr outputFiles { path size sha256 } skippedFiles { path reason }
} }
"""


async def test_files_and_arguments_go_in_and_output_files_come_back(api: Api) -> None:
    script = (
        "import os, sys\n"
        "rows = open('data.csv').read().splitlines()\n"
        "print(len(rows), sys.argv[1:])\n"
        "open('out.txt', 'w').write('|'.join(rows[::-1]))\n"
        "os.symlink('/etc/passwd', 'passwd')\n"
    )
    data = await api.gql(
        FILES_RUN,
        input={
            "script": script,
            "files": [{"path": "data.csv", "content": "a\nb\nc"}],
            "argv": ["--all"],
        },
    )
    submitted = data["executeScript"]
    assert submitted["__typename"] == "Execution", submitted
    await api.events(submitted["id"])
    execution = (await api.gql(FILES_GET, id=submitted["id"]))["execution"]
    assert execution["status"] == "COMPLETED", execution
    assert execution["stdout"] == "3 ['--all']\n"
    assert execution["outputFiles"] == [
        {"path": "out.txt", "size": 5, "sha256": hashlib.sha256(b"c|b|a").hexdigest()}
    ]
    assert execution["skippedFiles"] == [{"path": "passwd", "reason": "symbolic link"}]
