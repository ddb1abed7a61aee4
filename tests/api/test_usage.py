"""`Execution.usage` through the API: the kernel's figures for the whole sandbox."""

from __future__ import annotations

from tests.support.client import Api

CHILDREN = """
import subprocess, sys
burn = "import time\\nwhile time.process_time() < 0.3:\\n    pass\\nx = b'y' * (48 * 1024 * 1024)"
print([subprocess.run([sys.executable, "-c", burn]).returncode for _ in range(2)])
"""


async def test_usage_counts_what_child_processes_used(api: Api) -> None:
    execution = await api.run(CHILDREN, limits={"memoryMib": 256, "timeoutSeconds": 30})
    assert (execution["status"], execution["stdout"]) == ("COMPLETED", "[0, 0]\n")
    usage = execution["usage"]
    assert 600 <= usage["cpuTimeMs"] < 10_000, usage
    assert 48 * 1024 <= usage["peakMemoryKib"] < 256 * 1024, usage
    assert usage["wallTimeMs"] >= 600, usage


async def test_cpu_millicores_throttle_a_busy_loop(api: Api) -> None:
    script = "import time\nstart = time.time()\nwhile time.time() - start < 2:\n    pass\n"
    execution = await api.run(script, limits={"cpuMillicores": 100, "timeoutSeconds": 30})
    assert execution["status"] == "COMPLETED"
    usage = execution["usage"]
    assert 0.03 <= usage["cpuTimeMs"] / usage["wallTimeMs"] <= 0.25, usage
