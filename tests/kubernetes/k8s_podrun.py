"""Real `podrun` processes on the emulated cluster: a kubeconfig pointing at the emulator's
loopback URL, the `PODRUN_K8S_*` settings the tests use, and helpers to look at the cluster."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import kmock
from k8s_cluster import PODS, ClusterEmulator

from tests.support.servers import PodrunProcess, StoreProcess

NAMESPACE = "podrun-sandboxes"
CONFIGMAPS = kmock.resource("", "v1", "configmaps")
LEASES = kmock.resource("coordination.k8s.io", "v1", "leases")
MISSING_IMAGE = "registry.invalid/podrun/runner:3.13"
NODE_MEMORY_MIB = 256  # so a 512 MiB request (the default maximum) fits no node
IMAGES = {
    "python3.11": "ghcr.io/podrun/runner:3.11",
    "python3.12": "ghcr.io/podrun/runner:3.12",
    "python3.13": MISSING_IMAGE,  # the node cannot pull it: its executions end as ERROR
}


def write_kubeconfig(directory: Path, url: str) -> Path:
    path = directory / "kubeconfig"
    path.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "emulated", "cluster": {"server": url}}],
                "users": [{"name": "worker", "user": {"token": "podrun-test"}}],
                "contexts": [
                    {"name": "podrun", "context": {"cluster": "emulated", "user": "worker"}}
                ],
                "current-context": "podrun",
            }
        )
    )
    return path


def podrun_env(
    store: StoreProcess, database: str, kubeconfig: Path, **extra: str
) -> dict[str, str]:
    """Settings of a Podrun process using the kubernetes backend on the emulated cluster."""
    return {
        "PODRUN_BACKEND": "kubernetes",
        "PODRUN_MONGODB_URI": store.uri,
        "PODRUN_DATABASE": database,
        "PODRUN_K8S_KUBECONFIG": str(kubeconfig),
        "PODRUN_K8S_NAMESPACE": NAMESPACE,
        "PODRUN_K8S_IMAGES": json.dumps(IMAGES),
        "PODRUN_K8S_DEFAULT_RUNTIME": "python3.11",
        "PODRUN_K8S_UNSCHEDULABLE_DEADLINE_SECONDS": "1",
        "PODRUN_K8S_IMAGE_PULL_DEADLINE_SECONDS": "1",
        "PODRUN_K8S_LEASE_DURATION_SECONDS": "3",
        "PODRUN_K8S_LEASE_RENEW_SECONDS": "0.5",
        "PODRUN_K8S_REQUEST_TIMEOUT_SECONDS": "10",
        "PODRUN_WORKER_HEARTBEAT_SECONDS": "0.5",
        "PODRUN_WORKER_DEAD_AFTER_SECONDS": "5",
        "PODRUN_K8S_WARM_PODS": "{}",  # no warm pods unless a test asks for them
        **extra,
    }


def unique_database(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


async def start(process: PodrunProcess) -> PodrunProcess:
    """Start without blocking the loop: the emulator and the kubelet live in this loop."""
    await asyncio.to_thread(process.start)
    return process


async def stop(process: PodrunProcess) -> None:
    await asyncio.to_thread(process.stop)


async def kill(process: PodrunProcess) -> None:
    await asyncio.to_thread(process.kill)


def live_objects(emulator: ClusterEmulator, resource: kmock.resource) -> dict[str, dict[str, Any]]:
    """Name → object of what exists (not deleted) in the sandbox namespace."""
    return {
        name: obj.raw
        for (kind, namespace, name), obj in list(emulator.objects.items())
        if kind == resource and namespace == NAMESPACE and not obj.deleted
    }


def pods_of(emulator: ClusterEmulator, execution_id: str) -> list[dict[str, Any]]:
    return [
        pod
        for pod in live_objects(emulator, PODS).values()
        if (pod["metadata"].get("labels") or {}).get("podrun.dev/execution-id") == execution_id
    ]


def lease_holder(emulator: ClusterEmulator, name: str = "podrun-worker") -> str | None:
    for (kind, namespace, lease_name), obj in list(emulator.objects.items()):
        if kind == LEASES and namespace == NAMESPACE and lease_name == name and not obj.deleted:
            holder = (obj.raw.get("spec") or {}).get("holderIdentity")
            return str(holder) if holder else None
    return None


async def eventually(check: Callable[[], Any], timeout: float = 30, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)
