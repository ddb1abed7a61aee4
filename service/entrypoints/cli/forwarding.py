"""`podrun run -i`: forward the CLI's own stdin to an interactive execution, as typed.

A daemon thread reads the file descriptor (a terminal, a pipe or a file alike) and hands
chunks to the event loop; they are sent with `sendExecutionInput` one after another, so the
server numbers them in the order they were read. End of input sends `eof: true`. The thread
is a daemon so that a read blocked on a terminal never keeps the CLI from exiting when the
script ends.
"""

from __future__ import annotations

import asyncio
import codecs
import os
import threading
from typing import Any, TextIO

import httpx

from service.entrypoints.cli.graphql_client import GraphQLClient, GraphQLRequestError

SEND_INPUT = """
mutation Send($id: ID!, $data: String!, $eof: Boolean) {
  sendExecutionInput(id: $id, data: $data, eof: $eof) {
    __typename
    ... on Error { message }
  }
}
"""

# Below the server's per-call cap (64 KiB of UTF-8) whatever the decoder holds back.
READ_BYTES = 32 * 1024


def _read_into(loop: asyncio.AbstractEventLoop, fd: int, queue: asyncio.Queue[bytes]) -> None:
    while True:
        try:
            data = os.read(fd, READ_BYTES)
        except OSError:
            data = b""
        try:
            loop.call_soon_threadsafe(queue.put_nowait, data)
        except RuntimeError:  # the loop is closed: the run is over
            return
        if not data:
            return


async def forward_stdin(client: GraphQLClient, execution_id: str, fd: int, err: TextIO) -> None:
    """Send what arrives on `fd` until its end (then EOF) or until the server refuses input
    (the execution ended or closed its stdin)."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    threading.Thread(
        target=_read_into, args=(loop, fd, queue), name="podrun-stdin", daemon=True
    ).start()
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    while True:
        data = await queue.get()
        eof = not data
        text = decoder.decode(data, final=eof)
        if not text and not eof:
            continue
        try:
            answer = await client.execute(
                SEND_INPUT, {"id": execution_id, "data": text, "eof": eof}
            )
        except (httpx.HTTPError, OSError, GraphQLRequestError) as error:
            # The output keeps streaming; only typing stops reaching the script.
            print(f"podrun: cannot send input: {error}", file=err)
            return
        result: dict[str, Any] = answer["sendExecutionInput"]
        kind = result["__typename"]
        if kind != "InputAccepted":
            if kind not in ("ExecutionNotRunning", "StdinClosed"):
                print(f"podrun: input not accepted: {result.get('message')}", file=err)
            return
        if eof:
            return
