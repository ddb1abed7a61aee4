"""Verdicts: which terminal status a sandbox outcome deserves.

An outcome can hold several facts at once (we killed the script for its timeout *and* the
kernel OOM-killed one of its children). The verdict is the fact that explains how the script
ended, taken in this order, the first that applies:

1. an infrastructure fault → `ERROR` (the sandbox could not run or be observed: nothing
   else it reports can be trusted);
2. what we did, which explains any signal that followed it:
   a. the user's cancel → `CANCELLED`;
   b. output over the cap → `OUTPUT_LIMIT_EXCEEDED`, also when the timeout is reported too
      (the runner in a pod may see both: the deadline passing while it kills for the cap,
      or the pipes holding more than the cap after a timeout kill): the kept output is cut
      either way, and that is the limit the user sees broken in what they got;
   c. the wall-clock limit → `TIMED_OUT`;
3. the kernel's OOM kill of the script itself → `OOM_KILLED`: the sandbox's OOM-kill
   counter is above zero and the script's main process died of SIGKILL we did not send (or
   left no exit status at all: the whole container was killed);
4. the script's own end: exit 0 → `COMPLETED`; a signal we did not send → `FAILED` with
   128+n; another exit code → `FAILED` with that code; no exit status → `ERROR`.

An OOM kill that did not end the script (a child's, or one that came after our own kill)
never decides the verdict: a script that survives it and exits 0 completed, one that then
times out timed out. It is recorded in the verdict's message (and the usage keeps the peak
memory), so the user learns why a child vanished.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.domain.sandboxes import SandboxOutcome
from service.domain.statuses import ExecutionStatus

SIGNAL_EXIT_BASE = 128
SIGKILL = 9  # the same number on every POSIX system

OOM_MESSAGE = "killed for exceeding the memory limit"
CHILD_OOM_NOTE = "a process of the script was killed for exceeding the memory limit"


@dataclass(frozen=True, slots=True)
class Verdict:
    """The terminal status, the exit code to show (signals as 128+n), and why."""

    status: ExecutionStatus
    exit_code: int | None
    message: str | None


def classify(outcome: SandboxOutcome) -> Verdict:
    """The verdict for `outcome`, by the order in this module's docstring."""
    verdict = _deciding(outcome)
    if outcome.oom_killed and verdict.status is not ExecutionStatus.OOM_KILLED:
        note = CHILD_OOM_NOTE
        message = note if verdict.message is None else f"{verdict.message}; {note}"
        return Verdict(verdict.status, verdict.exit_code, message)
    return verdict


def _deciding(outcome: SandboxOutcome) -> Verdict:
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
    if outcome.timed_out:
        return Verdict(ExecutionStatus.TIMED_OUT, exit_code, "wall-clock time limit exceeded")
    if outcome.oom_killed and _killed_outright(outcome):
        return Verdict(ExecutionStatus.OOM_KILLED, exit_code, OOM_MESSAGE)
    if exit_code == 0:
        return Verdict(ExecutionStatus.COMPLETED, 0, None)
    if exit_code is None:
        return Verdict(ExecutionStatus.ERROR, None, "the sandbox ended without an exit status")
    if outcome.signal is not None:
        return Verdict(ExecutionStatus.FAILED, exit_code, f"killed by signal {outcome.signal}")
    return Verdict(ExecutionStatus.FAILED, exit_code, f"exited with code {exit_code}")


def _killed_outright(outcome: SandboxOutcome) -> bool:
    """Whether the script's main process ended the way the OOM killer ends one."""
    if outcome.signal is not None:
        return outcome.signal == SIGKILL
    return outcome.exit_code is None
