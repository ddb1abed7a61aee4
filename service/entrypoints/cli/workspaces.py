"""`podrun workspace ls|create|rm|files|put|get`: a user's workspaces from the command line,
by name (each user's names are unique), with the token `podrun login` kept.

`put NAME PATH[=DEST]...` writes local files into the workspace (all of them or none);
`get NAME [PATH...] --out DIR` downloads its files (all, or those paths and everything
under those directories) into DIR, checked like `podrun run --out` (never outside DIR).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import Any, TextIO

import httpx

from service.entrypoints.cli.files import file_inputs, save_file
from service.entrypoints.cli.graphql_client import GraphQLClient, GraphQLRequestError

USAGE_ERROR = 2
FILES = "path size sha256 url"
LIST = "{ workspaces { id name sizeBytes fileCount } }"
FILES_OF = f"query($id: ID!) {{ workspace(id: $id) {{ id name files {{ {FILES} }} }} }}"
ERRORS = """
  ... on InputError { message field }
  ... on AuthError { message }
  ... on WorkspaceNotFound { message }
  ... on QuotaExceeded { message }
"""
CREATE = """mutation($name: String!) { createWorkspace(name: $name) {
  __typename ... on Workspace { id name } ... on InputError { message field }
  ... on AuthError { message } } }"""
DELETE = "mutation($id: ID!) { deleteWorkspace(id: $id) }"
WRITE = f"""mutation($id: ID!, $files: [FileInput!]!) {{ writeWorkspaceFiles(id: $id, files: $files)
  {{ __typename ... on Workspace {{ fileCount sizeBytes quotaBytes }} {ERRORS} }} }}"""
REMOVE_FILES = f"""mutation($id: ID!, $paths: [String!], $prefixes: [String!]) {{
  deleteWorkspaceFiles(id: $id, paths: $paths, prefixes: $prefixes)
  {{ __typename ... on Workspace {{ fileCount sizeBytes }} {ERRORS} }} }}"""


def add_commands(commands: Any) -> None:
    workspace = commands.add_parser(
        "workspace",
        help="manage your workspaces (a /work kept between runs: `podrun run --workspace`)",
        description="Your workspaces on the server at --url, by name.",
    )
    workspace.add_argument("--url", default="http://127.0.0.1:8000", help="server URL")
    workspace.add_argument("--token", help="API token (default: PODRUN_TOKEN, or login)")
    sub = workspace.add_subparsers(dest="workspace_command", metavar="SUBCOMMAND", required=True)
    sub.add_parser("ls", help="list your workspaces")
    sub.add_parser("create", help="create an empty workspace").add_argument("name")
    sub.add_parser("rm", help="delete a workspace and its files").add_argument("name")
    files = sub.add_parser("files", help="list a workspace's files")
    files.add_argument("name")
    files.add_argument("prefix", nargs="?", help="only paths starting with this")
    put = sub.add_parser("put", help="write local files into a workspace")
    put.add_argument("name")
    put.add_argument("files", nargs="+", metavar="PATH[=DEST]")
    get = sub.add_parser("get", help="download a workspace's files into a directory")
    get.add_argument("name")
    get.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (all)")
    get.add_argument("--out", type=Path, default=Path("."), metavar="DIR")
    delete = sub.add_parser("del", help="delete files (and directories, with a trailing /)")
    delete.add_argument("name")
    delete.add_argument("paths", nargs="+", metavar="PATH")


def run_command(args: argparse.Namespace) -> int:
    from service.entrypoints.cli.accounts import stored_token

    token = args.token or os.environ.get("PODRUN_TOKEN") or stored_token(args.url)
    client = GraphQLClient(args.url, token=token)
    try:
        return asyncio.run(_command(client, args, sys.stdout, sys.stderr))
    except (GraphQLRequestError, httpx.HTTPError, OSError) as error:
        print(f"podrun: {error}", file=sys.stderr)
        return 1


async def workspace_id(client: GraphQLClient, name: str) -> str | None:
    """The id of the caller's workspace of that name (`podrun run --workspace NAME`)."""
    found = await _by_name(client, name)
    return None if found is None else str(found["id"])


async def _by_name(client: GraphQLClient, name: str) -> dict[str, Any] | None:
    data = await client.execute(LIST)
    return next((w for w in data["workspaces"] if w["name"] == name), None)


def _problem(result: dict[str, Any], err: TextIO) -> int:
    where = f" ({result['field']})" if result.get("field") else ""
    print(f"podrun: {result['message']}{where}", file=err)
    return 1


async def _command(
    client: GraphQLClient, args: argparse.Namespace, out: TextIO, err: TextIO
) -> int:
    command = args.workspace_command
    if command == "ls":
        for w in (await client.execute(LIST))["workspaces"]:
            print(f"{w['name']:<24} {w['fileCount']:>5} files {w['sizeBytes']:>12} bytes", file=out)
        return 0
    if command == "create":
        result = (await client.execute(CREATE, {"name": args.name}))["createWorkspace"]
        if result["__typename"] != "Workspace":
            return _problem(result, err)
        print(result["id"], file=out)
        return 0
    workspace = await _by_name(client, args.name)
    if workspace is None:
        print(f"podrun: you have no workspace named {args.name!r}", file=err)
        return 1
    if command == "rm":
        if not (await client.execute(DELETE, {"id": workspace["id"]}))["deleteWorkspace"]:
            print(f"podrun: workspace {args.name!r} was already gone", file=err)
            return 1
        return 0
    if command in ("files", "get"):
        # Its files only when they are asked for: a name lookup lists names alone.
        workspace = (await client.execute(FILES_OF, {"id": workspace["id"]}))["workspace"]
        if workspace is None:
            print(f"podrun: workspace {args.name!r} is gone", file=err)
            return 1
    if command == "files":
        for file in workspace["files"]:
            if not args.prefix or file["path"].startswith(args.prefix):
                print(f"{file['size']:>12}  {file['path']}", file=out)
        return 0
    if command == "put":
        files = file_inputs(args.files)
        result = (await client.execute(WRITE, {"id": workspace["id"], "files": files}))[
            "writeWorkspaceFiles"
        ]
        return 0 if result["__typename"] == "Workspace" else _problem(result, err)
    if command == "del":
        paths = [p for p in args.paths if not p.endswith("/")]
        prefixes = [p for p in args.paths if p.endswith("/")]
        result = (
            await client.execute(
                REMOVE_FILES, {"id": workspace["id"], "paths": paths, "prefixes": prefixes}
            )
        )["deleteWorkspaceFiles"]
        return 0 if result["__typename"] == "Workspace" else _problem(result, err)
    return await _get(client, workspace, args.paths, args.out, err)


def _wanted(path: str, asked: list[str]) -> bool:
    return not asked or any(path == a or path.startswith(a.rstrip("/") + "/") for a in asked)


async def _get(
    client: GraphQLClient, workspace: dict[str, Any], asked: list[str], out_dir: Path, err: TextIO
) -> int:
    base = client.url.rstrip("/").removesuffix("/graphql")
    chosen = [f for f in workspace["files"] if _wanted(f["path"], asked)]
    if asked and not chosen:
        print(f"podrun: no such files in {workspace['name']!r}: {' '.join(asked)}", file=err)
        return 1
    out_dir.mkdir(parents=True, exist_ok=True)
    ok = True
    async with httpx.AsyncClient(base_url=base, headers=client.headers, timeout=60) as http:
        for file in chosen:
            ok = await save_file(http, file, out_dir, err) and ok
    return 0 if ok else 1
