"""Workspaces through the API of a real `podrun serve` (real store with GridFS, real bwrap
sandboxes): a newcomer's CSV in, a PNG out, and the next run seeing both; what a run does
to /work becoming the workspace only when the script ended on its own; runs on one
workspace taking turns in order; another user seeing nothing; the storage quota as data."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
from typing import Any

import httpx
import pytest

from tests.auth.accounts import register
from tests.support.client import Api
from tests.workspaces.conftest import QUOTA

pytestmark = [pytest.mark.bubblewrap, pytest.mark.store]

FILES = "path size sha256 contentType url"
WORKSPACE = f"id name sizeBytes quotaBytes fileCount createdAt updatedAt files {{ {FILES} }}"
PAYLOAD = f"""
  __typename
  ... on Workspace {{ {WORKSPACE} }}
  ... on InputError {{ message field }}
  ... on WorkspaceNotFound {{ message id }}
  ... on QuotaExceeded {{ message retryAfterSeconds usedBytes limitBytes }}
  ... on AuthError {{ message code }}
"""
CREATE = f"""mutation($name: String!) {{ createWorkspace(name: $name) {{
  __typename
  ... on Workspace {{ {WORKSPACE} }}
  ... on InputError {{ message field }}
  ... on AuthError {{ message code }} }} }}"""
WRITE = f"""mutation($id: ID!, $files: [FileInput!]!) {{
  writeWorkspaceFiles(id: $id, files: $files) {{ {PAYLOAD} }} }}"""
DELETE_FILES = f"""mutation($id: ID!, $paths: [String!], $prefixes: [String!]) {{
  deleteWorkspaceFiles(id: $id, paths: $paths, prefixes: $prefixes) {{ {PAYLOAD} }} }}"""
DELETE = "mutation($id: ID!) { deleteWorkspace(id: $id) }"
GET = f"query($id: ID!) {{ workspace(id: $id) {{ {WORKSPACE} }} }}"
LIST = "{ workspaces { id name fileCount } }"
NODE = "query($id: ID!) { node(id: $id) { __typename id ... on Workspace { name } } }"
RUN = """mutation($input: ExecuteScriptInput!) { executeScript(input: $input) {
  __typename ... on Execution { id } ... on InputError { message field } } }"""
EXECUTION = f"""query($id: ID!) {{ execution(id: $id) {{
  status stdout stderr startedAt finishedAt workspaceUpdated workspaceMessage
  workspace {{ id name }} outputFiles {{ {FILES} }} skippedFiles {{ path reason }} }} }}"""


async def user(url: str) -> Api:
    return (await register(Api(url), "ws")).api


async def created(api: Api, name: str = "proj") -> dict[str, Any]:
    result: dict[str, Any] = (await api.gql(CREATE, name=name))["createWorkspace"]
    assert result["__typename"] == "Workspace", result
    return result


async def written(api: Api, workspace_id: str, files: list[dict[str, str]]) -> dict[str, Any]:
    result: dict[str, Any] = (await api.gql(WRITE, id=workspace_id, files=files))[
        "writeWorkspaceFiles"
    ]
    assert result["__typename"] == "Workspace", result
    return result


async def submit(api: Api, script: str, workspace_id: str, **fields: Any) -> str:
    result = (await api.gql(RUN, input={"script": script, "workspaceId": workspace_id, **fields}))[
        "executeScript"
    ]
    assert result["__typename"] == "Execution", result
    execution_id: str = result["id"]
    return execution_id


async def ended(api: Api, execution_id: str) -> dict[str, Any]:
    await api.events(execution_id, timeout=90)
    execution: dict[str, Any] = (await api.gql(EXECUTION, id=execution_id))["execution"]
    return execution


async def run(api: Api, script: str, workspace_id: str, **fields: Any) -> dict[str, Any]:
    return await ended(api, await submit(api, script, workspace_id, **fields))


def paths(workspace: dict[str, Any]) -> list[str]:
    return [f["path"] for f in workspace["files"]]


async def workspace_now(api: Api, workspace_id: str) -> dict[str, Any]:
    found: dict[str, Any] = (await api.gql(GET, id=workspace_id))["workspace"]
    return found


async def download(api: Api, url: str, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=api.url) as http:
        return await http.get(url, headers=headers)


async def test_a_csv_in_a_png_out_and_the_next_run_sees_both(podrun: str) -> None:
    api = await user(podrun)
    workspace = await created(api)
    assert (workspace["fileCount"], workspace["sizeBytes"], workspace["quotaBytes"]) == (
        0,
        0,
        QUOTA,
    )
    await written(api, workspace["id"], [{"path": "data.csv", "content": "x,y\n1,2\n3,5\n"}])
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    first = await run(
        api,
        "import base64, csv, os\n"
        "rows = list(csv.DictReader(open('data.csv')))\n"
        "print(sum(int(r['y']) for r in rows))\n"
        "os.makedirs('plots', exist_ok=True)\n"
        f"open('plots/plot.png', 'wb').write(base64.b64decode({base64.b64encode(png).decode()!r}))\n",
        workspace["id"],
    )
    assert (first["status"], first["stdout"]) == ("COMPLETED", "7\n"), first
    assert (first["workspaceUpdated"], first["workspaceMessage"]) == (True, None)
    assert first["workspace"] == {"id": workspace["id"], "name": "proj"}
    # The output files are the ones it made; the workspace holds those and the CSV.
    assert [f["path"] for f in first["outputFiles"]] == ["plots/plot.png"]
    after = await workspace_now(api, workspace["id"])
    assert paths(after) == ["data.csv", "plots/plot.png"]
    plot = next(f for f in after["files"] if f["path"] == "plots/plot.png")
    assert (plot["sha256"], plot["contentType"]) == (hashlib.sha256(png).hexdigest(), "image/png")
    got = await download(api, plot["url"], api.token)
    assert got.status_code == 200 and got.content == png
    assert got.headers["content-type"] == "image/png"
    # The next run starts with both, and what it deletes is gone from the workspace.
    second = await run(
        api,
        "import os\n"
        "print(sorted(set(os.listdir('.')) - {'main.py'}), os.listdir('plots'))\n"
        "os.remove('data.csv')\n"
        "open('summary.txt', 'w').write('7')\n",
        workspace["id"],
    )
    assert second["status"] == "COMPLETED", second
    assert second["stdout"] == "['data.csv', 'plots'] ['plot.png']\n"
    final = await workspace_now(api, workspace["id"])
    assert paths(final) == ["plots/plot.png", "summary.txt"]
    assert final["sizeBytes"] == len(png) + 1 and final["fileCount"] == 2
    assert final["updatedAt"] > workspace["updatedAt"]


async def test_a_run_killed_or_failed_by_us_leaves_the_workspace_as_it_was(podrun: str) -> None:
    api = await user(podrun)
    workspace = await created(api)
    await written(api, workspace["id"], [{"path": "keep.txt", "content": "before"}])
    timed_out = await run(
        api,
        "import os, time\nopen('keep.txt', 'w').write('half')\nos.remove('keep.txt')\n"
        "open('new.txt', 'w').write('n')\ntime.sleep(30)\n",
        workspace["id"],
        limits={"timeoutSeconds": 1},
    )
    assert timed_out["status"] == "TIMED_OUT"
    assert timed_out["workspaceUpdated"] is False
    assert "TIMED_OUT" in timed_out["workspaceMessage"]
    kept = await workspace_now(api, workspace["id"])
    assert paths(kept) == ["keep.txt"]
    # A script that fails on its own still keeps what it wrote before failing.
    failed = await run(
        api, "open('partial.txt', 'w').write('p')\nraise SystemExit(3)\n", workspace["id"]
    )
    assert (failed["status"], failed["workspaceUpdated"]) == ("FAILED", True)
    assert paths(await workspace_now(api, workspace["id"])) == ["keep.txt", "partial.txt"]


async def test_runs_on_one_workspace_take_turns_in_order(podrun: str) -> None:
    api = await user(podrun)
    workspace = await created(api)
    # Each reads the log, waits, then writes it back longer: runs that overlapped would
    # lose a line, and runs out of order would write the numbers out of order.
    script = (
        "import os, sys, time\n"
        "log = open('log.txt').read() if os.path.exists('log.txt') else ''\n"
        "time.sleep(0.4)\n"
        "open('log.txt', 'w').write(log + sys.argv[1] + '\\n')\n"
    )
    ids = [await submit(api, script, workspace["id"], argv=[str(n)]) for n in range(4)]
    # Another workspace's run is not held back behind them.
    other = await created(api, "other")
    quick = await run(api, "print('quick')", other["id"])
    assert quick["status"] == "COMPLETED"
    runs = [await ended(api, execution_id) for execution_id in ids]
    assert [r["status"] for r in runs] == ["COMPLETED"] * 4
    assert quick["finishedAt"] < runs[-1]["finishedAt"]
    for before, after in itertools.pairwise(runs):
        assert before["finishedAt"] <= after["startedAt"], (before, after)
    log = next(f for f in (await workspace_now(api, workspace["id"]))["files"])
    got = await download(api, log["url"], api.token)
    assert got.text == "0\n1\n2\n3\n"


async def test_the_runs_own_files_go_over_the_workspaces_and_join_it(podrun: str) -> None:
    api = await user(podrun)
    workspace = await created(api)
    await written(
        api,
        workspace["id"],
        [{"path": "config.txt", "content": "old"}, {"path": "data/a.txt", "content": "a"}],
    )
    done = await run(
        api,
        "print(open('config.txt').read(), open('data/a.txt').read())",
        workspace["id"],
        files=[{"path": "config.txt", "content": "new"}],
    )
    assert done["stdout"] == "new a\n"
    final = await workspace_now(api, workspace["id"])
    config = next(f for f in final["files"] if f["path"] == "config.txt")
    assert config["sha256"] == hashlib.sha256(b"new").hexdigest()


async def test_only_the_owner_sees_uses_or_changes_a_workspace(podrun: str) -> None:
    owner, stranger = await user(podrun), await user(podrun)
    workspace = await created(owner)
    written_to = await written(owner, workspace["id"], [{"path": "secret.txt", "content": "s"}])
    url = written_to["files"][0]["url"]
    assert await workspace_now(stranger, workspace["id"]) is None
    assert (await stranger.gql(NODE, id=workspace["id"]))["node"] is None
    assert (await owner.gql(NODE, id=workspace["id"]))["node"] == {
        "__typename": "Workspace",
        "id": workspace["id"],
        "name": "proj",
    }
    assert (await stranger.gql(LIST))["workspaces"] == []
    refused = (
        await stranger.gql(RUN, input={"script": "print(1)", "workspaceId": workspace["id"]})
    )["executeScript"]
    assert (refused["__typename"], refused["field"]) == ("InputError", "workspaceId")
    changed = (await stranger.gql(WRITE, id=workspace["id"], files=[{"path": "x", "content": ""}]))[
        "writeWorkspaceFiles"
    ]
    assert changed["__typename"] == "WorkspaceNotFound" and changed["id"] == workspace["id"]
    assert (await stranger.gql(DELETE, id=workspace["id"]))["deleteWorkspace"] is False
    assert (await download(stranger, url, stranger.token)).status_code == 404
    assert (await download(stranger, url, None)).status_code == 404
    assert (await download(owner, url, owner.token)).content == b"s"
    anonymous = Api(podrun)
    assert (await anonymous.gql(CREATE, name="mine"))["createWorkspace"]["__typename"] == (
        "AuthError"
    )
    assert (await anonymous.gql(LIST))["workspaces"] == []


async def test_bad_names_paths_and_the_storage_quota_are_errors_as_data(podrun: str) -> None:
    api = await user(podrun)
    for name in ("", "../up", "a b", "x" * 101):
        bad = (await api.gql(CREATE, name=name))["createWorkspace"]
        assert (bad["__typename"], bad["field"]) == ("InputError", "name"), name
    workspace = await created(api)
    taken = (await api.gql(CREATE, name="proj"))["createWorkspace"]
    assert (taken["__typename"], taken["field"]) == ("InputError", "name")
    for path in ("../etc/passwd", "/abs", "a\x00b", "main.py"):
        bad = (await api.gql(WRITE, id=workspace["id"], files=[{"path": path, "content": "x"}]))[
            "writeWorkspaceFiles"
        ]
        assert (bad["__typename"], bad["field"]) == ("InputError", "files[0].path"), path
    await written(api, workspace["id"], [{"path": "a.bin", "content": "x" * (QUOTA // 2)}])
    over = (
        await api.gql(WRITE, id=workspace["id"], files=[{"path": "b.bin", "content": "y" * QUOTA}])
    )["writeWorkspaceFiles"]
    assert over["__typename"] == "QuotaExceeded", over
    assert (over["usedBytes"], over["limitBytes"], over["retryAfterSeconds"]) == (
        QUOTA // 2,
        QUOTA,
        0,
    )
    # A run that would take the workspace over the quota leaves it as it was, and says so.
    grown = await run(api, f"open('c.bin', 'w').write('z' * {QUOTA})", workspace["id"])
    assert (grown["status"], grown["workspaceUpdated"]) == ("COMPLETED", False)
    assert "quota" in grown["workspaceMessage"]
    assert paths(await workspace_now(api, workspace["id"])) == ["a.bin"]
    # Deleting files and the workspace.
    emptied = (await api.gql(DELETE_FILES, id=workspace["id"], paths=["a.bin", "none"]))[
        "deleteWorkspaceFiles"
    ]
    assert emptied["__typename"] == "Workspace" and emptied["fileCount"] == 0
    assert (await api.gql(DELETE, id=workspace["id"]))["deleteWorkspace"] is True
    assert await workspace_now(api, workspace["id"]) is None
    gone = (await api.gql(RUN, input={"script": "print(1)", "workspaceId": workspace["id"]}))[
        "executeScript"
    ]
    assert (gone["__typename"], gone["field"]) == ("InputError", "workspaceId")


async def test_a_workspace_deleted_while_its_run_waits_ends_that_run_as_error(
    podrun: str,
) -> None:
    api = await user(podrun)
    workspace = await created(api)
    holding = await submit(api, "import time; time.sleep(1.5)", workspace["id"])
    waiting = await submit(api, "print('never')", workspace["id"])
    await api.wait_status(holding, {"RUNNING"})
    assert (await api.gql(DELETE, id=workspace["id"]))["deleteWorkspace"] is True
    first, second = await asyncio.gather(ended(api, holding), ended(api, waiting))
    assert first["status"] == "COMPLETED" and first["workspaceUpdated"] is False
    assert second["status"] == "ERROR" and second["stdout"] == ""
