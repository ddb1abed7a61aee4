"""The non-blocking pipe writer behind stdin and warm sandboxes' script hand-over."""

from __future__ import annotations

import asyncio
import os

from service.adapters.sandbox.local.pipes import PipeWriter


async def test_input_dropped_by_an_abort_reads_as_undelivered() -> None:
    read_end, write_end = os.pipe()
    try:
        writer = PipeWriter(asyncio.get_running_loop(), write_end)
        writer.write(b"x" * 1_000_000)  # far more than a pipe holds; nobody reads
        waiting = asyncio.create_task(writer.drain())
        await asyncio.sleep(0.05)
        assert not waiting.done()
        writer.abort()  # the sandbox ended
        await asyncio.wait_for(waiting, 5)
        assert writer.broken and writer.closed
    finally:
        os.close(read_end)


async def test_an_abort_after_everything_was_written_is_not_a_failure() -> None:
    read_end, write_end = os.pipe()
    try:
        writer = PipeWriter(asyncio.get_running_loop(), write_end)
        writer.write(b"small")
        await writer.drain()
        writer.abort()
        assert not writer.broken
        assert os.read(read_end, 100) == b"small"
    finally:
        os.close(read_end)
