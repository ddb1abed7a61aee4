"""Each sandbox, cold or warm, runs as a host uid of its own, given back only once its cgroup
is gone, never held by two sandboxes at once, even of two workers on one host."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from service.adapters.sandbox.local import LocalBackendConfig, LocalSandboxBackend
from service.adapters.sandbox.local.launching import give_back
from service.adapters.sandbox.local.uids import (
    DEFAULT_FIRST_UID,
    DEFAULT_UID_COUNT,
    SandboxUids,
    UidRangeInvalid,
    UidsExhausted,
    uid_has_processes,
)
from service.settings import Settings

from .conftest import collect, make_spec

FIRST = 3_000_000


def _uids(tmp_path: Path, count: int = 3) -> SandboxUids:
    uids = SandboxUids(FIRST, count, tmp_path / "locks" / "uids.lock")
    uids.open()
    return uids


def test_leases_are_distinct_until_the_range_is_used_up(tmp_path: Path) -> None:
    uids = _uids(tmp_path)
    leases = [uids.lease() for _ in range(3)]
    assert sorted(lease.uid for lease in leases) == [FIRST, FIRST + 1, FIRST + 2]
    with pytest.raises(UidsExhausted):
        uids.lease()
    leases[1].release()
    leases[1].release()  # idempotent
    assert uids.lease().uid == leases[1].uid
    assert uids.in_use == 3


def test_two_workers_on_one_host_never_hold_the_same_uid(tmp_path: Path) -> None:
    first, second = _uids(tmp_path), _uids(tmp_path)
    held = {first.lease().uid, first.lease().uid}
    other = second.lease()
    assert other.uid not in held
    with pytest.raises(UidsExhausted):
        second.lease()
    # A worker's leases end with its lock file (its process).
    first_leases = first.in_use
    assert first_leases == 2
    assert first._fd is not None
    os.close(first._fd)  # as if the worker had died
    first._fd = None
    assert second.lease().uid in held


def test_a_uid_given_back_is_the_last_to_be_taken_again(tmp_path: Path) -> None:
    uids = _uids(tmp_path, count=4)
    lease = uids.lease()
    lease.release()
    taken = [uids.lease().uid for _ in range(3)]
    assert lease.uid not in taken


def test_a_uid_whose_cgroup_could_not_be_removed_is_never_reused(tmp_path: Path) -> None:
    uids = _uids(tmp_path, count=1)
    lease = uids.lease()
    give_back(lease, cgroup_removed=False)
    with pytest.raises(UidsExhausted):
        uids.lease()
    uids.close()  # a lock that must outlive the backend keeps the file open
    assert uids._fd is not None


@pytest.mark.parametrize("cgroup_removed", [True, None])
def test_a_uid_is_freed_only_once_no_process_has_it(
    tmp_path: Path, cgroup_removed: bool | None
) -> None:
    uids = _uids(tmp_path, count=1)
    lease = uids.lease()
    proc = tmp_path / "proc"
    # A process of that uid, as /proc shows it: a zombie waiting for its parent (only its
    # directory's owner tells), or a live one (its status).
    entry = proc / "4242"
    entry.mkdir(parents=True)
    (entry / "status").write_text(f"Name:\tbwrap\nUid:\t{lease.uid}\t{lease.uid}\t0\t0\n")
    os.chown(entry, lease.uid, 0)
    give_back(lease, cgroup_removed=cgroup_removed)
    assert (uids.recheck(proc), uids.draining, uids.in_use) == (0, 1, 1)
    with pytest.raises(UidsExhausted):
        uids.lease()
    (entry / "status").unlink()
    entry.rmdir()
    assert (uids.recheck(proc), uids.draining, uids.in_use) == (1, 0, 0)
    assert uids.lease().uid == lease.uid


def test_a_live_process_that_hides_its_owner_still_counts_without_a_cgroup(
    tmp_path: Path,
) -> None:
    uids = _uids(tmp_path, count=1)
    lease = uids.lease()
    entry = tmp_path / "proc" / "4242"  # undumpable: its /proc directory is root's
    entry.mkdir(parents=True)
    (entry / "status").write_text(f"Uid:\t0\t{lease.uid}\t{lease.uid}\t{lease.uid}\n")
    give_back(lease, cgroup_removed=None)
    assert uids.recheck(tmp_path / "proc") == 0


@pytest.mark.parametrize(("first", "count"), [(0, 10), (65000, 1000), (2**31 - 5, 10), (FIRST, 0)])
def test_unusable_ranges_are_refused(first: int, count: int) -> None:
    with pytest.raises(UidRangeInvalid):
        SandboxUids(first, count, Path("/nonexistent"))


def test_settings_defaults_are_the_backends_and_cover_every_sandbox() -> None:
    settings = Settings()
    assert settings.local_sandbox_first_uid == DEFAULT_FIRST_UID
    assert settings.local_sandbox_uid_count == DEFAULT_UID_COUNT
    with pytest.raises(ValueError, match="local_sandbox_uid_count"):
        Settings(max_concurrency=8, local_warm_sandboxes=2, local_sandbox_uid_count=10)


def _host_uids_of(pids: list[int]) -> set[int]:
    uids = set()
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        line = next(line for line in status.splitlines() if line.startswith("Uid:"))
        uids.add(int(line.split()[1]))
    return uids


@pytest_asyncio.fixture
async def two_warm(tmp_path: Path) -> AsyncIterator[LocalSandboxBackend]:
    sandboxes = LocalSandboxBackend(
        LocalBackendConfig(
            warm_sandboxes=2,
            sandbox_first_uid=FIRST,
            sandbox_uid_count=16,
            uid_lock_file=tmp_path / "uids.lock",
        )
    )
    await sandboxes.start()
    async with asyncio.timeout(10):
        while sandboxes.warm_ready < 2:
            await asyncio.sleep(0.02)
    yield sandboxes
    await sandboxes.close()


async def test_each_sandbox_warm_or_cold_has_its_own_host_uid(
    two_warm: LocalSandboxBackend,
) -> None:
    script = "import os, sys; print(os.getuid()); sys.stdout.flush(); input()"
    handles = []
    for _ in range(3):  # two warm, then one cold
        handles.append(await two_warm.launch(make_spec(two_warm, script, interactive=True)))
    assert two_warm.warm_launches == 2
    await asyncio.sleep(0.3)
    seen = []
    for handle in handles:
        cgroup = handle._cgroup
        assert cgroup is not None
        uids = _host_uids_of(cgroup.pids())
        assert len(uids) == 1, uids  # every process of the sandbox, from sh to the script
        seen.append(uids.pop())
    assert len(set(seen)) == 3
    assert all(FIRST <= uid < FIRST + 16 for uid in seen)
    for handle in handles:
        await handle.close_stdin()
        run = await collect(handle)
        # Inside, the script still sees the sandbox user's uid (its user namespace's).
        assert run.stdout == "65534\n"
    # Given back once their cgroups are gone; the warm ones waiting keep theirs.
    uids = two_warm._uids
    assert uids is not None
    async with asyncio.timeout(10):
        while uids.in_use != two_warm.warm_ready:
            await asyncio.sleep(0.02)
    for uid in seen:
        assert not uid_has_processes(uid)


def test_uids_left_with_processes_by_a_dead_worker_drain_first(tmp_path: Path) -> None:
    proc = tmp_path / "proc"
    entry = proc / "77"
    entry.mkdir(parents=True)
    (entry / "status").write_text(f"Uid:\t{FIRST + 1}\t{FIRST + 1}\t{FIRST + 1}\t0\n")
    uids = SandboxUids(FIRST, 2, tmp_path / "uids.lock")
    uids.open(proc)
    assert (uids.in_use, uids.draining) == (1, 1)
    assert uids.lease().uid == FIRST
    (entry / "status").unlink()
    entry.rmdir()
    assert uids.recheck(proc) == 1
    assert uids.lease().uid == FIRST + 1
