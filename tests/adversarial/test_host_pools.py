"""Attacks on kernel pools the whole host shares, and on watching other tenants' file activity.

A sandbox must not take a host-wide kernel resource from another sandbox or from the host,
nor observe which files another execution opens in the shared read-only `/usr`.
"""

from __future__ import annotations

import ctypes
import errno

import pyseccomp

from tests.adversarial.conftest import attack
from tests.support.client import Api
from tests.support.stdin import dialogue, send_input

SYSCALL = ctypes.CDLL(None, use_errno=True).syscall
SYSCALL.restype = ctypes.c_long


def _number(name: str) -> int:
    return int(pyseccomp.resolve_syscall(pyseccomp.Arch.NATIVE, name))


def _host_io_setup() -> int:
    """io_setup(1) in this (host) process: 0, or the errno it failed with."""
    context = ctypes.c_ulong(0)
    if SYSCALL(_number("io_setup"), 1, ctypes.byref(context)) != 0:
        return ctypes.get_errno()
    SYSCALL(_number("io_destroy"), context)
    return 0


async def test_aio_contexts_cannot_be_drained_from_the_host(api: Api) -> None:
    # Two io_setup(32768) would take all of `fs.aio-max-nr` (65536) until the run ends.
    script = f"""
import ctypes, errno
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
results = []
for _ in range(2):
    context = ctypes.c_ulong(0)
    failed = libc.syscall({_number("io_setup")}, 32768, ctypes.byref(context))
    results.append(errno.errorcode[ctypes.get_errno()] if failed else "TAKEN")
print(*results, flush=True)
input()
"""
    submitted = await api.submit(script, interactive=True, limits={"timeoutSeconds": 20})
    host: list[int] = []

    async def while_it_runs(stdout: str) -> None:
        if stdout.endswith("\n") and not host:
            host.append(_host_io_setup())
            await send_input(api, submitted["id"], "done\n")

    await dialogue(api, submitted["id"], while_it_runs)
    execution = await api.get(submitted["id"])
    assert (execution["status"], execution["stdout"]) == ("COMPLETED", "EPERM EPERM\n")
    assert host == [0], errno.errorcode.get(host[0])


async def test_file_activity_in_usr_cannot_be_watched(api: Api) -> None:
    # inotify on the shared /usr showed, by name and time, what other executions opened.
    script = f"""
import ctypes, errno, os
libc = ctypes.CDLL(None, use_errno=True)
def errname(result):
    return errno.errorcode[ctypes.get_errno()] if result < 0 else "ALLOWED"
print("inotify_init1", errname(libc.inotify_init1(os.O_CLOEXEC)))
print("inotify_init", errname(libc.syscall({_number("inotify_init")})))
# FAN_CLASS_NOTIF | FAN_REPORT_FID: what an unprivileged listener may ask for.
print("fanotify_init", errname(libc.fanotify_init(0x200, os.O_RDONLY)))
"""
    execution = await attack(api, script, timeoutSeconds=10)
    assert (execution["status"], execution["stdout"]) == (
        "COMPLETED",
        "inotify_init1 EPERM\ninotify_init EPERM\nfanotify_init EPERM\n",
    )


async def test_posix_message_queues_cannot_take_the_users_quota(api: Api) -> None:
    # Queue bytes count against RLIMIT_MSGQUEUE of the host uid every sandbox shares.
    script = """
import ctypes, errno, os
libc = ctypes.CDLL(None, use_errno=True)
queue = libc.mq_open(b"/podrun-flood", os.O_CREAT | os.O_RDWR, 0o600, None)
print(errno.errorcode[ctypes.get_errno()] if queue < 0 else "OPENED")
"""
    execution = await attack(api, script, timeoutSeconds=10)
    assert (execution["status"], execution["stdout"]) == ("COMPLETED", "EPERM\n")


QUEUE_SIGNALS = """
import ctypes, errno, os, signal
libc = ctypes.CDLL(None, use_errno=True)
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGRTMIN])
queued = 0
while queued < {most} and libc.sigqueue(os.getpid(), signal.SIGRTMIN, 0) == 0:
    queued += 1
print(queued, "queued", errno.errorcode.get(ctypes.get_errno(), "-") if queued < {most} else "",
      flush=True)
"""


