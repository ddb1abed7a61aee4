"""What one execution's observation loop knows of its pod so far, and the clocks beside it.

`PodProgress` is the handle's memory between inbox items (`handle.py`): the last pod state,
which observations were sent, whether the pod is stuck (an image that cannot be pulled, no
node that fits) and since when, the wall-clock deadline, the end and the log's drain. Its
methods are the pure decisions on it — which deadline is next, whether a stuck pod has
waited too long, whether the loop may finish — so the handle keeps only the side effects
(deleting the pod, following the log, spans). The items of the inbox are defined here too.
Pod states come from `podstates.py`; the verdict, once the loop may finish, from `outcomes.py`.
"""

from __future__ import annotations

import datetime
import logging
import time
from dataclasses import dataclass
from typing import Any

from service.adapters.sandbox.kubernetes.config import KubernetesBackendConfig
from service.adapters.sandbox.kubernetes.frames import Frame
from service.adapters.sandbox.kubernetes.podstates import (
    CONTAINER_CONFIG_FAILURES,
    IMAGE_INVALID,
    IMAGE_PULL_FAILURES,
    PodState,
)
from service.adapters.sandbox.kubernetes.watching import PodEvent

logger = logging.getLogger(__name__)

# After we delete a pod ourselves, how long to wait for the watch to confirm it.
KILL_CONFIRM_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class LogFrame:
    frame: Frame


@dataclass(frozen=True, slots=True)
class LogsDrained:
    pass


@dataclass(frozen=True, slots=True)
class Wake:
    pass


# What the handle's inbox holds: pod events from the watcher, frames and the end of the log
# from the follower, wake-ups after we deleted the pod.
InboxItem = PodEvent | LogFrame | LogsDrained | Wake


@dataclass
class PodProgress:
    """What the observation loop knows so far."""

    state: PodState | None = None
    gone: bool = False
    scheduled_sent: bool = False
    started_sent: bool = False
    problem: str | None = None  # "image" / "unschedulable" while the pod is stuck
    problem_message: str = ""
    problem_since: float = 0.0
    timeout_at: float | None = None
    ended_at: float | None = None  # when the container (or pod) was seen to end
    logs_drained: bool = False
    log_report: dict[str, Any] | None = None
    accepted: bool = False  # a warm pod's runner said it received the script
    collecting: bool = False  # the runner sends the files the ended script left
    output_bytes: int = 0
    error: str | None = None  # a fault decided by us (stuck pod, vanished pod)

    def next_deadline(
        self, config: KubernetesBackendConfig, *, timed_out: bool, killed_at: float | None
    ) -> float | None:
        """When a clock is next due (monotonic), or None while only the inbox can wake us."""
        deadlines = []
        if self.problem == "unschedulable":
            deadlines.append(self.problem_since + config.unschedulable_deadline_seconds)
        elif self.problem == "image":
            deadlines.append(self.problem_since + config.image_pull_deadline_seconds)
        if (
            self.timeout_at is not None
            and self.ended_at is None
            and not timed_out
            and not self.collecting
        ):
            deadlines.append(self.timeout_at)
        if self.ended_at is not None:
            deadlines.append(self.ended_at + config.log_drain_timeout_seconds)
        if killed_at is not None:
            deadlines.append(killed_at + KILL_CONFIRM_SECONDS)
        return min(deadlines) if deadlines else None

    def note_problem(self, state: PodState, image: str) -> str | None:
        """Record why a pod that has not started is stuck; the message when it is (for the
        trace), None when it is not (or its image is invalid: then `error` is set)."""
        reason = state.waiting_reason
        detail = f"{reason}: {state.waiting_message}" if state.waiting_message else f"{reason}"
        if reason in IMAGE_INVALID:
            self.error = f"the sandbox image {image!r} is invalid ({detail})"
            return None
        if state.unschedulable is not None:
            kind = "unschedulable"
            message = f"no node can run the sandbox pod: {state.unschedulable}"
        elif reason in IMAGE_PULL_FAILURES:
            kind = "image"
            message = f"the sandbox image {image!r} cannot be pulled ({detail})"
        elif reason in CONTAINER_CONFIG_FAILURES:
            kind = "image"
            message = f"the sandbox container cannot be created ({detail})"
        else:
            if state.scheduled and self.problem == "unschedulable":
                self.problem = None
            return None  # an image problem stays: its deadline counts from the first failure
        if self.problem != kind:
            self.problem = kind
            self.problem_since = time.monotonic()
        self.problem_message = message
        return message

    def check_problem(self, now: float, config: KubernetesBackendConfig) -> None:
        """A pod stuck for longer than its deadline becomes an error."""
        if self.problem is None:
            return
        allowed = (
            config.unschedulable_deadline_seconds
            if self.problem == "unschedulable"
            else config.image_pull_deadline_seconds
        )
        if now >= self.problem_since + allowed:
            self.error = f"{self.problem_message} (waited {allowed:g} s)"

    def timeout_due(self, now: float, *, timed_out: bool) -> bool:
        """Whether the wall-clock limit has just run out (and no kill was sent for it)."""
        return (
            self.timeout_at is not None
            and self.ended_at is None
            and now >= self.timeout_at
            and not timed_out
            and not self.collecting
        )

    def can_finish(
        self, config: KubernetesBackendConfig, *, killed_at: float | None, pod_name: str
    ) -> bool:
        """Whether everything the verdict needs is known (or waiting longer is pointless)."""
        if self.error is not None:
            return True
        now = time.monotonic()
        if self.ended_at is not None:
            if self.logs_drained:
                return True
            if now >= self.ended_at + config.log_drain_timeout_seconds:
                logger.warning("log of %s not drained in time; finishing", pod_name)
                return True
        return killed_at is not None and now >= killed_at + KILL_CONFIRM_SECONDS


def timeout_deadline(
    state: PodState, *, resumed: bool, timeout_seconds: float, grace_seconds: float
) -> float:
    """When the script's wall-clock limit (plus grace) ends, from its container's start; a
    re-found pod has already used part of it."""
    now = time.monotonic()
    elapsed = 0.0
    if resumed and state.started_at is not None:
        wall = datetime.datetime.now(datetime.UTC) - state.started_at
        elapsed = min(max(wall.total_seconds(), 0.0), timeout_seconds)
    return now - elapsed + timeout_seconds + grace_seconds
