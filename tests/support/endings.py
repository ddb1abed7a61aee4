"""Every way a Python program can end, with the verdict, exit code and output that
`python3 main.py` gives: the table the backends are held to (warm and cold local sandboxes,
the in-pod runner)."""

from __future__ import annotations

from dataclasses import dataclass

from service.domain.statuses import ExecutionStatus as S


@dataclass(frozen=True)
class Ending:
    script: str
    status: S
    exit_code: int
    stdout: str = ""
    # The last line of stderr ("" when stderr must be empty).
    stderr_tail: str = ""
    # What a warm start shows differently, and docs/security.md says so.
    known_difference: str = ""


_THREAD = "import threading, time\n"
_DEL = "class C:\n    def __del__(self):\n        raise RuntimeError('in del')\n"

ENDINGS: dict[str, Ending] = {
    "end of script": Ending("print('ok')", S.COMPLETED, 0, "ok\n"),
    "uncaught exception": Ending(
        "def f():\n    raise ValueError('boom')\n\nf()\n",
        S.FAILED,
        1,
        stderr_tail="ValueError: boom",
    ),
    "chained exception": Ending(
        "try:\n    1 / 0\nexcept ZeroDivisionError as e:\n    raise KeyError('k') from e\n",
        S.FAILED,
        1,
        stderr_tail="KeyError: 'k'",
    ),
    "exception group": Ending(
        "raise ExceptionGroup('many', [ValueError(1), TypeError(2)])",
        S.FAILED,
        1,
        stderr_tail="    +------------------------------------",
    ),
    "recursion error": Ending(
        "def f(n):\n    return f(n + 1)\n\nf(0)\n",
        S.FAILED,
        1,
        stderr_tail="RecursionError: maximum recursion depth exceeded",
        # The launcher's frame and its exec() count against the recursion limit.
        known_difference=r"repeated \d+ more times",
    ),
    "syntax error": Ending(
        "x = (1,\n", S.FAILED, 1, stderr_tail=("SyntaxError: '(' was never closed")
    ),
    "the script's own excepthook": Ending(
        "import sys, traceback\n"
        "sys.excepthook = lambda t, v, tb: print('hook', t.__name__, "
        "[f.name for f in traceback.extract_tb(tb)])\n"
        "def f():\n    raise ValueError\nf()\n",
        S.FAILED,
        1,
        "hook ValueError ['<module>', 'f']\n",
    ),
    "the script's excepthook raises": Ending(
        "import sys\ndef hook(*args):\n    raise RuntimeError('hook broke')\n"
        "sys.excepthook = hook\nraise ValueError('x')\n",
        S.FAILED,
        1,
        stderr_tail="ValueError: x",
    ),
    "the script's excepthook exits": Ending(
        "import sys\nsys.excepthook = lambda *args: sys.exit(9)\nraise ValueError\n",
        S.FAILED,
        9,
    ),
    "the script's excepthook removed": Ending(
        "import sys\ndel sys.excepthook\nraise ValueError('x')\n",
        S.FAILED,
        1,
        stderr_tail="ValueError: x",
    ),
    "builtins shadowed by the script's globals": Ending(
        "getattr = hasattr = compile = globals = print\nraise ValueError('x')\n",
        S.FAILED,
        1,
        stderr_tail="ValueError: x",
    ),
    "the traceback an atexit handler sees": Ending(
        "import atexit, sys, traceback\n"
        "atexit.register(lambda: print([f.name for f in "
        "traceback.extract_tb(sys.last_traceback)]))\n"
        "raise ValueError\n",
        S.FAILED,
        1,
        "['<module>']\n",
        stderr_tail="ValueError",
    ),
    "raise KeyboardInterrupt": Ending(
        "def f():\n    raise KeyboardInterrupt\n\nf()\n",
        S.FAILED,
        130,
        stderr_tail="KeyboardInterrupt",
    ),
    "SIGINT to itself": Ending(
        "import os, signal, time\nos.kill(os.getpid(), signal.SIGINT)\ntime.sleep(5)\n",
        S.FAILED,
        130,
        stderr_tail="KeyboardInterrupt",
    ),
    "SIGINT with its default action": Ending(
        "import os, signal\nsignal.signal(signal.SIGINT, signal.SIG_DFL)\n"
        "os.kill(os.getpid(), signal.SIGINT)\n",
        S.FAILED,
        130,
    ),
    "KeyboardInterrupt after atexit handlers": Ending(
        "import atexit\natexit.register(print, 'bye')\nraise KeyboardInterrupt\n",
        S.FAILED,
        130,
        "bye\n",
        stderr_tail="KeyboardInterrupt",
    ),
    "KeyboardInterrupt caught, then exit 2": Ending(
        "import sys\ntry:\n    raise KeyboardInterrupt\nexcept KeyboardInterrupt:\n"
        "    sys.exit(2)\n",
        S.FAILED,
        2,
    ),
    "sys.exit()": Ending("import sys; sys.exit()", S.COMPLETED, 0),
    "sys.exit(None)": Ending("import sys; sys.exit(None)", S.COMPLETED, 0),
    "sys.exit(0)": Ending("import sys; sys.exit(0)", S.COMPLETED, 0),
    "sys.exit(3)": Ending("import sys; print('bye'); sys.exit(3)", S.FAILED, 3, "bye\n"),
    "sys.exit(True)": Ending("import sys; sys.exit(True)", S.FAILED, 1),
    "sys.exit(300)": Ending("import sys; sys.exit(300)", S.FAILED, 44),
    "sys.exit(-1)": Ending("import sys; sys.exit(-1)", S.FAILED, 255),
    "sys.exit(str)": Ending(
        "import sys; sys.exit('stopped here')", S.FAILED, 1, stderr_tail="stopped here"
    ),
    "sys.exit(other object)": Ending(
        "import sys; sys.exit([1, 'two'])", S.FAILED, 1, stderr_tail="[1, 'two']"
    ),
    "SystemExit in a thread": Ending(
        _THREAD + "t = threading.Thread(target=lambda: exit(4))\nt.start()\nt.join()\n"
        "print('main goes on')\n",
        S.COMPLETED,
        0,
        "main goes on\n",
    ),
    "os._exit skips atexit": Ending(
        "import atexit, os\natexit.register(print, 'never')\nos._exit(5)\n",
        S.FAILED,
        5,
    ),
    "atexit handlers run": Ending(
        "import atexit\natexit.register(print, 'second')\natexit.register(print, 'first')\n"
        "raise ValueError('x')\n",
        S.FAILED,
        1,
        "first\nsecond\n",
        stderr_tail="ValueError: x",
    ),
    "atexit handler raises": Ending(
        "import atexit\natexit.register(lambda: 1 / 0)\n",
        S.COMPLETED,
        0,
        stderr_tail="ZeroDivisionError: division by zero",
    ),
    "atexit handler exits": Ending(
        "import atexit, sys\natexit.register(sys.exit, 6)\n",
        S.COMPLETED,
        0,
        stderr_tail="SystemExit: 6",
    ),
    "unraisable exception in a finalizer": Ending(
        _DEL + "c = C()\ndel c\nprint('after')\n",
        S.COMPLETED,
        0,
        "after\n",
        stderr_tail="RuntimeError: in del",
    ),
    "unraisable exception in a finalizer at exit": Ending(
        _DEL + "c = C()\n",
        S.COMPLETED,
        0,
        stderr_tail="RuntimeError: in del",
    ),
    "non-daemon thread still running": Ending(
        _THREAD + "threading.Thread(target=lambda: (time.sleep(0.3), print('late'))).start()\n",
        S.COMPLETED,
        0,
        "late\n",
    ),
    "non-daemon thread and an uncaught exception": Ending(
        _THREAD + "threading.Thread(target=lambda: (time.sleep(0.3), print('late'))).start()\n"
        "raise ValueError('early')\n",
        S.FAILED,
        1,
        "late\n",
        stderr_tail="ValueError: early",
    ),
    "daemon thread still running": Ending(
        _THREAD + "threading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n"
        "print('main done')\n",
        S.COMPLETED,
        0,
        "main done\n",
    ),
    "exception in a thread": Ending(
        _THREAD + "threading.Thread(target=lambda: 1 / 0).start()\n",
        S.COMPLETED,
        0,
        stderr_tail="ZeroDivisionError: division by zero",
    ),
    "SIGTERM to itself": Ending(
        "import os, signal\nos.kill(os.getpid(), signal.SIGTERM)\n",
        S.FAILED,
        143,
    ),
    "SIGKILL to itself": Ending(
        "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n",
        S.FAILED,
        137,
    ),
    "segmentation fault": Ending("import ctypes\nctypes.string_at(0)\n", S.FAILED, 139),
    "segmentation fault with faulthandler": Ending(
        "import ctypes, faulthandler\nfaulthandler.enable()\nctypes.string_at(0)\n",
        S.FAILED,
        139,
        stderr_tail='  File "/work/main.py", line 3 in <module>',
        # A stack dump lists the launcher's frame under the script's.
        known_difference=r'\n  File "<string>", line \d+ in <module>',
    ),
    "abort": Ending("import os\nos.abort()\n", S.FAILED, 134),
    "stdout that cannot be flushed at exit": Ending(
        "import os, sys\nsys.stdout = open(os.dup(1), 'w')\nprint('lost')\n"
        "os.close(sys.stdout.fileno())\n",
        S.FAILED,
        120,
        stderr_tail="OSError: [Errno 9] Bad file descriptor",
    ),
    "closed stdout": Ending("import sys\nsys.stdout.close()\n", S.COMPLETED, 0),
}
