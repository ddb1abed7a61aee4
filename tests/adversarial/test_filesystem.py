"""Attacks on disk space and on the file system view."""

from __future__ import annotations

from tests.adversarial.conftest import attack
from tests.support.client import Api

FILL = """
import errno, os
written = 0
try:
    for i in range(100000):
        with open(os.path.join({directory!r}, f"f{{i}}"), "wb") as handle:
            handle.write(b"x" * (256 * 1024))
        written += 256 * 1024
except OSError as error:
    print(errno.errorcode[error.errno], written // (1024 * 1024))
"""


async def test_one_huge_file_is_cut_at_the_disk_limit(api: Api) -> None:
    script = """
import errno
try:
    with open("/work/huge", "wb") as handle:
        for _ in range(64):
            handle.write(b"x" * (1024 * 1024))
except OSError as error:
    print(errno.errorcode[error.errno])
"""
    execution = await attack(api, script, diskMib=4, memoryMib=64, timeoutSeconds=10)
    assert (execution["status"], execution["stdout"]) == ("COMPLETED", "EFBIG\n")


async def test_filling_tmp_stops_at_its_size(api: Api) -> None:
    execution = await attack(api, FILL.format(directory="/tmp"), diskMib=4, memoryMib=64,
                             timeoutSeconds=10)
    assert execution["status"] == "COMPLETED", execution
    code, mib = execution["stdout"].split()
    assert code == "ENOSPC" and int(mib) <= 4


async def test_filling_dev_shm_stops_at_its_size(api: Api) -> None:
    execution = await attack(api, FILL.format(directory="/dev/shm"), diskMib=4, memoryMib=64,
                             timeoutSeconds=10)
    assert execution["status"] == "COMPLETED", execution
    code, mib = execution["stdout"].split()
    assert code == "ENOSPC" and int(mib) <= 4


async def test_system_directories_are_read_only(api: Api) -> None:
    script = """
import errno, os
for path in ("/usr/pwned", "/usr/lib/pwned", "/bin/pwned", "/pwned", "/etc/pwned",
             "/proc/pwned", "/dev/pwned", "/work/main.py", "/proc/sys/kernel/hostname"):
    try:
        with open(path, "w") as handle:
            handle.write("x")
        print(path, "WRITTEN")
    except OSError as error:
        print(path, errno.errorcode[error.errno])
"""
    execution = await attack(api, script)
    assert execution["status"] == "COMPLETED"
    assert "WRITTEN" not in execution["stdout"], execution["stdout"]
    assert len(execution["stdout"].splitlines()) == 9
