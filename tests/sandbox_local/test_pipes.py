"""The non-blocking pipes between the worker and a sandbox: stdin, script hand-over, output."""

from __future__ import annotations

import asyncio
import os

from service.adapters.sandbox.local.pipes import (
    READ_BURST,
    READS_PER_SECOND,
    PipeReader,
    PipeWriter,
)


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


async def test_a_pipe_written_one_byte_at_a_time_is_read_a_bounded_number_of_times() -> None:
    loop = asyncio.get_running_loop()
    read_end, write_end = os.pipe()
    reads: list[bytes] = []
    reader = PipeReader(loop, read_end, reads.append)
    started = loop.time()
    try:
        for _ in range(2000):
            os.write(write_end, b"x")
            await asyncio.sleep(0)  # the loop may read after every byte
        os.close(write_end)
        await asyncio.wait_for(reader.done, 10)
    finally:
        reader.close()
    seconds = loop.time() - started
    assert b"".join(reads) == b"x" * 2000
    assert len(reads) <= READ_BURST + READS_PER_SECOND * seconds + 1, (len(reads), seconds)
