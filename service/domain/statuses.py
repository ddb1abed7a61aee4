"""The execution status machine: one place that says which transitions exist.

QUEUED -> SCHEDULED -> RUNNING -> terminal; QUEUED and SCHEDULED may go straight to
CANCELLED or ERROR. Terminal statuses never change.
"""

from __future__ import annotations

import enum


class ExecutionStatus(enum.StrEnum):
    """Where an execution is in its life."""

    QUEUED = "QUEUED"
    SCHEDULED = "SCHEDULED"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    TIMED_OUT = "TIMED_OUT"
    OOM_KILLED = "OOM_KILLED"
    OUTPUT_LIMIT_EXCEEDED = "OUTPUT_LIMIT_EXCEEDED"
    CANCELLED = "CANCELLED"
    ERROR = "ERROR"

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL_STATUSES

    @property
    def is_active(self) -> bool:
        """Claimed by a worker: a sandbox is being prepared or runs."""
        return self in ACTIVE_STATUSES


TERMINAL_STATUSES: frozenset[ExecutionStatus] = frozenset(
    {
        ExecutionStatus.COMPLETED,
        ExecutionStatus.FAILED,
        ExecutionStatus.TIMED_OUT,
        ExecutionStatus.OOM_KILLED,
        ExecutionStatus.OUTPUT_LIMIT_EXCEEDED,
        ExecutionStatus.CANCELLED,
        ExecutionStatus.ERROR,
    }
)

ACTIVE_STATUSES: frozenset[ExecutionStatus] = frozenset(
    {ExecutionStatus.SCHEDULED, ExecutionStatus.RUNNING}
)

_ANY_TERMINAL = TERMINAL_STATUSES

TRANSITIONS: dict[ExecutionStatus, frozenset[ExecutionStatus]] = {
    ExecutionStatus.QUEUED: frozenset(
        {ExecutionStatus.SCHEDULED, ExecutionStatus.CANCELLED, ExecutionStatus.ERROR}
    ),
    ExecutionStatus.SCHEDULED: frozenset(
        {ExecutionStatus.RUNNING, ExecutionStatus.CANCELLED, ExecutionStatus.ERROR}
    ),
    # A sandbox that starts and ends between two observations still ends in a verdict.
    ExecutionStatus.RUNNING: _ANY_TERMINAL,
    **{status: frozenset() for status in TERMINAL_STATUSES},
}


class InvalidTransition(Exception):
    """Raised when code asks for a transition the status machine does not allow."""

    def __init__(self, current: ExecutionStatus, target: ExecutionStatus) -> None:
        super().__init__(f"cannot go from {current} to {target}")
        self.current = current
        self.target = target


def can_transition(current: ExecutionStatus, target: ExecutionStatus) -> bool:
    return target in TRANSITIONS[current]


def ensure_transition(current: ExecutionStatus, target: ExecutionStatus) -> None:
    if not can_transition(current, target):
        raise InvalidTransition(current, target)


def sources_of(target: ExecutionStatus) -> frozenset[ExecutionStatus]:
    """Statuses from which `target` may be reached in one step."""
    return frozenset(s for s, targets in TRANSITIONS.items() if target in targets)
