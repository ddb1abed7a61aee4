"""Servers for the auth tests: one with accounts and tight quotas, one locked down."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest
import pytest_asyncio

from tests.auth.accounts import JWT_SECRET, Account, login, unique
from tests.support.client import Api
from tests.support.servers import PodrunProcess, StoreProcess

USER_CONCURRENT = 3
USER_PER_MINUTE = 8
MAX_SUBSCRIPTIONS = 3
MAX_QUERY_BYTES = 4096
CORS_ORIGIN = "https://app.example"


@pytest.fixture(scope="package")
def auth_server(
    store: StoreProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PodrunProcess]:
    process = PodrunProcess(
        tmp_path_factory.mktemp("auth-server"),
        ["serve"],
        env={
            "PODRUN_MONGODB_URI": store.uri,
            "PODRUN_DATABASE": "auth",
            "PODRUN_MAX_CONCURRENCY": "6",
            "PODRUN_AUTH_JWT_SECRET": JWT_SECRET,
            "PODRUN_QUOTA_USER_CONCURRENT": str(USER_CONCURRENT),
            "PODRUN_QUOTA_USER_PER_MINUTE": str(USER_PER_MINUTE),
            "PODRUN_GRAPHQL_MAX_SUBSCRIPTIONS_PER_CONNECTION": str(MAX_SUBSCRIPTIONS),
            "PODRUN_GRAPHQL_MAX_QUERY_BYTES": str(MAX_QUERY_BYTES),
            "PODRUN_CORS_ORIGINS": json.dumps([CORS_ORIGIN]),
            # These tests register many users, all from 127.0.0.1.
            "PODRUN_AUTH_REGISTRATIONS_PER_ADDRESS": "10000",
            "PODRUN_AUTH_REGISTRATIONS_TOTAL": "10000",
        },
    ).start()
    yield process
    process.stop()


@pytest.fixture(scope="package")
def locked_server(
    store: StoreProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PodrunProcess]:
    """Production-like: no anonymous callers, no registration, no introspection, no GraphiQL,
    and no configured secret (generated into the data dir)."""
    process = PodrunProcess(
        tmp_path_factory.mktemp("locked-server"),
        ["serve"],
        env={
            "PODRUN_MONGODB_URI": store.uri,
            "PODRUN_DATABASE": "locked",
            "PODRUN_MAX_CONCURRENCY": "2",
            "PODRUN_AUTH_ANONYMOUS": "false",
            "PODRUN_AUTH_REGISTRATION": "false",
            "PODRUN_GRAPHQL_INTROSPECTION": "false",
            "PODRUN_GRAPHIQL": "false",
        },
    ).start()
    yield process
    process.stop()


@pytest.fixture
def anonymous(auth_server: PodrunProcess) -> Api:
    return Api(auth_server.url)


def create_user_with_cli(
    server: PodrunProcess, store: StoreProcess, database: str, *, admin: bool
) -> tuple[str, str]:
    username, password = unique("admin" if admin else "cli"), "a long admin password"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "service.entrypoints.cli.main",
            "users",
            "create",
            username,
            "--password-stdin",
            *(["--admin"] if admin else []),
        ],
        input=password + "\n",
        capture_output=True,
        text=True,
        env={**server_env(), "PODRUN_MONGODB_URI": store.uri, "PODRUN_DATABASE": database},
        cwd=server.workdir,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return username, password


def server_env() -> dict[str, str]:
    import os

    from tests.support.servers import REPO

    env = {k: v for k, v in os.environ.items() if not k.startswith("PODRUN_")}
    env["PYTHONPATH"] = str(REPO)
    return env


@pytest_asyncio.fixture(scope="package", loop_scope="session")
async def admin(auth_server: PodrunProcess, store: StoreProcess) -> Account:
    """An ADMIN made with `podrun users create --admin`, logged in."""
    username, password = create_user_with_cli(auth_server, store, "auth", admin=True)
    anonymous = Api(auth_server.url)
    session = await login(anonymous, username, password)
    assert session["__typename"] == "AuthPayload", session
    assert session["user"]["role"] == "ADMIN"
    return Account(
        username,
        password,
        session["user"]["id"],
        session["accessToken"],
        session["refreshToken"],
        anonymous.as_user(session["accessToken"]),
    )
