"""The embedded MongoDB-compatible store: SecantusDB as a child process.

Data lives in `<data_dir>/store`, so it survives restarts. Processes that share a data dir
share one store: the first starts it and records its address in `<data_dir>/store.json`;
the others find it there (a file lock serialises the check). The owner restarts a store
that dies (same port, same data; `restart_embedded_store`). The child gets
PR_SET_PDEATHSIG so it never outlives the process that started it, even after `kill -9`;
WiredTiger's journal brings the data back on the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import fcntl
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1
_READY_TIMEOUT_SECONDS = 60.0
# How long an orphaned store may take to stop on its own.
_STOP_GRACE_SECONDS = 10.0


class EmbeddedStoreError(RuntimeError):
    """The embedded store could not be started; the message says why."""


@dataclass
class EmbeddedStore:
    """A running SecantusDB; `process` is None when another Podrun process owns it.

    Its owner keeps it running: see :mod:`service.adapters.store.supervising`."""

    uri: str
    data_dir: Path
    process: subprocess.Popen[bytes] | None
    port: int | None = None

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        with contextlib.suppress(FileNotFoundError):
            (self.data_dir / "store.json").unlink()


def _die_with_parent() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def _pid_alive(pid: int) -> bool:
    """True for a live process; a zombie (exited, not yet reaped) counts as gone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[0] != "Z"


def _uri(port: int) -> str:
    # No retryable writes: SecantusDB (0.7) keeps a record of every retryable write for 30
    # minutes (up to 10,000) and scans them all on each new one, so the store's CPU per
    # write grew with recent traffic (a tenth of its time at a few hundred executions).
    # Over loopback to a single node, a retry would only ever help across a store restart,
    # which the worker's own retries handle (see `retrying`: they also know when a write
    # that seemed to fail was applied).
    return f"mongodb://127.0.0.1:{port}/?directConnection=true&retryWrites=false"


def start_embedded_store(data_dir: Path) -> EmbeddedStore:
    """Start (or join) the store for `data_dir` and wait until it accepts connections."""
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    record = data_dir / "store.json"
    with open(data_dir / "store.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        existing = _running_store(record)
        if existing is not None:
            log.info("joining the embedded store at %s", existing)
            return EmbeddedStore(uri=existing, data_dir=data_dir, process=None)
        port = _free_port()
        process = _spawn(data_dir, port)
        deadline = time.monotonic() + _READY_TIMEOUT_SECONDS
        while not _answers(port):
            _check_starting(process, data_dir, deadline)
            time.sleep(0.05)
        _record(data_dir, port, process)
        log.info("started the embedded store (pid %d) on 127.0.0.1:%d", process.pid, port)
        return EmbeddedStore(uri=_uri(port), data_dir=data_dir, process=process, port=port)


async def restart_embedded_store(store: EmbeddedStore) -> None:
    """Start the dead store of `store` again, on the same port and data, so the open client
    reconnects to it; raises EmbeddedStoreError when it does not come up.

    Called from the event loop's thread, the one that started the first store: the child's
    PR_SET_PDEATHSIG is tied to the thread that forked it."""
    if store.port is None:
        raise EmbeddedStoreError("this process joined another's store; it cannot restart it")
    with open(store.data_dir / "store.lock", "w") as lock:  # noqa: ASYNC230 - a lock file
        # Held by another process only while it checks for (or starts) a store.
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                await asyncio.sleep(0.05)
        # The dead child was reaped (its pid is free, the files' lock released with it).
        process = store.process = _spawn(store.data_dir, store.port)
        deadline = time.monotonic() + _READY_TIMEOUT_SECONDS
        while not _answers(store.port):
            _check_starting(process, store.data_dir, deadline)
            await asyncio.sleep(0.05)
        _record(store.data_dir, store.port, process)


def _spawn(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    with open(data_dir / "store.log", "ab") as log_file:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "secantus",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--storage-path",
                str(data_dir / "store"),
                "--log-level",
                "WARNING",
            ],
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=log_file,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 - only prctl, before threads matter
            start_new_session=True,
        )


def _check_starting(process: subprocess.Popen[bytes], data_dir: Path, deadline: float) -> None:
    log_path = data_dir / "store.log"
    if process.poll() is not None:
        raise EmbeddedStoreError(
            f"the embedded store exited with code {process.returncode}; see {log_path}"
        )
    if time.monotonic() > deadline:
        process.kill()
        process.wait()
        raise EmbeddedStoreError(f"the embedded store did not start; see {log_path}")


def _record(data_dir: Path, port: int, process: subprocess.Popen[bytes]) -> None:
    (data_dir / "store.json").write_text(
        json.dumps({"port": port, "pid": process.pid, "owner": os.getpid()})
    )


def _running_store(record: Path) -> str | None:
    try:
        info = json.loads(record.read_text())
        port, pid, owner = int(info["port"]), int(info["pid"]), int(info["owner"])
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None
    if _pid_alive(owner) and _pid_alive(pid) and _answers(port):
        return _uri(port)
    # Its owner is gone, so the store is shutting down (PR_SET_PDEATHSIG): let it finish
    # writing before a new one opens the same files. One that hangs in its shutdown is
    # killed (its journal makes that safe): it would hold the files' lock forever.
    _wait_gone(pid, _STOP_GRACE_SECONDS)
    if _pid_alive(pid) and _is_store_of(pid, record.parent):
        log.warning("the previous embedded store (pid %d) did not stop; killing it", pid)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        _wait_gone(pid, _READY_TIMEOUT_SECONDS)
    return None


def _wait_gone(pid: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while _pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)


def _is_store_of(pid: int, data_dir: Path) -> bool:
    """Whether `pid` is still the store of `data_dir` (not a process that reused its pid)."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"secantus" in argv and str(data_dir / "store").encode() in argv
