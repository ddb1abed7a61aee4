"""What a status write may say: only the transitions the status machine allows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from service.domain.events import StatusEvent
from service.domain.statuses import TERMINAL_STATUSES, ExecutionStatus, InvalidTransition
from service.domain.transitions import INLINE_OUTPUT_BYTES, ExecutionOutput, Transition

S = ExecutionStatus
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_the_guard_is_the_status_the_writer_saw() -> None:
    claim = Transition(S.SCHEDULED, S.RUNNING, started_at=NOW)
    assert claim.expected == frozenset({S.SCHEDULED})


@pytest.mark.parametrize("terminal", sorted(TERMINAL_STATUSES))
def test_a_terminal_status_is_never_a_source(terminal: ExecutionStatus) -> None:
    with pytest.raises(InvalidTransition):
        Transition(terminal, S.ERROR, finished_at=NOW)


def test_a_verdict_before_running_is_refused_unless_it_passes_through_running() -> None:
    with pytest.raises(InvalidTransition):
        Transition(S.SCHEDULED, S.COMPLETED, finished_at=NOW, exit_code=0)
    folded = Transition(S.SCHEDULED, S.COMPLETED, via=S.RUNNING, finished_at=NOW, exit_code=0)
    assert folded.expected == frozenset({S.SCHEDULED})
    with pytest.raises(InvalidTransition):
        Transition(S.QUEUED, S.COMPLETED, via=S.RUNNING, finished_at=NOW)


def test_an_end_says_when_and_only_an_end_has_an_exit_code() -> None:
    with pytest.raises(ValueError, match="finished"):
        Transition(S.RUNNING, S.FAILED, exit_code=1)
    with pytest.raises(ValueError, match="not an end"):
        Transition(S.SCHEDULED, S.RUNNING, exit_code=0)


def test_a_cancel_before_the_run_carries_its_event() -> None:
    event = StatusEvent("x", 2, NOW, S.CANCELLED, message="cancelled by request")
    cancel = Transition(S.QUEUED, S.CANCELLED, seq=2, finished_at=NOW, carried=(event,))
    assert cancel.carried == (event,)


def test_output_beyond_the_inline_size_is_not_kept_in_the_record() -> None:
    small = ExecutionOutput("a" * 10, "b")
    assert small.fits_record and small.kept == small
    # Counted in UTF-8 bytes over both streams, not characters.
    large = ExecutionOutput("é" * (INLINE_OUTPUT_BYTES // 4), "x" * (INLINE_OUTPUT_BYTES // 2 + 1))
    assert not large.fits_record
    assert large.kept == ExecutionOutput("", "")
