"""Workspaces: a user's persistent `/work`, kept between runs, and the rules for changing one.

A workspace is a manifest (path → stored blob) plus the sizes derived from it. Every change
builds a whole new manifest from the old one (pure functions below) and the store switches
to it in one write, conditioned on the version it was built from, so a change either lands
whole or leaves the old state, and two concurrent changes cannot lose one another.
Contents live in the blob store; this module only says what is allowed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from service.domain.files import MIB, FileContent, FileProblem, StoredFile, path_problem

MAX_WORKSPACE_NAME_CHARS = 100
MAX_WORKSPACE_FILES = 500  # a run is given at most `MAX_INPUT_FILES` files
# What one user's workspaces may hold together, unless configured otherwise.
DEFAULT_STORAGE_QUOTA_BYTES = 256 * MIB
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")


@dataclass(frozen=True, slots=True)
class Workspace:
    """A user's named, persistent `/work`; `version` grows with every manifest switch."""

    id: str
    owner_id: str
    name: str
    created_at: datetime
    updated_at: datetime
    files: tuple[StoredFile, ...] = ()
    version: int = 0
    # The execution running on it, if any: runs on one workspace take turns, each starting
    # from what the one before left (`service.services.workspaces.running`).
    holder: str | None = None

    @property
    def size_bytes(self) -> int:
        return sum(file.size for file in self.files)

    @property
    def file_count(self) -> int:
        return len(self.files)

    def files_under(self, prefix: str | None) -> tuple[StoredFile, ...]:
        """Its files whose path starts with `prefix` (all of them for None), by path."""
        chosen = self.files if not prefix else [f for f in self.files if f.path.startswith(prefix)]
        return tuple(sorted(chosen, key=lambda file: file.path))


def name_problem(name: str) -> str | None:
    """Why `name` cannot name a workspace (it is also what the CLI types), or None."""
    if not name or len(name) > MAX_WORKSPACE_NAME_CHARS:
        return f"must be 1 to {MAX_WORKSPACE_NAME_CHARS} characters"
    if not _NAME.match(name):
        return "must be letters, digits, '.', '_' and '-', starting with a letter or digit"
    return None


def check_writes(files: Sequence[FileContent], field: str = "files") -> FileProblem | None:
    """The first problem with files written into a workspace: their paths and duplicates
    (the same path rules as a run's input files, since they become a run's input files)."""
    seen: set[str] = set()
    for index, file in enumerate(files):
        problem = path_problem(file.path)
        if problem is not None:
            return FileProblem(f"{field}[{index}].path", f"path {problem}")
        if file.path in seen:
            return FileProblem(f"{field}[{index}].path", f"path {file.path!r} is given twice")
        seen.add(file.path)
    return None


def with_files(
    current: Iterable[StoredFile], written: Iterable[StoredFile]
) -> tuple[StoredFile, ...]:
    """The manifest after `written` replaced or joined `current` (by path)."""
    by_path = {file.path: file for file in current}
    by_path.update((file.path, file) for file in written)
    return tuple(sorted(by_path.values(), key=lambda file: file.path))


def without_files(
    current: Iterable[StoredFile], *, paths: Iterable[str] = (), prefixes: Iterable[str] = ()
) -> tuple[StoredFile, ...]:
    """The manifest with `paths` and everything under `prefixes` removed."""
    gone = set(paths)
    under = tuple(prefixes)
    return tuple(
        file
        for file in current
        if file.path not in gone and not (under and file.path.startswith(under))
    )


def manifest_problem(files: Sequence[StoredFile]) -> str | None:
    """Why a manifest cannot be a workspace's: too many files, or a file whose path is also
    another file's directory (a run could not be given both)."""
    if len(files) > MAX_WORKSPACE_FILES:
        return f"a workspace holds at most {MAX_WORKSPACE_FILES} files"
    paths = {file.path for file in files}
    for file in files:
        parents = file.path.split("/")[:-1]
        for depth in range(1, len(parents) + 1):
            parent = "/".join(parents[:depth])
            if parent in paths:
                return f"path {file.path!r} is inside file {parent!r}"
    return None


@dataclass(frozen=True, slots=True)
class StorageUse:
    """What one user's workspaces hold against their storage quota."""

    used_bytes: int
    quota_bytes: int

    def after(self, old: int, new: int) -> int:
        """The use once one workspace's size goes from `old` to `new` bytes."""
        return self.used_bytes - old + new
