"""One trace per execution over the kubernetes backend, as an operator would export it.

A real `podrun serve` (PODRUN_BACKEND=kubernetes, OTEL_TRACES_EXPORTER=console) prints every
span it ends; the trace whose id is `Execution.traceId` must hold the HTTP request that
submitted the script, the worker's spans, the pod's lifecycle and the Kubernetes API calls.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from k8s_cluster import running_cluster
from k8s_podrun import (
    MISSING_IMAGE,
    NODE_MEMORY_MIB,
    podrun_env,
    start,
    stop,
    unique_database,
    write_kubeconfig,
)

from tests.support.client import Api
from tests.support.servers import PodrunProcess, StoreProcess

Span = dict[str, Any]


@pytest.fixture(scope="module")
async def traced(
    store: StoreProcess, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[PodrunProcess]:
    workdir = tmp_path_factory.mktemp("k8s-traces")
    async with running_cluster(workdir / "node") as (_emulator, kubelet, url):
        kubelet.node_memory_mib = NODE_MEMORY_MIB
        kubelet.missing_images = {MISSING_IMAGE}
        kubelet.enforce_memory = True
        env = podrun_env(
            store,
            unique_database("k8s_traces"),
            write_kubeconfig(workdir, url),
            OTEL_TRACES_EXPORTER="console",
        )
        server = await start(PodrunProcess(workdir / "server", ["serve"], env=env))
        try:
            yield server
        finally:
            await stop(server)


def exported_spans(server: PodrunProcess) -> list[Span]:
    """The console exporter's JSON objects, picked out of the process's mixed output."""
    text = server.log_path.read_text(errors="replace")
    decoder = json.JSONDecoder()
    spans: list[Span] = []
    index = text.find('{\n    "name"')
    while index != -1:
        try:
            span, end = decoder.raw_decode(text, index)
        except ValueError:
            end = index + 1
        else:
            spans.append(span)
        index = text.find('{\n    "name"', end)
    return spans


def trace_of(server: PodrunProcess, trace_id: str) -> list[Span]:
    return [s for s in exported_spans(server) if s["context"]["trace_id"] == f"0x{trace_id}"]


async def wait_for_trace(server: PodrunProcess, trace_id: str, names: set[str]) -> list[Span]:
    for _ in range(200):
        spans = trace_of(server, trace_id)
        if names <= {s["name"] for s in spans}:
            return spans
        await asyncio.sleep(0.1)
    found = sorted({s["name"] for s in trace_of(server, trace_id)})
    raise AssertionError(f"trace {trace_id} lacks {names}; it has {found}")


def ancestors(span: Span, spans: list[Span]) -> list[str]:
    by_id = {s["context"]["span_id"]: s for s in spans}
    names: list[str] = []
    parent = span.get("parent_id")
    while parent in by_id:
        names.append(by_id[parent]["name"])
        parent = by_id[parent].get("parent_id")
    return names


def named(spans: list[Span], name: str) -> Span:
    return next(s for s in spans if s["name"] == name)


@pytest.mark.parametrize(
    ("script", "fields", "status"),
    [
        ("print('ok')", {}, "COMPLETED"),
        ("raise SystemExit(3)", {}, "FAILED"),
        ("import time; time.sleep(10)", {"limits": {"timeoutSeconds": 1}}, "TIMED_OUT"),
        (
            "import time\nx = [bytearray(8 << 20) for _ in range(16)]\ntime.sleep(30)",
            {"limits": {"memoryMib": 48, "timeoutSeconds": 20}},
            "OOM_KILLED",
        ),
        (
            "while True: print('y' * 100)",
            {"limits": {"maxOutputBytes": 500}},
            "OUTPUT_LIMIT_EXCEEDED",
        ),
    ],
)
async def test_one_trace_ties_the_mutation_to_the_pod_for_every_verdict(
    traced: PodrunProcess, script: str, fields: dict[str, Any], status: str
) -> None:
    execution = await Api(traced.url).run(script, **fields)
    assert execution["status"] == status
    trace_id = execution["traceId"]
    spans = await wait_for_trace(
        traced,
        trace_id,
        {"podrun.execution", "k8s.pod.create", "k8s.pod.running", "k8s.pod.delete"},
    )
    root = named(spans, "podrun.execution")
    assert root["attributes"]["podrun.status"] == status
    assert any(name.startswith("POST /graphql") for name in ancestors(root, spans))
    for pod_span in ("k8s.pod.create", "k8s.pod.pending", "k8s.pod.running", "k8s.pod.delete"):
        assert "podrun.execution" in ancestors(named(spans, pod_span), spans), pod_span
    running = named(spans, "k8s.pod.running")
    assert running["attributes"]["podrun.execution.id"] == execution["id"]
    # The Kubernetes API calls are in the trace, under the pod's spans.
    create = named(spans, "k8s.pod.create")
    calls = [
        s
        for s in spans
        if s["kind"] == "SpanKind.CLIENT" and "k8s.pod.create" in ancestors(s, spans)
    ]
    assert calls, f"no aiohttp client span under {create['name']}"
    assert any(
        "/pods" in str(s["attributes"].get("url.full", s["attributes"].get("http.url")))
        for s in calls
    )


async def test_cancel_and_errors_are_traced_too(traced: PodrunProcess) -> None:
    api = Api(traced.url)
    submitted = await api.submit("import time; time.sleep(30)")
    await api.wait_status(submitted["id"], {"RUNNING"}, timeout=60)
    await api.cancel(submitted["id"])
    spans = await wait_for_trace(
        traced, submitted["traceId"], {"podrun.execution", "k8s.pod.delete"}
    )
    assert named(spans, "podrun.execution")["attributes"]["podrun.status"] == "CANCELLED"

    failed = await api.run("print('never')", runtime="python3.13")
    assert failed["status"] == "ERROR"
    spans = await wait_for_trace(traced, failed["traceId"], {"podrun.execution", "k8s.pod.pending"})
    pending = named(spans, "k8s.pod.pending")
    assert pending["status"]["status_code"] == "ERROR"
    assert any(e["name"] == "waiting" for e in pending["events"])


async def test_the_pod_gets_the_traceparent_of_the_execution(traced: PodrunProcess) -> None:
    execution = await Api(traced.url).run("import os; print(os.environ['TRACEPARENT'])")
    assert execution["stdout"].split("-")[1] == execution["traceId"]
