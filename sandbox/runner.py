"""Podrun's in-pod runner: runs one script and frames everything it does into one log stream.

A pod has a single log stream, but a script has two output streams, an exit status and a
resource usage. The runner (the container's entrypoint, standard library only, any Python
3.11+) runs the script as a child process and turns all of that into lines on its own stdout,
which the kubelet stores as the container log, plus a JSON report in the termination message.

Frames — one JSON object per line, UTF-8, ``\\n``-terminated, each under 8 KiB::

    {"n": 1, "s": "o", "d": "aGVsbG8K"}     stdout bytes, base64
    {"n": 2, "s": "e", "d": "b29wcwo="}     stderr bytes, base64
    {"n": 3, "s": "f", "d": "eyJmaWxlIjo..."}  collected files: the packed stream, base64
    {"n": 4, "s": "x", "r": {...report}}    the end: nothing follows; "r" is the report
    {"n": 1, "s": "a"}                      pooled only, first: the hand-over was received

``n`` numbers the frames 1, 2, 3… without gaps. A reader that resumes a dropped log stream
(``sinceTime`` has one-second precision, so it overlaps) skips frames with ``n`` at or below
the last one it has seen: nothing is lost or duplicated. Frames carry at most 4 KiB of
output each, so no log line comes near the container runtime's 16 KiB line split. The order of
frames is the order in which the runner read the chunks; within a stream it is the order the
script wrote them.

Files out: with collection bounds (``PODRUN_COLLECT=MAX_FILES,MAX_FILE_BYTES,MAX_TOTAL_BYTES``,
or ``collect`` in a hand-over), once the script has ended by itself (not killed by the
runner for time, output or SIGTERM; an OOM kill of the script still collects), the runner
first kills whatever is left of the script (its process group; as PID 1 of the pod, every
other process), then packs the working directory (``sandbox/files.py`` ``pack``: regular
files only, symlinks and the like reported as skipped) into ``"f"`` frames, at most 4 KiB of
the stream each, in order, all before the ``"x"`` frame. Concatenated, their data is one
packed stream, ending with its end record; the service parses it as hostile input
(``service/domain/filestreams.py``). The files are not output: they count against no
output cap, and the report's clocks and CPU stop before the packing.

Report (also the ``"r"`` of the final frame), written to the termination message path
(``--report`` / ``PODRUN_REPORT_PATH``, default ``/dev/termination-log``)::

    {"v": 1, "exit_code": 0 | n | null, "signal": null | n, "output_limit_exceeded": false,
     "timed_out": false, "oom_killed": false, "runner_signal": null | n, "cpu_ms": 12.0,
     "peak_memory_kib": 9000, "maxrss_kib": 9000, "cgroup_peak_kib": null | n,
     "wall_ms": 15.2, "output_bytes": 6, "frames": 3, "error": null | "why"}

``signal`` is set when the script died of a signal the runner did not send; when the runner
killed it (output cap, timeout, SIGTERM) the matching flag says why and ``signal`` is null.
``oom_killed`` says the kernel OOM-killed some process of the container while the script ran
(the cgroup's ``oom_kill`` counter went up): the script itself (then ``signal`` is 9) or one
of its children. The report holds facts only; the service decides the verdict from them
(``service/domain/verdicts.py``: our own kills first, then the OOM kill of the script, then
its exit status), so a child's OOM kill never hides the timeout that ended the script.

Exit status: the runner exits 0 whenever it ran the script, whatever the script did — the
script's fate is in the report — so a pod that ends ``Failed`` always means the sandbox
itself broke (exit 2: the runner could not start the script; killed: the kubelet killed the
container, e.g. ``OOMKilled`` or ``DeadlineExceeded``).

Limits the runner enforces itself (the cluster enforces memory, cpu and disk):

- ``PODRUN_MAX_OUTPUT_BYTES``: stdout and stderr together; exactly the first bytes are
  delivered, then the script's whole process group is killed.
- ``PODRUN_TIMEOUT_SECONDS``: wall-clock time from the script's start; then the group is killed.
- ``PODRUN_MAX_PROCESSES``: RLIMIT_NPROC of the script, best effort (it counts per uid; the
  node's ``podPidsLimit`` is the real per-pod bound).

Input: ``--stdin-file`` is fed to the script first; with ``--forward-stdin`` (interactive
sandboxes, fed through the pod's attach subresource) the runner's own stdin follows until EOF.
Otherwise the script's stdin is closed (or the file alone).

The script comes from ``--script PATH`` / ``PODRUN_SCRIPT_PATH`` (a ConfigMap mount) or, when
small, the ``PODRUN_SCRIPT`` variable (run with ``-c``). The interpreter is the command after
``--`` (default: the runner's own). The script's environment is the runner's less ``PODRUN_*``
and ``KUBERNETES_*`` variables, plus ``PYTHONUNBUFFERED=1``.

SIGTERM (pod deletion, active deadline) kills the script's process group, then the runner
still drains what was written and writes the report.

Pooled (``--pooled``: a warm pod started ahead of demand, or a cold pod given files or
arguments): the runner starts with nothing to run and waits on its stdin (the pod's attach
channel) for its hand-over, then runs that script as above. The hand-over is the framing of
``service/adapters/sandbox/kubernetes/handover.py``: optionally first a ``{"podrun": 1,
"t": "files", "bytes": N}`` header line followed by exactly N bytes of the input files
(``sandbox/files.py``'s stream, unpacked into the working directory before the script
starts: nothing is followed or replaced, a ``..`` or absolute path is refused; a failure is
the script's exit status 126 with the reason on stderr, and no script runs); then one JSON
header line ``{"podrun": 1, "t": "run", "script": ..., "env": {...}, "argv": [...],
"limits": {"timeout_seconds": .., "max_output_bytes": .., "max_processes": ..},
"collect": null | {"max_files": .., "max_file_bytes": .., "max_total_bytes": ..},
"stdin_bytes": N, "forward_stdin": bool}`` followed by exactly N bytes of up-front stdin;
with ``forward_stdin`` the rest of the channel is the script's stdin until EOF. ``argv``
reaches the script as ``sys.argv[1:]``. Everything the
report measures (wall time, timeout, CPU of the script's processes) starts at the hand-over:
the runner's own wait is neither timed nor billed. EOF or SIGTERM before a hand-over ends the
runner with ``error`` set and no script run.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import importlib.util
import json
import os
import resource
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import IO, Any

FRAME_DATA_BYTES = 4096
READ_BYTES = 65536
REPORT_VERSION = 1
DEFAULT_REPORT_PATH = "/dev/termination-log"
DEFAULT_CGROUP_ROOT = "/sys/fs/cgroup"
# After the script exits, how long its leftovers may keep the pipes open.
DRAIN_SECONDS = 2.0
POLL_SECONDS = 0.05
EXIT_CANNOT_RUN = 2
# The runner's own tasks (main thread, stdin feeder) share the script's uid.
RUNNER_TASKS = 2
# The script's exit status when its input files could not be placed (as the local sandbox).
UNPACK_FAILED = 126
# sandbox/files.py, next to this file in the image (/opt/podrun/files.py).
FILES_MODULE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "files.py")


@dataclass
class Options:
    command: list[str]
    script_path: str | None
    script_text: str | None
    stdin_file: str | None
    forward_stdin: bool
    report_path: str
    max_output_bytes: int | None
    timeout_seconds: float | None
    max_processes: int | None
    cgroup_root: str
    pooled: bool = False
    # Set by a pooled hand-over: the environment it gives, and stdin bytes already read.
    extra_env: dict[str, str] = field(default_factory=dict)
    stdin_data: bytes = b""
    # The script's sys.argv[1:] (hand-over only).
    argv: list[str] = field(default_factory=list)
    # (max files, max bytes per file, max bytes in all) to pack from the working dir.
    collect: tuple[int, int, int] | None = None
    # Why the hand-over's input files could not be placed (then the script does not run).
    unpack_error: str | None = None


@dataclass
class Run:
    """What happened, accumulated while the script runs."""

    exit_code: int | None = None
    signal: int | None = None
    output_limit_exceeded: bool = False
    timed_out: bool = False
    runner_signal: int | None = None
    output_bytes: int = 0
    frames: int = 0
    error: str | None = None
    started: float = field(default_factory=time.monotonic)
    wall_ms: float = 0.0


class FrameWriter:
    """Writes numbered frames to a file descriptor, whole lines at a time."""

    def __init__(self, fd: int, run: Run) -> None:
        self._fd = fd
        self._run = run

    def output(self, stream: str, data: bytes) -> None:
        for start in range(0, len(data), FRAME_DATA_BYTES):
            chunk = data[start : start + FRAME_DATA_BYTES]
            self._write({"s": stream, "d": base64.b64encode(chunk).decode("ascii")})

    def accepted(self) -> None:
        self._write({"s": "a"})

    def files(self, data: bytes) -> None:
        for start in range(0, len(data), FRAME_DATA_BYTES):
            chunk = data[start : start + FRAME_DATA_BYTES]
            self._write({"s": "f", "d": base64.b64encode(chunk).decode("ascii")})

    def end(self, report: dict[str, Any]) -> None:
        self._write({"s": "x", "r": report})

    def _write(self, frame: dict[str, Any]) -> None:
        self._run.frames += 1
        line = json.dumps({"n": self._run.frames, **frame}, separators=(",", ":")) + "\n"
        view = memoryview(line.encode("ascii"))
        while view:
            written = os.write(self._fd, view)
            view = view[written:]


def parse_options(argv: Sequence[str]) -> Options:
    parser = argparse.ArgumentParser(prog="runner.py", description=__doc__.split("\n")[0])
    parser.add_argument("--script", default=os.environ.get("PODRUN_SCRIPT_PATH"))
    parser.add_argument("--stdin-file", default=os.environ.get("PODRUN_STDIN_PATH"))
    parser.add_argument(
        "--forward-stdin",
        action="store_true",
        default=os.environ.get("PODRUN_FORWARD_STDIN") == "1",
    )
    parser.add_argument(
        "--report", default=os.environ.get("PODRUN_REPORT_PATH", DEFAULT_REPORT_PATH)
    )
    parser.add_argument("--pooled", action="store_true", help="wait on stdin for the script")
    parser.add_argument("command", nargs="*", help="the interpreter, after --")
    args = parser.parse_args(argv)
    max_output = os.environ.get("PODRUN_MAX_OUTPUT_BYTES")
    timeout = os.environ.get("PODRUN_TIMEOUT_SECONDS")
    max_processes = os.environ.get("PODRUN_MAX_PROCESSES")
    collect = os.environ.get("PODRUN_COLLECT")
    return Options(
        command=list(args.command) or [sys.executable],
        script_path=args.script,
        script_text=os.environ.get("PODRUN_SCRIPT"),
        stdin_file=args.stdin_file,
        forward_stdin=args.forward_stdin,
        report_path=args.report,
        max_output_bytes=int(max_output) if max_output else None,
        timeout_seconds=float(timeout) if timeout else None,
        max_processes=int(max_processes) if max_processes else None,
        cgroup_root=os.environ.get("PODRUN_CGROUP_ROOT", DEFAULT_CGROUP_ROOT),
        pooled=args.pooled,
        collect=parse_collect(collect.split(",")) if collect else None,
    )


def parse_collect(values: Sequence[object]) -> tuple[int, int, int]:
    """Collection bounds: three non-negative integers (a ValueError otherwise)."""
    if len(values) != 3:
        raise ValueError(f"collection bounds are three numbers, not {values!r}")
    bounds = tuple(int(str(value)) for value in values)
    if min(bounds) < 0:
        raise ValueError(f"collection bounds are not negative: {values!r}")
    return bounds[0], bounds[1], bounds[2]


def files_module() -> ModuleType:
    """`sandbox/files.py`, loaded from beside this file only when files cross (a plain run
    does not pay for it)."""
    spec = importlib.util.spec_from_file_location("podrun_files", FILES_MODULE)
    if spec is None or spec.loader is None:
        raise OSError(f"cannot load {FILES_MODULE}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def child_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PODRUN_", "KUBERNETES_"))
    }
    for key, value in (extra or {}).items():
        if not key.startswith(("PODRUN_", "KUBERNETES_")):
            env[key] = value
    env["PYTHONUNBUFFERED"] = "1"
    return env


class HandOverError(Exception):
    """No usable hand-over arrived (EOF, SIGTERM or a malformed message)."""


def read_exactly(fd: int, buffer: bytearray, size: int) -> bytes:
    """`size` bytes from `buffer` topped up from `fd`; EOF first is a HandOverError."""
    while len(buffer) < size:
        chunk = os.read(fd, READ_BYTES)
        if not chunk:
            raise HandOverError("the channel closed before the hand-over was complete")
        buffer += chunk
    data = bytes(buffer[:size])
    del buffer[:size]
    return data


def read_line(fd: int, buffer: bytearray, limit: int = 64 * 1024 * 1024) -> bytes:
    while b"\n" not in buffer:
        if len(buffer) > limit:
            raise HandOverError("the hand-over header is too long")
        chunk = os.read(fd, READ_BYTES)
        if not chunk:
            raise HandOverError("the channel closed before a script was handed over")
        buffer += chunk
    line, _, rest = bytes(buffer).partition(b"\n")
    buffer[:] = rest
    return line


class ChannelPart:
    """The next `size` bytes of the channel as a binary stream (`readline`, `read`), for
    `files.unpack`: read from `buffer` first, then from `fd`, never past the part."""

    def __init__(self, fd: int, buffer: bytearray, size: int) -> None:
        self._fd = fd
        self._buffer = buffer
        self.left = size

    def _fill(self) -> bool:
        if self.left > len(self._buffer):
            chunk = os.read(self._fd, min(READ_BYTES, self.left - len(self._buffer)))
            if chunk:
                self._buffer += chunk
                return True
        return False

    def _take(self, size: int) -> bytes:
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        self.left -= len(data)
        return data

    def readline(self, limit: int = -1) -> bytes:
        cap = self.left if limit < 0 else min(limit, self.left)
        while True:
            end = self._buffer.find(b"\n", 0, cap)
            if end >= 0:
                return self._take(end + 1)
            if len(self._buffer) >= cap or not self._fill():
                return self._take(min(cap, len(self._buffer)))

    def read(self, size: int) -> bytes:
        while len(self._buffer) < min(size, self.left) and self._fill():
            pass
        return self._take(min(size, self.left, len(self._buffer)))

    def skip_rest(self) -> None:
        """Read what is left of the part, so the channel stays in step after a failure."""
        while self.left:
            if not self._buffer and not self._fill():
                raise HandOverError("the channel closed inside the input files")
            self._take(min(self.left, len(self._buffer)))


def receive_files(options: Options, header: dict[str, Any], fd: int, buffer: bytearray) -> None:
    """Unpack a `files` message's stream into the working directory (`sandbox/files.py`),
    straight from the channel: the files are never all in memory. A stream it refuses (a
    `..`, an absolute path, a name that exists) is the script's failure, not the runner's."""
    size = header.get("bytes")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise HandOverError("the files message carries no byte count")
    part = ChannelPart(fd, buffer, size)
    try:
        files_module().unpack(part, ".")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        options.unpack_error = f"podrun: cannot place the input files: {exc}"
    part.skip_rest()


def read_header(fd: int, buffer: bytearray) -> dict[str, Any]:
    try:
        header = json.loads(read_line(fd, buffer))
    except ValueError as exc:
        raise HandOverError(f"the hand-over header is not JSON: {exc}") from exc
    if not isinstance(header, dict) or header.get("podrun") != 1:
        raise HandOverError("the hand-over is not a podrun/1 run message")
    return header


def receive_hand_over(options: Options, fd: int = 0) -> None:
    """Wait for the hand-over (module docstring: input files, then one `run` message) and
    apply it to `options`.

    Reads no byte past the message unless the script's stdin follows it, so forwarded stdin
    reaches the script whole: what was read ahead goes first."""
    buffer = bytearray()
    header = read_header(fd, buffer)
    if header.get("t") == "files":
        receive_files(options, header, fd, buffer)
        header = read_header(fd, buffer)
    if header.get("t") != "run":
        raise HandOverError("the hand-over is not a podrun/1 run message")
    script = header.get("script")
    if not isinstance(script, str):
        raise HandOverError("the hand-over carries no script")
    limits = header.get("limits") or {}
    stdin_bytes = int(header.get("stdin_bytes") or 0)
    options.stdin_data = read_exactly(fd, buffer, stdin_bytes) if stdin_bytes else b""
    options.script_text = script
    options.script_path = None
    options.stdin_file = None
    options.forward_stdin = bool(header.get("forward_stdin"))
    if options.forward_stdin:
        options.stdin_data += bytes(buffer)  # read ahead: the first bytes of forwarded stdin
    env = header.get("env") or {}
    options.extra_env = {str(k): str(v) for k, v in env.items()}
    argv = header.get("argv") or []
    if not isinstance(argv, list) or not all(isinstance(arg, str) for arg in argv):
        raise HandOverError("the hand-over's argv is not a list of strings")
    options.argv = list(argv)
    collect = header.get("collect")
    if isinstance(collect, dict):
        try:
            options.collect = parse_collect(
                [collect.get(k) for k in ("max_files", "max_file_bytes", "max_total_bytes")]
            )
        except ValueError as exc:
            raise HandOverError(f"the hand-over's collect is not usable: {exc}") from exc
    if limits.get("timeout_seconds") is not None:
        options.timeout_seconds = float(limits["timeout_seconds"])
    if limits.get("max_output_bytes") is not None:
        options.max_output_bytes = int(limits["max_output_bytes"])
    if limits.get("max_processes") is not None:
        options.max_processes = int(limits["max_processes"])
    script_dir = os.environ.get("PODRUN_SCRIPT_DIR")
    if script_dir:
        # A file, like a cold pod's ConfigMap, so tracebacks name a file and size is no
        # concern (a `-c` argument is capped at 128 KiB by the kernel).
        path = os.path.join(script_dir, "main.py")
        with open(path, "w", encoding="utf-8") as file:
            file.write(script)
        options.script_path = path


def child_argv(options: Options) -> list[str]:
    if options.script_path:
        return [*options.command, options.script_path, *options.argv]
    if options.script_text is not None:
        return [*options.command, "-c", options.script_text, *options.argv]
    raise ValueError("no script: pass --script PATH or set PODRUN_SCRIPT")


def read_counter(path: str, key: str) -> int | None:
    """A `key value` line of a cgroup file such as memory.events; None when unreadable."""
    try:
        with open(path, encoding="ascii") as file:
            for line in file:
                name, _, value = line.partition(" ")
                if name == key:
                    return int(value)
    except (OSError, ValueError):
        return None
    return None


def read_number(path: str) -> int | None:
    try:
        with open(path, encoding="ascii") as file:
            return int(file.read().strip())
    except (OSError, ValueError):
        return None


def oom_kills(cgroup_root: str) -> int | None:
    """The cgroup's OOM-kill counter (v2 memory.events, v1 memory.oom_control)."""
    v2 = read_counter(os.path.join(cgroup_root, "memory.events"), "oom_kill")
    if v2 is not None:
        return v2
    return read_counter(os.path.join(cgroup_root, "memory", "memory.oom_control"), "oom_kill")


