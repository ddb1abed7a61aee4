"""Render charts/podrun offline with helm-python-sdk and look at the objects it produces.

helm-python-sdk binds Helm's own Go SDK (a shared library inside the wheel) through ctypes:
no helm binary, no network. `lookup` returns nothing when rendering offline, like
`helm template`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

helm = pytest.importorskip("helm_python", reason="helm-python-sdk (dev extra) is not installed")

CHART = Path(__file__).resolve().parents[2] / "charts" / "podrun"
RELEASE = "podrun"
NAMESPACE = "podrun"
SANDBOX_NAMESPACE = "podrun-sandboxes"
KUBE_VERSION = "1.30.0"

Obj = dict[str, Any]

# What an operator would set for production: external replica set, ingress with TLS, traces
# to a collector, a sandboxed runtime class, pinned image, more replicas and resources.
PRODUCTION_VALUES: Obj = {
    "image": {
        "repository": "registry.example.com/podrun/podrun",
        "digest": "sha256:" + "a" * 64,
    },
    "imagePullSecrets": [{"name": "registry"}],
    "runtimes": {
        "images": {
            "python3.12": "registry.example.com/podrun/runner@sha256:" + "b" * 64,
            "python3.13": "registry.example.com/podrun/runner@sha256:" + "c" * 64,
        },
        "defaultRuntime": "python3.12",
        "pullSecrets": ["registry"],
    },
    "api": {
        "resources": {
            "requests": {"cpu": "500m", "memory": "512Mi"},
            "limits": {"cpu": "2", "memory": "1Gi"},
        },
        "autoscaling": {"enabled": True, "minReplicas": 3, "maxReplicas": 20},
        "podDisruptionBudget": {"enabled": True, "minAvailable": 2},
    },
    "worker": {"replicas": 2, "maxConcurrency": 200},
    "ingress": {
        "enabled": True,
        "className": "nginx",
        "host": "podrun.example.com",
        "tls": {"enabled": True, "secretName": "podrun-tls"},
        "annotations": {"cert-manager.io/cluster-issuer": "letsencrypt"},
    },
    "sandbox": {
        "runtimeClassName": "gvisor",
        "nodeSelector": {"podrun.io/sandbox": "true"},
        "tolerations": [{"key": "podrun.io/sandbox", "operator": "Exists", "effect": "NoSchedule"}],
        "resourceQuota": {"pods": "256", "limitsCpu": "256", "limitsMemory": "256Gi"},
    },
    "mongodb": {
        "internal": {"enabled": False},
        "external": {"existingSecret": "podrun-mongodb", "uriKey": "connection-string"},
    },
    "auth": {"existingSecret": "podrun-jwt", "jwtSecretKey": "key"},
    "otel": {
        "enabled": True,
        "endpoint": "http://otel-collector.observability:4318",
        "resourceAttributes": "deployment.environment=production",
    },
}


@dataclass(frozen=True)
class Rendered:
    """A rendered release: its objects (by kind and name) and NOTES.txt."""

    objects: list[Obj]
    notes: str

    def of_kind(self, kind: str) -> list[Obj]:
        return [o for o in self.objects if o["kind"] == kind]

    def get(self, kind: str, name: str) -> Obj:
        matches = [o for o in self.of_kind(kind) if o["metadata"]["name"] == name]
        assert len(matches) == 1, f"expected one {kind}/{name}, got {len(matches)}"
        return matches[0]

    def workloads(self) -> list[Obj]:
        return [o for o in self.objects if o["kind"] in {"Deployment", "StatefulSet"}]

    def containers(self) -> Iterator[tuple[Obj, Obj]]:
        """(workload, container) for every container and init container."""
        for workload in self.workloads():
            spec = workload["spec"]["template"]["spec"]
            for container in [*spec.get("initContainers", []), *spec["containers"]]:
                yield workload, container


def render(values: Obj | None = None, *, namespace: str = NAMESPACE) -> Rendered:
    with helm.Chart.load(CHART) as chart:
        chart.validate_schema(values or {})
        manifests = chart.render(values or {}, name=RELEASE, namespace=namespace, is_install=True)
    objects: list[Obj] = []
    notes = ""
    for path, text in sorted(manifests.items()):
        if path.endswith("NOTES.txt"):
            notes = text
            continue
        objects.extend(doc for doc in yaml.safe_load_all(text) if doc)
    return Rendered(objects, notes)


def lint(values: Obj | None = None, *, namespace: str | None = NAMESPACE) -> dict[str, Any]:
    """`helm lint --strict`; namespace None lints as `helm lint` does without `-n`."""
    report: dict[str, Any] = helm.lint(
        CHART,
        values or {},
        strict=True,
        namespace=namespace,
        kube_version=f"v{KUBE_VERSION}",
    )
    return report


def schema_rejects(values: Obj) -> str | None:
    """The schema's complaint about `values`, or None when it accepts them."""
    with helm.Chart.load(CHART) as chart:
        try:
            chart.validate_schema(values)
        except helm.HelmValuesError as error:
            return str(error)
    return None


def env_of(container: Obj) -> dict[str, Obj]:
    return {item["name"]: item for item in container.get("env", [])}
