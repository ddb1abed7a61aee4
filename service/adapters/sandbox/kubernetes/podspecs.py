"""Pure functions that build the Pod and ConfigMap of one execution, as API dicts.

Every security-relevant field is spelled out here, in one place, so a test can assert the
exact body the API server receives.

How what a run is given reaches its pod: a small script in an env var, a larger one (or
up-front stdin) in a ConfigMap the pod owns; input files and arguments over the pod's attach
channel, in the same hand-over a warm pod gets (`handover.py`): such a pod's runner waits
(`--pooled`) and the handle sends it everything once the container runs. Not a ConfigMap or
Secret for files: an object holds at most ~1 MiB (etcd's limit), far less than the disk
limit allows files to take, it would put user data in etcd (and in its backups), and it
would mean two ways of doing one thing, while the attach stream takes any size, is the path
warm pods already use, and lands the files inside the pod with the runner's rights only.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
from dataclasses import dataclass
from typing import Any

from service.adapters.sandbox.kubernetes.config import (
    INTERPRETER,
    RUNNER_PATH,
    SANDBOX_UID,
    KubernetesBackendConfig,
)
from service.domain.files import FileCollection
from service.domain.limits import Limits
from service.domain.sandboxes import SandboxSpec

MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
MANAGED_BY = "podrun"
EXECUTION_LABEL = "podrun.dev/execution-id"
EXECUTION_ANNOTATION = "podrun.dev/execution-id"
RUNTIME_ANNOTATION = "podrun.dev/runtime"
MANAGED_SELECTOR = f"{MANAGED_BY_LABEL}={MANAGED_BY}"
# Written when a warm pod is handed to an execution (`claims.py`): its terms, and the moment.
HANDED_OVER_ANNOTATION = "podrun.dev/handed-over-at"
TIMEOUT_ANNOTATION = "podrun.dev/timeout-seconds"
MAX_OUTPUT_ANNOTATION = "podrun.dev/max-output-bytes"
INTERACTIVE_ANNOTATION = "podrun.dev/interactive"
TRACEPARENT_ANNOTATION = "podrun.dev/traceparent"
# The collection bounds (`FileCollection`) as "max_files,max_file_bytes,max_total_bytes".
COLLECT_ANNOTATION = "podrun.dev/collect"

CONTAINER_NAME = "script"
SCRIPT_DIR = "/podrun/script"
SCRIPT_KEY = "main.py"
STDIN_KEY = "stdin"
WORK_DIR = "/work"
TERMINATION_LOG = "/dev/termination-log"
SCRATCH_VOLUME = "scratch"
SCRATCH_DIRS = {"/tmp": "tmp", WORK_DIR: "work", "/dev/shm": "shm"}
# A pooled runner's writable directory for the script it is handed (`--pooled`).
HANDOVER_VOLUME = "handover"
HANDOVER_DIR = "/podrun/script"
HANDOVER_MIB = 2  # the script, written by the runner (scripts are far smaller)
MIB = 1024 * 1024
# Container logs count against the pod's ephemeral storage; frames cost ~4/3 of the output
# (and of the collected files, which come back in the log too).
LOG_OVERHEAD_FACTOR = 1.5
LOG_SLACK_MIB = 4

_LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$")
_NOT_DNS = re.compile(r"[^a-z0-9-]+")


@dataclass(frozen=True, slots=True)
class SandboxTerms:
    """What the backend enforces while it watches a pod; recoverable from the pod itself."""

    timeout_seconds: float
    max_output_bytes: int
    interactive: bool
    image: str
    traceparent: str | None = None  # the execution's trace, continued by the pod's spans
    # A pooled runner: a warm pod handed over, or a cold pod given files or arguments; its
    # runner confirms the hand-over (without that, nothing of the execution ran in it).
    warm: bool = False
    collect: FileCollection | None = None  # the files the runner packs when the script ends


def terms_for(spec: SandboxSpec, image: str) -> SandboxTerms:
    return SandboxTerms(
        timeout_seconds=spec.limits.timeout_seconds,
        max_output_bytes=spec.limits.max_output_bytes,
        interactive=spec.interactive,
        image=image,
        traceparent=spec.env.get("TRACEPARENT"),
        warm=needs_hand_over(spec),
        collect=spec.collect,
    )


def collect_annotation(collect: FileCollection) -> str:
    return f"{collect.max_files},{collect.max_file_bytes},{collect.max_total_bytes}"


def parse_collect_annotation(value: object) -> FileCollection | None:
    """The bounds of `collect_annotation`; None when absent or not three counts."""
    if not isinstance(value, str):
        return None
    try:
        numbers = [int(part) for part in value.split(",")]
    except ValueError:
        return None
    if len(numbers) != 3 or min(numbers) < 0:
        return None
    return FileCollection(numbers[0], numbers[1], numbers[2])


def needs_hand_over(spec: SandboxSpec) -> bool:
    """Input files and arguments reach a cold pod's runner over attach (module docstring)."""
    return bool(spec.files or spec.argv)


