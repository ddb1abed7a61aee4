"""Session-wide real parts: one SecantusDB server and one `podrun serve` using it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.client import Api
from tests.support.servers import PodrunProcess, StoreProcess


@pytest.fixture(scope="session")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StoreProcess]:
    process = StoreProcess(tmp_path_factory.mktemp("store")).start()
    yield process
    process.stop()


@pytest.fixture(scope="session")
def server(
    store: StoreProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PodrunProcess]:
    """A `podrun serve` (API + worker, local backend) on the shared store."""
    process = PodrunProcess(
        tmp_path_factory.mktemp("server"),
        ["serve"],
        env={
            "PODRUN_MONGODB_URI": store.uri,
            "PODRUN_DATABASE": "shared",
            "PODRUN_MAX_CONCURRENCY": "8",
            # The shared suite lists its own anonymous executions (single-user dev setting).
            "PODRUN_AUTH_ANONYMOUS_CAN_LIST": "true",
        },
    ).start()
    yield process
    process.stop()


@pytest.fixture
def api(server: PodrunProcess) -> Api:
    return Api(server.url)


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    return tmp_path
