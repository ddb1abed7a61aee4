"""Driving interactive executions: `sendExecutionInput` and a live dialogue with a script."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from tests.support.client import EVENTS, TERMINAL, Api

SEND_INPUT = """
mutation($id: ID!, $data: String!, $eof: Boolean) {
  sendExecutionInput(id: $id, data: $data, eof: $eof) {
    __typename
    ... on InputAccepted { id seq bytes eof }
    ... on InputError { message field }
    ... on ExecutionNotFound { message id }
    ... on ExecutionNotRunning { message id status }
    ... on StdinClosed { message id }
  }
}
"""


async def send_input(
    api: Api, execution_id: str, data: str, *, eof: bool = False
) -> dict[str, Any]:
    result: dict[str, Any] = (await api.gql(SEND_INPUT, id=execution_id, data=data, eof=eof))[
        "sendExecutionInput"
    ]
    return result


async def dialogue(
    api: Api,
    execution_id: str,
    on_stdout: Callable[[str], Awaitable[None]],
    *,
    timeout: float = 60,
) -> list[dict[str, Any]]:
    """Follow the events live; after each stdout chunk call `on_stdout(stdout so far)`.
    Returns all events (ends with the terminal status)."""
    events: list[dict[str, Any]] = []
    stdout = ""

    async def follow() -> None:
        nonlocal stdout
        async for data in api.client.subscribe(EVENTS, {"id": execution_id, "afterSeq": 0}):
            event = data["executionEvents"]
            events.append(event)
            if event["__typename"] == "OutputEvent" and event["stream"] == "STDOUT":
                stdout += event["data"]
                await on_stdout(stdout)
            elif event["__typename"] == "StatusEvent" and event["status"] in TERMINAL:
                return

    await asyncio.wait_for(follow(), timeout)
    return events