def terms_from_pod(pod: dict[str, Any]) -> SandboxTerms:
    """The terms a pod was launched with (for reattaching after a worker restart); a warm
    pod's are in the annotations its claim wrote, its env holds only the pool's."""
    containers = (pod.get("spec") or {}).get("containers") or [{}]
    container = next((c for c in containers if c.get("name") == CONTAINER_NAME), containers[0])
    env = {e.get("name"): e.get("value") for e in container.get("env") or []}
    annotations = (pod.get("metadata") or {}).get("annotations") or {}
    warm = HANDED_OVER_ANNOTATION in annotations
    if warm:
        env["PODRUN_TIMEOUT_SECONDS"] = annotations.get(TIMEOUT_ANNOTATION)
        env["PODRUN_MAX_OUTPUT_BYTES"] = annotations.get(MAX_OUTPUT_ANNOTATION)
        env["TRACEPARENT"] = annotations.get(TRACEPARENT_ANNOTATION)
        container = {**container, "stdin": annotations.get(INTERACTIVE_ANNOTATION) == "true"}
    elif "--pooled" in (container.get("args") or []):
        # A cold pod given files or arguments: its stdin is open for the hand-over.
        warm = True
        container = {**container, "stdin": annotations.get(INTERACTIVE_ANNOTATION) == "true"}
    defaults = Limits()
    try:
        timeout = float(env.get("PODRUN_TIMEOUT_SECONDS") or defaults.timeout_seconds)
        max_output = int(env.get("PODRUN_MAX_OUTPUT_BYTES") or defaults.max_output_bytes)
    except ValueError:
        timeout, max_output = defaults.timeout_seconds, defaults.max_output_bytes
    return SandboxTerms(
        timeout_seconds=timeout,
        max_output_bytes=max_output,
        interactive=bool(container.get("stdin")),
        image=str(container.get("image", "")),
        traceparent=env.get("TRACEPARENT"),
        warm=warm,
        collect=parse_collect_annotation(annotations.get(COLLECT_ANNOTATION)),
    )


class InvalidExecutionId(ValueError):
    """The execution id cannot be a label value, so the pod could not be found again."""


def execution_selector(execution_id: str) -> str:
    return f"{MANAGED_SELECTOR},{EXECUTION_LABEL}={execution_id}"


def object_name(execution_id: str) -> str:
    """The pod's (and its ConfigMap's) name: DNS-safe, stable, unique per execution id."""
    slug = _NOT_DNS.sub("-", execution_id.lower()).strip("-")[:40]
    if slug == execution_id:
        return f"podrun-{slug}"
    digest = hashlib.sha256(execution_id.encode()).hexdigest()[:10]
    return f"podrun-{slug}-{digest}" if slug else f"podrun-{digest}"


def labels(execution_id: str) -> dict[str, str]:
    if not _LABEL_VALUE.match(execution_id):
        raise InvalidExecutionId(
            f"execution id {execution_id!r} is not a valid Kubernetes label value"
        )
    return {MANAGED_BY_LABEL: MANAGED_BY, EXECUTION_LABEL: execution_id}


