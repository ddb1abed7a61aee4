"""The GraphQL surface under abuse: document size, subscriptions per connection, request
size, CORS, and a locked-down server (no anonymous callers, registration, introspection or
GraphiQL)."""

from __future__ import annotations

import httpx
import pytest

from tests.auth.accounts import ME, REGISTER, RawSocket, register
from tests.auth.conftest import CORS_ORIGIN, MAX_QUERY_BYTES, MAX_SUBSCRIPTIONS
from tests.auth.test_ownership import SUBMIT
from tests.support.client import EVENTS, Api
from tests.support.servers import PodrunProcess


async def test_documents_over_the_size_limit_are_refused(anonymous: Api) -> None:
    padding = "x" * MAX_QUERY_BYTES
    with pytest.raises(Exception, match="byte limit"):
        await anonymous.gql(f"{{ runtimes {{ id }} }} # {padding}")
    # Scripts travel as variables: the document limit does not cap them.
    result = await anonymous.submit("print(1)  # " + padding)
    assert result["__typename"] == "Execution"


async def test_subscriptions_per_connection_are_capped(anonymous: Api) -> None:
    alice = await register(anonymous, "alice")
    execution = (await alice.api.gql(SUBMIT, input={"script": "import time; time.sleep(20)"}))[
        "executeScript"
    ]
    socket = RawSocket(alice.api)
    try:
        assert (await socket.open({"authorization": f"Bearer {alice.access_token}"}))[
            "type"
        ] == "connection_ack"
        for n in range(MAX_SUBSCRIPTIONS + 1):
            await socket.subscribe(str(n), EVENTS, {"id": execution["id"], "afterSeq": 0})
        refusal = None
        for _ in range(50):
            message = await socket.receive()
            if message["type"] == "error":
                refusal = message
                break
        assert refusal is not None
        assert refusal["id"] == str(MAX_SUBSCRIPTIONS)
        assert "limit" in refusal["payload"][0]["message"].lower()
    finally:
        await socket.close()
        await alice.api.cancel(execution["id"])


async def test_oversized_bodies_get_413(auth_server: PodrunProcess) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{auth_server.url}/graphql",
            content=b'{"query": "{ runtimes { id } }", "x": "' + b"a" * (5 * 1024 * 1024) + b'"}',
            headers={"content-type": "application/json"},
        )
    assert response.status_code == 413


async def test_cors_allows_only_configured_origins(auth_server: PodrunProcess) -> None:
    async with httpx.AsyncClient() as http:
        allowed = await http.options(
            f"{auth_server.url}/graphql",
            headers={
                "Origin": CORS_ORIGIN,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            },
        )
        other = await http.options(
            f"{auth_server.url}/graphql",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == CORS_ORIGIN
    assert "access-control-allow-origin" not in other.headers


async def test_locked_server_refuses_anonymous_callers(locked_server: PodrunProcess) -> None:
    anonymous = Api(locked_server.url)
    refused = (await anonymous.gql(SUBMIT, input={"script": "print(1)"}))["executeScript"]
    assert refused["__typename"] == "AuthError"
    assert refused["code"] == "UNAUTHENTICATED"
    with pytest.raises(Exception, match="log in first"):
        await anonymous.gql("{ executions { edges { node { id } } } }")
    registration = (
        await anonymous.gql(REGISTER, input={"username": "newcomer", "password": "x" * 12})
    )["register"]
    assert registration["__typename"] == "AuthError"
    assert registration["code"] == "REGISTRATION_CLOSED"
    assert (await anonymous.gql(ME))["me"] is None
    socket = RawSocket(anonymous)
    try:
        assert await socket.open({}) == 4403
    finally:
        await socket.close()


async def test_locked_server_has_no_introspection_nor_graphiql(
    locked_server: PodrunProcess,
) -> None:
    anonymous = Api(locked_server.url)
    with pytest.raises(Exception, match="introspection"):
        await anonymous.gql("{ __schema { types { name } } }")
    async with httpx.AsyncClient() as http:
        page = await http.get(f"{locked_server.url}/graphql", headers={"accept": "text/html"})
    assert "graphiql" not in page.text.lower()


async def test_graphiql_works_with_introspection_on(anonymous: Api) -> None:
    types = (await anonymous.gql("{ __schema { types { name } } }"))["__schema"]["types"]
    assert {"AuthPayload", "AuthError", "QuotaExceeded"} <= {t["name"] for t in types}
