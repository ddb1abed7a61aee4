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
- an uncaught exception is printed by `sys.excepthook` from the script's first frame on (the
  traceback is cut on the exception itself too: the default hook prints that one), so it
  reads exactly as for a script, and the exit status is 1.

A script can still tell: `/proc/self/cmdline` shows `-c`, and its file is writable after a
`chmod` (it lives in the sandbox's own `/work` tmpfs and counts against its disk cap).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from service.adapters.sandbox.local.bwrap import BASE_ENV, SCRIPT_PATH, WORK_DIR, sandbox_env

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
    size = int(header)
    for item in rest[:size].split(b"\0"):
        if item:
            name, _, value = item.partition(b"=")
            os.environb[name] = value
    source = rest[size:]
    with open({SCRIPT_PATH!r}, "xb") as file:
        file.write(source)
    os.chmod({SCRIPT_PATH!r}, 0o444)
    sys.argv[:] = [{SCRIPT_PATH!r}]
    sys.path[0] = {WORK_DIR!r}
    import importlib.machinery
    main = globals()
    del main["_podrun_warm_start"]
    main["__file__"] = {SCRIPT_PATH!r}
    main["__cached__"] = None
    main["__loader__"] = importlib.machinery.SourceFileLoader("__main__", {SCRIPT_PATH!r})
    return compile(source, {SCRIPT_PATH!r}, "exec", dont_inherit=True)
try:
    exec(_podrun_warm_start(), globals())
except SystemExit:
    raise
except BaseException as _podrun_error:
    _podrun_tb = _podrun_error.__traceback__
    while _podrun_tb is not None and _podrun_tb.tb_frame.f_code.co_filename != {SCRIPT_PATH!r}:
        _podrun_tb = _podrun_tb.tb_next
    _podrun_error.__traceback__ = _podrun_tb
    __import__("sys").excepthook(type(_podrun_error), _podrun_error, _podrun_tb)
    raise SystemExit(1) from None
"""


def warm_command(interpreter: tuple[str, ...], script_fd: int) -> list[str]:
    """The interpreter command of a warm sandbox waiting on `script_fd`."""
    return [*interpreter, "-c", WARM_STUB, str(script_fd)]


def set_late_ok(env: Mapping[str, str]) -> bool:
    """Whether a warm sandbox can take `env` (set just before the script runs)."""
    return not any(_READ_AT_START.match(name) for name in env)


def handover(env: Mapping[str, str], script: bytes) -> bytes:
    """What a warm sandbox reads: `<size>\\n`, `size` bytes of NUL-separated `NAME=value`
    (the execution's own variables; the fixed ones are set already), the script.
    Raises ValueError for a variable no environment can hold."""
    own = {k: v for k, v in sandbox_env(env).items() if k not in BASE_ENV}
    block = b"".join(f"{k}={v}".encode() + b"\0" for k, v in own.items())
    return str(len(block)).encode() + b"\n" + block + script
