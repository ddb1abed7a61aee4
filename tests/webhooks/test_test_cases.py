"""Test cases against a real server: expectedStdout judged, runTestCases tallied."""

from __future__ import annotations

from tests.support.client import Api
from tests.webhooks.calls import until

RUN = """
mutation($input: RunTestCasesInput!) {
  runTestCases(input: $input) {
    __typename
    ... on TestCasesRun {
      passed failed pending refused
      cases {
        index passed
        result {
          __typename
          ... on Execution { id status stdout outputMatches expectedStdout }
          ... on InputError { field message }
        }
      }
    }
    ... on InputError { field message }
  }
}
"""
DOUBLER = "import sys\nn = int(sys.stdin.read())\nprint(n * 2 if n != 3 else 7)"


async def test_run_test_cases_judges_each_case_and_tallies(hooks_api: Api) -> None:
    cases = [
        {"stdin": "1", "expectedStdout": "2\n"},
        {"stdin": "2", "expectedStdout": "4"},  # no final newline: passes, leniently
        {"stdin": "3", "expectedStdout": "6\n"},  # the script answers 7: fails
        {"stdin": "x", "expectedStdout": "0\n"},  # the script fails: does not pass
        # Over the server's largest stdin: refused, alone.
        {"stdin": "1" * (1024 * 1024 + 1), "expectedStdout": "1\n"},
    ]
    run = (
        await hooks_api.gql(
            RUN,
            input={
                "script": DOUBLER,
                "cases": cases,
                "stdoutComparison": "IGNORE_TRAILING_WHITESPACE",
                "wait": True,
            },
        )
    )["runTestCases"]
    assert run["__typename"] == "TestCasesRun", run
    assert (run["passed"], run["failed"], run["pending"], run["refused"]) == (2, 2, 0, 1)
    assert [c["passed"] for c in run["cases"]] == [True, True, False, False, None]
    assert run["cases"][2]["result"]["stdout"] == "7\n"
    assert run["cases"][3]["result"]["status"] == "FAILED"
    assert run["cases"][4]["result"]["field"] == "cases[4].stdin"


async def test_expected_stdout_gives_the_execution_its_verdict(hooks_api: Api) -> None:
    exact = await hooks_api.submit("print('hi ')", expectedStdout="hi\n")
    lenient = await hooks_api.submit(
        "print('hi ')", expectedStdout="hi", stdoutComparison="IGNORE_TRAILING_WHITESPACE"
    )
    plain = await hooks_api.submit("print('hi')")
    query = "query($id: ID!) { execution(id: $id) { status outputMatches } }"

    async def verdict(execution_id: str) -> object:
        found = (await hooks_api.gql(query, id=execution_id))["execution"]
        return found if found["status"] == "COMPLETED" else None

    assert (await until("exact", lambda: verdict(exact["id"])))["outputMatches"] is False
    assert (await until("lenient", lambda: verdict(lenient["id"])))["outputMatches"] is True
    assert (await until("plain", lambda: verdict(plain["id"])))["outputMatches"] is None
