"""Files of an execution, its arguments and environment: the records and their rules.

A script can be given files (placed under `/work` before it starts), command-line
arguments and environment variables; when it ends, the regular files it created or changed
under `/work` are collected. This module holds what those are and what is allowed, as pure
rules: each problem names the GraphQL field it is about (`files[2].path`), so a client
learns exactly what to fix. How files cross the sandbox boundary is
:mod:`service.domain.filestreams` (the trusted side) and `sandbox/files.py` (the inside).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from service.domain.limits import Limits

MIB = 1024 * 1024
MAX_PATH_CHARS = 1024
MAX_NAME_BYTES = 255  # a tmpfs file name's limit
MAX_DEPTH = 32
MAX_INPUT_FILES = 500
MAX_OUTPUT_FILES = 500
# What one run's files may take when they come out, whatever its disk: the worker holds the
# stream in memory while it parses it, for each run it supervises.
MAX_COLLECTED_BYTES = 64 * MIB
MAX_ARGS = 256
MAX_ARG_CHARS = 32 * 1024
MAX_ENV_VARS = 64
MAX_ENV_NAME_CHARS = 128
MAX_ENV_VALUE_CHARS = 32 * 1024
# The script itself: `/work/main.py` belongs to us, in and out.
SCRIPT_NAME = "main.py"

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# Names that change how the interpreter, the C library, the loader or our in-sandbox shell
# behave, or that the sandbox sets itself. PATH and HOME are ours: a script that wants
# another one sets `os.environ` itself, where it cannot change how the sandbox starts.
DENIED_ENV_PREFIXES = ("PYTHON", "LD_", "LC_", "MALLOC_", "GLIBC_", "PODRUN_", "OTEL_")
DENIED_ENV_NAMES = frozenset(
    {
        "PATH",
        "HOME",
        "LANG",
        "LANGUAGE",
        "TZ",
        "TZDIR",
        "IFS",
        "ENV",
        "BASH_ENV",
        "PS4",
        "SHELL",
        "TMPDIR",
        "TRACEPARENT",
        "TRACESTATE",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
    }
)


@dataclass(frozen=True, slots=True)
class FileContent:
    """A file given to a run: its path under `/work` and its bytes."""

    path: str
    data: bytes


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file kept in the blob store: an input a run was given, or an output it made."""

    path: str
    size: int
    sha256: str
    content_type: str
    blob_id: str


@dataclass(frozen=True, slots=True)
class SkippedFile:
    """A file under `/work` that was not collected, and why."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class FileCollection:
    """Bounds on what is collected from `/work` when a run ends."""

    max_files: int
    max_file_bytes: int
    max_total_bytes: int

    @property
    def packed_files(self) -> int:
        """How many files the packer may send: inputs left as they were come back too (the
        trusted side drops them before counting), so it may need room for all of them."""
        return self.max_files + MAX_INPUT_FILES

    @classmethod
    def for_limits(cls, limits: Limits) -> FileCollection:
        """All of the disk a run may fill (at most `MAX_COLLECTED_BYTES`), in at most
        `MAX_OUTPUT_FILES` files."""
        total = min(limits.disk_mib * MIB, MAX_COLLECTED_BYTES)
        return cls(max_files=MAX_OUTPUT_FILES, max_file_bytes=total, max_total_bytes=total)


@dataclass(frozen=True, slots=True)
class FileProblem:
    """One thing wrong with a run's files, arguments or environment."""

    field: str
    message: str


def path_problem(path: str) -> str | None:
    """Why `path` cannot name a file under `/work`, or None when it can."""
    if not path:
        return "must not be empty"
    if len(path) > MAX_PATH_CHARS:
        return f"must be at most {MAX_PATH_CHARS} characters"
    if path.startswith("/"):
        return "must be relative to /work, not absolute"
    if "\\" in path:
        return "must use / to separate directories"
    if not path.isprintable():
        return "must not contain control characters (NUL, newlines…)"
    parts = path.split("/")
    if len(parts) > MAX_DEPTH:
        return f"must be at most {MAX_DEPTH} directories deep"
    for part in parts:
        if part in ("", ".", ".."):
            return "must not contain '.', '..' or empty components"
        if len(part.encode()) > MAX_NAME_BYTES:
            return f"must have names of at most {MAX_NAME_BYTES} bytes"
    if path == SCRIPT_NAME:
        return f"{SCRIPT_NAME} is the script itself"
    return None


def check_files(files: Sequence[FileContent], limits: Limits) -> FileProblem | None:
    """The first problem with a run's input files: paths, duplicates, count, total size
    (at most the run's disk limit: they must fit in its `/work`)."""
    if len(files) > MAX_INPUT_FILES:
        return FileProblem("files", f"at most {MAX_INPUT_FILES} files")
    seen: set[str] = set()
    dirs: set[str] = set()
    total = 0
    budget = limits.disk_mib * MIB
    for index, file in enumerate(files):
        field = f"files[{index}].path"
        problem = path_problem(file.path)
        if problem is not None:
            return FileProblem(field, f"path {problem}")
        if file.path in seen:
            return FileProblem(field, f"path {file.path!r} is given twice")
        if file.path in dirs:
            return FileProblem(field, f"path {file.path!r} is also a directory of another file")
        parents = file.path.split("/")[:-1]
        for depth in range(1, len(parents) + 1):
            parent = "/".join(parents[:depth])
            if parent in seen:
                return FileProblem(field, f"path {file.path!r} is inside file {parent!r}")
            dirs.add(parent)
        seen.add(file.path)
        total += len(file.data)
        if total > budget:
            return FileProblem(
                f"files[{index}].content",
                f"the files take more than the disk limit ({limits.disk_mib} MiB)",
            )
    return None


def check_argv(argv: Sequence[str]) -> FileProblem | None:
    if len(argv) > MAX_ARGS:
        return FileProblem("argv", f"at most {MAX_ARGS} arguments")
    for index, arg in enumerate(argv):
        if "\0" in arg:
            return FileProblem(f"argv[{index}]", "must not contain NUL")
        if len(arg) > MAX_ARG_CHARS:
            return FileProblem(f"argv[{index}]", f"must be at most {MAX_ARG_CHARS} characters")
    return None


def env_name_problem(name: str) -> str | None:
    if len(name) > MAX_ENV_NAME_CHARS or not _ENV_NAME.match(name):
        return "must be letters, digits and _ (not starting with a digit), at most 128"
    upper = name.upper()
    if upper in DENIED_ENV_NAMES or upper.startswith(DENIED_ENV_PREFIXES):
        return f"{name} changes how the interpreter or the sandbox behaves and cannot be set"
    return None


def check_env(env: Sequence[tuple[str, str]]) -> FileProblem | None:
    if len(env) > MAX_ENV_VARS:
        return FileProblem("env", f"at most {MAX_ENV_VARS} variables")
    seen: set[str] = set()
    for index, (name, value) in enumerate(env):
        problem = env_name_problem(name)
        if problem is not None:
            return FileProblem(f"env[{index}].name", problem)
        if name in seen:
            return FileProblem(f"env[{index}].name", f"{name} is given twice")
        seen.add(name)
        if "\0" in value or len(value) > MAX_ENV_VALUE_CHARS:
            return FileProblem(
                f"env[{index}].value", f"must have no NUL, at most {MAX_ENV_VALUE_CHARS} chars"
            )
    return None
