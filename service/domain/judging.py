"""Judging output: does what a script printed match what was expected (Judge0's
`expected_output`)?

`EXACT` compares the whole of stdout. `IGNORE_TRAILING_WHITESPACE` ignores whitespace at the
end of each line and empty lines at the end, which is what most judges mean by "the same
answer" (a missing final newline, a stray space before it).
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from service.domain.statuses import ExecutionStatus

if TYPE_CHECKING:
    from service.domain.executions import Execution


class OutputComparison(enum.Enum):
    EXACT = "EXACT"
    IGNORE_TRAILING_WHITESPACE = "IGNORE_TRAILING_WHITESPACE"


def outputs_match(stdout: str, expected: str, comparison: OutputComparison) -> bool:
    if comparison is OutputComparison.EXACT:
        return stdout == expected
    return _trimmed(stdout) == _trimmed(expected)


def _trimmed(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def output_matches(execution: Execution) -> bool | None:
    """None until the execution has ended, or when it expects nothing; else whether its
    stdout (all of it: `execution` must carry its output) is the expected one. An
    execution that did not complete does not match, whatever it printed."""
    if execution.expected_stdout is None or not execution.status.is_terminal:
        return None
    if execution.status is not ExecutionStatus.COMPLETED:
        return False
    return outputs_match(execution.stdout, execution.expected_stdout, execution.stdout_comparison)
