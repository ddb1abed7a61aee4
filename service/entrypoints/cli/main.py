"""`podrun` — serve the API and worker, run a worker alone, run scripts, export the schema."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from pathlib import Path

from service import __version__
from service.entrypoints.cli.accounts import add_commands as add_account_commands
from service.entrypoints.cli.accounts import stored_token
from service.entrypoints.cli.runtimes import add_commands as add_runtime_commands
from service.entrypoints.cli.workspaces import add_commands as add_workspace_commands


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="podrun",
        description="Run untrusted Python scripts in isolated, resource-limited sandboxes and "
        "stream their output over GraphQL. Configuration comes from PODRUN_* environment "
        "variables (see the README); flags override them.",
    )
    parser.add_argument("--version", action="version", version=f"podrun {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="serve the GraphQL API (and, by default, run the worker) in one process",
        description="Serve the GraphQL API at /graphql (HTTP and graphql-transport-ws), "
        "GraphiQL, /healthz and the web client. Without PODRUN_MONGODB_URI it starts the "
        "embedded store with its data in PODRUN_DATA_DIR (default ./.podrun).",
    )
    serve.add_argument("--host", help="bind address (PODRUN_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="bind port (PODRUN_PORT, default 8000)")
    serve.add_argument("--data-dir", type=Path, help="embedded data dir (PODRUN_DATA_DIR)")
    serve.add_argument(
        "--no-worker",
        action="store_true",
        help="API only: leave running scripts to `podrun worker` processes",
    )

    worker = commands.add_parser(
        "worker",
        help="run only the worker (dispatcher + sandbox watcher) against a shared store",
        description="Run the worker alone. It shares the store with `podrun serve --no-worker` "
        "through PODRUN_MONGODB_URI or the same PODRUN_DATA_DIR.",
    )
    worker.add_argument("--data-dir", type=Path, help="embedded data dir (PODRUN_DATA_DIR)")

    run = commands.add_parser(
        "run",
        help="run a script on a Podrun server and stream its output",
        description="Submit FILE (or - for standard input) to a server, stream stdout to "
        "stdout and stderr to stderr as they happen, print the verdict and usage to "
        "stderr, and exit with the script's exit code (124 timed out, 125 output limit, "
        "137 out of memory, 130 cancelled, 70 infrastructure error, 2 rejected input).",
    )
    run.add_argument("file", help="script file, or - to read it from standard input")
    run.add_argument("--url", default="http://127.0.0.1:8000", help="server URL")
    run.add_argument(
        "--stdin", dest="stdin_text", metavar="TEXT", help="text written to the script's stdin"
    )
    run.add_argument(
        "--stdin-file",
        type=Path,
        metavar="PATH",
        help="file whose contents are written to the script's stdin",
    )
    run.add_argument("--timeout", type=float, metavar="SECONDS", help="wall-clock limit")
    run.add_argument("--memory", type=int, metavar="MIB", help="memory limit in MiB")
    run.add_argument("--cpu", type=int, metavar="MILLICORES", help="CPU limit")
    run.add_argument("--max-output", type=int, metavar="BYTES", help="output limit")
    run.add_argument("--runtime", help="runtime id or alias (see `podrun runtimes`)")
    run.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="download the files the script leaves into DIR, and save its displays (plots, "
        "HTML...) there as display-<seq>.<ext>",
    )
    run.add_argument(
        "--token", help="API token (or PODRUN_TOKEN; default: the one `podrun login` kept)"
    )
    run.add_argument("-q", "--quiet", action="store_true", help="do not print the verdict line")
    run.add_argument(
        "--file",
        dest="files",
        action="append",
        default=[],
        metavar="PATH[=DEST]",
        help="a file placed under /work before the script starts (as DEST); repeatable",
    )
    run.add_argument(
        "--workspace",
        metavar="NAME",
        help="run on your workspace NAME: its files in /work, and what the script leaves "
        "there kept in it (see `podrun workspace`)",
    )
    run.add_argument(
        "--arg", dest="argv", action="append", default=[], help="a script argument; repeatable"
    )
    run.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE", help="a variable; repeatable"
    )
    run.add_argument(
        "-i",
        "--interactive",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="forward this command's stdin to the script while it runs (default: when stdin "
        "is a terminal and neither the script nor --stdin comes from it)",
    )

    add_account_commands(commands)

    add_runtime_commands(commands)

    add_workspace_commands(commands)

    export = commands.add_parser(
        "export-schema",
        help="print the GraphQL schema (SDL)",
        description="Print the GraphQL schema in SDL, or write it to --output.",
    )
    export.add_argument("-o", "--output", type=Path, help="write to this file")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "export-schema":
        from service.entrypoints.graphql.schema import export_sdl

        sdl = export_sdl()
        if args.output:
            args.output.write_text(sdl)
        else:
            sys.stdout.write(sdl)
        return 0
    if args.command == "run":
        return _run(args)
    if args.command == "runtimes":
        from service.entrypoints.cli.runtimes import run_command as run_runtimes

        return run_runtimes(args)
    if args.command == "workspace":
        from service.entrypoints.cli.workspaces import run_command as run_workspaces

        return run_workspaces(args)
    if args.command in ("login", "logout", "users"):
        from service.entrypoints.cli.accounts import run_command

        return run_command(args)
    from service.entrypoints.cli.serving import serve, work

    overrides = {
        k: v
        for k, v in {
            "host": getattr(args, "host", None),
            "port": getattr(args, "port", None),
            "data_dir": getattr(args, "data_dir", None),
        }.items()
        if v is not None
    }
    if args.command == "serve":
        return serve(overrides, worker=not args.no_worker)
    return work(overrides)


def _run(args: argparse.Namespace) -> int:
    import os

    from service.entrypoints.cli.files import env_inputs, file_inputs
    from service.entrypoints.cli.running import USAGE_ERROR, RunOptions, run_script

    try:
        script = sys.stdin.read() if args.file == "-" else Path(args.file).read_text()
        stdin = args.stdin_file.read_text() if args.stdin_file else args.stdin_text
        files = file_inputs(args.files)
    except OSError as error:
        print(f"podrun: {error}", file=sys.stderr)
        return USAGE_ERROR
    limits = {
        key: value
        for key, value in {
            "timeoutSeconds": args.timeout,
            "memoryMib": args.memory,
            "cpuMillicores": args.cpu,
            "maxOutputBytes": args.max_output,
        }.items()
        if value is not None
    }
    interactive = args.interactive
    if interactive is None:
        interactive = args.file != "-" and stdin is None and sys.stdin.isatty()
    elif interactive and args.file == "-":
        print(
            "podrun: --interactive needs the script in a file: stdin is its input",
            file=sys.stderr,
        )
        return USAGE_ERROR
    options = RunOptions(
        url=args.url,
        script=script,
        stdin=stdin,
        runtime=args.runtime,
        out_dir=args.out,
        limits=limits,
        token=args.token or os.environ.get("PODRUN_TOKEN") or stored_token(args.url),
        quiet=args.quiet,
        interactive_fd=sys.stdin.fileno() if interactive else None,
        files=files,
        argv=args.argv,
        env=env_inputs(args.env),
        workspace=args.workspace,
    )
    loop = asyncio.new_event_loop()
    task = loop.create_task(run_script(options))
    with contextlib.suppress(NotImplementedError):
        loop.add_signal_handler(signal.SIGINT, task.cancel)
    try:
        return loop.run_until_complete(task)
    except asyncio.CancelledError:
        print("podrun: cancelled", file=sys.stderr)
        return 130
    finally:
        loop.close()


if __name__ == "__main__":
    raise SystemExit(main())
