"""Every verdict, as a client sees it through the API, from real sandboxes."""

from __future__ import annotations

from tests.support.client import Api, output_of, statuses_of


async def test_exit_zero_completes_with_output_and_usage(api: Api) -> None:
    execution = await api.run("import sys\nprint('hello')\nprint('oops', file=sys.stderr)")
    assert execution["status"] == "COMPLETED"
    assert execution["exitCode"] == 0
    assert execution["stdout"] == "hello\n"
    assert execution["stderr"] == "oops\n"
    assert execution["outputTruncated"] is False
    assert execution["errorMessage"] is None
    usage = execution["usage"]
    assert usage["wallTimeMs"] > 0
    assert usage["peakMemoryKib"] > 1024  # a Python interpreter needs more than 1 MiB
    assert execution["startedAt"] and execution["finishedAt"]


async def test_nonzero_exit_fails_and_keeps_the_code(api: Api) -> None:
    execution = await api.run("print('before'); raise SystemExit(3)")
    assert execution["status"] == "FAILED"
    assert execution["exitCode"] == 3
    assert execution["stdout"] == "before\n"


async def test_uncaught_exception_fails_with_traceback_on_stderr(api: Api) -> None:
    execution = await api.run("def f():\n    raise ValueError('bad value')\nf()")
    assert execution["status"] == "FAILED"
    assert execution["exitCode"] == 1
    assert "ValueError: bad value" in execution["stderr"]


async def test_a_signal_the_script_got_is_failed_with_128_plus_n(api: Api) -> None:
    execution = await api.run(
        "import os, signal\nprint('x', flush=True)\nos.kill(os.getpid(), signal.SIGSEGV)"
    )
    assert execution["status"] == "FAILED"
    assert execution["exitCode"] == 128 + 11
    assert execution["stdout"] == "x\n"


async def test_wall_clock_limit_times_out_and_keeps_output(api: Api) -> None:
    execution = await api.run(
        "import time\nprint('started', flush=True)\ntime.sleep(30)",
        limits={"timeoutSeconds": 1},
    )
    assert execution["status"] == "TIMED_OUT"
    assert execution["stdout"] == "started\n"
    assert 900 <= execution["usage"]["wallTimeMs"] < 5000


async def test_memory_hog_is_oom_killed(api: Api) -> None:
    execution = await api.run(
        "print('allocating', flush=True)\nchunks = []\nwhile True:\n    chunks.append(bytearray(8 * 1024 * 1024))",
        limits={"memoryMib": 64, "timeoutSeconds": 20},
    )
    assert execution["status"] == "OOM_KILLED"
    assert execution["stdout"] == "allocating\n"
    assert execution["usage"]["peakMemoryKib"] >= 50 * 1024


async def test_keyboard_interrupt_fails_with_the_sigint_exit_code(api: Api) -> None:
    # As `python3 main.py` ends, whichever sandbox (warm or cold) ran it.
    for _ in range(3):
        execution = await api.run(
            "import atexit\natexit.register(print, 'bye')\nraise KeyboardInterrupt"
        )
        assert (execution["status"], execution["exitCode"]) == ("FAILED", 130)
        assert execution["stdout"] == "bye\n"
        assert execution["stderr"].endswith("\nKeyboardInterrupt\n")


async def test_a_childs_oom_kill_does_not_steal_the_timeout(api: Api) -> None:
    submitted = await api.submit(
        "import subprocess, sys, time\n"
        "hog = 'chunks = []\\nwhile True:\\n    chunks.append(bytearray(8 * 2**20))'\n"
        "print(subprocess.run([sys.executable, '-c', hog]).returncode, flush=True)\n"
        "time.sleep(60)\n",
        limits={"memoryMib": 64, "timeoutSeconds": 3},
    )
    events = await api.events(submitted["id"])
    execution = await api.get(submitted["id"])
    assert (execution["status"], execution["exitCode"]) == ("TIMED_OUT", None)
    assert execution["stdout"] == "-9\n"
    assert events[-1]["message"] == (
        "wall-clock time limit exceeded; "
        "a process of the script was killed for exceeding the memory limit"
    )
    assert execution["usage"]["peakMemoryKib"] >= 50 * 1024


async def test_output_over_the_cap_keeps_exactly_the_first_bytes(api: Api) -> None:
    execution = await api.run(
        "import sys\nwhile True:\n    sys.stdout.write('0123456789')",
        limits={"maxOutputBytes": 1000},
    )
    assert execution["status"] == "OUTPUT_LIMIT_EXCEEDED"
    assert execution["outputTruncated"] is True
    assert execution["stdout"] == "0123456789" * 100


async def test_output_cap_counts_stderr_too(api: Api) -> None:
    execution = await api.run(
        "import sys\nprint('a' * 600)\nsys.stdout.flush()\nprint('b' * 600, file=sys.stderr)",
        limits={"maxOutputBytes": 1000},
    )
    assert execution["status"] == "OUTPUT_LIMIT_EXCEEDED"
    assert len(execution["stdout"]) + len(execution["stderr"]) == 1000
    assert execution["stdout"] == "a" * 600 + "\n"


async def test_cancel_kills_a_running_script(api: Api) -> None:
    submitted = await api.submit("import time\nprint('tick', flush=True)\ntime.sleep(60)")
    await api.wait_status(submitted["id"], {"RUNNING"})
    cancelled = await api.cancel(submitted["id"])
    assert cancelled["__typename"] == "Execution"
    assert cancelled["status"] == "CANCELLED"
    events = await api.events(submitted["id"])
    assert statuses_of(events)[-1] == "CANCELLED"
    assert output_of(events) == "tick\n"
    # Cancelling again is harmless and answers the same terminal execution.
    again = await api.cancel(submitted["id"])
    assert again["status"] == "CANCELLED"


async def test_cancel_unknown_execution_is_an_error_as_data(api: Api) -> None:
    result = await api.cancel("does-not-exist")
    assert result["__typename"] == "ExecutionNotFound"
    assert result["id"] == "does-not-exist"
    assert "does-not-exist" in result["message"]


async def test_stdin_given_up_front_reaches_the_script(api: Api) -> None:
    execution = await api.run(
        "import sys\nlines = sys.stdin.read().splitlines()\nprint(len(lines), lines[-1])",
        stdin="first\nsecond\nthird\n",
    )
    assert execution["status"] == "COMPLETED"
    assert execution["stdout"] == "3 third\n"
    assert execution["stdin"] == "first\nsecond\nthird\n"


async def test_without_stdin_input_sees_end_of_file(api: Api) -> None:
    execution = await api.run("try:\n    input()\nexcept EOFError:\n    print('eof')")
    assert execution["stdout"] == "eof\n"


async def test_unicode_output_survives_chunking(api: Api) -> None:
    execution = await api.run("import sys\nfor _ in range(3000):\n    sys.stdout.write('é€😀')")
    assert execution["status"] == "COMPLETED"
    assert execution["stdout"] == "é€😀" * 3000
