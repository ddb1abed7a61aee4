"""Fixtures: an emulated cluster over real HTTP, and the backend connected to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from k8s_cluster import ClusterEmulator, SimulatedKubelet, running_cluster

from service.adapters.sandbox.kubernetes import KubernetesBackendConfig, KubernetesSandboxBackend


@pytest_asyncio.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[tuple[ClusterEmulator, SimulatedKubelet, str]]:
    async with running_cluster(tmp_path) as running:
        yield running


@pytest.fixture
def emulator(cluster: tuple[ClusterEmulator, SimulatedKubelet, str]) -> ClusterEmulator:
    return cluster[0]


@pytest.fixture
def kubelet(cluster: tuple[ClusterEmulator, SimulatedKubelet, str]) -> SimulatedKubelet:
    return cluster[1]


@pytest.fixture
def config(cluster: tuple[ClusterEmulator, SimulatedKubelet, str]) -> KubernetesBackendConfig:
    return KubernetesBackendConfig(
        api_url=cluster[2],
        request_timeout_seconds=5,
        watch_timeout_seconds=2,
        read_timeout_seconds=4,
        log_read_timeout_seconds=3,
        reconnect_backoff_seconds=(0.05, 0.1, 0.2),
        unschedulable_deadline_seconds=0.5,
        image_pull_deadline_seconds=0.5,
        active_deadline_grace_seconds=5,
        timeout_grace_seconds=0.5,
        log_drain_timeout_seconds=3,
    )


@pytest_asyncio.fixture
async def backend(config: KubernetesBackendConfig) -> AsyncIterator[KubernetesSandboxBackend]:
    backend = KubernetesSandboxBackend(config)
    await backend.start()
    try:
        yield backend
    finally:
        await backend.close()
