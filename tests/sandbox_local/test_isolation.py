"""What a script cannot reach: the network, the host's files, the kernel's riskier calls —
and what it still can: threads, subprocesses, multiprocessing, its own scratch space."""

from __future__ import annotations

import socket

from service.adapters.sandbox.local import LocalSandboxBackend
from tests.sandbox_local.conftest import run_script


async def test_no_network_not_even_the_hosts_loopback(backend: LocalSandboxBackend) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        port = listener.getsockname()[1]
        script = f"""
import socket
for family in (socket.AF_INET, socket.AF_INET6, socket.AF_NETLINK, socket.AF_PACKET):
    try:
        socket.socket(family, socket.SOCK_STREAM if family != socket.AF_NETLINK else socket.SOCK_RAW)
        print(family.name, "open")
    except OSError as error:
        print(family.name, "denied", error.errno)
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=1)
    print("connected")
except OSError as error:
    print("connect failed", type(error).__name__)
print("interfaces", sorted(line.split(":")[0].strip()
                           for line in open("/proc/net/dev").readlines()[2:]))
"""
        run = await run_script(backend, script)
        assert run.outcome.exit_code == 0, run.stderr
        lines = run.stdout.splitlines()
        assert "AF_INET denied 1" in lines
        assert "AF_INET6 denied 1" in lines
        assert "AF_NETLINK denied 1" in lines
        assert "AF_PACKET denied 1" in lines
        assert "connect failed PermissionError" in lines
        assert "interfaces ['lo']" in lines
        try:
            listener.accept()
            raise AssertionError("the sandbox reached the host's loopback")
        except BlockingIOError:
            pass


async def test_unix_sockets_still_work(backend: LocalSandboxBackend) -> None:
    script = "import socket\na, b = socket.socketpair()\na.sendall(b'ping')\nprint(b.recv(4))"
    run = await run_script(backend, script)
    assert run.stdout == "b'ping'\n"


async def test_host_files_are_not_there(backend: LocalSandboxBackend) -> None:
    script = """
import os
for path in ("/etc/shadow", "/etc/passwd", "/root", "/home", "/var", "/run", "/sys"):
    print(path, os.path.exists(path))
try:
    open("/etc/shadow").read()
except OSError as error:
    print("shadow", type(error).__name__)
print("root", sorted(os.listdir("/")))
"""
    run = await run_script(backend, script)
    lines = run.stdout.splitlines()
    for path in ("/etc/shadow", "/etc/passwd", "/root", "/home", "/var", "/run", "/sys"):
        assert f"{path} False" in lines
    assert "shadow FileNotFoundError" in lines
    # /opt holds only our podrun module (sandboxlib.py), read-only.
    assert (
        "root ['bin', 'dev', 'lib', 'lib64', 'opt', 'proc', 'sbin', 'tmp', 'usr', 'work']" in lines
    )


async def test_only_scratch_space_is_writable(backend: LocalSandboxBackend) -> None:
    script = """
import os
for path in ("/work/out.txt", "/tmp/t", "/dev/shm/s", "/x", "/usr/x", "/dev/x", "/work/main.py"):
    try:
        with open(path, "a") as handle:
            handle.write("data")
        print(path, "ok")
    except OSError as error:
        print(path, type(error).__name__)
print("cwd", os.getcwd(), "home", os.environ["HOME"])
try:
    open("/tmp/big", "wb").write(b"x" * (20 * 1024 * 1024))
except OSError as error:
    print("big", error.errno)
"""
    run = await run_script(backend, script)
    lines = run.stdout.splitlines()
    assert {"/work/out.txt ok", "/tmp/t ok", "/dev/shm/s ok"} <= set(lines)
    assert "/x OSError" in lines
    assert "/usr/x OSError" in lines
    assert "/dev/x OSError" in lines
    # EROFS (cold: bound read-only) or EACCES (warm: written by the waiting interpreter, mode
    # 0444; the script could chmod its own copy, which is all it would get).
    assert ("/work/main.py OSError" in lines) or ("/work/main.py PermissionError" in lines)
    assert "cwd /work home /tmp" in lines
    # The default disk limit is 16 MiB: writing 20 MiB runs into it (EFBIG or ENOSPC).
    assert any(line in ("big 27", "big 28") for line in lines)
    assert run.outcome.exit_code == 0


