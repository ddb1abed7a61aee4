"""One trace per execution ties the mutation's HTTP request to the sandbox's start and finish.

The server runs in this process (a real uvicorn on loopback) so an in-memory span exporter can
see every span it makes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from service.adapters.telemetry.setup import configure_tracing
from service.entrypoints.http.app import create_app
from service.entrypoints.wiring import start_podrun
from service.settings import Settings
from tests.support.client import Api
from tests.support.servers import StoreProcess, free_port

EXPORTER = InMemorySpanExporter()


@pytest.fixture(scope="module")
async def traced(
    store: StoreProcess, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Api]:
    configure_tracing(extra=SimpleSpanProcessor(EXPORTER))
    settings = Settings(
        mongodb_uri=store.uri, database="telemetry", data_dir=Path(tmp_path_factory.mktemp("t"))
    )
    app = create_app(lambda: start_podrun(settings))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, ws="websockets-sansio")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "server failed to start"
        await asyncio.sleep(0.05)
    yield Api(f"http://127.0.0.1:{port}")
    server.should_exit = True
    await task


def spans_of(trace_id: str) -> list[ReadableSpan]:
    return [
        s for s in EXPORTER.get_finished_spans() if format(s.context.trace_id, "032x") == trace_id
    ]


async def wait_for_span(trace_id: str, name: str) -> ReadableSpan:
    for _ in range(100):
        found = [s for s in spans_of(trace_id) if s.name == name]
        if found:
            return found[0]
        await asyncio.sleep(0.05)
    raise AssertionError(
        f"no span {name} in trace {trace_id}: {sorted(s.name for s in spans_of(trace_id))}"
    )


def ancestors(span: ReadableSpan, spans: list[ReadableSpan]) -> list[str]:
    by_id = {s.context.span_id: s for s in spans}
    names = []
    parent = span.parent
    while parent is not None and parent.span_id in by_id:
        current = by_id[parent.span_id]
        names.append(current.name)
        parent = current.parent
    return names


@pytest.mark.parametrize(
    ("script", "limits", "status"),
    [
        ("print('ok')", {}, "COMPLETED"),
        ("raise SystemExit(3)", {}, "FAILED"),
        ("import time; time.sleep(10)", {"timeoutSeconds": 0.5}, "TIMED_OUT"),
        ("x = []\nwhile True: x.append(bytearray(1 << 23))", {"memoryMib": 48}, "OOM_KILLED"),
        ("while True: print('y' * 100)", {"maxOutputBytes": 500}, "OUTPUT_LIMIT_EXCEEDED"),
    ],
)
async def test_one_trace_spans_request_and_sandbox_for_every_verdict(
    traced: Api, script: str, limits: dict, status: str
) -> None:
    execution = await traced.run(script, limits=limits)
    assert execution["status"] == status
    trace_id = execution["traceId"]
    assert trace_id and len(trace_id) == 32
    root = await wait_for_span(trace_id, "podrun.execution")
    spans = spans_of(trace_id)
    names = {s.name for s in spans}
    assert {"podrun.queue_wait", "podrun.sandbox.launch", "podrun.sandbox.run"} <= names
    assert root.attributes["podrun.status"] == status
    assert root.attributes["podrun.execution.id"] == execution["id"]
    assert [e.name for e in root.events][:2] == ["SCHEDULED", "RUNNING"]
    # The worker's spans hang under the HTTP request that submitted the script.
    assert any(name.startswith("POST /graphql") for name in ancestors(root, spans))
    run = next(s for s in spans if s.name == "podrun.sandbox.run")
    assert run.attributes["podrun.usage.wall_time_ms"] > 0
    # Database calls are traced too (pymongo instrumentation).
    assert any(s.attributes and s.attributes.get("db.system") == "mongodb" for s in spans)


async def test_cancelled_execution_is_traced(traced: Api) -> None:
    submitted = await traced.submit("import time; time.sleep(30)")
    await traced.wait_status(submitted["id"], {"RUNNING"})
    await traced.cancel(submitted["id"])
    root = await wait_for_span(submitted["traceId"], "podrun.execution")
    assert root.attributes["podrun.status"] == "CANCELLED"


async def test_sandbox_gets_traceparent_of_the_execution(traced: Api) -> None:
    execution = await traced.run("import os; print(os.environ['TRACEPARENT'])")
    assert execution["stdout"].split("-")[1] == execution["traceId"]


async def test_scripts_are_redacted_from_graphql_spans(traced: Api) -> None:
    execution = await traced.run("print('top secret 12345')")
    await wait_for_span(execution["traceId"], "podrun.execution")
    for span in spans_of(execution["traceId"]):
        for value in (span.attributes or {}).values():
            assert "top secret 12345" not in str(value)


async def test_metrics_count_verdicts_and_capacity(traced: Api) -> None:
    await traced.run("print(1)")
    base = traced.client.url.removesuffix("/graphql")
    async with httpx.AsyncClient() as http:
        text = (await http.get(f"{base}/metrics")).text
    completed = [
        line
        for line in text.splitlines()
        if line.startswith("podrun_executions_finished_total{") and 'status="COMPLETED"' in line
    ]
    assert completed
    assert float(completed[0].rsplit(" ", 1)[1]) >= 1
    assert "podrun_queue_wait_seconds_bucket" in text
    assert "podrun_dispatcher_capacity " in text
    assert "podrun_output_bytes_total" in text
