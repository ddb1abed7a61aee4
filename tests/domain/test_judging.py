"""Judging stdout against the expected output."""

from __future__ import annotations

import pytest

from service.domain.judging import OutputComparison, outputs_match

EXACT, LENIENT = OutputComparison.EXACT, OutputComparison.IGNORE_TRAILING_WHITESPACE


@pytest.mark.parametrize(
    ("stdout", "expected", "exact", "lenient"),
    [
        ("42\n", "42\n", True, True),
        ("42", "42\n", False, True),
        ("42  \n\n\n", "42", False, True),
        ("1 2 \n3\t\n", "1 2\n3\n", False, True),
        ("42\n", "43\n", False, False),
        (" 42\n", "42\n", False, False),  # leading whitespace counts
        ("a\n\nb\n", "a\nb\n", False, False),  # an empty line inside counts
        ("", "", True, True),
        ("\n", "", False, True),
    ],
)
def test_outputs_are_compared_as_each_mode_says(
    stdout: str, expected: str, exact: bool, lenient: bool
) -> None:
    assert outputs_match(stdout, expected, EXACT) is exact
    assert outputs_match(stdout, expected, LENIENT) is lenient