def uses_configmap(spec: SandboxSpec, config: KubernetesBackendConfig) -> bool:
    """Small scripts without upfront stdin travel in an env var: no ConfigMap round trips;
    with a hand-over, everything travels in it."""
    if needs_hand_over(spec):
        return False
    return spec.stdin is not None or len(spec.script.encode()) > config.inline_script_max_bytes


def build_configmap(spec: SandboxSpec, config: KubernetesBackendConfig) -> dict[str, Any]:
    body: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": object_name(spec.execution_id),
            "namespace": config.namespace,
            "labels": labels(spec.execution_id),
            "annotations": {EXECUTION_ANNOTATION: spec.execution_id},
        },
        "immutable": True,
        "data": {SCRIPT_KEY: spec.script},
    }
    if spec.stdin is not None:
        body["binaryData"] = {STDIN_KEY: base64.b64encode(spec.stdin).decode("ascii")}
    return body


def owner_reference_patch(pod: dict[str, Any]) -> dict[str, Any]:
    """Make the pod own its ConfigMap, so deleting the pod garbage-collects it."""
    metadata = pod["metadata"]
    return {
        "metadata": {
            "ownerReferences": [
                {
                    "apiVersion": "v1",
                    "kind": "Pod",
                    "name": metadata["name"],
                    "uid": metadata["uid"],
                    "controller": False,
                    "blockOwnerDeletion": False,
                }
            ]
        }
    }


def active_deadline_seconds(spec: SandboxSpec, config: KubernetesBackendConfig) -> int:
    return math.ceil(spec.limits.timeout_seconds) + config.active_deadline_grace_seconds


def ephemeral_storage_mib(spec: SandboxSpec) -> int:
    logged = spec.limits.max_output_bytes
    if spec.collect is not None:
        logged += spec.collect.max_total_bytes
    logs = math.ceil(logged * LOG_OVERHEAD_FACTOR / MIB)
    return spec.limits.disk_mib + logs + LOG_SLACK_MIB


def scratch_mounts() -> list[dict[str, Any]]:
    """`/tmp`, `/work` and `/dev/shm` as directories of one emptyDir: one disk budget for
    everything the script can write (the runtime's own `/dev/shm` would be a second one,
    charged to memory)."""
    return [
        {"name": SCRATCH_VOLUME, "mountPath": path, "subPath": sub}
        for path, sub in SCRATCH_DIRS.items()
    ]


def runner_args(spec: SandboxSpec, with_configmap: bool) -> list[str]:
    if needs_hand_over(spec):
        return ["--pooled", "--", *(spec.runtime.command or INTERPRETER)]
    args: list[str] = []
    if with_configmap:
        args += ["--script", f"{SCRIPT_DIR}/{SCRIPT_KEY}"]
    if spec.stdin is not None:
        args += ["--stdin-file", f"{SCRIPT_DIR}/{STDIN_KEY}"]
    if spec.interactive:
        args.append("--forward-stdin")
    return [*args, "--", *(spec.runtime.command or INTERPRETER)]


def container_env(spec: SandboxSpec, with_configmap: bool) -> list[dict[str, str]]:
    limits = spec.limits
    env = {
        "PODRUN_MAX_OUTPUT_BYTES": str(limits.max_output_bytes),
        "PODRUN_TIMEOUT_SECONDS": f"{limits.timeout_seconds:g}",
        "PODRUN_MAX_PROCESSES": str(limits.max_processes),
        "PODRUN_REPORT_PATH": TERMINATION_LOG,
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "HOME": WORK_DIR,
    }
    if needs_hand_over(spec):
        env["PODRUN_SCRIPT_DIR"] = HANDOVER_DIR
    elif not with_configmap:
        env["PODRUN_SCRIPT"] = spec.script
    if spec.collect is not None:
        bounds = spec.collect
        # The runner may send the inputs left as they were too (the handle drops them).
        env["PODRUN_COLLECT"] = (
            f"{bounds.packed_files},{bounds.max_file_bytes},{bounds.max_total_bytes}"
        )
    for name, value in spec.env.items():
        if not name.startswith("PODRUN_"):
            env[name] = value
    return [{"name": name, "value": value} for name, value in env.items()]


