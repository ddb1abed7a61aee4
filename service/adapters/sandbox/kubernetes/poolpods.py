"""Warm pods as API dicts (pure): their body, labels, shape, and whether an execution fits.

A warm pod is an ordinary sandbox pod (`podspecs.build_pod`: every security field is the
same) of the pool's limits shape, whose runner waits on stdin (`--pooled`) instead of being
given a script. What a pod cannot change once it runs decides whether an execution fits it:
the runtime (image), memory, CPU and disk (requests = limits, the emptyDir's size) and room
for the log in its ephemeral storage (an output cap up to the pool's). The rest — timeout,
output cap, process limit, environment, stdin, the script — is the execution's own, handed
over (`handover.py`). Anything else starts a cold pod.

Labels: every warm pod carries `podrun.dev/pool=warm`, its state (`idle`, then `claimed`
with the execution-id label once handed to one), the pool that owns it (`pool-owner`: the
leading worker's pool) and a hash of its shape, so a pool whose settings changed replaces
pods of the old shape.
"""

from __future__ import annotations

import hashlib
import json
import math
import secrets
from dataclasses import dataclass, replace
from typing import Any

from service.adapters.sandbox.kubernetes.config import (
    INTERPRETER,
    RUNNER_PATH,
    KubernetesBackendConfig,
)
from service.adapters.sandbox.kubernetes.podspecs import (
    EXECUTION_LABEL,
    HANDOVER_DIR,
    HANDOVER_MIB,
    HANDOVER_VOLUME,
    MANAGED_BY,
    MANAGED_BY_LABEL,
    RUNTIME_ANNOTATION,
    build_pod,
)
from service.domain.files import FileCollection
from service.domain.limits import Limits
from service.domain.runtimes import Runtime
from service.domain.sandboxes import SandboxSpec

POOL_LABEL = "podrun.dev/pool"
POOL_VALUE = "warm"
STATE_LABEL = "podrun.dev/pool-state"
OWNER_LABEL = "podrun.dev/pool-owner"
SHAPE_LABEL = "podrun.dev/pool-shape"
IDLE, CLAIMED = "idle", "claimed"
POOL_SELECTOR = f"{MANAGED_BY_LABEL}={MANAGED_BY},{POOL_LABEL}={POOL_VALUE}"


@dataclass(frozen=True, slots=True)
class PoolShape:
    """One pool: pods of this runtime and limits shape, kept `count` strong."""

    runtime: Runtime
    image: str
    limits: Limits
    count: int

    @property
    def key(self) -> str:
        """A label-safe hash of everything a running pod cannot change."""
        fixed = {
            "runtime": self.runtime.id,
            "image": self.image,
            "memory": self.limits.memory_mib,
            "cpu": self.limits.cpu_millicores,
            "disk": self.limits.disk_mib,
            "output": self.limits.max_output_bytes,
        }
        return hashlib.sha256(json.dumps(fixed, sort_keys=True).encode()).hexdigest()[:16]

    def fits(self, spec: SandboxSpec) -> bool:
        limits, own = spec.limits, self.limits
        return (
            spec.runtime.id == self.runtime.id
            and limits.memory_mib == own.memory_mib
            and limits.cpu_millicores == own.cpu_millicores
            and limits.disk_mib == own.disk_mib
            and limits.max_output_bytes <= own.max_output_bytes
            # Room in its ephemeral storage for the files, which come back in its log.
            and (
                spec.collect is None
                or spec.collect.max_total_bytes <= FileCollection.for_limits(own).max_total_bytes
            )
        )


def pool_shapes(config: KubernetesBackendConfig) -> list[PoolShape]:
    """The pools the config asks for; a runtime without an image (or alias) gets none."""
    runtimes = {r.id: r for r in config.runtimes()}
    for runtime in list(runtimes.values()):
        for alias in runtime.aliases:
            runtimes.setdefault(alias, runtime)
    shapes: dict[str, PoolShape] = {}
    for runtime_id, count in config.warm_pods.items():
        found = runtimes.get(runtime_id)
        image = config.image_for(found) if found is not None else None
        if found is None or image is None or count <= 0:
            continue
        shape = PoolShape(runtime=found, image=image, limits=config.warm_limits, count=count)
        shapes[shape.key] = shape
    return list(shapes.values())