async def test_queued_signals_of_one_sandbox_leave_the_others_theirs(api: Api) -> None:
    # RLIMIT_SIGPENDING counts every process of the host user: one sandbox holding ~96k queued
    # signals made sigqueue and timer_create fail with EAGAIN in every other sandbox.
    hog = QUEUE_SIGNALS.format(most=1_000_000) + "input()\n"
    submitted = await api.submit(hog, interactive=True, limits={"timeoutSeconds": 30})
    other: list[dict[str, str]] = []

    async def while_it_holds(stdout: str) -> None:
        if stdout.endswith("\n") and not other:
            other.append(
                await api.run(
                    QUEUE_SIGNALS.format(most=100), timeout=30, limits={"timeoutSeconds": 10}
                )
            )
            await send_input(api, submitted["id"], "done\n")

    await dialogue(api, submitted["id"], while_it_holds)
    execution = await api.get(submitted["id"])
    assert (execution["status"], execution["stdout"]) == ("COMPLETED", "1024 queued EAGAIN\n")
    assert (other[0]["status"], other[0]["stdout"]) == ("COMPLETED", "100 queued \n")


async def test_pseudo_terminals_are_bounded_per_sandbox(api: Api) -> None:
    # Every devpts instance but the host's shares `kernel.pty.max` less its reserve (3072):
    # a few processes of one sandbox could take them all from every other sandbox.
    script = """
import errno, os
opened = 0
try:
    while opened < 5000:
        os.openpty()
        opened += 1
except OSError as error:
    print(opened, errno.errorcode[error.errno])
"""
    execution = await attack(api, script, timeoutSeconds=10)
    assert (execution["status"], execution["stdout"]) == ("COMPLETED", "64 ENOSPC\n")


PIPE_SIZES = """
import errno, fcntl, os
F_SETPIPE_SZ, F_GETPIPE_SZ = 1031, 1032
pipes = []
def new_pipe():
    pipe = os.pipe()
    pipes.append(pipe)
    return pipe
"""

# Every pipe's buffer pages count against `fs.pipe-user-pages-soft` (16384) of its owner's
# host uid; past it, every new pipe of that uid gets 2 pages instead of 16.
HOLD_PIPE_PAGES = (
    PIPE_SIZES
    + """
try:
    while len(pipes) < 200:
        fcntl.fcntl(new_pipe()[1], F_SETPIPE_SZ, 1 << 20)
except OSError as error:
    refused = errno.errorcode[error.errno]
while fcntl.fcntl(new_pipe()[1], F_GETPIPE_SZ) > 8192 and len(pipes) < 300:
    pass
print("holding", refused, fcntl.fcntl(new_pipe()[1], F_GETPIPE_SZ), flush=True)
input()
"""
)


async def test_pipe_pages_of_one_sandbox_leave_the_others_theirs(api: Api) -> None:
    # All sandboxes ran as one host uid: one holding the soft quota of pipe pages (64 pipes
    # of 1 MiB, none of it written, so nothing charged to its memory) shrank every other
    # sandbox's new pipes to 8 KiB, and a writer then blocks 8x sooner. Each has its own uid.
    submitted = await api.submit(HOLD_PIPE_PAGES, interactive=True, limits={"timeoutSeconds": 30})
    other: list[dict[str, str]] = []

    async def while_it_holds(stdout: str) -> None:
        if stdout.endswith("\n") and not other:
            other.append(
                await api.run(
                    PIPE_SIZES + "print(fcntl.fcntl(new_pipe()[1], F_GETPIPE_SZ))",
                    timeout=30,
                    limits={"timeoutSeconds": 10},
                )
            )
            await send_input(api, submitted["id"], "done\n")

    await dialogue(api, submitted["id"], while_it_holds)
    execution = await api.get(submitted["id"])
    assert (execution["status"], execution["stdout"]) == ("COMPLETED", "holding EPERM 8192\n")
    assert (other[0]["status"], other[0]["stdout"]) == ("COMPLETED", "65536\n")
