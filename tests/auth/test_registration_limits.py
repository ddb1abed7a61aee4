"""Registration is rate limited per client address and in all: the answer is an AuthError
RATE_LIMITED, as data. The address is the peer's, or X-Forwarded-For when the peer is a
trusted proxy (uvicorn's FORWARDED_ALLOW_IPS, loopback by default)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.auth.accounts import LOGIN, REGISTER, unique
from tests.support.servers import PodrunProcess, StoreProcess

PER_ADDRESS = 2
TOTAL = 3
PASSWORD = "correct horse battery"


def limited_server(
    store: StoreProcess, tmp_path_factory: pytest.TempPathFactory, name: str, **env: str
) -> PodrunProcess:
    return PodrunProcess(
        tmp_path_factory.mktemp(name),
        ["serve"],
        env={
            "PODRUN_MONGODB_URI": store.uri,
            "PODRUN_DATABASE": name,
            "PODRUN_AUTH_REGISTRATIONS_PER_ADDRESS": str(PER_ADDRESS),
            "PODRUN_AUTH_REGISTRATIONS_TOTAL": str(TOTAL),
            **env,
        },
    ).start()


@pytest.fixture(scope="module")
def behind_local_proxy(
    store: StoreProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PodrunProcess]:
    """Trusts X-Forwarded-For from loopback (the default): tests speak as many addresses."""
    process = limited_server(store, tmp_path_factory, "registration-limits")
    yield process
    process.stop()


@pytest.fixture(scope="module")
def without_trusted_proxy(
    store: StoreProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PodrunProcess]:
    """Trusts no proxy this test runs behind: X-Forwarded-For is only a header."""
    process = limited_server(
        store, tmp_path_factory, "registration-untrusted", FORWARDED_ALLOW_IPS="192.0.2.1"
    )
    yield process
    process.stop()


async def gql(server: PodrunProcess, query: str, address: str, **variables: Any) -> Any:
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.post(
            f"{server.url}/graphql",
            json={"query": query, "variables": variables},
            headers={"X-Forwarded-For": address},
        )
    body = response.json()
    assert not body.get("errors"), body
    return body["data"]


async def register(
    server: PodrunProcess, address: str, password: str = PASSWORD
) -> tuple[str, dict[str, Any]]:
    username = unique("reg")
    data = await gql(server, REGISTER, address, input={"username": username, "password": password})
    return username, data["register"]


async def test_registrations_are_limited_per_address_and_in_all(
    behind_local_proxy: PodrunProcess,
) -> None:
    server = behind_local_proxy
    for _ in range(PER_ADDRESS):
        assert (await register(server, "203.0.113.1"))[1]["__typename"] == "AuthPayload"
    _, refused = await register(server, "203.0.113.1")
    assert refused["__typename"] == "AuthError"
    assert refused["code"] == "RATE_LIMITED"
    assert "from this address" in refused["message"]
    # Bad input is still told apart, and costs nothing.
    _, short = await register(server, "203.0.113.1", password="short")
    assert short["__typename"] == "InputError"
    assert short["field"] == "password"
    # Another address may register: until the server-wide cap.
    username, third = await register(server, "203.0.113.2")
    assert third["__typename"] == "AuthPayload"
    _, capped = await register(server, "203.0.113.3")
    assert capped["__typename"] == "AuthError"
    assert capped["code"] == "RATE_LIMITED"
    assert "on this server" in capped["message"]
    # Those who registered are not affected.
    login = await gql(
        server, LOGIN, "203.0.113.3", input={"username": username, "password": PASSWORD}
    )
    assert login["login"]["__typename"] == "AuthPayload"


async def test_a_forwarded_address_from_an_untrusted_peer_does_not_escape_the_limit(
    without_trusted_proxy: PodrunProcess,
) -> None:
    server = without_trusted_proxy
    answers = [(await register(server, f"198.51.100.{n}"))[1] for n in range(PER_ADDRESS + 1)]
    assert [a["__typename"] for a in answers] == ["AuthPayload"] * PER_ADDRESS + ["AuthError"]
    assert answers[-1]["code"] == "RATE_LIMITED"
    assert "from this address" in answers[-1]["message"]
