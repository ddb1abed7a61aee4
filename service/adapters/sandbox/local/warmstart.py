"""What a warm sandbox's interpreter runs while it waits for a script.

A warm sandbox is bubblewrap plus an interpreter started ahead of demand, blocked reading a
pipe. This program (passed with `-c`, since nothing of ours is visible in a sandbox) reads
from that pipe until end of file the execution's environment variables and its script
(`handover`), sets the variables, makes the process look as if it had been started as
`python3 /work/main.py`, and runs the script in `__main__`:

- `/work/main.py` holds the script (read-only mode; a cold sandbox binds it read-only), so
  `__file__`, tracebacks' source lines, `inspect` and multiprocessing's spawn all find it;
- `sys.argv == ["/work/main.py"]`, `sys.path[0] == "/work"`, `__file__`, `__loader__` and
  `__cached__` as the interpreter sets them for a script;
- no name of its own is left in `__main__` (it imports through a function's locals), so a
  script sees exactly the globals a script normally has;
- it ends as CPython ends a script, because it lets CPython do it: whatever the script
  raises leaves the `-c` program unchanged, so CPython's own top level handles it (exit
  status 1; `SystemExit` with None, an int, a string or another object; `KeyboardInterrupt`
  as the SIGINT death, 130 through bwrap; atexit handlers, joining non-daemon threads,
  finalizers and flushing stdout, 120 if that fails). Only the printing is adjusted: on
  the way out, the `with` block's `__exit__` installs a one-shot `sys.excepthook`, which
  restores the script's hook, cuts the traceback to the script's frames and hands it to
  that hook (the default one unless the script set its own), also in
  `sys.last_traceback`; a hook that fails or is missing is reported as CPython reports it
  ("Error in sys.excepthook", "sys.excepthook is missing"). Both are bound before the
  script runs (names as default arguments and closures), so no global of the script
  (`getattr = …`) can change them. `tests/sandbox_local/test_endings.py` compares each
  way to end with a cold start.

A script can still tell: `/proc/self/cmdline` and `sys.orig_argv` show `-c`, the display
channel (`SANDBOX_DISPLAY_FD`) has another number, its file is
writable after a `chmod` (it lives in the sandbox's own `/work` tmpfs and counts against its
disk cap), and the launcher's frame sits under the script's (`inspect.stack()`,
`traceback.print_stack()` show it, and with `exec()` it takes 2 of the recursion limit's
levels: a `RecursionError` comes 2 calls earlier).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence

from service.adapters.sandbox.local.bwrap import BASE_ENV, SCRIPT_PATH, WORK_DIR, sandbox_env
from service.adapters.sandbox.local.filewrap import files_source
from service.domain.files import FileContent
from service.domain.filestreams import encode_files

# Variables read while the interpreter or the C library start (PYTHONPATH, PYTHONHASHSEED,
# locale, loader, allocator, time zone): setting them later would not have their effect, so
# an execution that sets one starts cold.
_READ_AT_START = re.compile(r"PYTHON|LC_|LD_|MALLOC_|GLIBC_|TZ$|LANGUAGE$")

WARM_STUB = rf"""
def _podrun_warm_start():
    import os, sys
    fd = int(sys.argv[1])
    chunks = []
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    if not chunks:
        os._exit(0)
    header, _, rest = b"".join(chunks).partition(b"\n")
    env_size, argv_size, files_size = (int(size) for size in header.split())
    for item in rest[:env_size].split(b"\0"):
        if item:
            name, _, value = item.partition(b"=")
            os.environb[name] = value
    args = [os.fsdecode(a) for a in rest[env_size : env_size + argv_size].split(b"\0")[:-1]]
    rest = rest[env_size + argv_size :]
    if files_size:
        import io
        files = dict(__name__="podrun_files")
        try:
            exec(sys.argv[2], files)
            files["unpack"](io.BytesIO(rest[:files_size]), ".")
        except Exception as error:
            sys.stderr.write("podrun: cannot place the input files: %s\n" % (error,))
            os._exit(126)
    source = rest[files_size:]
    with open({SCRIPT_PATH!r}, "xb") as file:
        file.write(source)
    os.chmod({SCRIPT_PATH!r}, 0o444)
    sys.argv[:] = [{SCRIPT_PATH!r}, *args]
    sys.path[0] = {WORK_DIR!r}
    import importlib.machinery
    main = globals()
    del main["_podrun_warm_start"]
    main["__file__"] = {SCRIPT_PATH!r}
    main["__cached__"] = None
    main["__loader__"] = importlib.machinery.SourceFileLoader("__main__", {SCRIPT_PATH!r})

    def cut(tb):
        while tb is not None and tb.tb_frame.f_code.co_filename != {SCRIPT_PATH!r}:
            tb = tb.tb_next
        return tb

    class HandBack:
        def __enter__(self):
            return source

        def __exit__(
            self, kind, error, tb, /, sys=sys, hasattr=hasattr, issubclass=issubclass,
            type=type, SystemExit=SystemExit, BaseException=BaseException,
        ):
            if kind is None or issubclass(kind, SystemExit):
                return False
            missing = not hasattr(sys, "excepthook")
            hook = None if missing else sys.excepthook

            def excepthook(kind, error, tb, /):
                error.__traceback__ = tb = cut(tb)
                if hasattr(sys, "last_traceback"):
                    sys.last_traceback = tb
                if missing:
                    del sys.excepthook
                    sys.stderr.write("sys.excepthook is missing\n")
                    sys.__excepthook__(kind, error, tb)
                    return
                sys.excepthook = hook
                try:
                    hook(kind, error, tb)
                except SystemExit:
                    raise
                except BaseException as failure:
                    failure.__traceback__ = cut(failure.__traceback__)
                    sys.stderr.write("Error in sys.excepthook:\n")
                    sys.__excepthook__(type(failure), failure, failure.__traceback__)
                    sys.stderr.write("\nOriginal exception was:\n")
                    sys.__excepthook__(kind, error, tb)

            sys.excepthook = excepthook
            return False

    return HandBack()
