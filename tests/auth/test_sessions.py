"""Every way in and out: register, login, refresh with rotation and reuse detection, logout,
API tokens, and every kind of bad access token, over HTTP and WebSocket."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

from tests.auth.accounts import (
    LOGOUT,
    ME,
    REFRESH,
    REGISTER,
    RawSocket,
    alg_none,
    forge,
    login,
    register,
    tamper,
)
from tests.support.client import EVENTS, Api
from tests.support.servers import PodrunProcess

SUBMIT = """
mutation($input: ExecuteScriptInput!) {
  executeScript(input: $input) {
    __typename
    ... on Execution { id status }
    ... on AuthError { message code }
    ... on InputError { message field }
    ... on QuotaExceeded { message retryAfterSeconds }
  }
}
"""


async def test_register_then_me_and_login(anonymous: Api) -> None:
    alice = await register(anonymous, "alice")
    me = (await alice.api.gql(ME))["me"]
    assert me == {"id": alice.user_id, "username": alice.username, "role": "USER"}
    assert (await anonymous.gql(ME))["me"] is None
    session = await login(anonymous, alice.username, alice.password)
    assert session["__typename"] == "AuthPayload"
    assert session["expiresIn"] > 0
    assert session["user"]["id"] == alice.user_id


async def test_wrong_password_and_unknown_user_look_the_same(anonymous: Api) -> None:
    alice = await register(anonymous, "alice")
    wrong = await login(anonymous, alice.username, "not the password")
    unknown = await login(anonymous, "nobody-" + alice.username, "not the password")
    assert (
        wrong
        == unknown
        == {
            "__typename": "AuthError",
            "message": "wrong username or password",
            "code": "INVALID_CREDENTIALS",
        }
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"username": "ab", "password": "long enough pw"}, "username"),
        ({"username": "Has Spaces", "password": "long enough pw"}, "username"),
        ({"username": "fine-name", "password": "short"}, "password"),
        ({"username": "fine-name2", "password": "long enough pw", "email": "nope"}, "email"),
    ],
)
async def test_bad_registrations_are_input_errors(
    anonymous: Api, fields: dict[str, str], field: str
) -> None:
    result = (await anonymous.gql(REGISTER, input=fields))["register"]
    assert result["__typename"] == "InputError"
    assert result["field"] == field


async def test_username_taken(anonymous: Api) -> None:
    alice = await register(anonymous, "alice")
    again = (
        await anonymous.gql(REGISTER, input={"username": alice.username, "password": "x" * 12})
    )["register"]
    assert again == {
        "__typename": "InputError",
        "message": "username is taken",
        "field": "username",
    }


async def test_refresh_rotates_and_reuse_revokes_the_family(anonymous: Api) -> None:
    alice = await register(anonymous, "alice")
    first = (await anonymous.gql(REFRESH, t=alice.refresh_token))["refreshToken"]
    assert first["__typename"] == "AuthPayload"
    assert first["refreshToken"] != alice.refresh_token
    assert (await anonymous.as_user(first["accessToken"]).gql(ME))["me"]["id"] == alice.user_id
    second = (await anonymous.gql(REFRESH, t=first["refreshToken"]))["refreshToken"]
    assert second["__typename"] == "AuthPayload"

    # The first token again: someone else holds a copy. Every token of the login dies.
    reused = (await anonymous.gql(REFRESH, t=alice.refresh_token))["refreshToken"]
    assert reused["__typename"] == "AuthError"
    assert reused["code"] == "TOKEN_REUSED"
    latest = (await anonymous.gql(REFRESH, t=second["refreshToken"]))["refreshToken"]
    assert latest == {
        "__typename": "AuthError",
        "message": "invalid or expired refresh token",
        "code": "INVALID_TOKEN",
    }
    # Another login of the same user is a different family and keeps working.
    other = await login(anonymous, alice.username, alice.password)
    assert (await anonymous.gql(REFRESH, t=other["refreshToken"]))["refreshToken"][
        "__typename"
    ] == "AuthPayload"


async def test_logout_revokes_the_refresh_token(anonymous: Api) -> None:
    alice = await register(anonymous, "alice")
    assert (await anonymous.gql(LOGOUT, t=alice.refresh_token))["logout"] is True
    after = (await anonymous.gql(REFRESH, t=alice.refresh_token))["refreshToken"]
    assert after["__typename"] == "AuthError"
    assert (await anonymous.gql(LOGOUT, t=alice.refresh_token))["logout"] is False
    assert (await anonymous.gql(LOGOUT, t="prt_garbage.garbage"))["logout"] is False


@pytest.mark.parametrize(
    "refresh", ["", "garbage", "prt_x.y", "prt_" + "a" * 600, "pat_abc.def", "\u0000"]
)
async def test_malformed_refresh_tokens(anonymous: Api, refresh: str) -> None:
    result = (await anonymous.gql(REFRESH, t=refresh))["refreshToken"]
    assert result["__typename"] == "AuthError"
    assert result["code"] == "INVALID_TOKEN"


def bad_tokens(user_id: str, good: str) -> dict[str, str]:
    return {
        "tampered": tamper(good),
        "expired": forge(user_id, lifetime=-120),
        "wrong audience": forge(user_id, audience="someone-else"),
        "wrong issuer": forge(user_id, issuer="evil"),
        "alg none": alg_none(user_id),
        "wrong key": forge(user_id, key="another-secret-" + "y" * 40),
        "not a jwt": "hello",
        "unknown user": forge("0" * 32),
        "refresh token as access token": "prt_abc.def",
        "revoked-looking api token": "pat_abc.def",
    }


async def test_bad_access_tokens_are_refused_everywhere(anonymous: Api) -> None:
    alice = await register(anonymous, "alice")
    mine = (await alice.api.gql(SUBMIT, input={"script": "print(1)"}))["executeScript"]
    assert mine["__typename"] == "Execution"
    # A forged token with the right key works: the checks below fail for their own reason.
    assert (await anonymous.as_user(forge(alice.user_id)).gql(ME))["me"]["id"] == alice.user_id
    for name, token in bad_tokens(alice.user_id, alice.access_token).items():
        caller = anonymous.as_user(token)
        assert (await caller.gql(ME))["me"] is None, name
        submitted = (await caller.gql(SUBMIT, input={"script": "print(1)"}))["executeScript"]
        assert submitted["__typename"] == "AuthError", name
        assert submitted["code"] == "INVALID_TOKEN", name
        with pytest.raises(Exception, match="invalid or expired token"):
            await caller.get(mine["id"])
        socket = RawSocket(caller)
        try:
            assert await socket.open({"authorization": f"Bearer {token}"}) == 4403, name
        finally:
            await socket.close()


async def test_authorization_header_must_be_bearer(auth_server: PodrunProcess) -> None:
    import httpx

    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{auth_server.url}/graphql",
            json={"query": "{ me { id } }"},
            headers={"Authorization": "Basic YWxpY2U6cHc="},
        )
    assert response.status_code == 200
    assert response.json()["data"]["me"] is None


async def test_websocket_with_a_good_token_streams_own_events(anonymous: Api) -> None:
    alice = await register(anonymous, "alice")
    execution = await alice.api.run("print('hi')")
    assert execution["status"] == "COMPLETED"
    socket = RawSocket(alice.api)
    try:
        ack = await socket.open({"authorization": f"Bearer {alice.access_token}"})
        assert ack == {"type": "connection_ack"}
        await socket.subscribe("1", EVENTS, {"id": execution["id"], "afterSeq": 0})
        kinds = []
        while True:
            message = await socket.receive()
            kinds.append(message["type"])
            if message["type"] in ("complete", "error"):
                break
        assert kinds[-1] == "complete"
        assert kinds.count("next") >= 3
    finally:
        await socket.close()


async def test_api_tokens_work_until_revoked(anonymous: Api) -> None:
    alice = await register(anonymous, "alice")
    created = (
        await alice.api.gql(
            'mutation { createApiToken(name: "laptop") { __typename ... on ApiTokenCreated '
            "{ token apiToken { id name } } } }"
        )
    )["createApiToken"]
    assert created["__typename"] == "ApiTokenCreated"
    token = created["token"]
    assert token.startswith("pat_")
    cli = anonymous.as_user(token)
    assert (await cli.gql(ME))["me"]["id"] == alice.user_id
    ran = await cli.run("print(2)")
    assert ran["stdout"] == "2\n"
    listed = (await alice.api.gql("{ apiTokens { id name } }"))["apiTokens"]
    assert listed == [created["apiToken"]]
    # Nobody else can revoke it.
    bob = await register(anonymous, "bob")
    revoke = "mutation($id: ID!) { revokeApiToken(id: $id) }"
    assert (await bob.api.gql(revoke, id=created["apiToken"]["id"]))["revokeApiToken"] is False
    assert (await alice.api.gql(revoke, id=created["apiToken"]["id"]))["revokeApiToken"] is True
    assert (await cli.gql(ME))["me"] is None
    # A token with the right id and a wrong secret is refused too.
    token_id = token.removeprefix("pat_").split(".")[0]
    assert (await anonymous.as_user(f"pat_{token_id}.wrong").gql(ME))["me"] is None


async def test_anonymous_cannot_make_api_tokens(anonymous: Api) -> None:
    result = (
        await anonymous.gql(
            'mutation { createApiToken(name: "x") { __typename ... on AuthError { code } } }'
        )
    )["createApiToken"]
    assert result == {"__typename": "AuthError", "code": "UNAUTHENTICATED"}


async def test_embedded_secret_is_generated_once_and_private(locked_server: PodrunProcess) -> None:
    secret = Path(locked_server.workdir) / ".podrun" / "auth" / "jwt-secret"
    assert secret.exists()
    assert stat.S_IMODE(os.stat(secret).st_mode) == 0o600
    assert len(secret.read_text().strip()) >= 32


async def test_password_guessing_is_rate_limited(anonymous: Api) -> None:
    alice = await register(anonymous, "alice")
    codes = [(await login(anonymous, alice.username, f"guess {n}"))["code"] for n in range(11)]
    assert codes[:10] == ["INVALID_CREDENTIALS"] * 10
    assert codes[10] == "RATE_LIMITED"
    # Even the right password waits now; other users are unaffected.
    assert (await login(anonymous, alice.username, alice.password))["code"] == "RATE_LIMITED"
    bob = await register(anonymous, "bob")
    assert (await login(anonymous, bob.username, bob.password))["__typename"] == "AuthPayload"


async def test_a_socket_stops_working_once_its_token_is_revoked(anonymous: Api) -> None:
    """The token given when a WebSocket opened is checked again for each subscription: an
    open connection does not outlive the revocation of its token."""
    alice = await register(anonymous, "alice")
    created = (
        await alice.api.gql(
            'mutation { createApiToken(name: "socket") { ... on ApiTokenCreated '
            "{ token apiToken { id } } } }"
        )
    )["createApiToken"]
    execution = await alice.api.run("print('hi')")
    socket = RawSocket(alice.api)
    try:
        ack = await socket.open({"authorization": f"Bearer {created['token']}"})
        assert ack == {"type": "connection_ack"}

        async def first_reply(op: str) -> dict[str, Any]:
            await socket.subscribe(op, EVENTS, {"id": execution["id"], "afterSeq": 0})
            while True:
                message: dict[str, Any] = await socket.receive()
                if message.get("id") == op:
                    return message

        assert (await first_reply("before"))["type"] == "next"
        revoke = "mutation($id: ID!) { revokeApiToken(id: $id) }"
        assert (await alice.api.gql(revoke, id=created["apiToken"]["id"]))["revokeApiToken"]
        refused = await first_reply("after")
        assert refused["payload"]["data"] is None, refused
        assert refused["payload"]["errors"][0]["extensions"]["code"] == "INVALID_TOKEN"
    finally:
        await socket.close()
