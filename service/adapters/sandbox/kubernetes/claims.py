"""Compare-and-set writes on warm pods: claim one for an execution, adopt, retire.

Memory is not enough to keep a warm pod from serving twice: two leaders may overlap for a
moment around a leader change, and a pod's state changes under us (the kubelet, the
reaper). So every change of a warm pod's ownership is one API write conditioned on the
`resourceVersion` we last saw: a claim, an adoption by a new leader's pool and a deletion by
the pool or the reaper each succeed only if nobody changed the pod since, and the loser gets
`409 Conflict` and looks again. The API server serializes them, so exactly one wins.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

from service.adapters.sandbox.kubernetes.api import JsonObject, KubeApi, KubeError
from service.adapters.sandbox.kubernetes.config import KubernetesBackendConfig
from service.adapters.sandbox.kubernetes.podspecs import (
    COLLECT_ANNOTATION,
    EXECUTION_ANNOTATION,
    EXECUTION_LABEL,
    HANDED_OVER_ANNOTATION,
    INTERACTIVE_ANNOTATION,
    MAX_OUTPUT_ANNOTATION,
    TIMEOUT_ANNOTATION,
    TRACEPARENT_ANNOTATION,
    collect_annotation,
    labels,
)
from service.adapters.sandbox.kubernetes.poolpods import CLAIMED, OWNER_LABEL, STATE_LABEL
from service.domain.sandboxes import SandboxSpec


def _version(pod: dict[str, Any]) -> str:
    return str((pod.get("metadata") or {}).get("resourceVersion") or "")


def age_seconds(pod: dict[str, Any], now: datetime.datetime) -> float:
    created = (pod.get("metadata") or {}).get("creationTimestamp")
    try:
        when = datetime.datetime.fromisoformat(str(created).replace("Z", "+00:00"))
    except ValueError:
        return 0.0
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    return max((now - when).total_seconds(), 0.0)


def claim_patch(
    pod: dict[str, Any], spec: SandboxSpec, config: KubernetesBackendConfig
) -> JsonObject:
    """Hand `pod` to `spec`'s execution: its labels make it that execution's pod for the
    watcher, the reaper and a later reattach; its annotations keep the terms and the moment
    of hand-over (the execution's clocks start there, not at the pod's start). The active
    deadline comes down to what this run needs (the API lets it only decrease)."""
    now = datetime.datetime.now(datetime.UTC)
    deadline = (
        math.ceil(age_seconds(pod, now))
        + math.ceil(spec.limits.timeout_seconds)
        + config.active_deadline_grace_seconds
    )
    current = (pod.get("spec") or {}).get("activeDeadlineSeconds")
    annotations = {
        EXECUTION_ANNOTATION: spec.execution_id,
        HANDED_OVER_ANNOTATION: now.isoformat(timespec="microseconds").replace("+00:00", "Z"),
        TIMEOUT_ANNOTATION: f"{spec.limits.timeout_seconds:g}",
        MAX_OUTPUT_ANNOTATION: str(spec.limits.max_output_bytes),
        INTERACTIVE_ANNOTATION: "true" if spec.interactive else "false",
    }
    traceparent = spec.env.get("TRACEPARENT")
    if traceparent:
        annotations[TRACEPARENT_ANNOTATION] = traceparent
    if spec.collect is not None:
        annotations[COLLECT_ANNOTATION] = collect_annotation(spec.collect)
    patch: JsonObject = {
        "metadata": {
            "resourceVersion": _version(pod),
            "labels": {**labels(spec.execution_id), STATE_LABEL: CLAIMED},
            "annotations": annotations,
        }
    }
    if not isinstance(current, int) or deadline < current:
        patch["spec"] = {"activeDeadlineSeconds": deadline}
    return patch


def adoption_patch(pod: dict[str, Any], owner: str) -> JsonObject:
    """A new leader's pool takes over an idle warm pod of an earlier one."""
    return {"metadata": {"resourceVersion": _version(pod), "labels": {OWNER_LABEL: owner}}}


def retire_options(pod: dict[str, Any]) -> JsonObject:
    """Delete options that delete `pod` only as we last saw it (never once it is claimed)."""
    return {
        "propagationPolicy": "Background",
        "gracePeriodSeconds": 0,
        "preconditions": {"resourceVersion": _version(pod)},
    }


async def conditional_patch(api: KubeApi, path: str, patch: JsonObject) -> JsonObject | None:
    """The patched pod, or None when someone changed or deleted it first."""
    try:
        return await api.patch(path, patch)
    except KubeError as exc:
        if exc.conflict or exc.not_found:
            return None
        raise


async def conditional_delete(api: KubeApi, path: str, pod: dict[str, Any]) -> bool:
    """Whether the pod was deleted as we saw it (False: changed, e.g. claimed, or gone)."""
    try:
        return await api.delete(path, retire_options(pod)) is not None
    except KubeError as exc:
        if exc.conflict:
            return False
        raise


def is_claimed_by(pod: dict[str, Any], execution_id: str) -> bool:
    return ((pod.get("metadata") or {}).get("labels") or {}).get(EXECUTION_LABEL) == execution_id
