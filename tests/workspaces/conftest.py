"""One `podrun serve` for the workspace tests, with a small storage quota to reach."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.servers import PodrunProcess, StoreProcess

QUOTA = 200_000


@pytest.fixture(scope="package")
def podrun(store: StoreProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    process = PodrunProcess(
        tmp_path_factory.mktemp("workspaces"),
        ["serve"],
        env={
            "PODRUN_MONGODB_URI": store.uri,
            "PODRUN_DATABASE": "workspace_runs",
            "PODRUN_MAX_CONCURRENCY": "4",
            "PODRUN_WORKSPACE_QUOTA_BYTES": str(QUOTA),
        },
    ).start()
    yield process.url
    process.stop()
