"""`podrun runtimes`: list a server's runtimes with their status and packages, and
`podrun runtimes build [NAME...]`: build environments here, with a progress bar."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from typing import Any

LIST_QUERY = """
{ runtimes { id version default aliases description environment
             status { state message } packages { name version } } }
"""


def add_commands(commands: Any) -> None:
    runtimes = commands.add_parser(
        "runtimes",
        help="list a server's runtimes (status, packages), or build environments",
        description="Without a subcommand: list the runtimes of the server at --url. "
        "`build [NAME...]`: build environments here (default: PODRUN_LOCAL_ENVIRONMENTS) "
        "into PODRUN_LOCAL_ENVIRONMENTS_DIR, check each in a sandbox, and say what failed.",
    )
    runtimes.add_argument("--url", default="http://127.0.0.1:8000", help="server URL")
    runtimes.add_argument("--token", help="API token (default: PODRUN_TOKEN, or login)")
    runtimes.add_argument("--packages", action="store_true", help="list every package")
    sub = runtimes.add_subparsers(dest="runtimes_command", metavar="SUBCOMMAND")
    build = sub.add_parser("build", help="build environments here")
    build.add_argument(
        "names", nargs="*", help="datascience, or python3.12-datascience (default: configured)"
    )


def run_command(args: argparse.Namespace) -> int:
    if args.runtimes_command == "build":
        return asyncio.run(_build(args.names or None))
    return asyncio.run(_list(args))


async def _list(args: argparse.Namespace) -> int:
    import os

    from service.entrypoints.cli.accounts import stored_token
    from service.entrypoints.cli.graphql_client import GraphQLClient, GraphQLRequestError

    token = args.token or os.environ.get("PODRUN_TOKEN") or stored_token(args.url)
    try:
        data = await GraphQLClient(args.url, token=token).execute(LIST_QUERY)
    except (GraphQLRequestError, OSError) as error:
        print(f"podrun: {error}", file=sys.stderr)
        return 1
    for runtime in data["runtimes"]:
        print(_describe(runtime, all_packages=args.packages))
    return 0


def _describe(runtime: dict[str, Any], *, all_packages: bool) -> str:
    state = runtime["status"]["state"].lower()
    if runtime["status"]["message"]:
        state += f" ({runtime['status']['message']})"
    names = ", ".join(runtime["aliases"])
    line = f"{runtime['id']:<28} {runtime['version']:<9} {state}"
    if runtime["default"]:
        line += "  [default]"
    if names:
        line += f"  aliases: {names}"
    packages = runtime["packages"]
    if packages:
        shown = packages if all_packages else packages[:8]
        listed = ", ".join(f"{p['name']} {p['version']}" for p in shown)
        more = "" if len(shown) == len(packages) else f", … {len(packages) - len(shown)} more"
        line += f"\n    {len(packages)} packages: {listed}{more}"
    return line


async def _build(names: list[str] | None) -> int:
    from service.adapters.sandbox.local.environments import BuildProgress, EnvironmentBuilder
    from service.domain.runtimes import RuntimeState
    from service.entrypoints.backends import build_backend
    from service.entrypoints.environments import build_one, environments_root, wanted
    from service.services.ports.sandbox import BackendUnavailable
    from service.settings import Settings

    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    settings = Settings()
    if names is None and not settings.local_environments:
        print(
            "podrun: name environments to build, or set PODRUN_LOCAL_ENVIRONMENTS", file=sys.stderr
        )
        return 2
    backend = build_backend(settings.model_copy(update={"local_warm_sandboxes": 0}))
    try:
        await backend.start()
    except BackendUnavailable as error:
        print(f"podrun: {error}", file=sys.stderr)
        return 1
    failed = 0
    try:
        pairs = wanted(settings, backend.runtimes(), names)
        if isinstance(pairs, str):
            print(f"podrun: {pairs}", file=sys.stderr)
            return 2
        builder = EnvironmentBuilder(environments_root(settings))
        for base, definition in pairs:
            label = f"{base.id}-{definition.name}"

            def show(progress: BuildProgress, label: str = label) -> None:
                sys.stderr.write("\r\033[K" + _bar(label, progress))
                sys.stderr.flush()

            runtime = await build_one(backend, builder, base, definition, on_progress=show)
            sys.stderr.write("\r\033[K")
            if runtime.status.state is RuntimeState.READY:
                print(f"{runtime.id}: ready, {len(runtime.packages)} packages")
            else:
                failed += 1
                print(f"{runtime.id}: FAILED: {runtime.status.message}", file=sys.stderr)
    finally:
        await backend.close()
    return 1 if failed else 0


def _bar(label: str, progress: Any, width: int = 30) -> str:
    filled = width * progress.done // max(1, progress.total)
    bar = "#" * filled + "-" * (width - filled)
    detail = f" {progress.detail}" if progress.detail else ""
    return f"{label} [{bar}] {progress.done}/{progress.total} {progress.phase}{detail}"
