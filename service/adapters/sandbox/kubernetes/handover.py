"""The hand-over message: what a warm pod's runner receives on its attach channel.

A warm pod (`pool.py`) runs `sandbox/runner.py --pooled`, which waits on its stdin — the
pod's `attach` subresource, channel 0 — for one execution. The channel carries messages, each
one JSON header line followed by exactly as many raw bytes as the header announces:

    {"podrun": 1, "t": "run", "script": "print(1)", "env": {"TRACEPARENT": "00-…"},
     "limits": {"timeout_seconds": 5, "max_output_bytes": 1048576, "max_processes": 64},
     "stdin_bytes": 6, "forward_stdin": false}\\n
    <6 bytes of up-front stdin>
    [with forward_stdin: the script's stdin, raw, until the channel closes]

`podrun` is the framing's version; `t` the message type. Only `run` exists today, and it
ends the framed part of the channel. The framing is meant to be reused on the same channel:
a message type the runner does not know is an error it reports (so an older runner image
fails loudly, never silently), and new types (the input files as a packed stream before
`run`, a session's further `run`s with framed stdin) add a header and a payload, never a
second channel. Everything travels through the runner: the trusted side never reaches into
the pod's filesystem.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from service.domain.sandboxes import SandboxSpec

VERSION = 1
# One websocket message per chunk: API servers and proxies cap message sizes.
CHUNK_BYTES = 64 * 1024


def run_message(spec: SandboxSpec) -> bytes:
    """The `run` message of one execution: header line, then its up-front stdin."""
    stdin = spec.stdin or b""
    limits = spec.limits
    header = {
        "podrun": VERSION,
        "t": "run",
        "script": spec.script,
        "env": {k: v for k, v in spec.env.items() if not k.startswith("PODRUN_")},
        "limits": {
            "timeout_seconds": limits.timeout_seconds,
            "max_output_bytes": limits.max_output_bytes,
            "max_processes": limits.max_processes,
        },
        "stdin_bytes": len(stdin),
        "forward_stdin": spec.interactive,
    }
    line = json.dumps(header, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    return line + b"\n" + stdin


def chunks(message: bytes, size: int = CHUNK_BYTES) -> Iterator[bytes]:
    for start in range(0, len(message), size):
        yield message[start : start + size]
