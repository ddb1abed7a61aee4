"""Every way a Python program can end, run by the in-pod runner: the report, read by the
Kubernetes backend and classified, gives the same verdict as a local sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_runner_process import run_runner

from service.adapters.sandbox.kubernetes.outcomes import BackendActions, outcome_for, parse_report
from service.domain.verdicts import classify
from tests.support.endings import ENDINGS


@pytest.mark.parametrize("name", list(ENDINGS))
def test_an_ending_gives_the_documented_verdict(name: str, tmp_path: Path) -> None:
    ending = ENDINGS[name]
    result = run_runner(tmp_path, ending.script)
    outcome = outcome_for(None, parse_report(json.dumps(result.report)), BackendActions())
    verdict = classify(outcome)
    # Where the harness put the script; a pod's runner is given /work/main.py.
    stderr = result.stream("e").decode().replace(str(tmp_path / "main.py"), "/work/main.py")
    tail = stderr.rstrip("\n").rpartition("\n")[2]
    assert (verdict.status, verdict.exit_code, result.stream("o").decode(), tail) == (
        ending.status,
        ending.exit_code,
        ending.stdout,
        ending.stderr_tail,
    ), stderr
