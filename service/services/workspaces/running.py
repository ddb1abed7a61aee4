"""Runs on a workspace: they take turns, each starts with the workspace's files in `/work`,
and what it leaves there becomes the workspace.

Turns: the dispatcher starts a workspace run only once it holds the workspace (`enter`, a
conditional write on the workspace record naming the execution); the run gives it back when
it ends (`leave`). A holder that ended without giving it back (its worker died) is replaced
by the next run, so a crash never locks a workspace. Runs waiting for their turn stay QUEUED,
in order (:mod:`service.services.worker.dispatching`).

Write-back (`write_back`), decided here once for both backends:

- only a run whose script ended on its own keeps its `/work`: COMPLETED and FAILED (a script
  that raised after writing its results still wrote them). A run we killed (timeout, memory,
  output cap, cancel) or that the infrastructure failed (ERROR) may have left files half
  written: the workspace stays as it was, and the execution says why;
- what the run changed is applied to the workspace as it is then (`Workspaces.apply_run`):
  files it created or changed, files it deleted (given at the start, gone at the end);
- files the collection skipped (a symlink, one over a limit) keep their old contents; when
  the collection did not tell everything (cut short), nothing is kept, since what is gone
  cannot be known.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.domain.executions import Execution
from service.domain.files import MIB, FileContent, check_files
from service.domain.limits import Limits
from service.domain.sandboxes import SandboxOutcome
from service.domain.statuses import ExecutionStatus
from service.domain.workspaces import Workspace
from service.services.ports.store import ExecutionRepository
from service.services.ports.workspaces import WorkspaceRepository
from service.services.workspaces.managing import Workspaces

# The verdicts whose /work the workspace keeps: the script ended on its own.
WRITES_BACK = frozenset({ExecutionStatus.COMPLETED, ExecutionStatus.FAILED})


@dataclass(frozen=True, slots=True)
class WorkspaceStart:
    """What a workspace run starts with: every file in /work, and the workspace's paths
    among them (the ones a run can delete)."""

    files: tuple[FileContent, ...]
    workspace_paths: frozenset[str]


@dataclass(frozen=True, slots=True)
class WriteBack:
    """Whether the workspace took what the run left, and what to tell about it."""

    updated: bool
    message: str | None = None


def fits_problem(workspace: Workspace, own_bytes: int, limits: Limits) -> str | None:
    """Why a run with these limits cannot start with this workspace (and `own_bytes` of its
    own files) in its /work, or None."""
    budget = limits.disk_mib * MIB
    if workspace.size_bytes + own_bytes > budget:
        return (
            f"workspace {workspace.name!r} holds {workspace.size_bytes} bytes; with the run's "
            f"own files that is over the disk limit of {budget} bytes (raise limits.diskMib)"
        )
    return None


class WorkspaceRuns:
    def __init__(
        self,
        *,
        workspaces: Workspaces,
        records: WorkspaceRepository,
        executions: ExecutionRepository,
    ) -> None:
        self._workspaces = workspaces
        self._records = records
        self._executions = executions

    async def enter(self, execution: Execution) -> bool:
        """Whether `execution` may start now: it holds its workspace (or has none, or the
        workspace is gone: then its launch says so)."""
        workspace_id = execution.workspace_id
        if workspace_id is None:
            return True
        holder = await self._records.occupy(workspace_id, execution.id)
        if holder is None or holder == execution.id:
            return True
        if not holder:
            return False
        other = await self._executions.get(holder)
        if other is not None and not other.status.is_terminal:
            return False
        return await self._records.take_over(workspace_id, holder, execution.id)

    async def leave(self, execution: Execution) -> None:
        if execution.workspace_id is not None:
            await self._records.vacate(execution.workspace_id, execution.id)

    async def start(
        self, execution: Execution, own: tuple[FileContent, ...]
    ) -> WorkspaceStart | str:
        """The files the run starts with: the workspace's, and its own over them (by path);
        or why it cannot start."""
        assert execution.workspace_id is not None
        workspace = await self._records.get(execution.workspace_id)
        if workspace is None:
            return "the workspace was deleted before the run started"
        contents = await self._workspaces.contents(workspace)
        if isinstance(contents, str):
            return contents
        too_big = fits_problem(workspace, sum(len(f.data) for f in own), execution.limits)
        if too_big is not None:
            return too_big
        mine = {file.path for file in own}
        files = (*(f for f in contents if f.path not in mine), *own)
        problem = check_files(files, execution.limits)
        if problem is not None:
            return f"the workspace's files and the run's own do not go together: {problem.message}"
        return WorkspaceStart(files, frozenset(f.path for f in contents))

    async def resumed(self, execution: Execution) -> WorkspaceStart:
        """The start of a run adopted from another worker, as well as it can be known: the
        workspace as it is now, and the run's own files."""
        assert execution.workspace_id is not None
        workspace = await self._records.get(execution.workspace_id)
        paths = {f.path for f in workspace.files} if workspace is not None else set()
        return WorkspaceStart((), frozenset(paths | {f.path for f in execution.input_files}))

    async def write_back(
        self,
        execution: Execution,
        start: WorkspaceStart,
        status: ExecutionStatus,
        outcome: SandboxOutcome,
        given: tuple[FileContent, ...],
    ) -> WriteBack:
        """Apply what the run left to its workspace (the rules are in the module docstring).
        `given`: the files it started with that are not the workspace's as they were (its
        own files): left unchanged, they still join the workspace."""
        assert execution.workspace_id is not None
        if status not in WRITES_BACK:
            return WriteBack(False, f"the workspace keeps its files: the run ended {status.value}")
        if outcome.unchanged_files is None:
            return WriteBack(
                False,
                "the workspace keeps its files: what the run left could not be collected "
                "whole (see skippedFiles)",
            )
        left = {file.path for file in outcome.files} | set(outcome.unchanged_files)
        skipped = {file.path for file in outcome.skipped_files}
        deleted = sorted(start.workspace_paths - left - skipped)
        unchanged = set(outcome.unchanged_files)
        joining = [file for file in given if file.path in unchanged]
        result = await self._workspaces.apply_run(
            execution.workspace_id, changed=[*outcome.files, *joining], deleted=deleted
        )
        if not isinstance(result, Workspace):
            return WriteBack(False, f"the workspace keeps its files: {result.message}")
        if outcome.skipped_files:
            return WriteBack(
                True,
                f"{len(outcome.skipped_files)} file(s) were not kept (see skippedFiles); "
                "those the workspace had keep their previous contents",
            )
        return WriteBack(True)
