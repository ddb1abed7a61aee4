"""Queries: one execution, pages of executions, runtimes, health, GraphiQL."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.support.client import Api

PAGE = """
query($first: Int, $after: String, $status: [ExecutionStatus!]) {
  executions(first: $first, after: $after, status: $status) {
    edges { cursor node { id status } }
    pageInfo { hasNextPage hasPreviousPage endCursor startCursor }
  }
}
"""


async def test_unknown_execution_is_null(api: Api) -> None:
    assert await api.get("0123456789abcdef") is None


async def test_runtimes_offer_one_default_python(api: Api) -> None:
    runtimes = (await api.gql("{ runtimes { id language version default } }"))["runtimes"]
    defaults = [r for r in runtimes if r["default"]]
    assert len(defaults) == 1
    assert defaults[0]["language"] == "python"
    assert defaults[0]["version"].startswith("3.")
    execution = await api.run("import sys; print(sys.version_info[:2])", runtime=defaults[0]["id"])
    assert execution["status"] == "COMPLETED"
    assert execution["runtime"] == defaults[0]["id"]


async def test_pages_are_newest_first_without_gaps_or_repeats(api: Api) -> None:
    mine = []
    for i in range(5):
        mine.append((await api.submit(f"print({i})"))["id"])
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = (await api.gql(PAGE, first=2, after=after))["executions"]
        pages += 1
        seen.extend(edge["node"]["id"] for edge in page["edges"])
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert page["edges"][-1]["cursor"] == after
    assert len(seen) == len(set(seen))
    ours = [execution_id for execution_id in seen if execution_id in mine]
    assert ours == list(reversed(mine))
    assert pages >= 3


async def test_status_filter(api: Api) -> None:
    failed = await api.run("raise SystemExit(2)")
    page = (await api.gql(PAGE, first=100, status=["FAILED"]))["executions"]
    ids = [edge["node"]["id"] for edge in page["edges"]]
    assert failed["id"] in ids
    assert {edge["node"]["status"] for edge in page["edges"]} == {"FAILED"}


async def test_bad_cursor_and_page_size_are_clear_errors(api: Api) -> None:
    with pytest.raises(Exception, match="after"):
        await api.gql(PAGE, first=2, after="garbage!!")
    with pytest.raises(Exception, match="first must be between"):
        await api.gql(PAGE, first=1000)


async def test_idempotency_key_returns_the_first_execution(api: Api) -> None:
    key = f"key-{asyncio.get_running_loop().time()}"
    first = await api.submit("print('once')", idempotencyKey=key)
    second = await api.submit("print('once')", idempotencyKey=key)
    assert first["id"] == second["id"]


async def test_an_anonymous_key_does_not_reveal_another_request(api: Api) -> None:
    """Anonymous callers share one key space: a guessed key must not hand out another
    caller's execution (its script, stdin and output) unless the request is the same."""
    key = f"guessable-{asyncio.get_running_loop().time()}"
    mine = await api.submit("print('secret')", stdin="pin 1234", idempotencyKey=key)
    theirs = await api.submit("print('probe')", idempotencyKey=key)
    assert theirs["id"] != mine["id"]
    retried = await api.submit("print('secret')", stdin="pin 1234", idempotencyKey=key)
    assert retried["id"] == mine["id"]


async def test_running_execution_shows_output_so_far(api: Api) -> None:
    submitted = await api.submit("import time\nprint('partial', flush=True)\ntime.sleep(3)")
    for _ in range(100):
        execution = await api.get(submitted["id"])
        if execution["stdout"]:
            break
        await asyncio.sleep(0.05)
    assert execution["status"] == "RUNNING"
    assert execution["stdout"] == "partial\n"
    await api.cancel(submitted["id"])


async def test_health_and_graphiql(api: Api) -> None:
    base = api.client.url.removesuffix("/graphql")
    async with httpx.AsyncClient() as http:
        health = await http.get(f"{base}/healthz")
        assert health.status_code == 200
        assert health.json()["checks"] == {"api": True, "store": True, "worker": True}
        page = await http.get(api.client.url, headers={"accept": "text/html"})
        assert page.status_code == 200
        assert "graphiql" in page.text.lower()
