"""The generated clients are what ariadne-codegen makes of schema.graphql now."""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.client_typed.conftest import CLIENT


@pytest.mark.parametrize("flavour", ["aio", "sync"])
def test_the_generated_client_is_in_sync_with_the_schema(flavour: str, tmp_path: Path) -> None:
    # ariadne-codegen pins graphql-core below 3.3, which strawberry cannot run with: it lives
    # in a virtualenv of its own (client/README.md), named by PODRUN_ARIADNE_CODEGEN.
    tool = os.environ.get("PODRUN_ARIADNE_CODEGEN") or shutil.which("ariadne-codegen")
    if tool is None:
        pytest.skip(
            "ariadne-codegen not found: set PODRUN_ARIADNE_CODEGEN to its path (client/README.md)"
        )
    work = tmp_path / "client"
    shutil.copytree(CLIENT / "graphql", work / "graphql")
    (work / "podrun_client").mkdir()
    config = (CLIENT / f"codegen-{flavour}.toml").read_text()
    (work / "codegen.toml").write_text(
        config.replace('"../schema.graphql"', f'"{CLIENT.parent / "schema.graphql"}"')
    )
    subprocess.run(
        [tool, "--config", "codegen.toml"],
        cwd=work,
        check=True,
        capture_output=True,
    )
    fresh, checked_in = work / "podrun_client" / flavour, CLIENT / "podrun_client" / flavour
    names = sorted(p.name for p in fresh.glob("*.py"))
    assert names == sorted(p.name for p in checked_in.glob("*.py")), "files added or removed"
    stale = [n for n in names if not filecmp.cmp(fresh / n, checked_in / n, shallow=False)]
    assert not stale, (
        f"client/podrun_client/{flavour} is stale ({stale}): run "
        f"`cd client && ariadne-codegen --config codegen-{flavour}.toml`"
    )
