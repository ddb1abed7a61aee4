"""The Pod and ConfigMap bodies, field by field (pure functions)."""

from __future__ import annotations

import pytest

from service.adapters.sandbox.kubernetes import KubernetesBackendConfig
from service.adapters.sandbox.kubernetes.podspecs import (
    InvalidExecutionId,
    build_configmap,
    build_pod,
    object_name,
    owner_reference_patch,
    terms_for,
    terms_from_pod,
)
from service.domain.limits import Limits
from service.domain.sandboxes import SandboxSpec

CONFIG = KubernetesBackendConfig()
RUNTIME = next(r for r in CONFIG.runtimes() if r.default)
LIMITS = Limits(
    timeout_seconds=2.5,
    memory_mib=256,
    cpu_millicores=500,
    max_processes=32,
    max_output_bytes=1024 * 1024,
    disk_mib=20,
)


def spec(**changes: object) -> SandboxSpec:
    fields: dict[str, object] = {
        "execution_id": "65f0c0ffee",
        "runtime": RUNTIME,
        "script": "print('hi')",
        "limits": LIMITS,
        "env": {"TRACEPARENT": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
    }
    fields.update(changes)
    return SandboxSpec(**fields)  # type: ignore[arg-type]


def test_pod_body_is_exactly_this() -> None:
    pod = build_pod(spec(), CONFIG, "ghcr.io/podrun/runner:3.11")
    assert pod == {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "podrun-65f0c0ffee",
            "namespace": "podrun-sandboxes",
            "labels": {
                "app.kubernetes.io/managed-by": "podrun",
                "podrun.dev/execution-id": "65f0c0ffee",
            },
            "annotations": {
                "podrun.dev/execution-id": "65f0c0ffee",
                "podrun.dev/runtime": "python3.11",
            },
        },
        "spec": {
            "restartPolicy": "Never",
            "activeDeadlineSeconds": 3 + 30,
            "terminationGracePeriodSeconds": 2,
            "automountServiceAccountToken": False,
            "enableServiceLinks": False,
            "hostUsers": False,
            "securityContext": {
                "runAsNonRoot": True,
                "runAsUser": 10001,
                "runAsGroup": 10001,
                "fsGroup": 10001,
                "seccompProfile": {"type": "RuntimeDefault"},
            },
            "containers": [
                {
                    "name": "script",
                    "image": "ghcr.io/podrun/runner:3.11",
                    "imagePullPolicy": "IfNotPresent",
                    "command": ["python3", "/opt/podrun/runner.py"],
                    "args": ["--script", "/podrun/script/main.py", "--", "python3"],
                    "workingDir": "/work",
                    "env": [
                        {"name": "PODRUN_MAX_OUTPUT_BYTES", "value": "1048576"},
                        {"name": "PODRUN_TIMEOUT_SECONDS", "value": "2.5"},
                        {"name": "PODRUN_MAX_PROCESSES", "value": "32"},
                        {"name": "PODRUN_REPORT_PATH", "value": "/dev/termination-log"},
                        {"name": "PYTHONUNBUFFERED", "value": "1"},
                        {"name": "PYTHONDONTWRITEBYTECODE", "value": "1"},
                        {"name": "HOME", "value": "/work"},
                        {
                            "name": "TRACEPARENT",
                            "value": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                        },
                    ],
                    "resources": {
                        "requests": {"cpu": "500m", "memory": "256Mi", "ephemeral-storage": "26Mi"},
                        "limits": {"cpu": "500m", "memory": "256Mi", "ephemeral-storage": "26Mi"},
                    },
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": 10001,
                        "runAsGroup": 10001,
                        "readOnlyRootFilesystem": True,
                        "allowPrivilegeEscalation": False,
                        "privileged": False,
                        "capabilities": {"drop": ["ALL"]},
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "volumeMounts": [
                        {"name": "scratch", "mountPath": "/tmp", "subPath": "tmp"},
                        {"name": "scratch", "mountPath": "/work", "subPath": "work"},
                        {"name": "scratch", "mountPath": "/dev/shm", "subPath": "shm"},
                        {"name": "script", "mountPath": "/podrun/script", "readOnly": True},
                    ],
                    "terminationMessagePath": "/dev/termination-log",
                    "terminationMessagePolicy": "File",
                }
            ],
            "volumes": [
                {"name": "scratch", "emptyDir": {"sizeLimit": "20Mi"}},
                {
                    "name": "script",
                    "configMap": {"name": "podrun-65f0c0ffee", "defaultMode": 0o444},
                },
            ],
        },
    }