def build_pod(spec: SandboxSpec, config: KubernetesBackendConfig, image: str) -> dict[str, Any]:
    limits = spec.limits
    name = object_name(spec.execution_id)
    with_configmap = uses_configmap(spec, config)
    resources = {
        "cpu": f"{limits.cpu_millicores}m",
        "memory": f"{limits.memory_mib}Mi",
        "ephemeral-storage": f"{ephemeral_storage_mib(spec)}Mi",
    }
    container: dict[str, Any] = {
        "name": CONTAINER_NAME,
        "image": image,
        "imagePullPolicy": config.image_pull_policy,
        "command": [*(spec.runtime.command or INTERPRETER), RUNNER_PATH],
        "args": runner_args(spec, with_configmap),
        "workingDir": WORK_DIR,
        "env": container_env(spec, with_configmap),
        "resources": {"requests": dict(resources), "limits": dict(resources)},
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": SANDBOX_UID,
            "runAsGroup": SANDBOX_UID,
            "readOnlyRootFilesystem": True,
            "allowPrivilegeEscalation": False,
            "privileged": False,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "volumeMounts": scratch_mounts(),
        "terminationMessagePath": TERMINATION_LOG,
        "terminationMessagePolicy": "File",
    }
    volumes: list[dict[str, Any]] = [
        {"name": SCRATCH_VOLUME, "emptyDir": {"sizeLimit": f"{limits.disk_mib}Mi"}}
    ]
    if with_configmap:
        container["volumeMounts"].append(
            {"name": "script", "mountPath": SCRIPT_DIR, "readOnly": True}
        )
        volumes.append({"name": "script", "configMap": {"name": name, "defaultMode": 0o444}})
    if needs_hand_over(spec):
        container["volumeMounts"].append({"name": HANDOVER_VOLUME, "mountPath": HANDOVER_DIR})
        volumes.append({"name": HANDOVER_VOLUME, "emptyDir": {"sizeLimit": f"{HANDOVER_MIB}Mi"}})
    if spec.interactive or needs_hand_over(spec):
        container["stdin"] = True
        container["stdinOnce"] = True

    pod_spec: dict[str, Any] = {
        "restartPolicy": "Never",
        "activeDeadlineSeconds": active_deadline_seconds(spec, config),
        "terminationGracePeriodSeconds": config.termination_grace_seconds,
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": SANDBOX_UID,
            "runAsGroup": SANDBOX_UID,
            "fsGroup": SANDBOX_UID,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "containers": [container],
        "volumes": volumes,
    }
    if config.user_namespaces:
        pod_spec["hostUsers"] = False
    if config.runtime_class_name:
        pod_spec["runtimeClassName"] = config.runtime_class_name
    if config.priority_class_name:
        pod_spec["priorityClassName"] = config.priority_class_name
    if config.node_selector:
        pod_spec["nodeSelector"] = dict(config.node_selector)
    if config.tolerations:
        pod_spec["tolerations"] = [dict(t) for t in config.tolerations]
    if config.image_pull_secrets:
        pod_spec["imagePullSecrets"] = [{"name": s} for s in config.image_pull_secrets]
    annotations = {EXECUTION_ANNOTATION: spec.execution_id, RUNTIME_ANNOTATION: spec.runtime.id}
    if spec.collect is not None:
        annotations[COLLECT_ANNOTATION] = collect_annotation(spec.collect)
    if needs_hand_over(spec):
        annotations[INTERACTIVE_ANNOTATION] = "true" if spec.interactive else "false"

    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": config.namespace,
            "labels": labels(spec.execution_id),
            "annotations": annotations,
        },
        "spec": pod_spec,
    }
