"""`PODRUN_K8S_*` environment variables reach the Kubernetes backend's config."""

from __future__ import annotations

import json

import pytest

from service.entrypoints.backends import discover_runtimes, kubernetes_config
from service.settings import Settings


def test_every_knob_is_mapped(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {
        "PODRUN_K8S_NAMESPACE": "sandboxes",
        "PODRUN_K8S_KUBECONFIG": "/etc/podrun/kubeconfig",
        "PODRUN_K8S_CONTEXT": "prod",
        "PODRUN_K8S_IMAGES": json.dumps({"python3.12": "reg/runner:3.12", "python3.13": "r:13"}),
        "PODRUN_K8S_DEFAULT_RUNTIME": "python3.13",
        "PODRUN_K8S_IMAGE_PULL_POLICY": "Always",
        "PODRUN_K8S_IMAGE_PULL_SECRETS": '["regcred"]',
        "PODRUN_K8S_RUNTIME_CLASS_NAME": "gvisor",
        "PODRUN_K8S_NODE_SELECTOR": '{"pool": "sandboxes"}',
        "PODRUN_K8S_TOLERATIONS": json.dumps(
            [{"key": "sandbox", "operator": "Exists", "effect": "NoSchedule"}]
        ),
        "PODRUN_K8S_PRIORITY_CLASS_NAME": "low",
        "PODRUN_K8S_USER_NAMESPACES": "false",
        "PODRUN_K8S_UNSCHEDULABLE_DEADLINE_SECONDS": "90",
        "PODRUN_K8S_IMAGE_PULL_DEADLINE_SECONDS": "120",
        "PODRUN_K8S_ACTIVE_DEADLINE_GRACE_SECONDS": "10",
        "PODRUN_K8S_INLINE_SCRIPT_MAX_BYTES": "2048",
        "PODRUN_K8S_REQUEST_TIMEOUT_SECONDS": "7",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = kubernetes_config(Settings())
    assert config.namespace == "sandboxes"
    assert config.kubeconfig == "/etc/podrun/kubeconfig"
    assert config.context == "prod"
    assert config.in_cluster is False and config.api_url is None
    assert dict(config.images) == {"python3.12": "reg/runner:3.12", "python3.13": "r:13"}
    assert config.default_runtime == "python3.13"
    assert config.image_pull_policy == "Always"
    assert config.image_pull_secrets == ("regcred",)
    assert config.runtime_class_name == "gvisor"
    assert dict(config.node_selector) == {"pool": "sandboxes"}
    assert config.tolerations == ({"key": "sandbox", "operator": "Exists", "effect": "NoSchedule"},)
    assert config.priority_class_name == "low"
    assert config.user_namespaces is False
    assert config.unschedulable_deadline_seconds == 90
    assert config.image_pull_deadline_seconds == 120
    assert config.active_deadline_grace_seconds == 10
    assert config.inline_script_max_bytes == 2048
    assert config.request_timeout_seconds == 7


async def test_runtimes_follow_the_image_map(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PODRUN_BACKEND", "kubernetes")
    monkeypatch.setenv("PODRUN_K8S_IMAGES", '{"python3.12": "a:12", "python3.13": "a:13"}')
    monkeypatch.setenv("PODRUN_K8S_DEFAULT_RUNTIME", "python3.12")
    runtimes = {r.id: r for r in await discover_runtimes(Settings())}
    assert set(runtimes) == {"python3.12", "python3.13"}
    assert runtimes["python3.12"].default and runtimes["python3.12"].image == "a:12"
    assert not runtimes["python3.13"].default


def test_the_defaults_offer_three_pythons_and_in_cluster_is_explicit() -> None:
    config = kubernetes_config(Settings())
    assert sorted(config.images) == ["python3.11", "python3.12", "python3.13"]
    assert config.namespace == "podrun-sandboxes"
    assert config.in_cluster is False


def test_a_default_runtime_without_an_image_falls_back_to_the_first_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PODRUN_K8S_IMAGES", '{"python3.12": "a:12"}')
    assert kubernetes_config(Settings()).default_runtime == "python3.12"


def test_warm_pods_default_to_two_of_the_default_runtime_in_the_default_shape(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PODRUN_DEFAULT_MEMORY_MIB", "256")
    monkeypatch.setenv("PODRUN_MAX_TIMEOUT_SECONDS", "30")
    config = kubernetes_config(Settings())
    assert dict(config.warm_pods) == {"python3.11": 2}
    assert config.warm_limits.memory_mib == 256
    assert config.warm_pod_max_timeout_seconds == 30


def test_warm_pods_are_a_map_of_runtime_to_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PODRUN_K8S_WARM_PODS", '{"python3.12": 4, "python3.13": 1}')
    monkeypatch.setenv("PODRUN_K8S_WARM_POD_MAX_IDLE_SECONDS", "120")
    config = kubernetes_config(Settings())
    assert dict(config.warm_pods) == {"python3.12": 4, "python3.13": 1}
    assert config.warm_pod_max_idle_seconds == 120
    monkeypatch.setenv("PODRUN_K8S_WARM_PODS", "{}")
    assert dict(kubernetes_config(Settings()).warm_pods) == {}


async def test_an_environment_runtime_runs_in_its_own_image(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from service.adapters.sandbox.kubernetes.podspecs import build_pod
    from service.domain.limits import Limits
    from service.domain.sandboxes import SandboxSpec

    monkeypatch.setenv("PODRUN_BACKEND", "kubernetes")
    monkeypatch.setenv(
        "PODRUN_K8S_IMAGES",
        '{"python3.12": "r/runner:3.12", "python3.12-datascience": "r/runner:3.12-datascience"}',
    )
    monkeypatch.setenv("PODRUN_K8S_DEFAULT_RUNTIME", "python3.12")
    config = kubernetes_config(Settings())
    runtimes = {r.id: r for r in config.runtimes()}
    science = runtimes["python3.12-datascience"]
    assert (science.version, science.environment, science.interpreter) == (
        "3.12",
        "datascience",
        "python3.12",
    )
    spec = SandboxSpec(execution_id="e1", runtime=science, script="print(1)", limits=Limits())
    image = config.image_for(science)
    assert image == "r/runner:3.12-datascience"
    pod = build_pod(spec, config, image)
    assert [c["image"] for c in pod["spec"]["containers"]] == ["r/runner:3.12-datascience"]
