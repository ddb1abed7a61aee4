"""A WebSocket acts with its token only while HTTP would accept that token: every operation
checks it again, and when it expires (or is revoked) the socket's subscriptions end with 4403,
after which a client refreshes, reconnects and resumes with `afterSeq` without losing output."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest
import websockets

from tests.auth.accounts import ME, REFRESH, RawSocket, register
from tests.support.client import EVENTS, TERMINAL, Api
from tests.support.servers import PodrunProcess, StoreProcess

ACCESS_TOKEN_SECONDS = 2
RECHECK_SECONDS = 1

SUBMIT = """
mutation($input: ExecuteScriptInput!) {
  executeScript(input: $input) {
    __typename
    ... on Execution { id status }
    ... on AuthError { message code }
  }
}
"""
CREATE_API_TOKEN = (
    'mutation { createApiToken(name: "socket") { ... on ApiTokenCreated '
    "{ token apiToken { id } } } }"
)
REVOKE_API_TOKEN = "mutation($id: ID!) { revokeApiToken(id: $id) }"
API_TOKENS = "{ apiTokens { id } }"
# Outlives a few access tokens: 40 numbered lines over about 12 s.
SLOW_COUNT = "import time\nfor i in range(40):\n    print(i, flush=True)\n    time.sleep(0.3)\n"


@pytest.fixture(scope="module")
def short_tokens(
    store: StoreProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PodrunProcess]:
    """Members only, with access tokens that last seconds and sockets rechecked every second."""
    process = PodrunProcess(
        tmp_path_factory.mktemp("short-tokens"),
        ["serve"],
        env={
            "PODRUN_MONGODB_URI": store.uri,
            "PODRUN_DATABASE": "short-tokens",
            "PODRUN_AUTH_ANONYMOUS": "false",
            "PODRUN_AUTH_ACCESS_TOKEN_SECONDS": str(ACCESS_TOKEN_SECONDS),
            "PODRUN_AUTH_SOCKET_RECHECK_SECONDS": str(RECHECK_SECONDS),
        },
    ).start()
    yield process
    process.stop()


@pytest.fixture
def anonymous(short_tokens: PodrunProcess) -> Api:
    return Api(short_tokens.url)


@pytest.fixture(scope="module")
def rare_rechecks(
    store: StoreProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PodrunProcess]:
    """Sockets that check a token which does not expire on its own only once an hour: what
    an operation answers over them is its own check, never the socket's closing."""
    process = PodrunProcess(
        tmp_path_factory.mktemp("rare-rechecks"),
        ["serve"],
        env={
            "PODRUN_MONGODB_URI": store.uri,
            "PODRUN_DATABASE": "rare-rechecks",
            "PODRUN_AUTH_ANONYMOUS": "false",
            "PODRUN_AUTH_SOCKET_RECHECK_SECONDS": "3600",
        },
    ).start()
    yield process
    process.stop()


async def wait_until_http_refuses(api: Api, deadline: float = 60) -> None:
    """Until `me` over HTTP no longer knows the token's user (the token expired)."""
    give_up = time.monotonic() + deadline
    while (await api.gql(ME))["me"] is not None:
        assert time.monotonic() < give_up, "the access token never expired"
        await asyncio.sleep(0.2)


async def reply_to(socket: RawSocket, op: str, query: str, variables: dict[str, Any]) -> Any:
    """The first message for operation `op`, or the close code if the socket closes first."""
    try:
        await socket.subscribe(op, query, variables)
        while True:
            message = await socket.receive()
            if message.get("id") == op:
                return message
    except websockets.ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else -1


async def follow_until_closed(socket: RawSocket, op: str, seen: list[dict[str, Any]]) -> int | None:
    """Append the events of subscription `op` to `seen`; the close code if the socket closes,
    None when the subscription completes."""
    try:
        while True:
            message = await socket.receive(timeout=60)
            if message.get("id") != op:
                continue
            if message["type"] == "complete":
                return None
            assert message["type"] == "next", message
            assert not message["payload"].get("errors"), message
            seen.append(message["payload"]["data"]["executionEvents"])
    except websockets.ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else -1


async def test_an_expired_token_runs_nothing_over_the_socket_it_opened(anonymous: Api) -> None:
    alice = await register(anonymous, "alice")
    socket = RawSocket(alice.api)
    try:
        assert await socket.open({"authorization": f"Bearer {alice.access_token}"}) == {
            "type": "connection_ack"
        }
        await wait_until_http_refuses(alice.api)
        over_http = (await alice.api.gql(SUBMIT, input={"script": "print(1)"}))["executeScript"]
        assert over_http["__typename"] == "AuthError"
        reply = await reply_to(socket, "late", SUBMIT, {"input": {"script": "print(1)"}})
        # The socket may already be closed for the expiry; if not, the answer is HTTP's.
        if reply != 4403:
            assert reply["type"] == "next", reply
            assert reply["payload"]["data"]["executeScript"] == over_http, reply
        reply = await reply_to(socket, "late-me", ME, {})
        if reply != 4403:
            assert reply["type"] == "next", reply
            assert reply["payload"]["data"]["me"] is None, reply
    finally:
        await socket.close()