def pod_name(shape: PoolShape) -> str:
    slug = shape.runtime.id.lower().replace(".", "").replace("_", "-")[:20]
    return f"podrun-warm-{slug}-{secrets.token_hex(5)}"


def active_deadline_seconds(config: KubernetesBackendConfig) -> int:
    """The cluster's backstop for a warm pod: its idle life, then the longest run allowed.
    The claim lowers it to the execution's own (`claims.claim_patch`)."""
    return (
        math.ceil(config.warm_pod_max_idle_seconds)
        + math.ceil(config.warm_pod_max_timeout_seconds)
        + config.active_deadline_grace_seconds
    )


def build_pool_pod(shape: PoolShape, config: KubernetesBackendConfig, owner: str) -> dict[str, Any]:
    name = pod_name(shape)
    template = SandboxSpec(
        execution_id=name,
        runtime=shape.runtime,
        script="",
        limits=replace(shape.limits, timeout_seconds=config.warm_pod_max_timeout_seconds),
        interactive=True,
        # Room in the ephemeral storage for the files a run may leave (they are logged).
        collect=FileCollection.for_limits(shape.limits),
    )
    pod = build_pod(template, replace(config, inline_script_max_bytes=1 << 30), shape.image)
    pod["metadata"] = {
        "name": name,
        "namespace": config.namespace,
        "labels": {
            MANAGED_BY_LABEL: MANAGED_BY,
            POOL_LABEL: POOL_VALUE,
            STATE_LABEL: IDLE,
            OWNER_LABEL: owner,
            SHAPE_LABEL: shape.key,
        },
        "annotations": {RUNTIME_ANNOTATION: shape.runtime.id},
    }
    spec = pod["spec"]
    spec["activeDeadlineSeconds"] = active_deadline_seconds(config)
    container = spec["containers"][0]
    container["command"] = [*(shape.runtime.command or INTERPRETER), RUNNER_PATH]
    container["args"] = ["--pooled", "--", *(shape.runtime.command or INTERPRETER)]
    # What to collect is the execution's, handed over; the template's is for sizing only.
    container["env"] = [
        e for e in container["env"] if e["name"] not in ("PODRUN_SCRIPT", "PODRUN_COLLECT")
    ] + [{"name": "PODRUN_SCRIPT_DIR", "value": HANDOVER_DIR}]
    container["volumeMounts"].append({"name": HANDOVER_VOLUME, "mountPath": HANDOVER_DIR})
    spec["volumes"].append(
        {"name": HANDOVER_VOLUME, "emptyDir": {"sizeLimit": f"{HANDOVER_MIB}Mi"}}
    )
    return pod


def is_pool_pod(pod: dict[str, Any]) -> bool:
    labels = (pod.get("metadata") or {}).get("labels") or {}
    return labels.get(MANAGED_BY_LABEL) == MANAGED_BY and labels.get(POOL_LABEL) == POOL_VALUE


def is_idle(pod: dict[str, Any]) -> bool:
    labels = (pod.get("metadata") or {}).get("labels") or {}
    return is_pool_pod(pod) and labels.get(STATE_LABEL) == IDLE and EXECUTION_LABEL not in labels


def owner_of(pod: dict[str, Any]) -> str | None:
    value = ((pod.get("metadata") or {}).get("labels") or {}).get(OWNER_LABEL)
    return value if isinstance(value, str) else None


def shape_of(pod: dict[str, Any]) -> str | None:
    value = ((pod.get("metadata") or {}).get("labels") or {}).get(SHAPE_LABEL)
    return value if isinstance(value, str) else None