def test_optional_scheduling_fields() -> None:
    config = KubernetesBackendConfig(
        runtime_class_name="gvisor",
        node_selector={"podrun.dev/sandbox": "true"},
        tolerations=({"key": "sandbox", "operator": "Exists", "effect": "NoSchedule"},),
        image_pull_secrets=("regcred",),
        priority_class_name="podrun-low",
        user_namespaces=False,
    )
    pod_spec = build_pod(spec(), config, "img")["spec"]
    assert pod_spec["runtimeClassName"] == "gvisor"
    assert pod_spec["nodeSelector"] == {"podrun.dev/sandbox": "true"}
    assert pod_spec["tolerations"] == [
        {"key": "sandbox", "operator": "Exists", "effect": "NoSchedule"}
    ]
    assert pod_spec["imagePullSecrets"] == [{"name": "regcred"}]
    assert pod_spec["priorityClassName"] == "podrun-low"
    assert "hostUsers" not in pod_spec


def test_interactive_pod_keeps_stdin_open_for_attach() -> None:
    container = build_pod(spec(interactive=True, stdin=b"first\n"), CONFIG, "img")["spec"][
        "containers"
    ][0]
    assert container["stdin"] is True
    assert container["stdinOnce"] is True
    assert "tty" not in container
    assert container["args"] == [
        "--script",
        "/podrun/script/main.py",
        "--stdin-file",
        "/podrun/script/stdin",
        "--forward-stdin",
        "--",
        "python3",
    ]


def test_non_interactive_pod_has_no_stdin() -> None:
    container = build_pod(spec(), CONFIG, "img")["spec"]["containers"][0]
    assert "stdin" not in container and "stdinOnce" not in container


def test_configmap_carries_script_and_stdin() -> None:
    assert build_configmap(spec(stdin=b"\x00\xffdata"), CONFIG) == {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": "podrun-65f0c0ffee",
            "namespace": "podrun-sandboxes",
            "labels": {
                "app.kubernetes.io/managed-by": "podrun",
                "podrun.dev/execution-id": "65f0c0ffee",
            },
            "annotations": {"podrun.dev/execution-id": "65f0c0ffee"},
        },
        "immutable": True,
        "data": {"main.py": "print('hi')"},
        "binaryData": {"stdin": "AP9kYXRh"},
    }


def test_small_scripts_can_travel_in_the_environment() -> None:
    config = KubernetesBackendConfig(inline_script_max_bytes=100)
    container = build_pod(spec(), config, "img")["spec"]["containers"][0]
    assert {"name": "PODRUN_SCRIPT", "value": "print('hi')"} in container["env"]
    assert container["args"] == ["--", "python3"]
    assert all(m["name"] != "script" for m in container["volumeMounts"])


def test_script_environment_cannot_override_runner_settings() -> None:
    env = build_pod(spec(env={"PODRUN_MAX_OUTPUT_BYTES": "999999999"}), CONFIG, "img")["spec"][
        "containers"
    ][0]["env"]
    assert {"name": "PODRUN_MAX_OUTPUT_BYTES", "value": "1048576"} in env
    assert {"name": "PODRUN_MAX_OUTPUT_BYTES", "value": "999999999"} not in env


def test_owner_reference_makes_the_pod_own_the_configmap() -> None:
    pod = {"metadata": {"name": "podrun-x", "uid": "1234-5678"}}
    assert owner_reference_patch(pod) == {
        "metadata": {
            "ownerReferences": [
                {
                    "apiVersion": "v1",
                    "kind": "Pod",
                    "name": "podrun-x",
                    "uid": "1234-5678",
                    "controller": False,
                    "blockOwnerDeletion": False,
                }
            ]
        }
    }


def test_names_are_dns_safe_and_unique() -> None:
    assert object_name("abc123") == "podrun-abc123"
    odd = object_name("Exec_ABC.1")
    assert odd.startswith("podrun-exec-abc-1-") and odd == odd.lower()
    assert object_name("Exec_ABC.1") != object_name("exec-abc-1")


def test_execution_id_must_be_a_label_value() -> None:
    with pytest.raises(InvalidExecutionId):
        build_pod(spec(execution_id="has space"), CONFIG, "img")


def test_terms_survive_the_round_trip_through_the_pod() -> None:
    the_spec = spec(interactive=True)
    pod = build_pod(the_spec, CONFIG, "img")
    assert terms_from_pod(pod) == terms_for(the_spec, "img")


def test_runtimes_offered() -> None:
    runtimes = {r.id: r for r in CONFIG.runtimes()}
    assert set(runtimes) == {"python3.11", "python3.12", "python3.13"}
    assert runtimes["python3.11"].default and runtimes["python3.11"].aliases == (
        "python",
        "python3",
    )
    assert runtimes["python3.12"].image == "ghcr.io/podrun/runner:3.12"
    assert not runtimes["python3.13"].default
