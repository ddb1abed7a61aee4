"""The hand-over: what a pooled runner receives on its attach channel.

A warm pod (`pool.py`), and a cold pod given input files or arguments (`podspecs.py`), runs
`sandbox/runner.py --pooled`, which waits on its stdin — the pod's `attach` subresource,
channel 0 — for one execution. The channel carries messages, each one JSON header line
followed by exactly as many raw bytes as the header announces:

    {"podrun": 1, "t": "files", "bytes": 40}\\n            (only when files go in)
    <40 bytes: the input files, `sandbox/files.py`'s stream, unpacked into /work>
    {"podrun": 1, "t": "run", "script": "print(1)", "env": {"TRACEPARENT": "00-…"},
     "argv": ["--in", "data.csv"],
     "limits": {"timeout_seconds": 5, "max_output_bytes": 1048576, "max_processes": 64},
     "collect": {"max_files": 1000, "max_file_bytes": 16777216, "max_total_bytes": …},
     "stdin_bytes": 6, "forward_stdin": false}\\n
    <6 bytes of up-front stdin>
    [with forward_stdin: the script's stdin, raw, until the channel closes]

`podrun` is the framing's version; `t` the message type. `run` ends the framed part of the
channel. A message type the runner does not know is an error it reports (so an older runner
image fails loudly, never silently: one that predates `files` refuses such a hand-over), and
new types (a session's further `run`s with framed stdin) add a header and a payload, never a
second channel. Everything travels through the runner: the trusted side never reaches into
the pod's filesystem, and the files a run leaves come back in its log (`frames.py`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from service.domain.filestreams import encode_files
from service.domain.sandboxes import SandboxSpec

VERSION = 1
# One websocket message per chunk: API servers and proxies cap message sizes.
CHUNK_BYTES = 64 * 1024


def hand_over(spec: SandboxSpec) -> bytes:
    """Everything the channel carries for `spec` before its forwarded stdin."""
    return files_message(spec) + run_message(spec)


def files_message(spec: SandboxSpec) -> bytes:
    """The `files` message of `spec`'s input files; nothing when it has none."""
    if not spec.files:
        return b""
    stream = encode_files(spec.files)
    return _header({"podrun": VERSION, "t": "files", "bytes": len(stream)}) + stream


def _header(header: dict[str, object]) -> bytes:
    return json.dumps(header, separators=(",", ":"), ensure_ascii=True).encode("ascii") + b"\n"


def run_message(spec: SandboxSpec) -> bytes:
    """The `run` message of one execution: header line, then its up-front stdin."""
    stdin = spec.stdin or b""
    limits = spec.limits
    header = {
        "podrun": VERSION,
        "t": "run",
        "script": spec.script,
        "env": {k: v for k, v in spec.env.items() if not k.startswith("PODRUN_")},
        "argv": list(spec.argv),
        "limits": {
            "timeout_seconds": limits.timeout_seconds,
            "max_output_bytes": limits.max_output_bytes,
            "max_processes": limits.max_processes,
        },
        "collect": None,
        "stdin_bytes": len(stdin),
        "forward_stdin": spec.interactive,
    }
    if spec.collect is not None:
        header["collect"] = {
            # Inputs left as they were come back too (dropped by the service), so the
            # runner may send that many more files (as the local sandbox's packer).
            "max_files": spec.collect.packed_files,
            "max_file_bytes": spec.collect.max_file_bytes,
            "max_total_bytes": spec.collect.max_total_bytes,
        }
    return _header(header) + stdin


def chunks(message: bytes, size: int = CHUNK_BYTES) -> Iterator[bytes]:
    for start in range(0, len(message), size):
        yield message[start : start + size]
