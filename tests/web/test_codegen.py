"""The committed operation types match what graphql-codegen makes from schema.graphql now."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.servers import REPO

WEB = REPO / "web"
GENERATED = WEB / "src" / "lib" / "generated"


def _files(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.timeout(300)
def test_generated_operation_types_are_up_to_date(tmp_path: Path) -> None:
    if (
        shutil.which("npx") is None
        or not (WEB / "node_modules" / ".bin" / "graphql-codegen").exists()
    ):
        pytest.skip("needs web/node_modules: run `bash scripts/dev.sh` (or `cd web && npm ci`)")
    out = tmp_path / "generated"
    subprocess.run(
        ["npx", "--no-install", "graphql-codegen", "--config", "codegen.ts", "--silent"],
        cwd=WEB,
        env={**os.environ, "PODRUN_CODEGEN_OUT": f"{out}/"},
        check=True,
        timeout=240,
        capture_output=True,
    )
    fresh, committed = _files(out), _files(GENERATED)
    stale = sorted(
        name for name in fresh.keys() | committed.keys() if fresh.get(name) != committed.get(name)
    )
    assert not stale, (
        f"web/src/lib/generated is stale ({', '.join(stale)}): run `npm run codegen` in web/"
    )
