"""The seccomp deny-list every sandbox runs under, compiled once to classic BPF.

A deny-list (default: allow) keeps ordinary Python working — threads, subprocess,
multiprocessing, asyncio over AF_UNIX socketpairs — while closing what a script has no use
for and what kernel exploits and sandbox escapes lean on: mounting, new namespaces, ptrace,
BPF, io_uring, keyrings, module loading, kexec, perf, userfaultfd, and every socket family but
AF_UNIX (the network namespace has only loopback anyway; this also shuts netlink and raw
sockets); and the calls that draw on a pool the whole host shares (kernel AIO contexts,
inotify/fanotify, POSIX message queues), so that no sandbox can take one from another or from
the host, nor watch another's file activity in the shared `/usr`. Syscalls of a foreign ABI
(i386 `int 0x80`, x32) kill the process: libseccomp checks the architecture and the x32 bit
before any rule.

bubblewrap loads the program (`--seccomp FD`) right before it execs the script, after its own
setup, so the filter does not have to allow what bwrap needs.
"""

from __future__ import annotations

import errno
import os
import socket
from typing import Any

# Denied with EPERM, unconditionally.
DENIED: tuple[str, ...] = (
    # Mounts and filesystem views.
    "mount",
    "umount",
    "umount2",
    "pivot_root",
    "chroot",
    "move_mount",
    "open_tree",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "mount_setattr",
    "name_to_handle_at",
    "open_by_handle_at",
    # Namespaces.
    "unshare",
    "setns",
    # Other processes' memory.
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "pidfd_getfd",
    "kcmp",
    # Kernel attack surface.
    "bpf",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "userfaultfd",
    "perf_event_open",
    "keyctl",
    "add_key",
    "request_key",
    "init_module",
    "finit_module",
    "delete_module",
    "kexec_load",
    "kexec_file_load",
    # Pools the whole host shares, which a sandbox could drain for everyone else: the AIO
    # contexts of `fs.aio-max-nr`, inotify and fanotify instances and watches (per host uid,
    # so shared by every sandbox), POSIX message queue bytes (per host uid). inotify and
    # fanotify also report other processes' opens in the shared read-only `/usr`, a
    # cross-tenant side channel. Python uses none of them (asyncio polls with epoll).
    "io_setup",
    "io_destroy",
    "io_submit",
    "io_cancel",
    "io_getevents",
    "io_pgetevents",
    "inotify_init",
    "inotify_init1",
    "inotify_add_watch",
    "inotify_rm_watch",
    "fanotify_init",
    "fanotify_mark",
    "mq_open",
    # Host-wide state (need capabilities we do not have; denied for clarity of failure).
    "reboot",
    "swapon",
    "swapoff",
    "acct",
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "adjtimex",
    "syslog",
    "quotactl",
    "lookup_dcookie",
    "uselib",
    "vhangup",
    "iopl",
    "ioperm",
)

# clone() flags that create namespaces (CLONE_NEWTIME shares bits with the exit signal in
# clone(), so it can only come through clone3/unshare, which are blocked anyway).
NAMESPACE_FLAGS: tuple[int, ...] = (
    0x00020000,  # CLONE_NEWNS
    0x02000000,  # CLONE_NEWCGROUP
    0x04000000,  # CLONE_NEWUTS
    0x08000000,  # CLONE_NEWIPC
    0x10000000,  # CLONE_NEWUSER
    0x20000000,  # CLONE_NEWPID
    0x40000000,  # CLONE_NEWNET
)


class SeccompUnavailable(Exception):
    """libseccomp (through pyseccomp) cannot be used on this host."""


def build_filter() -> bytes:
    """The deny-list as a BPF program, ready for `bwrap --seccomp FD`."""
    try:
        import pyseccomp as sc
    except (ImportError, OSError) as error:
        raise SeccompUnavailable(
            f"cannot load libseccomp ({error}): apt-get install libseccomp2 and "
            "pip install pyseccomp"
        ) from error

    deny = sc.ERRNO(errno.EPERM)
    try:
        program = sc.SyscallFilter(sc.ALLOW)
        program.set_attr(sc.Attr.ACT_BADARCH, sc.KILL_PROCESS)
        for name in DENIED:
            number = _syscall_number(sc, name)
            if number is not None:
                program.add_rule(deny, number)
        # clone3 passes its flags in memory a filter cannot read: answer ENOSYS so that
        # glibc falls back to clone(), whose flags we can check.
        program.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
        for flag in NAMESPACE_FLAGS:
            program.add_rule(deny, "clone", sc.Arg(0, sc.MASKED_EQ, flag, flag))
        for call in ("socket", "socketpair"):
            program.add_rule(deny, call, sc.Arg(0, sc.NE, socket.AF_UNIX))
        return _export(program)
    except OSError as error:
        raise SeccompUnavailable(f"cannot build the seccomp filter: {error}") from error


def _syscall_number(sc: Any, name: str) -> int | None:
    """The native number of `name`, None when this architecture has no such syscall."""
    try:
        number = int(sc.resolve_syscall(sc.Arch.NATIVE, name))
    except (ValueError, OSError):
        return None
    # libseccomp answers negative "pseudo" numbers for syscalls absent on this architecture.
    return number if number >= 0 else None


def _export(program: Any) -> bytes:
    # A memfd rather than a pipe: libseccomp writes the whole program before we read.
    fd = os.memfd_create("podrun-seccomp", os.MFD_CLOEXEC)
    with os.fdopen(fd, "w+b") as scratch:
        program.export_bpf(scratch)
        scratch.seek(0)
        return scratch.read()
