"""`podrun login`, `podrun logout` and `podrun users create`.

`login` trades a username and password for a personal API token and keeps it, per server URL,
in `credentials.json` under $PODRUN_CONFIG_DIR (default: $XDG_CONFIG_HOME/podrun, i.e.
~/.config/podrun), readable by the user only; `podrun run` sends it. `users create` works
directly against the store, so the first admin can be made before anyone can log in.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import socket
import sys
from pathlib import Path
from typing import Any

import httpx

from service.entrypoints.cli.graphql_client import GraphQLClient, GraphQLRequestError

LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) {
    __typename
    ... on AuthPayload { accessToken refreshToken user { id username role } }
    ... on AuthError { message code }
    ... on InputError { message field }
  }
}
"""

CREATE_API_KEY = """
mutation CreateToken($name: String!) {
  createApiToken(name: $name) {
    __typename
    ... on ApiTokenCreated { token apiToken { id name } }
    ... on AuthError { message code }
    ... on InputError { message field }
  }
}
"""

LOGOUT = "mutation Logout($refreshToken: String!) { logout(refreshToken: $refreshToken) }"
REVOKE = "mutation Revoke($id: ID!) { revokeApiToken(id: $id) }"


def config_dir() -> Path:
    explicit = os.environ.get("PODRUN_CONFIG_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "podrun"


def _credentials_file() -> Path:
    return config_dir() / "credentials.json"


def _server_key(url: str) -> str:
    return url.rstrip("/").removesuffix("/graphql")


def _load() -> dict[str, Any]:
    try:
        data = json.loads(_credentials_file().read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _save(data: dict[str, Any]) -> None:
    path = _credentials_file()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=2)
    temporary.replace(path)


def stored_token(url: str) -> str | None:
    """The API token `podrun login` stored for this server, if any."""
    entry = _load().get(_server_key(url))
    token = entry.get("token") if isinstance(entry, dict) else None
    return token if isinstance(token, str) else None


def _password(args: argparse.Namespace, prompt: str) -> str:
    if getattr(args, "password_stdin", False):
        return sys.stdin.readline().rstrip("\n")
    from_env = os.environ.get("PODRUN_PASSWORD")
    if from_env:
        return from_env
    return getpass.getpass(prompt)


async def login(args: argparse.Namespace, username: str, password: str) -> int:
    anonymous = GraphQLClient(args.url)
    try:
        result = (
            await anonymous.execute(LOGIN, {"input": {"username": username, "password": password}})
        )["login"]
        if result["__typename"] != "AuthPayload":
            print(f"podrun: login failed: {result['message']}", file=sys.stderr)
            return 1
        session = GraphQLClient(args.url, token=result["accessToken"])
        name = args.token_name or f"podrun CLI on {socket.gethostname()}"
        created = (await session.execute(CREATE_API_KEY, {"name": name}))["createApiToken"]
        # The CLI keeps only the API token: end the short session it was made with.
        await anonymous.execute(LOGOUT, {"refreshToken": result["refreshToken"]})
    except (httpx.HTTPError, OSError, GraphQLRequestError) as error:
        print(f"podrun: cannot log in at {args.url}: {error}", file=sys.stderr)
        return 1
    if created["__typename"] != "ApiTokenCreated":
        print(f"podrun: no API token: {created['message']}", file=sys.stderr)
        return 1
    data = _load()
    data[_server_key(args.url)] = {
        "username": result["user"]["username"],
        "token": created["token"],
        "token_id": created["apiToken"]["id"],
    }
    _save(data)
    print(
        f"logged in to {_server_key(args.url)} as {result['user']['username']} "
        f"({result['user']['role']}); token saved in {_credentials_file()}",
        file=sys.stderr,
    )
    return 0


async def logout(args: argparse.Namespace) -> int:
    data = _load()
    entry = data.pop(_server_key(args.url), None)
    if not isinstance(entry, dict):
        print(f"podrun: not logged in to {_server_key(args.url)}", file=sys.stderr)
        return 1
    try:
        await GraphQLClient(args.url, token=entry.get("token")).execute(
            REVOKE, {"id": entry.get("token_id")}
        )
    except (httpx.HTTPError, OSError, GraphQLRequestError) as error:
        print(f"podrun: could not revoke the token on the server: {error}", file=sys.stderr)
    _save(data)
    print(f"logged out of {_server_key(args.url)}", file=sys.stderr)
    return 0


async def create_user(args: argparse.Namespace, password: str) -> int:
    """Create a user straight in the store (embedded or PODRUN_MONGODB_URI)."""
    from service.adapters.store.connection import connect
    from service.adapters.store.embedded import start_embedded_store
    from service.domain.accounts import Role
    from service.entrypoints.accounts import authenticator
    from service.services.problems import InputProblem
    from service.settings import Settings

    overrides = {"data_dir": args.data_dir} if args.data_dir else {}
    settings = Settings(**overrides)
    store = None
    uri = settings.mongodb_uri
    if uri is None:
        store = start_embedded_store(settings.data_dir)
        uri = store.uri
    client = await connect(uri, settings.database)
    try:
        created = await authenticator(settings).create_user(
            args.username,
            password,
            email=args.email,
            role=Role.ADMIN if args.admin else Role.USER,
        )
    finally:
        await client.close()
        if store is not None:
            store.stop()
    if isinstance(created, InputProblem):
        print(f"podrun: {created.message} ({created.field})", file=sys.stderr)
        return 1
    print(f"created {created.role.value} {created.username} (id {created.id})", file=sys.stderr)
    return 0


def add_commands(commands: Any) -> None:
    """The `login`, `logout` and `users` subcommands."""
    login_parser = commands.add_parser(
        "login",
        help="log in to a server and keep a personal API token for `podrun run`",
        description="Log in with a username and password (prompted, or PODRUN_PASSWORD, or "
        "--password-stdin); the server issues a personal API token, kept per server in "
        "$PODRUN_CONFIG_DIR/credentials.json (default ~/.config/podrun).",
    )
    login_parser.add_argument("--url", default="http://127.0.0.1:8000", help="server URL")
    login_parser.add_argument("-u", "--username")
    login_parser.add_argument("--password-stdin", action="store_true")
    login_parser.add_argument("--token-name", help="name of the API token")
    logout_parser = commands.add_parser(
        "logout", help="revoke and forget the API token kept for a server"
    )
    logout_parser.add_argument("--url", default="http://127.0.0.1:8000", help="server URL")
    users = commands.add_parser("users", help="manage accounts directly in the store")
    users_commands = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    create = users_commands.add_parser(
        "create",
        help="create a user (e.g. the first admin)",
        description="Create a user in the store this server uses (PODRUN_MONGODB_URI or the "
        "embedded store in PODRUN_DATA_DIR). The password is prompted, or read from "
        "PODRUN_PASSWORD, or from standard input with --password-stdin.",
    )
    create.add_argument("username")
    create.add_argument("--admin", action="store_true", help="with the ADMIN role")
    create.add_argument("--email")
    create.add_argument("--password-stdin", action="store_true")
    create.add_argument("--data-dir", type=Path, help="embedded data dir (PODRUN_DATA_DIR)")


def run_command(args: argparse.Namespace) -> int:
    """Prompts first (blocking), then the async part."""
    if args.command == "login":
        username = args.username or input("username: ")
        return asyncio.run(login(args, username, _password(args, "password: ")))
    if args.command == "logout":
        return asyncio.run(logout(args))
    password = _password(args, f"password for {args.username}: ")
    return asyncio.run(create_user(args, password))
