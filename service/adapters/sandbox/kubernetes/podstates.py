"""What a pod's status says about the sandbox, read from the API's pod dict (pure)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from service.adapters.sandbox.kubernetes.podspecs import (
    CONTAINER_NAME,
    EXECUTION_LABEL,
    HANDED_OVER_ANNOTATION,
)

# Waiting reasons that mean the image will not come, now or maybe ever.
IMAGE_PULL_FAILURES = frozenset({"ErrImagePull", "ImagePullBackOff", "ErrImageNeverPull"})
IMAGE_INVALID = frozenset({"InvalidImageName"})
# Waiting reasons that will not fix themselves either.
CONTAINER_CONFIG_FAILURES = frozenset({"CreateContainerConfigError", "CreateContainerError"})


@dataclass(frozen=True, slots=True)
class ContainerTermination:
    exit_code: int | None
    signal: int | None
    reason: str | None
    message: str | None


@dataclass(frozen=True, slots=True)
class PodState:
    """The facts of one pod that the backend acts on."""

    name: str
    uid: str | None
    execution_id: str | None
    phase: str
    reason: str | None  # pod-level, e.g. DeadlineExceeded, Evicted
    message: str | None
    scheduled: bool
    node_name: str | None
    unschedulable: str | None  # the scheduler's message while it cannot place the pod
    waiting_reason: str | None
    waiting_message: str | None
    running: bool
    # When the script's clock started: the container's start by the node's clock, or, for a
    # warm pod, its hand-over (the wait before is not the execution's).
    started_at: datetime.datetime | None
    terminated: ContainerTermination | None
    deleting: bool

    @property
    def started(self) -> bool:
        """The script's container has run (it may have ended already)."""
        return self.running or self.terminated is not None

    @property
    def finished(self) -> bool:
        """Nothing more will happen in this pod."""
        return self.terminated is not None or self.phase in ("Succeeded", "Failed")


def read_pod(pod: dict[str, Any]) -> PodState:
    metadata = pod.get("metadata") or {}
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    conditions = {c.get("type"): c for c in status.get("conditions") or [] if isinstance(c, dict)}
    scheduled_condition = conditions.get("PodScheduled") or {}
    scheduled = scheduled_condition.get("status") == "True" or bool(spec.get("nodeName"))
    unschedulable = None
    if (
        not scheduled
        and scheduled_condition.get("status") == "False"
        and scheduled_condition.get("reason") == "Unschedulable"
    ):
        unschedulable = scheduled_condition.get("message") or "no node can run the pod"

    container = _container_status(status)
    state = container.get("state") or {}
    waiting = state.get("waiting") or {}
    terminated = state.get("terminated")
    return PodState(
        name=str(metadata.get("name", "")),
        uid=metadata.get("uid"),
        execution_id=(metadata.get("labels") or {}).get(EXECUTION_LABEL),
        phase=str(status.get("phase") or "Pending"),
        reason=status.get("reason"),
        message=status.get("message"),
        scheduled=scheduled,
        node_name=spec.get("nodeName"),
        unschedulable=unschedulable,
        waiting_reason=waiting.get("reason"),
        waiting_message=waiting.get("message"),
        running="running" in state,
        started_at=_timestamp((metadata.get("annotations") or {}).get(HANDED_OVER_ANNOTATION))
        or _timestamp(
            (state.get("running") or {}).get("startedAt") or (terminated or {}).get("startedAt")
        ),
        terminated=_termination(terminated) if isinstance(terminated, dict) else None,
        deleting=bool(metadata.get("deletionTimestamp")),
    )


def _container_status(status: dict[str, Any]) -> dict[str, Any]:
    for container in status.get("containerStatuses") or []:
        if isinstance(container, dict) and container.get("name") == CONTAINER_NAME:
            return container
    return {}


def _termination(terminated: dict[str, Any]) -> ContainerTermination:
    exit_code = terminated.get("exitCode")
    signal = terminated.get("signal")
    return ContainerTermination(
        exit_code=exit_code if isinstance(exit_code, int) else None,
        signal=signal if isinstance(signal, int) else None,
        reason=terminated.get("reason"),
        message=terminated.get("message"),
    )


def _timestamp(value: object) -> datetime.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=datetime.UTC)
