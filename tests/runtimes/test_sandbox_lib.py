"""The podrun module is bound into sandboxes from a staged copy, never from the checkout:
a checkout under /tmp is hidden by the sandbox's own /tmp before bwrap looks for it."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

from service.adapters.sandbox.local.sandboxlib import SOURCE, stage_sandbox_lib


def test_the_module_is_staged_by_content_world_readable(tmp_path: Path) -> None:
    source = tmp_path / "checkout" / "podrun"
    shutil.copytree(SOURCE, source, ignore=shutil.ignore_patterns("__pycache__"))
    staged = stage_sandbox_lib(source, tmp_path / "stage")
    assert staged != source and not staged.is_relative_to(source.parent)
    assert (staged / "__init__.py").read_bytes() == (source / "__init__.py").read_bytes()
    assert stat.S_IMODE((staged / "__init__.py").stat().st_mode) == 0o644
    assert stat.S_IMODE(staged.stat().st_mode) == 0o755
    # The same content again: the same copy; changed content: a copy of its own.
    assert stage_sandbox_lib(source, tmp_path / "stage") == staged
    (source / "__init__.py").write_text((source / "__init__.py").read_text() + "\n# changed\n")
    changed = stage_sandbox_lib(source, tmp_path / "stage")
    assert changed != staged and (staged / "__init__.py").is_file()


def test_staging_that_cannot_write_falls_back_to_the_source(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert stage_sandbox_lib(SOURCE, blocker / "stage") == SOURCE
