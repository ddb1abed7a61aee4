"""Property-based fuzzing of the whole schema (hypothesis-graphql) against a real server:
every generated query and mutation, anonymous and logged in, gets a GraphQL answer — never a
server error, never a crash, never an unmasked internal error."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from typing import Any

import graphql
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes
from hypothesis_graphql import strategies as gql_st

from tests.auth.accounts import register
from tests.support.client import Api
from tests.support.servers import REPO, PodrunProcess

SCHEMA = graphql.build_schema((REPO / "schema.graphql").read_text())
SCALARS: dict[str, st.SearchStrategy[Any]] = {
    "DateTime": st.datetimes(timezones=st.just(UTC)).map(lambda d: nodes.String(d.isoformat())),
}
# Mutations that would (legitimately) lock the fuzzing user out or run long scripts are
# still generated; scripts are bounded by the server's limits and quotas.
EXAMPLES = 40


def fuzz_settings() -> Any:
    return settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )


def check(response: httpx.Response, document: str) -> None:
    assert response.status_code < 500, (response.status_code, document, response.text[:500])
    body = response.json()
    assert "data" in body or "errors" in body, (document, body)
    for error in body.get("errors") or []:
        # Masked: an unexpected exception never shows its text or a traceback.
        assert "Traceback" not in error.get("message", ""), (document, error)


@pytest.fixture(scope="module")
def server_alive(auth_server: PodrunProcess) -> PodrunProcess:
    return auth_server


@pytest.mark.parametrize("operation", ["query", "mutation"])
@pytest.mark.parametrize("who", ["anonymous", "user"])
async def test_schema_fuzz_finds_no_server_error(
    server_alive: PodrunProcess, anonymous: Api, operation: str, who: str
) -> None:
    headers = {}
    if who == "user":
        account = await register(anonymous, "fuzz")
        headers["Authorization"] = f"Bearer {account.access_token}"
    strategy = (gql_st.queries if operation == "query" else gql_st.mutations)(
        SCHEMA, custom_scalars=SCALARS
    )
    documents: list[str] = []

    @fuzz_settings()
    @given(strategy)
    def collect(document: str) -> None:
        documents.append(document)

    collect()  # generate first: hypothesis drives sync functions; requests go out below
    async with httpx.AsyncClient(timeout=60) as http:
        for document in documents:
            response = await http.post(
                f"{server_alive.url}/graphql", json={"query": document}, headers=headers
            )
            check(response, document)
        health = await http.get(f"{server_alive.url}/healthz")
    assert health.status_code == 200


def test_schema_file_is_what_the_fuzzer_uses() -> None:
    assert Path(REPO / "schema.graphql").exists()
    assert SCHEMA.mutation_type is not None
    assert "register" in SCHEMA.mutation_type.fields
