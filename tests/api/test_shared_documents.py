"""Subscribers of one execution share each event's execution when their documents agree
(`graphql/fanout.py`): each still gets exactly what its own document selects."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.support.client import Api

DATA_ONLY = (
    "subscription($id: ID!) { executionEvents(id: $id) { __typename "
    "... on StatusEvent { seq status } ... on OutputEvent { seq data } } }"
)
STREAM_ONLY = (
    "subscription($id: ID!) { executionEvents(id: $id) { __typename "
    "... on StatusEvent { seq status } ... on OutputEvent { seq stream } } }"
)
ALIASED = (
    "subscription($id: ID!) { e: executionEvents(id: $id) { kind: __typename "
    "... on StatusEvent { seq status } ... on OutputEvent { seq text: data } } }"
)


async def follow(api: Api, query: str, execution_id: str) -> list[dict[str, Any]]:
    events = []
    async for data in api.client.subscribe(query, {"id": execution_id}):
        events.append(next(iter(data.values())))
    return events


async def test_each_subscriber_gets_its_own_document_even_when_others_share_one(
    api: Api,
) -> None:
    submitted = await api.submit(
        "import time\ntime.sleep(1)\nfor i in range(5):\n    print(i, flush=True)\n"
        "    time.sleep(0.05)"
    )
    queries = [DATA_ONLY, DATA_ONLY, STREAM_ONLY, ALIASED, DATA_ONLY]
    results = await asyncio.wait_for(
        asyncio.gather(*(follow(api, q, submitted["id"]) for q in queries)), 60
    )
    first, second, by_stream, aliased, third = results
    assert first == second == third
    outputs = [e for e in first if e["__typename"] == "OutputEvent"]
    assert "".join(e["data"] for e in outputs) == "0\n1\n2\n3\n4\n"
    assert all(set(e) == {"__typename", "seq", "data"} for e in outputs)
    streamed = [e for e in by_stream if e["__typename"] == "OutputEvent"]
    assert streamed and all(set(e) == {"__typename", "seq", "stream"} for e in streamed)
    texts = [e for e in aliased if e["kind"] == "OutputEvent"]
    assert "".join(e["text"] for e in texts) == "0\n1\n2\n3\n4\n"
    assert [e["seq"] for e in aliased] == [e["seq"] for e in first]
