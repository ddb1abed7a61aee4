"""Test cases in the browser: a script judged against cases, pass or fail shown per case."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.timeout(180)


def test_each_case_shows_whether_it_passed(page: Page) -> None:
    page.goto("/tests")
    page.get_by_test_id("cases-script").fill("print(int(input()) * 2)\n")
    page.get_by_label("Expected stdout of case 2").fill("5\n")  # 2 * 2 is not 5
    page.get_by_role("button", name="Add case").click()
    page.get_by_label("Stdin of case 3").fill("x")  # not a number: the script fails
    page.get_by_label("Expected stdout of case 3").fill("0\n")
    page.get_by_role("button", name="Run cases").click()
    expect(page.get_by_test_id("cases-tally")).to_have_text("1 passed, 2 failed", timeout=60_000)
    rows = page.get_by_test_id("case-result")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("passed")
    expect(rows.nth(0)).to_contain_text("COMPLETED")
    expect(rows.nth(1)).to_contain_text("failed")
    expect(rows.nth(1)).to_contain_text("4")
    expect(rows.nth(2)).to_contain_text("failed")
    expect(rows.nth(2)).to_contain_text("FAILED")
