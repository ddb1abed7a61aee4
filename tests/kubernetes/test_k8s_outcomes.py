"""Pod status and runner report → SandboxOutcome, and log frames (pure functions)."""

from __future__ import annotations

import json
from typing import Any

from service.adapters.sandbox.kubernetes.frames import parse_frame, parse_log_line, since_time
from service.adapters.sandbox.kubernetes.outcomes import BackendActions, outcome_for, parse_report
from service.adapters.sandbox.kubernetes.podstates import read_pod
from service.domain.sandboxes import OutputStream
from service.domain.statuses import ExecutionStatus
from service.domain.verdicts import classify

REPORT = {
    "v": 1,
    "exit_code": 0,
    "signal": None,
    "output_limit_exceeded": False,
    "timed_out": False,
    "oom_killed": False,
    "runner_signal": None,
    "cpu_ms": 12.5,
    "peak_memory_kib": 9000,
    "wall_ms": 30.0,
    "error": None,
}


def pod(terminated: dict[str, Any] | None = None, **status: Any) -> dict[str, Any]:
    state = {"terminated": terminated} if terminated is not None else {"running": {}}
    return {
        "metadata": {"name": "p", "labels": {"podrun.dev/execution-id": "e"}},
        "spec": {"nodeName": "n"},
        "status": {
            "phase": "Running",
            **status,
            "containerStatuses": [{"name": "script", "state": state}],
        },
    }


def report(**changes: Any) -> str:
    return json.dumps({**REPORT, **changes})


def test_completed_with_usage() -> None:
    state = read_pod(pod({"exitCode": 0, "reason": "Completed", "message": report()}))
    outcome = outcome_for(
        state,
        parse_report(state.terminated.message if state.terminated else None),
        BackendActions(),
    )
    assert outcome.exit_code == 0 and outcome.usage is not None
    assert (
        outcome.usage.cpu_time_ms,
        outcome.usage.peak_memory_kib,
        outcome.usage.wall_time_ms,
    ) == (12.5, 9000, 30.0)
    assert classify(outcome).status == ExecutionStatus.COMPLETED


def test_oom_killed_runner_without_report() -> None:
    state = read_pod(pod({"exitCode": 137, "reason": "OOMKilled"}, phase="Failed"))
    outcome = outcome_for(state, None, BackendActions())
    assert outcome.oom_killed and outcome.signal == 9
    verdict = classify(outcome)
    assert (verdict.status, verdict.exit_code) == (ExecutionStatus.OOM_KILLED, 137)


def test_oom_kill_seen_by_the_runner() -> None:
    state = read_pod(pod({"exitCode": 0, "reason": "Completed"}))
    outcome = outcome_for(
        state, parse_report(report(exit_code=None, signal=9, oom_killed=True)), BackendActions()
    )
    assert classify(outcome).status == ExecutionStatus.OOM_KILLED


def test_a_childs_oom_kill_does_not_steal_the_runners_timeout() -> None:
    # Container runtimes say OOMKilled when any process of the container was.
    state = read_pod(pod({"exitCode": 0, "reason": "OOMKilled"}))
    outcome = outcome_for(
        state,
        parse_report(report(exit_code=None, timed_out=True, oom_killed=True)),
        BackendActions(),
    )
    verdict = classify(outcome)
    assert (verdict.status, verdict.exit_code) == (ExecutionStatus.TIMED_OUT, None)
    assert verdict.message is not None and "memory limit" in verdict.message


def test_a_script_that_survives_a_childs_oom_kill_keeps_its_exit_status() -> None:
    for code, status in ((0, ExecutionStatus.COMPLETED), (1, ExecutionStatus.FAILED)):
        state = read_pod(pod({"exitCode": 0, "reason": "OOMKilled"}))
        outcome = outcome_for(state, parse_report(report(exit_code=code)), BackendActions())
        verdict = classify(outcome)
        assert (verdict.status, verdict.exit_code) == (status, code)
        assert verdict.message is not None and "memory limit" in verdict.message


def test_our_timeout_of_a_runner_killed_without_report_wins_over_oom() -> None:
    state = read_pod(pod({"exitCode": 137, "reason": "OOMKilled"}, phase="Failed"))
    outcome = outcome_for(state, None, BackendActions(timed_out=True))
    verdict = classify(outcome)
    assert verdict.status == ExecutionStatus.TIMED_OUT
    assert verdict.message is not None and "memory limit" in verdict.message


