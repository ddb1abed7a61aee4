"""Session-wide real parts: one SecantusDB server and one `podrun serve` using it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.client import Api
from tests.support.servers import PodrunProcess, StoreProcess

# What the tests of each folder need, as markers: `pytest -m "not chromium"` leaves out the
# browser tests, `pytest -m "not bubblewrap and not kubernetes"` needs neither sandboxes
# (bubblewrap, run as root for cgroups and the unprivileged hop) nor the emulator.
_NEEDS: dict[str, tuple[str, ...]] = {
    "web": ("chromium", "bubblewrap", "store"),
    "kubernetes": ("kubernetes", "store"),
    "sandbox_local": ("bubblewrap",),
    "runtimes": ("bubblewrap", "store"),
    "bus": ("store",),
    "webhooks": ("bubblewrap", "store"),
    **{
        folder: ("bubblewrap", "store")
        for folder in (
            "adversarial",
            "api",
            "auth",
            "cli",
            "client_typed",
            "distributed",
            "durability",
            "process",
            "stdin",
            "telemetry",
        )
    },
}
_TESTS = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        relative = item.path.relative_to(_TESTS)
        for marker in _NEEDS.get(relative.parts[0], ()) if len(relative.parts) > 1 else ():
            item.add_marker(marker)
    # The browser tests last: Playwright's sync API keeps an event loop running in this
    # thread until its session fixtures end, and every asyncio test after it would fail
    # with "Runner.run() cannot be called from a running event loop".
    items.sort(key=lambda item: item.path.relative_to(_TESTS).parts[0] == "web")


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
