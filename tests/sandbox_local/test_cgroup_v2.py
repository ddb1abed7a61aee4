"""The cgroup v2 implementation's file writes, against a directory laid out like cgroupfs.

This host mounts cgroup v2 at /sys/fs/cgroup/unified with no controllers (memory, cpu and
pids are bound to v1), so real v2 sandboxes cannot run here; modern hosts use exactly this
code path. What the kernel would do on mkdir (create the interface files) the fixture does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from service.adapters.sandbox.local.cgroups import CgroupError, CgroupV2Limits, cpu_quota_us
from service.adapters.sandbox.local.hierarchies import (
    CgroupUnavailable,
    CgroupV1Hierarchy,
    CgroupV2Hierarchy,
    find_hierarchy,
)
from service.domain.limits import Limits

INTERFACE = {
    "cgroup.procs": "",
    "cgroup.kill": "",
    "cgroup.events": "populated 0\nfrozen 0\n",
    "cgroup.subtree_control": "",
    "memory.max": "max\n",
    "memory.swap.max": "max\n",
    "memory.events": "low 0\nhigh 0\nmax 12\noom 2\noom_kill 1\noom_group_kill 0\n",
    "memory.peak": "71303168\n",
    "cpu.max": "max 100000\n",
    "cpu.stat": "usage_usec 254321\nuser_usec 200000\nsystem_usec 54321\n",
    "pids.max": "max\n",
}


def lay_out(path: Path, **overrides: str | None) -> Path:
    """What the kernel creates on mkdir in a v2 hierarchy (None leaves a file out)."""
    path.mkdir(parents=True, exist_ok=True)
    for name, text in {**INTERFACE, **overrides}.items():
        if text is not None:
            (path / name).write_text(text)
    return path


def test_limits_are_written_to_the_v2_files(tmp_path: Path) -> None:
    cgroup = CgroupV2Limits(lay_out(tmp_path / "run-1"))
    cgroup.apply(Limits(memory_mib=128, cpu_millicores=500, max_processes=64), extra_processes=2)
    assert (tmp_path / "run-1/memory.max").read_text() == str(128 * 1024 * 1024)
    assert (tmp_path / "run-1/memory.swap.max").read_text() == "0"
    assert (tmp_path / "run-1/cpu.max").read_text() == "50000 100000"
    assert (tmp_path / "run-1/pids.max").read_text() == "66"
    assert cgroup.procs_files == (tmp_path / "run-1/cgroup.procs",)


def test_swap_limit_is_skipped_without_swap_accounting(tmp_path: Path) -> None:
    cgroup = CgroupV2Limits(lay_out(tmp_path / "run-1", **{"memory.swap.max": None}))
    cgroup.apply(Limits())
    assert not (tmp_path / "run-1/memory.swap.max").exists()


def test_a_missing_controller_file_is_an_error(tmp_path: Path) -> None:
    cgroup = CgroupV2Limits(lay_out(tmp_path / "run-1", **{"pids.max": None}))
    with pytest.raises(CgroupError, match=r"pids\.max"):
        cgroup.apply(Limits())


async def test_kill_uses_cgroup_kill(tmp_path: Path) -> None:
    cgroup = CgroupV2Limits(lay_out(tmp_path / "run-1"))
    await cgroup.kill(timeout=1)
    assert (tmp_path / "run-1/cgroup.kill").read_text() == "1"


def test_counters_are_read_from_v2_files(tmp_path: Path) -> None:
    cgroup = CgroupV2Limits(lay_out(tmp_path / "run-1"))
    assert cgroup.oom_kills() == 1
    usage = cgroup.usage()
    assert usage.cpu_time_ns == 254_321_000
    assert usage.peak_memory_bytes == 71_303_168


def test_peak_is_zero_on_kernels_without_memory_peak(tmp_path: Path) -> None:
    cgroup = CgroupV2Limits(lay_out(tmp_path / "run-1", **{"memory.peak": None}))
    assert cgroup.usage().peak_memory_bytes == 0


def test_cpu_quota_has_the_kernels_floor() -> None:
    assert cpu_quota_us(1000) == 100_000
    assert cpu_quota_us(2000) == 200_000
    assert cpu_quota_us(5) == 1000


def test_hierarchy_enables_controllers_down_to_the_parent(tmp_path: Path) -> None:
    root = lay_out(tmp_path / "root", **{"cgroup.controllers": "cpuset cpu io memory pids\n"})
    hierarchy = CgroupV2Hierarchy(root, "podrun/sandboxes")
    hierarchy.prepare()
    for step in (root, root / "podrun", root / "podrun/sandboxes"):
        assert (step / "cgroup.subtree_control").read_text() == "+cpu +memory +pids"
    cgroup = hierarchy.new("run-1")
    assert cgroup.path == root / "podrun/sandboxes/run-1"
    cgroup.create()
    assert cgroup.path.is_dir()


def test_hierarchy_without_controllers_is_unavailable(tmp_path: Path) -> None:
    root = lay_out(tmp_path / "root", **{"cgroup.controllers": "\n"})
    with pytest.raises(CgroupUnavailable, match="cpu, memory, pids"):
        CgroupV2Hierarchy(root, "podrun").prepare()


def _mountinfo(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "mountinfo"
    path.write_text("".join(line + "\n" for line in lines))
    return path


def test_auto_prefers_v2_with_controllers(tmp_path: Path) -> None:
    root = lay_out(tmp_path / "unified", **{"cgroup.controllers": "cpu memory pids\n"})
    mountinfo = _mountinfo(
        tmp_path,
        [
            f"41 31 0:38 / {root} rw,relatime - cgroup2 cgroup2 rw",
        ],
    )
    hierarchy = find_hierarchy("auto", "podrun", mountinfo)
    assert isinstance(hierarchy, CgroupV2Hierarchy)
    assert hierarchy.parent == root / "podrun"


def test_auto_falls_back_to_v1_when_v2_has_no_controllers(tmp_path: Path) -> None:
    """The layout of this host: controllers bound to v1, an empty v2 mount."""
    unified = lay_out(tmp_path / "unified", **{"cgroup.controllers": "\n"})
    lines = [f"41 31 0:38 / {unified} rw,relatime - cgroup2 cgroup2 rw"]
    for number, controller in enumerate(("memory", "cpu", "cpuacct", "pids", "freezer")):
        mount = tmp_path / controller
        (mount / "podrun").mkdir(parents=True)
        (mount / "podrun/cgroup.procs").write_text("")
        lines.append(
            f"{32 + number} 31 0:{29 + number} / {mount} rw,relatime - cgroup cgroup "
            f"rw,{controller}"
        )
    hierarchy = find_hierarchy("auto", "podrun", _mountinfo(tmp_path, lines))
    assert isinstance(hierarchy, CgroupV1Hierarchy)
    cgroup = hierarchy.new("run-1")
    assert set(cgroup.dirs) == {"memory", "cpu", "cpuacct", "pids", "freezer"}
    assert len(cgroup.procs_files) == 5


def test_explicit_v2_reports_why_it_is_unusable(tmp_path: Path) -> None:
    mountinfo = _mountinfo(tmp_path, [])
    with pytest.raises(CgroupUnavailable, match="no cgroup v2 hierarchy is mounted"):
        find_hierarchy("v2", "podrun", mountinfo)


def test_parent_must_stay_inside_the_hierarchy(tmp_path: Path) -> None:
    with pytest.raises(CgroupUnavailable, match="relative path"):
        find_hierarchy("auto", "../escape", _mountinfo(tmp_path, []))
