"""How a pod ended, as a `SandboxOutcome`: the runner's report first, the kubelet's word next.

The runner's report (termination message, or the final log frame) knows the script's exit
code, a foreign signal, the output cap, its own exact timeout, usage and a cgroup OOM kill.
When the runner itself was killed there is no report, and the container's termination
(`OOMKilled`) or the pod's reason (`DeadlineExceeded`) tell what happened.

Facts only: an `OOMKilled` container (which container runtimes also report when only a
child of the script was killed) sets `oom_killed` next to whatever else happened, and
`verdicts.classify` decides which fact explains the end.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from service.adapters.sandbox.kubernetes.podstates import PodState
from service.domain.sandboxes import ResourceUsage, SandboxOutcome
from service.domain.verdicts import SIGKILL


@dataclass(frozen=True, slots=True)
class BackendActions:
    """What the backend itself did to the pod, which explains how it ended."""

    cancelled: bool = False
    timed_out: bool = False
    output_limit_exceeded: bool = False


def parse_report(message: str | None) -> dict[str, Any] | None:
    if not message:
        return None
    try:
        report = json.loads(message)
    except ValueError:
        return None
    return report if isinstance(report, dict) and "v" in report else None


def _int(report: dict[str, Any], key: str) -> int | None:
    value = report.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _float(report: dict[str, Any], key: str) -> float:
    value = report.get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def usage_from(report: dict[str, Any] | None) -> ResourceUsage | None:
    if report is None:
        return None
    return ResourceUsage(
        cpu_time_ms=_float(report, "cpu_ms"),
        peak_memory_kib=_int(report, "peak_memory_kib") or 0,
        wall_time_ms=_float(report, "wall_ms"),
    )


def outcome_for(
    state: PodState | None, report: dict[str, Any] | None, actions: BackendActions
) -> SandboxOutcome:
    usage = usage_from(report)
    termination = state.terminated if state is not None else None
    oom_killed = bool(report and report.get("oom_killed")) or (
        termination is not None and termination.reason == "OOMKilled"
    )
    deadline_exceeded = state is not None and state.reason == "DeadlineExceeded"
    started = state is not None and state.started
    timed_out = (
        actions.timed_out
        or bool(report and report.get("timed_out"))
        or (deadline_exceeded and started)
    )
    output_capped = actions.output_limit_exceeded or bool(
        report and report.get("output_limit_exceeded")
    )

    if actions.cancelled:
        return SandboxOutcome(cancelled=True, oom_killed=oom_killed, usage=usage)
    if report is not None:
        if report.get("error"):
            return SandboxOutcome(error=f"the sandbox runner failed: {report['error']}")
        exit_code = _int(report, "exit_code")
        signal = _int(report, "signal")
        if (
            exit_code is None
            and signal is None
            and not (timed_out or output_capped)
            and report.get("runner_signal")
        ):
            return SandboxOutcome(
                error="the sandbox was terminated from outside Podrun", usage=usage
            )
        return SandboxOutcome(
            exit_code=exit_code,
            signal=signal,
            oom_killed=oom_killed,
            timed_out=timed_out,
            output_limit_exceeded=output_capped,
            usage=usage,
        )

    exit_code = termination.exit_code if termination is not None else None
    if timed_out or output_capped:
        return SandboxOutcome(
            timed_out=timed_out, output_limit_exceeded=output_capped, oom_killed=oom_killed
        )
    if oom_killed:
        # The runner itself was killed (else it would have reported): the whole container.
        return SandboxOutcome(oom_killed=True, signal=SIGKILL)
    if deadline_exceeded:
        return SandboxOutcome(
            error="the pod exceeded its active deadline before the script started"
        )
    if state is None:
        return SandboxOutcome(error="the sandbox pod disappeared before it finished")
    if termination is None:
        detail = f": {state.reason}" if state.reason else ""
        message = f" ({state.message})" if state.message else ""
        return SandboxOutcome(error=f"the sandbox pod ended {state.phase}{detail}{message}")
    return SandboxOutcome(
        error=(
            "the sandbox runner ended without a report "
            f"(exit code {exit_code}, reason {termination.reason or 'unknown'})"
        )
    )
