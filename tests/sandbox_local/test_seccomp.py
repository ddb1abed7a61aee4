"""Every call on the seccomp deny-list is denied inside a real sandbox, every socket family
but AF_UNIX is refused, and ordinary Python (asyncio included) still works."""

from __future__ import annotations

import pyseccomp

from service.adapters.sandbox.local import LocalSandboxBackend
from service.adapters.sandbox.local.seccomp import DENIED, NAMESPACE_FLAGS
from tests.sandbox_local.conftest import run_script

CLONE = 56  # x86_64
SIGCHLD = 17


def _numbers() -> dict[str, int]:
    numbers = {}
    for name in DENIED:
        try:
            number = int(pyseccomp.resolve_syscall(pyseccomp.Arch.NATIVE, name))
        except (ValueError, OSError):
            continue
        if number >= 0:
            numbers[name] = number
    return numbers


async def test_every_denied_call_answers_eperm(backend: LocalSandboxBackend) -> None:
    numbers = _numbers()
    assert {
        "mount",
        "unshare",
        "setns",
        "ptrace",
        "bpf",
        "io_uring_setup",
        "keyctl",
        "init_module",
        "finit_module",
        "kexec_load",
    } <= set(numbers)
    script = f"""
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
for name, number in {sorted(numbers.items())!r}:
    result = libc.syscall(number, 0, 0, 0, 0, 0, 0)
    print(name, result, ctypes.get_errno())
for flag in {list(NAMESPACE_FLAGS)!r}:
    # Raw clone with a namespace flag: denied before anything is created.
    print(hex(flag), libc.syscall({CLONE}, flag | {SIGCHLD}, 0, 0, 0, 0), ctypes.get_errno())
"""
    run = await run_script(backend, script)
    assert run.outcome.exit_code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == len(numbers) + len(NAMESPACE_FLAGS)
    for line in lines:
        assert line.endswith(" -1 1"), line  # EPERM from the filter


async def test_only_unix_sockets_can_be_created(backend: LocalSandboxBackend) -> None:
    script = """
import errno, socket
allowed = []
other_errors = []
for family in range(1, 46):
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM, socket.SOCK_RAW):
        try:
            socket.socket(family, kind).close()
            allowed.append(family)
        except OSError as error:
            if family != socket.AF_UNIX and error.errno != errno.EPERM:
                other_errors.append((family, kind, error.errno))
print(sorted(set(allowed)), other_errors)
"""
    run = await run_script(backend, script)
    assert run.outcome.exit_code == 0, run.stderr
    assert run.stdout == "[1] []\n"


async def test_asyncio_with_subprocesses_still_works(backend: LocalSandboxBackend) -> None:
    script = """
import asyncio, sys
async def main():
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "print(input()[::-1])",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    out, _ = await child.communicate(b"olleh\\n")
    print(out.decode().strip(), await asyncio.gather(asyncio.sleep(0.01, 1), asyncio.sleep(0, 2)))
asyncio.run(main())
"""
    run = await run_script(backend, script)
    assert run.outcome.exit_code == 0, run.stderr
    assert run.stdout == "hello [1, 2]\n"
