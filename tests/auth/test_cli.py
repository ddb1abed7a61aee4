"""The CLI path: `podrun users create --admin`, `podrun login` keeps an API token that
`podrun run` uses, `podrun logout` revokes it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.auth.accounts import login
from tests.auth.conftest import create_user_with_cli, server_env
from tests.support.client import Api
from tests.support.servers import PodrunProcess, StoreProcess


def podrun(*args: str, config: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.entrypoints.cli.main", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**server_env(), "PODRUN_CONFIG_DIR": str(config)},
        timeout=120,
    )


async def test_login_run_logout(
    auth_server: PodrunProcess, store: StoreProcess, tmp_path: Path
) -> None:
    username, password = create_user_with_cli(auth_server, store, "auth", admin=False)
    config = tmp_path / "config"
    logged_in = podrun(
        "login",
        "--url",
        auth_server.url,
        "-u",
        username,
        "--password-stdin",
        config=config,
        stdin=password + "\n",
    )
    assert logged_in.returncode == 0, logged_in.stderr
    credentials = config / "credentials.json"
    assert credentials.stat().st_mode & 0o777 == 0o600
    assert "pat_" in credentials.read_text()

    ran = podrun("run", "-", "--url", auth_server.url, config=config, stdin="print('as me')")
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == "as me\n"
    execution_id = ran.stderr.rsplit("id=", 1)[1].split()[0]
    # The execution is the user's: listed for them, invisible to another user.
    session = await login(Api(auth_server.url), username, password)
    mine = Api(auth_server.url, session["accessToken"])
    page = await mine.gql("{ executions(first: 10) { edges { node { id } } } }")
    assert execution_id in [e["node"]["id"] for e in page["executions"]["edges"]]

    logged_out = podrun("logout", "--url", auth_server.url, config=config)
    assert logged_out.returncode == 0, logged_out.stderr
    assert "pat_" not in credentials.read_text()
    tokens = await mine.gql("{ apiTokens { id } }")
    assert tokens["apiTokens"] == []


def test_wrong_password_fails_cleanly(auth_server: PodrunProcess, tmp_path: Path) -> None:
    result = podrun(
        "login",
        "--url",
        auth_server.url,
        "-u",
        "nobody-here",
        "--password-stdin",
        config=tmp_path,
        stdin="wrong password\n",
    )
    assert result.returncode == 1
    assert "wrong username or password" in result.stderr