async def test_a_revoked_token_runs_nothing_over_the_socket_it_opened(anonymous: Api) -> None:
    alice = await register(anonymous, "alice")
    created = (await alice.api.gql(CREATE_API_TOKEN))["createApiToken"]
    socket = RawSocket(alice.api)
    try:
        ack = await socket.open({"authorization": f"Bearer {created['token']}"})
        assert ack == {"type": "connection_ack"}
        me = await reply_to(socket, "me", ME, {})
        assert me["payload"]["data"]["me"]["id"] == alice.user_id
        cli = alice.api.as_user(created["token"])
        assert (await cli.gql(REVOKE_API_TOKEN, id=created["apiToken"]["id"]))["revokeApiToken"]
        reply = await reply_to(socket, "after", SUBMIT, {"input": {"script": "print(1)"}})
        if reply != 4403:  # unless the periodic recheck closed the socket first
            payload = reply["payload"]["data"]["executeScript"]
            assert payload["__typename"] == "AuthError", reply
            assert payload["code"] == "INVALID_TOKEN", reply
        assert (await cli.gql(ME))["me"] is None
    finally:
        await socket.close()


async def test_every_query_and_mutation_over_an_open_socket_checks_its_token(
    rare_rechecks: PodrunProcess,
) -> None:
    """The socket stays open after its token is revoked (no recheck is due for an hour), yet
    every query and mutation sent on it after that answers as HTTP does for that token."""
    alice = await register(Api(rare_rechecks.url), "alice")
    created = (await alice.api.gql(CREATE_API_TOKEN))["createApiToken"]
    cli = alice.api.as_user(created["token"])
    socket = RawSocket(cli)
    try:
        ack = await socket.open({"authorization": f"Bearer {created['token']}"})
        assert ack == {"type": "connection_ack"}
        me = await reply_to(socket, "me", ME, {})
        assert me["payload"]["data"]["me"]["id"] == alice.user_id, me
        tokens = await reply_to(socket, "tokens", API_TOKENS, {})
        assert tokens["payload"]["data"]["apiTokens"] == [{"id": created["apiToken"]["id"]}]
        assert (await cli.gql(REVOKE_API_TOKEN, id=created["apiToken"]["id"]))["revokeApiToken"]
        over_http = (await cli.gql(SUBMIT, input={"script": "print(1)"}))["executeScript"]
        assert over_http["__typename"] == "AuthError", over_http

        me = await reply_to(socket, "me-after", ME, {})
        assert me != 4403, "the socket closed: the operations' own checks went untested"
        assert me["type"] == "next", me
        assert me["payload"]["data"]["me"] is None, me
        tokens = await reply_to(socket, "tokens-after", API_TOKENS, {})
        assert tokens["type"] == "next", tokens
        assert tokens["payload"]["data"] is None, tokens
        assert tokens["payload"]["errors"][0]["extensions"]["code"] == "INVALID_TOKEN", tokens
        submitted = await reply_to(socket, "submit-after", SUBMIT, {"input": {"script": "1"}})
        assert submitted["type"] == "next", submitted
        assert submitted["payload"]["data"]["executeScript"] == over_http, submitted
    finally:
        await socket.close()


async def test_a_revoked_api_token_ends_the_subscriptions_of_its_socket(anonymous: Api) -> None:
    alice = await register(anonymous, "alice")
    created = (await alice.api.gql(CREATE_API_TOKEN))["createApiToken"]
    cli = alice.api.as_user(created["token"])
    submitted = (
        await cli.gql(SUBMIT, input={"script": SLOW_COUNT, "limits": {"timeoutSeconds": 60}})
    )["executeScript"]
    assert submitted["__typename"] == "Execution", submitted
    socket = RawSocket(cli)
    try:
        await socket.open({"authorization": f"Bearer {created['token']}"})
        await socket.subscribe("events", EVENTS, {"id": submitted["id"], "afterSeq": 0})
        first = await socket.receive()
        assert first["type"] == "next", first
        assert (await cli.gql(REVOKE_API_TOKEN, id=created["apiToken"]["id"]))["revokeApiToken"]
        seen: list[dict[str, Any]] = []
        assert await follow_until_closed(socket, "events", seen) == 4403
        assert not any(e.get("status") in TERMINAL for e in seen), "closed only at the end"
    finally:
        await socket.close()
        await alice.api.cancel(submitted["id"])


async def test_a_subscription_outlives_its_tokens_by_refresh_and_resume(anonymous: Api) -> None:
    """The stream closes with 4403 when the token expires, without the client asking; the
    client refreshes, reconnects with afterSeq and gets every event exactly once."""
    alice = await register(anonymous, "alice")
    submitted = (
        await alice.api.gql(SUBMIT, input={"script": SLOW_COUNT, "limits": {"timeoutSeconds": 60}})
    )["executeScript"]
    assert submitted["__typename"] == "Execution", submitted
    seen: list[dict[str, Any]] = []
    closes: list[int] = []
    access, refresh = alice.access_token, alice.refresh_token
    give_up = time.monotonic() + 90
    while not any(e.get("status") in TERMINAL for e in seen):
        assert time.monotonic() < give_up, (closes, seen)
        if closes:  # a 4403: trade the refresh token for a new session, as a client would
            session = (await anonymous.gql(REFRESH, t=refresh))["refreshToken"]
            assert session["__typename"] == "AuthPayload", session
            access, refresh = session["accessToken"], session["refreshToken"]
        socket = RawSocket(anonymous.as_user(access))
        try:
            assert await socket.open({"authorization": f"Bearer {access}"}) == {
                "type": "connection_ack"
            }
            after = seen[-1]["seq"] if seen else 0
            await socket.subscribe("events", EVENTS, {"id": submitted["id"], "afterSeq": after})
            code = await follow_until_closed(socket, "events", seen)
        finally:
            await socket.close()
        if code is not None:
            assert code == 4403, code
            closes.append(code)
    assert closes, "the first token outlived the run: the test proves nothing"
    assert [e["seq"] for e in seen] == list(range(1, len(seen) + 1))
    output = "".join(e["data"] for e in seen if e["__typename"] == "OutputEvent")
    assert output == "".join(f"{i}\n" for i in range(40))
    assert seen[-1]["status"] == "COMPLETED"
