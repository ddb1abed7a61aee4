"""Verdicts: which terminal status a sandbox outcome deserves.

The order matters: an infrastructure fault or our own kill (cancel, timeout, output cap)
explains a signal better than the signal itself, and the kernel's OOM kill explains a SIGKILL
we did not send.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.domain.sandboxes import SandboxOutcome
from service.domain.statuses import ExecutionStatus

SIGNAL_EXIT_BASE = 128


@dataclass(frozen=True, slots=True)
class Verdict:
    status: ExecutionStatus
    exit_code: int | None
    message: str | None


def classify(outcome: SandboxOutcome) -> Verdict:
    exit_code = outcome.exit_code
    if outcome.signal is not None:
        exit_code = SIGNAL_EXIT_BASE + outcome.signal
    if outcome.error is not None:
        return Verdict(ExecutionStatus.ERROR, exit_code, outcome.error)
    if outcome.cancelled:
        return Verdict(ExecutionStatus.CANCELLED, exit_code, "cancelled by request")
    if outcome.output_limit_exceeded:
        return Verdict(
            ExecutionStatus.OUTPUT_LIMIT_EXCEEDED,
            exit_code,
            "output limit exceeded; the first bytes were kept",
        )
    if outcome.oom_killed and exit_code != 0:
        return Verdict(
            ExecutionStatus.OOM_KILLED, exit_code, "killed for exceeding the memory limit"
        )
    if outcome.timed_out:
        return Verdict(ExecutionStatus.TIMED_OUT, exit_code, "wall-clock time limit exceeded")
    if exit_code == 0:
        return Verdict(ExecutionStatus.COMPLETED, 0, None)
    if exit_code is None:
        return Verdict(ExecutionStatus.ERROR, None, "the sandbox ended without an exit status")
    if outcome.signal is not None:
        return Verdict(ExecutionStatus.FAILED, exit_code, f"killed by signal {outcome.signal}")
    return Verdict(ExecutionStatus.FAILED, exit_code, f"exited with code {exit_code}")
