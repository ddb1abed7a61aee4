"""Attacks on a real `podrun serve`, one script per attack, through the public API.

The package runs its own server (on the session's store) so that the host side carries
secrets a script must never reach: a marker in the service's environment and a file in its
data directory. After every test the service must still be healthy: `/healthz` answers 200
and a fresh `print(1)` completes.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from tests.support.client import Api
from tests.support.servers import PodrunProcess, StoreProcess

CGROUP_ROOT = Path("/sys/fs/cgroup")


@dataclass(frozen=True)
class HostSecrets:
    """What lives on the host side of the server, for the scripts to go looking for."""

    env_name: str
    marker: str  # the value of `env_name` in the service's environment, and a file's content
    data_dir: Path
    secret_file: Path  # inside data_dir
    store_dir: Path


@pytest.fixture(scope="package")
def host_secrets(store: StoreProcess, tmp_path_factory: pytest.TempPathFactory) -> HostSecrets:
    data_dir = tmp_path_factory.mktemp("adversarial-data")
    marker = f"podrun-host-secret-{uuid.uuid4().hex}"
    secret_file = data_dir / "secret.txt"
    secret_file.write_text(marker)
    return HostSecrets("ADVERSARIAL_HOST_SECRET", marker, data_dir, secret_file, store.path)


@pytest.fixture(scope="package")
def server(
    store: StoreProcess, host_secrets: HostSecrets, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PodrunProcess]:
    """A `podrun serve` with a secret in its environment and its data directory."""
    process = PodrunProcess(
        tmp_path_factory.mktemp("adversarial-server"),
        ["serve"],
        env={
            "PODRUN_MONGODB_URI": store.uri,
            "PODRUN_DATABASE": "adversarial",
            "PODRUN_DATA_DIR": str(host_secrets.data_dir),
            "PODRUN_MAX_CONCURRENCY": "4",
            host_secrets.env_name: host_secrets.marker,
        },
    ).start()
    yield process
    process.stop()


@pytest_asyncio.fixture(autouse=True)
async def service_stays_healthy(server: PodrunProcess) -> AsyncIterator[None]:
    """Whatever the attack did, the service answers and runs the next script."""
    yield
    async with httpx.AsyncClient() as http:
        assert (await http.get(f"{server.url}/healthz", timeout=5)).status_code == 200
    after = await Api(server.url).run("print(1)", timeout=30)
    assert (after["status"], after["stdout"]) == ("COMPLETED", "1\n")


def host_pids_with(marker: str) -> list[int]:
    """Host processes whose command line contains `marker` (zombies have none)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def host_pids_of_uid(uid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid and (entry / "cmdline").read_bytes():
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def execution_cgroups(execution_id: str) -> list[Path]:
    """The per-execution cgroup directories still present on the host (v1 or v2)."""
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", execution_id)[:64]
    found: list[Path] = []
    for dirpath, dirnames, _ in os.walk(CGROUP_ROOT):
        found += [Path(dirpath) / d for d in dirnames if d.startswith(f"run-{safe}-")]
        # Sandbox cgroups are leaves: no need to look below them.
        dirnames[:] = [d for d in dirnames if not d.startswith("run-")]
    return found


async def attack(
    api: Api, script: str, *, timeout: float = 60, **limits: float | int
) -> dict[str, Any]:
    """Run one attack script (with `limits` as LimitsInput fields) to its end; the execution.

    Every attack must also leave nothing behind: its cgroup is gone once it has ended."""
    execution = await api.run(script, timeout=timeout, limits=limits)
    assert execution_cgroups(execution["id"]) == [], "the sandbox's cgroup outlived the run"
    return execution
