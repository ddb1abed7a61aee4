"""The in-sandbox shell around a script that is given files or leaves files behind.

Inside the sandbox, with the sandbox's rights, a tiny `/bin/sh` program (dash: ~1 MiB, so
the script keeps its memory) runs in order:

1. `python3 -I -S -c FILES unpack FD`: the input files, read from a memfd, created under
   `/work` (`sandbox/files.py`); a failure ends the run with status 126 and a message on
   stderr, before the script starts;
2. the script (cold: `python3 /work/main.py ARGV…`; warm: the interpreter waiting for its
   script, `warmstart.py`), whose exit status the shell keeps;
3. when the files are collected: SIGKILL to every other process of the sandbox's pid
   namespace until none is left (`kill -9 -1` spares only the shell and bwrap's init), so
   no child of the script still writes, renames or swaps a file while it is read; then
   `python3 -I -S -c FILES pack FD …` writes every regular file under `/work` to a pipe
   the handle reads (`handle.py`), which parses it as hostile input
   (`service/domain/filestreams.py`); when `/work` holds nothing but the script, no
   interpreter starts and the stream stays empty (a plain run costs no CPU for it);
4. `exit` with the script's status, so verdicts read as without the shell.

The trusted side only ever sees the two streams. The shell's parameters are ours (fds,
numbers, the interpreter, the packer's source), passed as positional parameters, never
spliced into its text. The descriptors are inherited by the script too: it could write
to the output pipe, which gains it nothing it could not do by writing files (the stream
is checked as if the packer were the script), or read its own input again.

Files are collected only when the script ends by itself (COMPLETED, FAILED, and OOM kills
the shell survives); a sandbox we kill (time, output cap, cancel) dies whole, and the
stream then is empty.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

from service.domain.files import FileCollection

# The sandbox processes the shell adds to the script's (it stays while the script runs).
WRAPPER_PROCESSES = 1
SHELL = "/bin/sh"
UNPACK_FAILED = 126
# Where the in-sandbox module lives in the source tree (the Kubernetes runner's image copies
# the same file next to runner.py).
FILES_SOURCE = Path(__file__).resolve().parents[4] / "sandbox" / "files.py"

# `$sv` is a free descriptor digit keeping the sandbox's stderr: the shell's own stderr goes
# to /dev/null, so its job messages ("Terminated" when the script dies of a signal) never
# reach the script's output, while every program it runs writes to the real one.
WRAPPER = (
    "in=$1 out=$2 py=$3 src=$4 nf=$5 nb=$6 nt=$7 sv=$8; shift 8; "
    'eval "exec $sv>&2 2>/dev/null"; '
    'if [ "$in" != - ]; then '
    'eval "\\"\\$py\\" -I -S -c \\"\\$src\\" unpack \\"\\$in\\" 2>&$sv" || exit 126; fi; '
    # A subshell that execs the script (no extra process): dash reports a child's death by
    # a signal on the stderr that child had, and this way that is the subshell's.
    'eval "(exec 2>&$sv $sv>&- \\"\\$@\\")"; st=$?; '
    'if [ "$out" != - ]; then '
    "while kill -9 -1; do :; done; "
    # No interpreter start when /work holds nothing but the script: the stream stays empty.
    "for f in /work/* /work/.[!.]* /work/..?*; do "
    'if [ "$f" != /work/main.py ] && { [ -e "$f" ] || [ -L "$f" ]; }; then '
    'eval "\\"\\$py\\" -I -S -c \\"\\$src\\" pack \\"\\$out\\" $nf $nb $nt 2>&$sv"; break; fi; '
    "done; "
    "fi; "
    'exit "$st"'
)


def _free_digit(taken: Sequence[int | None]) -> int:
    """A descriptor digit (dash takes no other) that no inherited descriptor uses."""
    for digit in range(9, 2, -1):
        if digit not in taken:
            return digit
    raise ValueError("no free descriptor digit for the sandbox's file shell")


@cache
def files_source() -> str:
    """The source of `sandbox/files.py`, run with `-c` inside sandboxes."""
    return FILES_SOURCE.read_text()


def wrapped(
    command: Sequence[str],
    *,
    interpreter: str,
    in_fd: int | None,
    out_fd: int | None,
    collect: FileCollection | None,
    inherited: Sequence[int] = (),
) -> list[str]:
    """`command` run by the in-sandbox shell, with the unpack before and the pack after."""
    bounds = collect or FileCollection(0, 0, 0)
    return [
        SHELL,
        "-c",
        WRAPPER,
        "podrun-files",
        "-" if in_fd is None else str(in_fd),
        "-" if out_fd is None or collect is None else str(out_fd),
        interpreter,
        files_source(),
        str(bounds.packed_files if collect is not None else 0),
        str(bounds.max_file_bytes),
        str(bounds.max_total_bytes),
        str(_free_digit([in_fd, out_fd, *inherited])),
        *command,
    ]
