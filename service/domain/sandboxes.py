"""What a sandbox backend is asked to run and what it reports back.

Backends (local bubblewrap, Kubernetes pods) speak only these types: they know nothing of
GraphQL, MongoDB or the status machine. The watcher turns their observations into events.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from service.domain.files import FileCollection, FileContent, SkippedFile
from service.domain.limits import Limits
from service.domain.runtimes import Runtime


class OutputStream(enum.StrEnum):
    STDOUT = "STDOUT"
    STDERR = "STDERR"


@dataclass(frozen=True, slots=True)
class SandboxSpec:
    """Everything a backend needs to start one sandbox."""

    execution_id: str
    runtime: Runtime
    script: str
    limits: Limits
    # Given up front; written to the script's stdin, then stdin is closed unless interactive.
    stdin: bytes | None = None
    # Keep stdin open for input sent while the script runs.
    interactive: bool = False
    # Extra environment for the script (e.g. TRACEPARENT). Never the service's own env.
    env: Mapping[str, str] = field(default_factory=dict)
    # Placed under /work before the script starts (unpacked inside the sandbox).
    files: tuple[FileContent, ...] = ()
    # The script's command-line arguments (sys.argv[1:]).
    argv: tuple[str, ...] = ()
    # Collect the regular files under /work when the script ends, within these bounds.
    collect: FileCollection | None = None


@dataclass(frozen=True, slots=True)
class ResourceUsage:
    """Measured consumption of the whole sandbox (all processes in it)."""

    cpu_time_ms: float
    peak_memory_kib: int
    wall_time_ms: float


@dataclass(frozen=True, slots=True)
class SandboxOutcome:
    """How a sandbox ended, as facts; `verdicts.classify` turns this into a status (its
    docstring gives the order in which they explain the end).

    `exit_code`/`signal` are the script's main process's: `signal` is a signal that ended it
    and was not sent by us (one we sent is told by the flag saying why). `oom_killed` says
    the kernel OOM-killed some process of the sandbox — the main one or any child.
    `timed_out`, `output_limit_exceeded` and `cancelled` are our own kills (more than one
    may be set, e.g. the output went over the cap while the runner was killing for time).
    """

    exit_code: int | None = None
    signal: int | None = None
    oom_killed: bool = False
    timed_out: bool = False
    output_limit_exceeded: bool = False
    cancelled: bool = False
    # An infrastructure fault: the sandbox could not run or be observed.
    error: str | None = None
    usage: ResourceUsage | None = None
    # What the script created or changed under /work (when the spec asked to collect:
    # inputs left as they were are not among them), and what was not collected and why.
    files: tuple[FileContent, ...] = ()
    skipped_files: tuple[SkippedFile, ...] = ()
    # Paths of the inputs it left as they were; None when the collection is not complete
    # (cut short, or more skipped than told), so nothing can be said of what is gone.
    unchanged_files: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class SandboxScheduled:
    """The backend accepted the sandbox (a pod was created, a cgroup was prepared)."""

    message: str | None = None


@dataclass(frozen=True, slots=True)
class SandboxStarted:
    """The script's process is running."""

    message: str | None = None


@dataclass(frozen=True, slots=True)
class SandboxOutput:
    """Bytes the script wrote, in the order written per stream.

    Backends deliver at most `limits.max_output_bytes` in total across both streams, then kill
    the sandbox and report `output_limit_exceeded`.
    """

    stream: OutputStream
    data: bytes


@dataclass(frozen=True, slots=True)
class SandboxDisplay:
    """An item the script displayed (a plot, HTML...), from its display channel, in the
    order read with the output (`service.domain.display`). Its bytes count against the
    same `limits.max_output_bytes` as the output's."""

    mime_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class SandboxFinished:
    """The sandbox is gone; nothing follows this observation."""

    outcome: SandboxOutcome


SandboxObservation = (
    SandboxScheduled | SandboxStarted | SandboxOutput | SandboxDisplay | SandboxFinished
)
