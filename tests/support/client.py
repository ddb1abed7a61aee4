"""A test client speaking GraphQL over HTTP and graphql-transport-ws to a real server."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from service.entrypoints.cli.graphql_client import GraphQLClient

EXECUTION_FIELDS = """
  id status runtime script stdin exitCode stdout stderr outputTruncated errorMessage traceId
  createdAt startedAt finishedAt lastSeq
  limits { timeoutSeconds memoryMib cpuMillicores maxProcesses maxOutputBytes diskMib }
  usage { cpuTimeMs peakMemoryKib wallTimeMs }
"""

EXECUTE = f"""
mutation($input: ExecuteScriptInput!) {{
  executeScript(input: $input) {{
    __typename
    ... on Execution {{ {EXECUTION_FIELDS} }}
    ... on InputError {{ message field }}
  }}
}}
"""

GET = f"query($id: ID!) {{ execution(id: $id) {{ {EXECUTION_FIELDS} }} }}"

CANCEL = f"""
mutation($id: ID!) {{
  cancelExecution(id: $id) {{
    __typename
    ... on Execution {{ {EXECUTION_FIELDS} }}
    ... on ExecutionNotFound {{ message id }}
  }}
}}
"""

EVENTS = """
subscription($id: ID!, $afterSeq: Int!) {
  executionEvents(id: $id, afterSeq: $afterSeq) {
    __typename
    ... on StatusEvent { seq at status exitCode message }
    ... on OutputEvent { seq at stream data }
    ... on DisplayEvent { seq at mimeType data }
  }
}
"""

TERMINAL = {
    "COMPLETED",
    "FAILED",
    "TIMED_OUT",
    "OOM_KILLED",
    "OUTPUT_LIMIT_EXCEEDED",
    "CANCELLED",
    "ERROR",
}


@dataclass
class ReceivedEvent:
    event: dict[str, Any]
    received_at: float  # time.time() when the client got it


class Api:
    """`token`: an access or API token sent as `Authorization: Bearer …` (HTTP) and as
    `connectionParams.authorization` (WebSocket); None calls anonymously."""

    def __init__(self, url: str, token: str | None = None) -> None:
        self.url = url
        self.token = token
        self.client = GraphQLClient(url, token=token)

    def as_user(self, token: str | None) -> Api:
        """The same server, called with another token."""
        return Api(self.url, token)

    async def gql(self, query: str, **variables: Any) -> dict[str, Any]:
        return await self.client.execute(query, variables)

    async def submit(self, script: str, **fields: Any) -> dict[str, Any]:
        data = await self.gql(EXECUTE, input={"script": script, **fields})
        result: dict[str, Any] = data["executeScript"]
        return result

    async def run(self, script: str, *, timeout: float = 60, **fields: Any) -> dict[str, Any]:
        """Submit, wait for the terminal event over the subscription, return the Execution."""
        submitted = await self.submit(script, **fields)
        assert submitted["__typename"] == "Execution", submitted
        await self.events(submitted["id"], timeout=timeout)
        return await self.get(submitted["id"])

    async def get(self, execution_id: str) -> dict[str, Any]:
        data = await self.gql(GET, id=execution_id)
        result: dict[str, Any] = data["execution"]
        return result

    async def cancel(self, execution_id: str) -> dict[str, Any]:
        result: dict[str, Any] = (await self.gql(CANCEL, id=execution_id))["cancelExecution"]
        return result

    async def events(
        self, execution_id: str, after_seq: int = 0, *, timeout: float = 60
    ) -> list[dict[str, Any]]:
        return [r.event for r in await self.timed_events(execution_id, after_seq, timeout=timeout)]

    async def timed_events(
        self, execution_id: str, after_seq: int = 0, *, timeout: float = 60
    ) -> list[ReceivedEvent]:
        received: list[ReceivedEvent] = []

        async def collect() -> None:
            async for data in self.client.subscribe(
                EVENTS, {"id": execution_id, "afterSeq": after_seq}
            ):
                received.append(ReceivedEvent(data["executionEvents"], time.time()))

        await asyncio.wait_for(collect(), timeout)
        return received

    async def wait_status(
        self, execution_id: str, statuses: set[str], timeout: float = 30
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            execution = await self.get(execution_id)
            if execution["status"] in statuses:
                return execution
            if time.monotonic() > deadline:
                raise TimeoutError(f"{execution_id} still {execution['status']}")
            await asyncio.sleep(0.05)


def output_of(events: list[dict[str, Any]], stream: str = "STDOUT") -> str:
    return "".join(
        e["data"] for e in events if e["__typename"] == "OutputEvent" and e["stream"] == stream
    )


def statuses_of(events: list[dict[str, Any]]) -> list[str]:
    return [e["status"] for e in events if e["__typename"] == "StatusEvent"]
