"""Attacks on disk space and on the file system view."""

from __future__ import annotations

import pytest

from tests.adversarial.conftest import attack
from tests.support.client import Api
from tests.support.scripts import FILL_ALL

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
    execution = await attack(
        api, FILL.format(directory="/tmp"), diskMib=4, memoryMib=64, timeoutSeconds=10
    )
    assert execution["status"] == "COMPLETED", execution
    code, mib = execution["stdout"].split()
    assert code == "ENOSPC" and int(mib) <= 4


async def test_filling_dev_shm_stops_at_its_size(api: Api) -> None:
    execution = await attack(
        api, FILL.format(directory="/dev/shm"), diskMib=4, memoryMib=64, timeoutSeconds=10
    )
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


# /tmp, /dev/shm and /work in turn: one disk budget for all three, so each after the first is
# already full; the total is the budget, whichever directory took it.
@pytest.mark.parametrize(
    ("limits", "budget_mib"),
    [({"memoryMib": 64, "diskMib": 32}, 32), ({}, 16)],
    ids=["memory-64-disk-32", "default-shape"],
)
async def test_tmp_dev_shm_and_work_share_one_disk_budget(
    api: Api, limits: dict[str, int], budget_mib: int
) -> None:
    # Three budgets of 32 MiB each held 1.5x the memory limit: filling /dev/shm after /tmp
    # was an OOM kill. The default shape is served warm when a warm sandbox is waiting.
    execution = await attack(api, FILL_ALL, timeoutSeconds=20, **limits)
    assert (execution["status"], execution["stdout"]) == (
        "COMPLETED",
        f"/tmp ENOSPC\n/dev/shm ENOSPC\n/work ENOSPC\nwritten {budget_mib} MiB\n",
    )


async def test_a_flood_of_empty_files_runs_out_of_inodes_not_memory(api: Api) -> None:
    # Without an inode bound the tmpfs took ~1 KiB of kernel memory per file until OOM_KILLED.
    script = """
import errno, os
created = 0
for directory in ("/tmp", "/dev/shm", "/work"):
    try:
        for i in range(10_000_000):
            open(os.path.join(directory, f"e{i}"), "xb").close()
            created += 1
    except OSError as error:
        print(directory, errno.errorcode[error.errno])
print("at most one per page", created <= 4 * 1024 * 1024 // 4096)
"""
    execution = await attack(api, script, memoryMib=48, diskMib=4, timeoutSeconds=20)
    assert (execution["status"], execution["stdout"]) == (
        "COMPLETED",
        "/tmp ENOSPC\n/dev/shm ENOSPC\n/work ENOSPC\nat most one per page True\n",
    )
