"""Verdict classification from sandbox outcomes."""

from __future__ import annotations

from service.domain.sandboxes import SandboxOutcome
from service.domain.statuses import ExecutionStatus as S
from service.domain.verdicts import classify


def test_exit_codes() -> None:
    assert classify(SandboxOutcome(exit_code=0)).status is S.COMPLETED
    failed = classify(SandboxOutcome(exit_code=3))
    assert (failed.status, failed.exit_code) == (S.FAILED, 3)


def test_unsent_signal_is_failed_with_128_plus_n() -> None:
    verdict = classify(SandboxOutcome(signal=11))
    assert (verdict.status, verdict.exit_code) == (S.FAILED, 139)


def test_oom_kill_explains_a_sigkill() -> None:
    assert classify(SandboxOutcome(signal=9, oom_killed=True)).status is S.OOM_KILLED


def test_oom_of_a_child_that_the_script_survived_is_not_a_verdict() -> None:
    assert classify(SandboxOutcome(exit_code=0, oom_killed=True)).status is S.COMPLETED


def test_our_own_kills_win_over_the_signal() -> None:
    assert classify(SandboxOutcome(signal=9, timed_out=True)).status is S.TIMED_OUT
    assert classify(SandboxOutcome(signal=9, cancelled=True)).status is S.CANCELLED
    assert classify(SandboxOutcome(signal=9, output_limit_exceeded=True)).status is (
        S.OUTPUT_LIMIT_EXCEEDED
    )


def test_infrastructure_error_wins_and_carries_the_message() -> None:
    verdict = classify(SandboxOutcome(error="node lost", cancelled=True))
    assert (verdict.status, verdict.message) == (S.ERROR, "node lost")


def test_no_exit_status_at_all_is_an_error() -> None:
    assert classify(SandboxOutcome()).status is S.ERROR
