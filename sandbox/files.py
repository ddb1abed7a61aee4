"""Files across the sandbox boundary: unpacked and packed INSIDE the sandbox.

Standard library only, and self-contained: the local backend runs this file's source with
`python3 -I -S -c` inside a bubblewrap sandbox (where nothing of ours is visible), the
Kubernetes runner can import it next to `runner.py`. It runs with the sandbox's rights, so
a path the script planted (a symlink, a FIFO, `..`) can only ever reach what the script
itself could reach; the trusted side never opens a path inside a sandbox.

The stream (both directions) is a sequence of records, each a header line of JSON
(UTF-8, at most `MAX_HEADER_BYTES`, ending in `\\n`) followed, for a file, by exactly
`size` raw bytes:

    {"file": "data/in.csv", "size": 12}\\n<12 bytes>
    {"skip": "link", "reason": "symbolic link"}\\n
    {"end": true, "skipped": 0}\\n          (`skipped`: skips not reported one by one)

`unpack FD` reads files from FD into the working directory (creating parent directories,
never following a symlink, never replacing anything). `pack FD MAX_FILES MAX_FILE MAX_TOTAL`
writes every regular file under the working directory except `main.py` (the script) to FD;
symlinks, FIFOs, sockets, devices, names that are not printable UTF-8 and files beyond the
limits are reported as skipped instead. The trusted side parses the stream as hostile input
(`service/domain/filestreams.py`): the script could have written anything to this pipe.
"""

import contextlib
import json
import os
import stat
import sys

MAX_HEADER_BYTES = 8192
MAX_SKIP_RECORDS = 100
MAX_DEPTH = 32
CHUNK = 65536
SCRIPT_NAME = "main.py"
_OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _read_exactly(stream, size):
    data = stream.read(size)
    if data is None or len(data) != size:
        raise ValueError("the file stream ended early")
    return data


def _parts(path):
    parts = path.split("/")
    if not path or path.startswith("/") or "\0" in path:
        raise ValueError(f"refusing path {path!r}")
    for part in parts:
        if part in ("", ".", ".."):
            raise ValueError(f"refusing path {path!r}")
    return parts


def unpack(stream, root="."):
    """Create the files of `stream` (binary, readable) under `root`; never follows a
    symlink, never replaces a file."""
    root_fd = os.open(root, _DIR_FLAGS)
    while True:
        line = stream.readline(MAX_HEADER_BYTES + 1)
        if not line.endswith(b"\n"):
            raise ValueError("the file stream ended without its end record")
        header = json.loads(line)
        if header.get("end"):
            return
        parts = _parts(header["file"])
        size = int(header["size"])
        dir_fd = root_fd
        for part in parts[:-1]:
            with contextlib.suppress(FileExistsError):
                os.mkdir(part, 0o755, dir_fd=dir_fd)
            child = os.open(part, _DIR_FLAGS, dir_fd=dir_fd)
            if dir_fd != root_fd:
                os.close(dir_fd)
            dir_fd = child
        out = os.open(
            parts[-1],
            os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
            0o644,
            dir_fd=dir_fd,
        )
        try:
            remaining = size
            while remaining:
                chunk = _read_exactly(stream, min(CHUNK, remaining))
                _write_all(out, chunk)
                remaining -= len(chunk)
        finally:
            os.close(out)
            if dir_fd != root_fd:
                os.close(dir_fd)


class _Packer:
    def __init__(self, fd, max_files, max_file_bytes, max_total_bytes):
        self.fd = fd
        self.max_files = max_files
        self.max_file_bytes = max_file_bytes
        self.max_total_bytes = max_total_bytes
        self.files = 0
        self.total = 0
        self.skips = 0

    def header(self, record):
        line = json.dumps(record, ensure_ascii=True).encode() + b"\n"
        _write_all(self.fd, line)

    def skip(self, path, reason):
        self.skips += 1
        if self.skips <= MAX_SKIP_RECORDS:
            self.header({"skip": path, "reason": reason})

    def walk(self, dir_fd, prefix, depth):
        with os.scandir(dir_fd) as entries:
            names = sorted(entry.name for entry in entries)
        for name in names:
            if prefix == "" and name == SCRIPT_NAME:
                continue
            if not name.isprintable():
                # Undecodable bytes (surrogates) and control characters such as newlines.
                raw = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
                shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in raw)
                self.skip(prefix + shown, "unsupported name")
                continue
            path = prefix + name
            try:
                info = os.lstat(name, dir_fd=dir_fd)
            except OSError as error:
                self.skip(path, f"cannot read it: {error.strerror}")
                continue
            if stat.S_ISDIR(info.st_mode):
                if depth >= MAX_DEPTH:
                    self.skip(path + "/", f"nested deeper than {MAX_DEPTH} directories")
                    continue
                try:
                    child = os.open(name, _DIR_FLAGS, dir_fd=dir_fd)
                except OSError as error:
                    self.skip(path + "/", f"cannot read it: {error.strerror}")
                    continue
                try:
                    self.walk(child, path + "/", depth + 1)
                finally:
                    os.close(child)
            elif stat.S_ISLNK(info.st_mode):
                self.skip(path, "symbolic link")
            elif not stat.S_ISREG(info.st_mode):
                self.skip(path, "not a regular file")
            else:
                self.file(dir_fd, name, path, info)

    def file(self, dir_fd, name, path, info):
        if self.files >= self.max_files:
            self.skip(path, f"more than {self.max_files} files")
            return
        if info.st_size > self.max_file_bytes:
            self.skip(path, f"larger than {self.max_file_bytes} bytes")
            return
        if self.total + info.st_size > self.max_total_bytes:
            self.skip(path, f"over the total of {self.max_total_bytes} bytes")
            return
        try:
            fd = os.open(name, _OPEN_FLAGS, dir_fd=dir_fd)
        except OSError as error:
            self.skip(path, f"cannot read it: {error.strerror}")
            return
        try:
            opened = os.fstat(fd)
            if not stat.S_ISREG(opened.st_mode) or opened.st_ino != info.st_ino:
                self.skip(path, "changed while being collected")
                return
            size = info.st_size
            self.header({"file": path, "size": size})
            self.files += 1
            self.total += size
            remaining = size
            while remaining:
                chunk = os.read(fd, min(CHUNK, remaining))
                if not chunk:
                    # It shrank: the header promised `size` bytes, the rest reads as zeros.
                    chunk = bytes(min(CHUNK, remaining))
                _write_all(self.fd, chunk)
                remaining -= len(chunk)
        finally:
            os.close(fd)


def pack(fd, max_files, max_file_bytes, max_total_bytes, root="."):
    """Write the regular files under `root` (but the script) to FD, then the end record."""
    packer = _Packer(fd, max_files, max_file_bytes, max_total_bytes)
    root_fd = os.open(root, _DIR_FLAGS)
    try:
        packer.walk(root_fd, "", 0)
    finally:
        os.close(root_fd)
    packer.header({"end": True, "skipped": max(0, packer.skips - MAX_SKIP_RECORDS)})


def main(argv):
    mode, fd = argv[0], int(argv[1])
    if mode == "unpack":
        try:
            with os.fdopen(fd, "rb", buffering=CHUNK) as stream:
                unpack(stream)
        except (OSError, ValueError, KeyError) as error:
            sys.stderr.write(f"podrun: cannot place the input files: {error}\n")
            return 126
        return 0
    if mode == "pack":
        max_files, max_file, max_total = (int(a) for a in argv[2:5])
        pack(fd, max_files, max_file, max_total)
        return 0
    sys.stderr.write(f"podrun files: unknown mode {mode!r}\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