with _podrun_warm_start() as _podrun_source:
    exec(
        compile(globals().pop("_podrun_source"), {SCRIPT_PATH!r}, "exec", dont_inherit=True),
        globals(),
    )
"""


def warm_command(interpreter: tuple[str, ...], script_fd: int) -> list[str]:
    """The interpreter command of a warm sandbox waiting on `script_fd` (with the source of
    `sandbox/files.py`, which unpacks the files it may be given)."""
    return [*interpreter, "-c", WARM_STUB, str(script_fd), files_source()]


def set_late_ok(env: Mapping[str, str]) -> bool:
    """Whether a warm sandbox can take `env` (set just before the script runs)."""
    return not any(_READ_AT_START.match(name) for name in env)


def handover(
    env: Mapping[str, str],
    script: bytes,
    *,
    argv: Sequence[str] = (),
    files: Sequence[FileContent] = (),
) -> bytes:
    """What a warm sandbox reads: `<e> <a> <f>\\n`, `e` bytes of NUL-separated `NAME=value`
    (the execution's own variables; the fixed ones are set already), `a` bytes of
    NUL-terminated arguments, `f` bytes of the file stream (`sandbox/files.py`), the script.
    Raises ValueError for a variable or an argument no process can hold."""
    own = {k: v for k, v in sandbox_env(env).items() if k not in BASE_ENV}
    block = b"".join(f"{k}={v}".encode() + b"\0" for k, v in own.items())
    if any("\0" in arg for arg in argv):
        raise ValueError("an argument holds a NUL")
    args = b"".join(os.fsencode(arg) + b"\0" for arg in argv)
    stream = encode_files(files) if files else b""
    header = f"{len(block)} {len(args)} {len(stream)}\n".encode()
    return header + block + args + stream + script
