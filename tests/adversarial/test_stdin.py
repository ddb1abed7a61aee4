"""Attacks through interactive stdin: a script that never reads while input floods in, a
script that closes its stdin, input that is not valid text."""

from __future__ import annotations

import json

import httpx

from tests.support.client import Api
from tests.support.stdin import SEND_INPUT, send_input

PIECE = "z" * (64 * 1024)


async def test_input_flood_to_a_script_that_never_reads(api: Api) -> None:
    submitted = await api.submit(
        "import time\nprint('sleeping', flush=True)\ntime.sleep(60)",
        interactive=True,
        limits={"timeoutSeconds": 3},
    )
    # Far more than a pipe holds: the worker's writer waits, nothing blocks the service.
    for _ in range(24):
        assert (await send_input(api, submitted["id"], PIECE))["__typename"] == "InputAccepted"
    await api.events(submitted["id"], timeout=60)
    execution = await api.get(submitted["id"])
    assert (execution["status"], execution["stdout"]) == ("TIMED_OUT", "sleeping\n")


async def test_a_script_that_closes_its_stdin_ends_normally(api: Api) -> None:
    script = "import os, time\nos.close(0)\nprint('closed', flush=True)\ntime.sleep(1)\n"
    submitted = await api.submit(script, interactive=True, limits={"timeoutSeconds": 20})
    await api.wait_status(submitted["id"], {"RUNNING", "COMPLETED"})
    for _ in range(5):
        result = await send_input(api, submitted["id"], "nobody reads this\n")
        assert result["__typename"] in ("InputAccepted", "ExecutionNotRunning")
    await api.events(submitted["id"], timeout=60)
    execution = await api.get(submitted["id"])
    assert (execution["status"], execution["stdout"]) == ("COMPLETED", "closed\n")


async def test_input_that_is_not_valid_text_is_refused(api: Api) -> None:
    submitted = await api.submit(
        "print(repr(input()))", interactive=True, limits={"timeoutSeconds": 20}
    )
    # A lone surrogate can only be sent as a JSON escape; no client library encodes it.
    body = json.dumps(
        {
            "query": SEND_INPUT,
            "variables": {"id": submitted["id"], "data": "bad \ud800 surrogate\n"},
        }
    )
    async with httpx.AsyncClient() as http:
        response = await http.post(
            api.client.url, content=body, headers={"Content-Type": "application/json"}, timeout=30
        )
    refused = response.json()["data"]["sendExecutionInput"]
    assert (refused["__typename"], refused["field"]) == ("InputError", "data")
    # Control characters and NULs are just bytes for the script.
    assert (await send_input(api, submitted["id"], "a\x00b\x1b[2J\n"))["__typename"] == (
        "InputAccepted"
    )
    await api.events(submitted["id"], timeout=60)
    execution = await api.get(submitted["id"])
    assert (execution["status"], execution["stdout"]) == ("COMPLETED", "'a\\x00b\\x1b[2J'\n")
