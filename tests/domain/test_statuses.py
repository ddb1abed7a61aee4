"""The status machine."""

from __future__ import annotations

import pytest

from service.domain.statuses import (
    TERMINAL_STATUSES,
    ExecutionStatus,
    InvalidTransition,
    can_transition,
    ensure_transition,
    sources_of,
)

S = ExecutionStatus


def test_happy_path_is_allowed() -> None:
    assert can_transition(S.QUEUED, S.SCHEDULED)
    assert can_transition(S.SCHEDULED, S.RUNNING)
    for terminal in TERMINAL_STATUSES:
        assert can_transition(S.RUNNING, terminal)


def test_early_exits_are_only_cancel_and_error() -> None:
    for early in (S.QUEUED, S.SCHEDULED):
        assert can_transition(early, S.CANCELLED)
        assert can_transition(early, S.ERROR)
        assert not can_transition(early, S.COMPLETED)
        assert not can_transition(early, S.TIMED_OUT)


@pytest.mark.parametrize("terminal", sorted(TERMINAL_STATUSES))
def test_terminal_statuses_never_change(terminal: ExecutionStatus) -> None:
    for target in ExecutionStatus:
        assert not can_transition(terminal, target)
    with pytest.raises(InvalidTransition):
        ensure_transition(terminal, S.RUNNING)


def test_no_regression() -> None:
    assert not can_transition(S.RUNNING, S.SCHEDULED)
    assert not can_transition(S.SCHEDULED, S.QUEUED)
    assert sources_of(S.RUNNING) == frozenset({S.SCHEDULED})
