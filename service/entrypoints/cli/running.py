"""`podrun run`: submit a script to a server and stream its output like a local process."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import httpx
import websockets

from service.entrypoints.cli.displays import DisplaySink
from service.entrypoints.cli.files import OUTPUTS, download_outputs
from service.entrypoints.cli.forwarding import forward_stdin
from service.entrypoints.cli.graphql_client import GraphQLClient, GraphQLRequestError

EXECUTE = """
mutation Run($input: ExecuteScriptInput!) {
  executeScript(input: $input) {
    __typename
    ... on Execution { id status }
    ... on InputError { message field }
  }
}
"""

EVENTS = """
subscription Events($id: ID!, $afterSeq: Int!) {
  executionEvents(id: $id, afterSeq: $afterSeq) {
    __typename
    ... on StatusEvent { seq status exitCode message }
    ... on OutputEvent { seq stream data }
    ... on DisplayEvent { seq mimeType data }
    ... on FileEvent { seq file { path size } }
  }
}
"""

FINAL = """
query Final($id: ID!) {
  execution(id: $id) { status exitCode errorMessage usage { cpuTimeMs peakMemoryKib wallTimeMs } }
}
"""

CANCEL = """
mutation Cancel($id: ID!) { cancelExecution(id: $id) { __typename } }
"""

# Exit codes for verdicts that have no script exit code of their own (like timeout(1)).
VERDICT_EXIT_CODES = {
    "TIMED_OUT": 124,
    "OUTPUT_LIMIT_EXCEEDED": 125,
    "OOM_KILLED": 137,
    "CANCELLED": 130,
    "ERROR": 70,
}
USAGE_ERROR = 2
RECONNECT_ATTEMPTS = 20


@dataclass
class RunOptions:
    url: str
    script: str
    stdin: str | None
    runtime: str | None
    limits: dict[str, Any]
    token: str | None = None
    quiet: bool = False
    # Forward this file descriptor (the CLI's own stdin) to the script as it is read.
    interactive_fd: int | None = None
    # FileInputs, arguments, EnvVarInputs.
    files: list[dict[str, str]] = field(default_factory=list)
    argv: list[str] = field(default_factory=list)
    env: list[dict[str, str]] = field(default_factory=list)
    # Where displays (plots...) and the files the run leaves are saved (displays.py,
    # files.py); None: displays only announced on stderr, files not downloaded.
    out_dir: Path | None = None
    # The name of the caller's workspace to run on.
    workspace: str | None = None


async def run_script(
    options: RunOptions, out: TextIO = sys.stdout, err: TextIO = sys.stderr
) -> int:
    client = GraphQLClient(options.url, token=options.token)
    payload: dict[str, Any] = {"script": options.script}
    if options.stdin is not None:
        payload["stdin"] = options.stdin
    if options.runtime:
        payload["runtime"] = options.runtime
    if options.limits:
        payload["limits"] = options.limits
    if options.interactive_fd is not None:
        payload["interactive"] = True
    for name in ("files", "argv", "env"):
        if getattr(options, name):
            payload[name] = getattr(options, name)
    try:
        if options.workspace is not None:
            from service.entrypoints.cli.workspaces import workspace_id

            payload["workspaceId"] = await workspace_id(client, options.workspace)
            if payload["workspaceId"] is None:
                print(f"podrun: you have no workspace named {options.workspace!r}", file=err)
                return USAGE_ERROR
        data = await client.execute(EXECUTE, {"input": payload})
    except (httpx.HTTPError, OSError) as error:
        print(f"podrun: cannot reach {client.url}: {error}", file=err)
        return USAGE_ERROR
    except GraphQLRequestError as error:
        print(f"podrun: {error}", file=err)
        return USAGE_ERROR
    result = data["executeScript"]
    if result["__typename"] != "Execution":
        where = f" ({result['field']})" if result.get("field") else ""
        print(f"podrun: {result['message']}{where}", file=err)
        return USAGE_ERROR
    execution_id = result["id"]
    forwarder: asyncio.Task[None] | None = None
    if options.interactive_fd is not None:
        forwarder = asyncio.create_task(
            forward_stdin(client, execution_id, options.interactive_fd, err)
        )
    try:
        final = await _stream(client, execution_id, out, err, DisplaySink(options.out_dir, err))
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await client.execute(CANCEL, {"id": execution_id})
        raise
    finally:
        if forwarder is not None:
            forwarder.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await forwarder
    code = await _report(client, execution_id, final, err, quiet=options.quiet)
    if options.out_dir is not None:
        outputs = (await client.execute(OUTPUTS, {"id": execution_id}))["execution"]
        if not await download_outputs(options.url, options.token, outputs, options.out_dir, err):
            return code or 1
    return code


async def _stream(
    client: GraphQLClient, execution_id: str, out: TextIO, err: TextIO, displays: DisplaySink
) -> dict[str, Any]:
    last_seq = 0
    failures = 0
    while True:
        try:
            events = client.subscribe(EVENTS, {"id": execution_id, "afterSeq": last_seq})
            async with contextlib.aclosing(events):
                async for data in events:
                    event = data["executionEvents"]
                    last_seq = event["seq"]
                    failures = 0
                    if event["__typename"] == "OutputEvent":
                        target = out if event["stream"] == "STDOUT" else err
                        target.write(event["data"])
                        target.flush()
                    elif event["__typename"] == "DisplayEvent":
                        displays.take(event)
                    elif event["__typename"] == "FileEvent":
                        continue  # downloaded at the end with --out
                    elif event["status"] not in ("QUEUED", "SCHEDULED", "RUNNING"):
                        return dict(event)
        except (OSError, websockets.WebSocketException) as error:
            failures += 1
            if failures > RECONNECT_ATTEMPTS:
                raise GraphQLRequestError(f"lost the event stream: {error}") from error
            await asyncio.sleep(min(0.1 * 2**failures, 2.0))


async def _report(
    client: GraphQLClient, execution_id: str, final: dict[str, Any], err: TextIO, *, quiet: bool
) -> int:
    status = final["status"]
    exit_code = final.get("exitCode")
    if not quiet:
        details = (await client.execute(FINAL, {"id": execution_id}))["execution"]
        parts = [f"podrun: {status}"]
        if exit_code is not None:
            parts.append(f"exit={exit_code}")
        usage = details.get("usage")
        if usage:
            parts.append(f"cpu={usage['cpuTimeMs']:.0f}ms")
            parts.append(f"mem={usage['peakMemoryKib'] / 1024:.1f}MiB")
            parts.append(f"wall={usage['wallTimeMs']:.0f}ms")
        if final.get("message") and status != "COMPLETED":
            parts.append(f"({final['message']})")
        parts.append(f"id={execution_id}")
        print(" ".join(parts), file=err)
    if status in ("COMPLETED", "FAILED") and exit_code is not None:
        return int(exit_code)
    return VERDICT_EXIT_CODES.get(status, 1)