def cgroup_peak_bytes(cgroup_root: str) -> int | None:
    v2 = read_number(os.path.join(cgroup_root, "memory.peak"))
    if v2 is not None:
        return v2
    return read_number(os.path.join(cgroup_root, "memory", "memory.max_usage_in_bytes"))


def limit_processes(max_processes: int | None) -> None:
    """RLIMIT_NPROC, inherited by the script (best effort: it counts per uid, so per pod only
    with user namespaces; the node's podPidsLimit is the real bound). Set on the runner
    before it spawns, with room for the runner's own tasks."""
    if max_processes is None:
        return
    limit = max_processes + RUNNER_TASKS
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NPROC, (limit, limit))


def kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


class StdinFeeder(threading.Thread):
    """Feeds the script's stdin: the given file first, then (optionally) our own stdin.

    A thread, so a script that never reads its stdin cannot stall the output loop.
    """

    def __init__(
        self, target: IO[bytes], stdin_file: str | None, forward: bool, data: bytes = b""
    ) -> None:
        super().__init__(name="stdin-feeder", daemon=True)
        self._target = target
        self._stdin_file = stdin_file
        self._forward = forward
        self._data = data

    def run(self) -> None:
        try:
            if self._data:
                self._target.write(self._data)
                self._target.flush()
            if self._stdin_file:
                with open(self._stdin_file, "rb") as source:
                    while chunk := source.read(READ_BYTES):
                        self._target.write(chunk)
                        self._target.flush()
            if self._forward:
                while chunk := os.read(0, READ_BYTES):
                    self._target.write(chunk)
                    self._target.flush()
        except OSError:
            pass  # the script closed its stdin or died: nothing more to feed
        finally:
            with contextlib.suppress(OSError):
                self._target.close()


