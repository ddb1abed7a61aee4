"""Attacks on privileges and on the file system's links, argument and stack limits."""

from __future__ import annotations

import os
import uuid

from tests.adversarial.conftest import HostSecrets, attack
from tests.support.client import Api


async def test_setuid_gets_nothing(api: Api) -> None:
    script = """
import errno, os, subprocess
for name, call in (("setuid", lambda: os.setuid(0)), ("setgid", lambda: os.setgid(0)),
                   ("seteuid", lambda: os.seteuid(0)), ("setgroups", lambda: os.setgroups([0]))):
    try:
        call()
        print(name, "ALLOWED")
    except OSError as error:
        print(name, errno.errorcode[error.errno])
status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines())
print("NoNewPrivs", status["NoNewPrivs"].strip(), "CapEff", status["CapEff"].strip())
# A setuid-root binary from the host's /usr runs, but as the sandbox user.
su = subprocess.run(["/usr/bin/su", "-c", "id -u"], capture_output=True, text=True,
                    stdin=subprocess.DEVNULL)
print("su", su.returncode != 0, "0\\n" != su.stdout)
print("uid", os.getuid(), os.geteuid())
"""
    execution = await attack(api, script)
    assert execution["status"] == "COMPLETED", execution
    lines = execution["stdout"].splitlines()
    # uid 0 does not even exist in the sandbox's user namespace (EINVAL); groups cannot be
    # set without a capability (EPERM).
    assert lines[:4] == ["setuid EINVAL", "setgid EINVAL", "seteuid EINVAL", "setgroups EPERM"]
    assert lines[4] == "NoNewPrivs 1 CapEff 0000000000000000"
    assert lines[5] == "su True True"
    assert lines[6] != "uid 0 0"


async def test_links_to_host_paths_lead_nowhere(api: Api, host_secrets: HostSecrets) -> None:
    # A path the trusted side might be tricked into writing through after the run.
    bait = f"/tmp/podrun-adversarial-{uuid.uuid4().hex}"
    before = host_secrets.secret_file.stat()
    script = f"""
import errno, os
def try_(name, call):
    try:
        call()
        print(name, "ok")
    except OSError as error:
        print(name, errno.errorcode[error.errno])
for where in ("/work", "/tmp", "/dev/shm"):
    os.symlink({str(host_secrets.secret_file)!r}, f"{{where}}/secret")
    os.symlink({bait!r}, f"{{where}}/bait")
    os.symlink("/proc/1/root", f"{{where}}/root")
    try_(f"read {{where}}/secret", lambda: open(f"{{where}}/secret").read())
    try_(f"write {{where}}/bait", lambda: open(f"{{where}}/bait", "w").write("pwned"))
try_("hardlink python", lambda: os.link("/usr/bin/python3.11", "/work/python"))
try_("hardlink script", lambda: os.link("/work/main.py", "/tmp/main.py"))
try_("replace script", lambda: os.rename("/work/secret", "/work/main.py"))
try_("remove script", lambda: os.unlink("/work/main.py"))
try_("symlink over /usr", lambda: os.symlink("/tmp", "/usr/pwned"))
try_("mkfifo in /work", lambda: os.mkfifo("/work/fifo"))
print("root sees", sorted(os.listdir("/work/root")))
"""
    execution = await attack(api, script)
    assert execution["status"] == "COMPLETED", execution
    lines = execution["stdout"].splitlines()
    for where in ("/work", "/tmp", "/dev/shm"):
        assert f"read {where}/secret ENOENT" in lines
        # Inside the sandbox the bait is just a dangling link into its own /tmp.
        assert f"write {where}/bait ok" in lines or f"write {where}/bait ENOENT" in lines
    assert "hardlink python EXDEV" in lines
    assert "hardlink script EXDEV" in lines
    # Cold, the script is a read-only bind mount (EBUSY); in a warm sandbox it is a file the
    # waiting interpreter wrote into the sandbox's own /work, which the script may replace:
    # either way only its own copy, never a host file (checked below).
    assert {"replace script EBUSY", "replace script ok"} & set(lines)
    assert {"remove script EBUSY", "remove script ok"} & set(lines)
    assert "symlink over /usr EROFS" in lines
    assert "mkfifo in /work ok" in lines
    # /proc/1/root is the sandbox's own root, not the host's.
    assert lines[-1].startswith("root sees ['bin', 'dev', ")
    assert "'etc'" not in lines[-1] and "'root'" not in lines[-1]
    assert host_secrets.marker not in execution["stdout"]
    # Nothing happened on the host: no bait file, the secret untouched.
    assert not os.path.lexists(bait)
    after = host_secrets.secret_file.stat()
    assert (after.st_mtime_ns, after.st_size, after.st_nlink) == (
        before.st_mtime_ns,
        before.st_size,
        before.st_nlink,
    )
    assert host_secrets.secret_file.read_text() == host_secrets.marker


async def test_huge_argv_and_environment_are_refused_by_the_kernel(api: Api) -> None:
    script = """
import errno, os, subprocess, sys
def try_(name, call):
    try:
        call()
        print(name, "ok")
    except OSError as error:
        print(name, errno.errorcode[error.errno])
try_("argv", lambda: subprocess.run([sys.executable, "-c", "pass", *(["a" * 100_000] * 200)]))
try_("env", lambda: subprocess.run([sys.executable, "-c", "pass"],
                                    env={f"V{i}": "e" * 100_000 for i in range(200)}))
try_("one huge arg", lambda: subprocess.run([sys.executable, "-c", "pass", "a" * 1_000_000]))
"""
    execution = await attack(api, script, memoryMib=128)
    assert (execution["status"], execution["stdout"]) == (
        "COMPLETED",
        "argv E2BIG\nenv E2BIG\none huge arg E2BIG\n",
    )


async def test_deep_recursion_fails_as_a_script_error(api: Api) -> None:
    execution = await attack(api, "def f(n):\n    return f(n + 1)\nf(0)")
    assert (execution["status"], execution["exitCode"]) == ("FAILED", 1)
    assert "RecursionError" in execution["stderr"]


async def test_unbounded_recursion_is_stopped_by_a_limit(api: Api) -> None:
    # With the interpreter's guard lifted, the stack or the memory runs out: either way
    # the kernel ends it, inside the sandbox's limits, with a truthful verdict.
    script = "import sys\nsys.setrecursionlimit(10**9)\ndef f(n):\n    return f(n + 1) + 1\nf(0)"
    execution = await attack(api, script, memoryMib=64, timeoutSeconds=20)
    assert (execution["status"], execution["exitCode"]) in (("FAILED", 139), ("OOM_KILLED", 137)), (
        execution
    )
