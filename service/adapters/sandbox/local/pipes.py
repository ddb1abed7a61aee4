"""File descriptors between the worker and a sandbox, driven by the event loop.

`data_fd` hands bytes to bubblewrap (the script, the seccomp program) as an anonymous memory
file: never a path on the host. `PipeReader` delivers whatever a pipe holds, in chunks of at
most `CHUNK_BYTES`, as soon as it arrives — but a pipe that keeps the loop busy (more than
`READ_BURST` reads in quick succession) is read at most `READS_PER_SECOND` times a second,
so a script writing one byte at a time costs the worker a bounded number of wake-ups and
fills its own pipe (and blocks) rather than the worker's loop. `PipeWriter` feeds a pipe
without ever blocking the loop and shrugs off a reader that went away.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable

CHUNK_BYTES = 64 * 1024
# 200 reads of up to 64 KiB a second still move 12 MiB/s per pipe; a trickle or a short
# burst of reads is never paced.
READS_PER_SECOND = 200.0
READ_BURST = 16


def data_fd(name: str, data: bytes) -> int:
    """An inheritable-by-request (CLOEXEC) memfd holding `data`, positioned at its start.

    A memfd rather than a pipe: bwrap reads it during setup, and nobody has to keep writing
    while a large script sits in a 64 KiB pipe buffer.
    """
    fd = os.memfd_create(name, os.MFD_CLOEXEC)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.lseek(fd, 0, os.SEEK_SET)
    except OSError:
        os.close(fd)
        raise
    return fd


class PipeReader:
    """Reads a non-blocking pipe end as data arrives; `on_data(b"")` is never called."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        fd: int,
        on_data: Callable[[bytes], None],
        *,
        paced: bool = True,
    ) -> None:
        # Unpaced: a stream whose writer writes big blocks and whose size is bounded anyway
        # (the files a run leaves), which pacing would only slow down (12 MiB/s).
        self._paced = paced
        self._loop = loop
        self._fd = fd
        self._on_data = on_data
        self._eof: asyncio.Future[None] = loop.create_future()
        self._reads = float(READ_BURST)
        self._counted_at = loop.time()
        self._paused: asyncio.TimerHandle | None = None
        os.set_blocking(fd, False)
        loop.add_reader(fd, self._ready)

    @property
    def done(self) -> asyncio.Future[None]:
        """Resolved at end of file (every writer closed its end)."""
        return self._eof

    def _ready(self) -> None:
        now = self._loop.time()
        self._reads = min(
            float(READ_BURST), self._reads + (now - self._counted_at) * READS_PER_SECOND
        )
        self._counted_at = now
        if self._reads < 1 and self._paced:
            self._loop.remove_reader(self._fd)
            self._paused = self._loop.call_later((1 - self._reads) / READS_PER_SECOND, self._resume)
            return
        self._reads -= 1
        try:
            data = os.read(self._fd, CHUNK_BYTES)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if data:
            self._on_data(data)
        else:
            self.close()

    def read_now(self) -> None:
        """Deliver at once whatever the pipe holds now, unpaced (before a display, so the
        output written ahead of it is numbered ahead of it)."""
        while self._fd >= 0:
            try:
                data = os.read(self._fd, CHUNK_BYTES)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                self.close()
                return
            self._on_data(data)

    def _resume(self) -> None:
        self._paused = None
        if self._fd >= 0:
            self._loop.add_reader(self._fd, self._ready)

    def close(self) -> None:
        if self._fd < 0:
            return
        if self._paused is not None:
            self._paused.cancel()
            self._paused = None
        else:
            self._loop.remove_reader(self._fd)
        os.close(self._fd)
        self._fd = -1
        if not self._eof.done():
            self._eof.set_result(None)


class PipeWriter:
    """Writes to a non-blocking pipe end; a closed reader ends writing quietly.

    `write` queues and returns at once; `drain` waits until the queue is in the pipe.
    After `close` (or once the reader is gone) `write` raises BrokenPipeError.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, fd: int) -> None:
        self._loop = loop
        self._fd = fd
        self._buffer = bytearray()
        self._closing = False
        self._broken = False
        self._waiting = False
        self._drained: list[asyncio.Future[None]] = []
        os.set_blocking(fd, False)

    @property
    def closed(self) -> bool:
        return self._closing or self._broken

    @property
    def broken(self) -> bool:
        """The reader went away before taking everything written."""
        return self._broken

    def write(self, data: bytes) -> None:
        if self.closed:
            raise BrokenPipeError("stdin is closed")
        self._buffer += data
        self._flush()

    async def drain(self) -> None:
        if not self._buffer or self._fd < 0:
            return
        waiter: asyncio.Future[None] = self._loop.create_future()
        self._drained.append(waiter)
        await waiter

    def close(self) -> None:
        """EOF for the reader once everything queued is written."""
        self._closing = True
        if not self._buffer:
            self._release()

    def abort(self) -> None:
        """Drop what is queued and close now. Whoever waits in `drain` for queued data
        learns it was not delivered (`broken`), as if the reader had gone."""
        if self._buffer:
            self._broken = True
        self._buffer.clear()
        self._closing = True
        self._release()

    def _flush(self) -> None:
        while self._buffer and self._fd >= 0:
            try:
                written = os.write(self._fd, self._buffer)
            except BlockingIOError:
                if not self._waiting:
                    self._loop.add_writer(self._fd, self._flush)
                    self._waiting = True
                return
            except OSError:
                # EPIPE: the script closed stdin or exited; what it did not read is lost.
                self._broken = True
                self._buffer.clear()
                break
            del self._buffer[:written]
        if self._closing or self._broken:
            self._release()
        elif self._waiting:
            self._loop.remove_writer(self._fd)
            self._waiting = False
        self._wake()

    def _release(self) -> None:
        if self._fd >= 0:
            if self._waiting:
                self._loop.remove_writer(self._fd)
                self._waiting = False
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = -1
        self._wake()

    def _wake(self) -> None:
        if self._buffer and self._fd >= 0:
            return
        waiters, self._drained = self._drained, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)