async def test_kernel_escape_hatches_are_closed(backend: LocalSandboxBackend) -> None:
    script = r"""
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
def check(name, result):
    print(name, "denied" if result == -1 else "allowed", ctypes.get_errno())
check("unshare-user", libc.unshare(0x10000000))
check("unshare-net", libc.unshare(0x40000000))
check("mount", libc.mount(b"none", b"/tmp", b"tmpfs", 0, None))
check("ptrace", libc.ptrace(16, 1, None, None))
check("io_uring_setup", libc.syscall(425, 1, None))
check("bpf", libc.syscall(321, 0, None, 0))
check("keyctl", libc.syscall(250, 0, 0, 0, 0, 0))
check("userfaultfd", libc.syscall(323, 0))
check("clone-newns", libc.syscall(56, 0x00020000 | 17, 0, 0, 0, 0))
check("clone3", libc.syscall(435, 0, 0))
"""
    run = await run_script(backend, script)
    assert run.outcome.exit_code == 0, run.stderr
    lines = run.stdout.splitlines()
    for call in (
        "unshare-user",
        "unshare-net",
        "mount",
        "ptrace",
        "bpf",
        "keyctl",
        "userfaultfd",
        "clone-newns",
        "io_uring_setup",
    ):
        assert f"{call} denied 1" in lines, (call, lines)  # EPERM
    # clone3 cannot be inspected: ENOSYS makes glibc fall back to clone.
    assert "clone3 denied 38" in lines


async def test_threads_subprocess_and_multiprocessing_work(
    backend: LocalSandboxBackend,
) -> None:
    script = """
import multiprocessing, subprocess, sys, threading

def square(n):
    return n * n

if __name__ == "__main__":
    results = []
    threads = [threading.Thread(target=lambda i=i: results.append(i)) for i in range(4)]
    for t in threads: t.start()
    for t in threads: t.join()
    print("threads", sorted(results))
    print("subprocess", subprocess.run([sys.executable, "-c", "print(6 * 7)"],
                                       capture_output=True, text=True).stdout.strip())
    print("shell", subprocess.run("echo $((1 + 2))", shell=True, capture_output=True,
                                  text=True).stdout.strip())
    with multiprocessing.Pool(2) as pool:
        print("pool", pool.map(square, range(5)))
    lock = multiprocessing.Lock()
    with lock:
        print("lock ok")
"""
    run = await run_script(backend, script)
    assert run.outcome.exit_code == 0, run.stderr
    assert run.stdout.splitlines() == [
        "threads [0, 1, 2, 3]",
        "subprocess 42",
        "shell 3",
        "pool [0, 1, 4, 9, 16]",
        "lock ok",
    ]


async def test_environment_is_clean(backend: LocalSandboxBackend) -> None:
    run = await run_script(
        backend,
        "import os\nfor k in sorted(os.environ): print(k, os.environ[k])",
        env={"TRACEPARENT": "00-abc-def-01", "HOME": "/elsewhere"},
    )
    env = dict(line.split(" ", 1) for line in run.stdout.splitlines())
    assert env.pop("TRACEPARENT") == "00-abc-def-01"
    assert env.pop("HOME") == "/tmp"
    assert env.pop("PYTHONUNBUFFERED") == "1"
    assert env.pop("PYTHONDONTWRITEBYTECODE") == "1"
    assert env.pop("LANG") == "C.UTF-8"
    assert "PATH" in env
    env.pop("PATH")
    env.pop("PWD", None)  # set by bwrap's --chdir
    # Ours: the podrun module and its display channel (sandboxlib.py, bwrap.py).
    assert env.pop("PYTHONPATH") == "/opt/podrun/lib"
    assert env.pop("MPLBACKEND") == "module://podrun.matplotlib_backend"
    assert env.pop("SANDBOX_DISPLAY_FD").isdigit()
    assert env.pop("FONTCONFIG_FILE") == "/opt/podrun/lib/podrun/fonts.conf"
    assert env == {}