def test_terminated_from_outside_after_a_childs_oom_kill_is_an_error() -> None:
    state = read_pod(pod({"exitCode": 0, "reason": "OOMKilled"}))
    outcome = outcome_for(
        state,
        parse_report(report(exit_code=None, oom_killed=True, runner_signal=15)),
        BackendActions(),
    )
    assert classify(outcome).status == ExecutionStatus.ERROR


def test_deadline_exceeded_while_running_is_a_timeout() -> None:
    state = read_pod(
        pod(
            {
                "exitCode": 0,
                "reason": "Completed",
                "message": report(exit_code=None, runner_signal=15),
            },
            phase="Failed",
            reason="DeadlineExceeded",
        )
    )
    assert (
        classify(
            outcome_for(
                state, parse_report(report(exit_code=None, runner_signal=15)), BackendActions()
            )
        ).status
        == ExecutionStatus.TIMED_OUT
    )


def test_deadline_exceeded_before_start_is_an_error() -> None:
    raw = pod(phase="Failed", reason="DeadlineExceeded")
    raw["status"]["containerStatuses"][0]["state"] = {"waiting": {"reason": "ContainerCreating"}}
    outcome = outcome_for(read_pod(raw), None, BackendActions())
    assert outcome.error is not None and "before the script started" in outcome.error


def test_terminated_from_outside_is_an_error() -> None:
    outcome = outcome_for(
        read_pod(pod({"exitCode": 0})),
        parse_report(report(exit_code=None, runner_signal=15)),
        BackendActions(),
    )
    assert outcome.error is not None and "outside" in outcome.error


def test_runner_failure_is_an_error() -> None:
    outcome = outcome_for(
        read_pod(pod({"exitCode": 2})),
        parse_report(report(exit_code=None, error="no python")),
        BackendActions(),
    )
    assert outcome.error == "the sandbox runner failed: no python"


def test_runner_without_report_is_an_error() -> None:
    outcome = outcome_for(read_pod(pod({"exitCode": 1, "reason": "Error"})), None, BackendActions())
    assert outcome.error is not None and "without a report" in outcome.error


def test_our_actions_explain_the_end() -> None:
    state = read_pod(pod())
    assert outcome_for(state, None, BackendActions(cancelled=True)).cancelled
    assert outcome_for(state, None, BackendActions(timed_out=True)).timed_out
    assert outcome_for(
        state, None, BackendActions(output_limit_exceeded=True)
    ).output_limit_exceeded


def test_unschedulable_and_waiting_are_read() -> None:
    state = read_pod(
        {
            "metadata": {"name": "p"},
            "spec": {},
            "status": {
                "phase": "Pending",
                "conditions": [
                    {
                        "type": "PodScheduled",
                        "status": "False",
                        "reason": "Unschedulable",
                        "message": "0/1 nodes",
                    }
                ],
            },
        }
    )
    assert state.unschedulable == "0/1 nodes" and not state.scheduled and not state.started


def test_frames() -> None:
    assert parse_frame('{"n":1,"s":"o","d":"aGk="}').data == b"hi"  # type: ignore[union-attr]
    assert parse_frame('{"n":2,"s":"e","d":""}').stream == OutputStream.STDERR  # type: ignore[union-attr]
    end = parse_frame('{"n":3,"s":"x","r":{"v":1}}')
    assert end is not None and end.is_end and end.report == {"v": 1}
    accepted = parse_frame('{"n":1,"s":"a"}')  # a warm pod's runner got its script
    assert accepted is not None and accepted.accepted and not accepted.is_end
    for junk in (
        "",
        "not json",
        '{"n":0,"s":"o","d":""}',
        '{"n":1,"s":"q"}',
        '{"n":1,"s":"o","d":"!!"}',
        '{"n":true,"s":"o","d":""}',
        "[1]",
    ):
        assert parse_frame(junk) is None
    line = parse_log_line(b'2024-05-01T12:00:01.123456789Z {"n":4,"s":"o","d":"eA=="}')
    assert (
        line is not None
        and line.timestamp == "2024-05-01T12:00:01.123456789Z"
        and line.frame.number == 4
    )
    assert parse_log_line(b'2024-05-01T12:00:01.1Z {"n":4,"s":"o","d":"eA') is None
    assert since_time("2024-05-01T12:00:01.123456789Z") == "2024-05-01T12:00:01Z"
