"""Verdict classification from sandbox outcomes: the documented order, every combination."""

from __future__ import annotations

import itertools

import pytest

from service.domain.sandboxes import SandboxOutcome
from service.domain.statuses import ExecutionStatus as S
from service.domain.verdicts import CHILD_OOM_NOTE, OOM_MESSAGE, classify


def test_exit_codes() -> None:
    assert classify(SandboxOutcome(exit_code=0)).status is S.COMPLETED
    failed = classify(SandboxOutcome(exit_code=3))
    assert (failed.status, failed.exit_code) == (S.FAILED, 3)


def test_unsent_signal_is_failed_with_128_plus_n() -> None:
    verdict = classify(SandboxOutcome(signal=11))
    assert (verdict.status, verdict.exit_code) == (S.FAILED, 139)


def test_oom_kill_explains_a_sigkill() -> None:
    verdict = classify(SandboxOutcome(signal=9, oom_killed=True))
    assert (verdict.status, verdict.exit_code, verdict.message) == (S.OOM_KILLED, 137, OOM_MESSAGE)


def test_oom_kill_of_the_whole_container_without_exit_status() -> None:
    verdict = classify(SandboxOutcome(oom_killed=True))
    assert (verdict.status, verdict.exit_code) == (S.OOM_KILLED, None)


def test_no_exit_status_at_all_is_an_error() -> None:
    assert classify(SandboxOutcome()).status is S.ERROR


# The script's own end (exit code, signal) crossed with what else happened: the expected
# status and exit code, first rule that applies.
ENDS = {
    "exit 0": {"exit_code": 0},
    "exit 1": {"exit_code": 1},
    "SIGKILL": {"signal": 9},
    "SIGSEGV": {"signal": 11},
    "killed by us": {},  # our SIGKILL: no exit status and no foreign signal
}
FACTS = ("error", "cancelled", "output_limit_exceeded", "timed_out", "oom_killed")


def _expected(end: str, facts: set[str]) -> tuple[S, int | None]:
    exit_code = {"exit 0": 0, "exit 1": 1, "SIGKILL": 137, "SIGSEGV": 139}.get(end)
    if "error" in facts:
        return S.ERROR, exit_code
    if "cancelled" in facts:
        return S.CANCELLED, exit_code
    if "output_limit_exceeded" in facts:
        return S.OUTPUT_LIMIT_EXCEEDED, exit_code
    if "timed_out" in facts:
        return S.TIMED_OUT, exit_code
    if "oom_killed" in facts and end in ("SIGKILL", "killed by us"):
        return S.OOM_KILLED, exit_code
    if end == "killed by us":
        return S.ERROR, None
    return (S.COMPLETED if end == "exit 0" else S.FAILED), exit_code


COMBINATIONS = [
    (end, frozenset(facts))
    for end in ENDS
    for n in range(len(FACTS) + 1)
    for facts in itertools.combinations(FACTS, n)
]


@pytest.mark.parametrize(
    ("end", "facts"), COMBINATIONS, ids=[f"{e}+{'+'.join(sorted(f))}" for e, f in COMBINATIONS]
)
def test_every_combination_follows_the_documented_order(end: str, facts: frozenset[str]) -> None:
    outcome = SandboxOutcome(
        **ENDS[end],  # type: ignore[arg-type]
        error="node lost" if "error" in facts else None,
        cancelled="cancelled" in facts,
        output_limit_exceeded="output_limit_exceeded" in facts,
        timed_out="timed_out" in facts,
        oom_killed="oom_killed" in facts,
    )
    verdict = classify(outcome)
    assert (verdict.status, verdict.exit_code) == _expected(end, set(facts))
    # An OOM kill that did not decide the verdict is still told.
    if "oom_killed" in facts and verdict.status is not S.OOM_KILLED:
        assert verdict.message is not None and verdict.message.endswith(CHILD_OOM_NOTE)
    else:
        assert verdict.message is None or CHILD_OOM_NOTE not in verdict.message


def test_a_child_oom_kill_does_not_steal_the_timeout() -> None:
    verdict = classify(SandboxOutcome(timed_out=True, oom_killed=True))
    assert (verdict.status, verdict.exit_code, verdict.message) == (
        S.TIMED_OUT,
        None,
        f"wall-clock time limit exceeded; {CHILD_OOM_NOTE}",
    )


def test_a_script_that_survives_a_child_oom_kill_completes_with_a_note() -> None:
    verdict = classify(SandboxOutcome(exit_code=0, oom_killed=True))
    assert (verdict.status, verdict.exit_code, verdict.message) == (S.COMPLETED, 0, CHILD_OOM_NOTE)


def test_a_script_that_fails_after_a_child_oom_kill_keeps_its_exit_code() -> None:
    verdict = classify(SandboxOutcome(exit_code=1, oom_killed=True))
    assert (verdict.status, verdict.exit_code, verdict.message) == (
        S.FAILED,
        1,
        f"exited with code 1; {CHILD_OOM_NOTE}",
    )


def test_infrastructure_error_wins_and_carries_the_message() -> None:
    verdict = classify(SandboxOutcome(error="node lost", cancelled=True))
    assert (verdict.status, verdict.message) == (S.ERROR, "node lost")