class Supervisor:
    """Runs the child, pumps its output into frames and enforces the runner's limits."""

    def __init__(self, options: Options, run: Run, writer: FrameWriter) -> None:
        self._options = options
        self._run = run
        self._writer = writer
        self._child: subprocess.Popen[bytes] | None = None
        self._killed_by_us = False
        self._terminate_requested = False
        self._reaped = False
        self.waiting = False  # pooled: waiting for the hand-over

    def on_sigterm(self, signum: int, _frame: object) -> None:
        self._run.runner_signal = signum
        self._terminate_requested = True
        if self.waiting:
            raise HandOverError("terminated while waiting for a script")
        if self._child is not None:
            self._killed_by_us = True
            kill_group(self._child.pid)

    def supervise(self) -> None:
        options = self._options
        if options.pooled:
            self.waiting = True
            try:
                receive_hand_over(options)
            finally:
                self.waiting = False
            self._writer.accepted()  # so a new leader can tell a run from a lost hand-over
            self._run.started = time.monotonic()  # the report's clocks start at hand-over
            if options.unpack_error is not None:
                self._writer.output("e", (options.unpack_error + "\n").encode())
                self._run.exit_code = UNPACK_FAILED
                return
        feed = bool(options.stdin_file) or options.forward_stdin or bool(options.stdin_data)
        limit_processes(options.max_processes)
        self._child = child = subprocess.Popen(
            child_argv(options),
            stdin=subprocess.PIPE if feed else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=child_environment(options.extra_env),
            start_new_session=True,
            close_fds=True,
        )
        self._run.started = time.monotonic()
        if self._terminate_requested:
            self._killed_by_us = True
            kill_group(child.pid)
        if feed:
            assert child.stdin is not None
            StdinFeeder(
                child.stdin, options.stdin_file, options.forward_stdin, options.stdin_data
            ).start()
        assert child.stdout is not None
        assert child.stderr is not None
        self._pump(child, {child.stdout.fileno(): "o", child.stderr.fileno(): "e"})
        self._run.wall_ms = (time.monotonic() - self._run.started) * 1000.0
        if (
            options.collect is not None
            and not self._killed_by_us
            and self._run.runner_signal is None
        ):
            self._collect(child, options.collect)

    def _collect(self, child: subprocess.Popen[bytes], bounds: tuple[int, int, int]) -> None:
        """Pack the working directory into "f" frames (module docstring). Nothing of the
        script may still write while it is read: its group is gone already; as the pod's
        PID 1 the runner also kills every other process (escaped with setsid), which outside
        a pod of its own would be the caller's processes, so only there."""
        kill_group(child.pid)
        if os.getpid() == 1:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(-1, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                while os.waitpid(-1, 0)[0] > 0:
                    pass
        files = files_module()
        read_fd, write_fd = os.pipe()

        def pack() -> None:
            # A failure ends the stream without its end record: the service then says the
            # collection did not end, and the script's verdict stands.
            with contextlib.suppress(OSError, ValueError):
                files.pack(write_fd, *bounds, root=".")
            os.close(write_fd)

        # A thread writes the stream into a pipe while this one frames it, so the stream is
        # never all in memory (it may be as large as the disk).
        packer = threading.Thread(target=pack, name="files-packer", daemon=True)
        packer.start()
        with os.fdopen(read_fd, "rb") as stream:
            while chunk := stream.read(FRAME_DATA_BYTES):
                self._writer.files(chunk)
        packer.join()

    def _pump(self, child: subprocess.Popen[bytes], streams: dict[int, str]) -> None:
        deadline = (
            self._run.started + self._options.timeout_seconds
            if self._options.timeout_seconds is not None
            else None
        )
        drain_until: float | None = None
        with selectors.DefaultSelector() as selector:
            for fd in streams:
                os.set_blocking(fd, False)
                selector.register(fd, selectors.EVENT_READ)
            while streams or not self._reaped:
                for key, _ in selector.select(POLL_SECONDS):
                    fd = int(key.fd)
                    if not self._read(fd, streams[fd]):
                        selector.unregister(fd)
                        os.close(fd)
                        del streams[fd]
                now = time.monotonic()
                if deadline is not None and now >= deadline and not self._reaped:
                    self._run.timed_out = True
                    self._kill(child)
                    deadline = None
                if not self._reaped and self._reap(child):
                    # The script is gone; stragglers in its group must not hold the pipes.
                    kill_group(child.pid)
                    drain_until = now + DRAIN_SECONDS
                if drain_until is not None and now >= drain_until:
                    break
        if not self._reaped:
            self._wait(child)

    def _read(self, fd: int, stream: str) -> bool:
        try:
            data = os.read(fd, READ_BYTES)
        except BlockingIOError:
            return True
        if not data:
            return False
        if self._run.output_limit_exceeded:
            return True  # drain and discard: the pipes must not fill up and block the group
        cap = self._options.max_output_bytes
        if cap is not None and self._run.output_bytes + len(data) > cap:
            data = data[: cap - self._run.output_bytes]
            self._run.output_limit_exceeded = True
            assert self._child is not None
            self._kill(self._child)
        self._run.output_bytes += len(data)
        if data:
            self._writer.output(stream, data)
        return True

    def _kill(self, child: subprocess.Popen[bytes]) -> None:
        self._killed_by_us = True
        kill_group(child.pid)

    def _reap(self, child: subprocess.Popen[bytes]) -> bool:
        """Reap exited processes (we may be PID 1); True once the script itself is reaped."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return self._reaped
            if pid == 0:
                return False
            if pid == child.pid:
                self._record(child, status)
                return True

    def _wait(self, child: subprocess.Popen[bytes]) -> None:
        _, status = os.waitpid(child.pid, 0)
        self._record(child, status)

    def _record(self, child: subprocess.Popen[bytes], status: int) -> None:
        child.returncode = os.waitstatus_to_exitcode(status)
        self._reaped = True
        if os.WIFEXITED(status):
            self._run.exit_code = os.WEXITSTATUS(status)
        elif os.WIFSIGNALED(status) and not self._killed_by_us:
            self._run.signal = os.WTERMSIG(status)


def build_report(options: Options, run: Run, oom_before: int | None) -> dict[str, Any]:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_ms = (usage.ru_utime + usage.ru_stime) * 1000.0
    maxrss_kib = int(usage.ru_maxrss)  # KiB on Linux
    peak = cgroup_peak_bytes(options.cgroup_root)
    cgroup_peak_kib = peak // 1024 if peak is not None else None
    oom_after = oom_kills(options.cgroup_root)
    oom_killed = oom_before is not None and oom_after is not None and oom_after > oom_before
    return {
        "v": REPORT_VERSION,
        "exit_code": run.exit_code,
        "signal": run.signal,
        "output_limit_exceeded": run.output_limit_exceeded,
        "timed_out": run.timed_out,
        "oom_killed": oom_killed,
        "runner_signal": run.runner_signal,
        "cpu_ms": round(cpu_ms, 3),
        "peak_memory_kib": cgroup_peak_kib if cgroup_peak_kib is not None else maxrss_kib,
        "maxrss_kib": maxrss_kib,
        "cgroup_peak_kib": cgroup_peak_kib,
        "wall_ms": round(run.wall_ms, 3),
        "output_bytes": run.output_bytes,
        "frames": run.frames + 1,  # counting the final frame that carries this report
        "error": run.error,
    }


def write_report(path: str, report: dict[str, Any]) -> None:
    # The kubelet reads at most 4096 bytes of termination message; the report is far smaller.
    with contextlib.suppress(OSError), open(path, "w", encoding="utf-8") as file:
        json.dump(report, file, separators=(",", ":"))


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(sys.argv[1:] if argv is None else argv)
    run = Run()
    writer = FrameWriter(sys.stdout.fileno(), run)
    supervisor = Supervisor(options, run, writer)
    signal.signal(signal.SIGTERM, supervisor.on_sigterm)
    oom_before = oom_kills(options.cgroup_root)
    status = 0
    try:
        supervisor.supervise()
    except HandOverError as exc:
        run.error = f"no script was handed over: {exc}"
        status = EXIT_CANNOT_RUN
    except (OSError, ValueError) as exc:
        run.error = f"the runner could not start the script: {exc}"
        status = EXIT_CANNOT_RUN
    report = build_report(options, run, oom_before)
    writer.end(report)
    write_report(options.report_path, report)
    return status


if __name__ == "__main__":
    sys.exit(main())
