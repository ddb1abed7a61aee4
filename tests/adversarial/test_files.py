"""Attacks on files in and out, through the public API, each with its exact outcome.

The trusted side never opens a path in a sandbox: files leave as a stream packed inside it
after every other process of the sandbox is dead, and the stream is parsed as hostile. So a
symlink, a FIFO, a device-like trick or a name that cannot be a `File.path` is reported as
skipped, never followed; a forged stream entry with `..` is skipped, never written; and a
child still writing when the script ends is dead before collection starts.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.adversarial.conftest import HostSecrets, execution_cgroups
from tests.support.client import Api

pytestmark = pytest.mark.bubblewrap

REPO = Path(__file__).resolve().parents[2]
FILE_FIELDS = "path size sha256 contentType url"
GET = f"""
query($id: ID!) {{ execution(id: $id) {{
  id status exitCode stdout stderr
  outputFiles {{ {FILE_FIELDS} }} skippedFiles {{ path reason }}
}} }}
"""


async def attack_files(api: Api, script: str, **fields: Any) -> dict[str, Any]:
    submitted = await api.submit(script, **fields)
    assert submitted["__typename"] == "Execution", submitted
    await api.events(submitted["id"], timeout=60)
    execution: dict[str, Any] = (await api.gql(GET, id=submitted["id"]))["execution"]
    assert execution_cgroups(execution["id"]) == [], "the sandbox's cgroup outlived the run"
    return execution


def outputs(execution: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["path"]: f for f in execution["outputFiles"]}


def skipped(execution: dict[str, Any]) -> dict[str, str]:
    return {s["path"]: s["reason"] for s in execution["skippedFiles"]}


async def test_symlinks_to_host_files_are_skipped_never_followed(
    api: Api, host_secrets: HostSecrets
) -> None:
    script = f"""
import os
os.symlink('/etc/passwd', 'passwd')
os.symlink({str(host_secrets.secret_file)!r}, 'secret')
os.symlink('/usr', 'usr')
os.symlink('/proc/1/root', 'root')
os.symlink('nowhere', 'dangling')
open('real.txt', 'w').write('ok')
"""
    execution = await attack_files(api, script)
    assert execution["status"] == "COMPLETED", execution
    assert set(outputs(execution)) == {"real.txt"}
    assert skipped(execution) == {
        "dangling": "symbolic link",
        "passwd": "symbolic link",
        "root": "symbolic link",
        "secret": "symbolic link",
        "usr": "symbolic link",
    }


async def test_hard_links_to_host_files_cannot_be_made_and_inner_ones_are_copies(
    api: Api,
) -> None:
    script = """
import errno, os
for target in ('/usr/bin/python3', '/etc/hostname'):
    try:
        os.link(target, 'stolen')
    except OSError as error:
        print(errno.errorcode[error.errno])
open('a.txt', 'w').write('same')
os.link('a.txt', 'b.txt')
"""
    execution = await attack_files(api, script)
    # /work is a tmpfs of its own: no hard link reaches another file system.
    assert execution["stdout"].split() == ["EXDEV", "ENOENT"], execution["stdout"]
    files = outputs(execution)
    assert set(files) == {"a.txt", "b.txt"}
    assert files["a.txt"]["sha256"] == files["b.txt"]["sha256"]


FORGE = r"""
import json, os, stat
forged = b''
for path in ('../../../etc/podrun-escaped', '/tmp/abs', 'ok/../../x', 'main.py'):
    forged += json.dumps({'file': path, 'size': 3}).encode() + b'\n' + b'bad'
forged += json.dumps({'end': True}).encode() + b'\n'
hit = 0
for name in os.listdir('/proc/self/fd'):
    fd = int(name)
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        continue
    if fd > 2 and stat.S_ISFIFO(mode) and os.stat(f'/proc/self/fd/{fd}').st_mode & 0o200:
        try:
            os.write(fd, forged)
            hit += 1
        except OSError:
            pass
open('real.txt', 'w').write('ok')
print(hit > 0)
"""


async def test_forged_stream_entries_with_dotdot_or_absolute_paths_are_skipped(
    api: Api,
) -> None:
    execution = await attack_files(api, FORGE)
    assert execution["status"] == "COMPLETED", execution
    # Whatever the script wrote to the pipe is parsed as hostile: nothing it names is kept,
    # and the packer's own stream after its forged end is not taken either.
    assert not any(".." in p or p.startswith("/") for p in outputs(execution))
    reasons = skipped(execution)
    # The script found the pipe (it inherits it) and wrote its forgery first.
    assert execution["stdout"] == "True\n"
    assert reasons["../../../etc/podrun-escaped"].startswith("path must not contain")
    assert reasons["/tmp/abs"] == "path must be relative to /work, not absolute"
    assert reasons["ok/../../x"].startswith("path must not contain")
    assert reasons["main.py"] == "path is the script itself"
    assert reasons["*"] == "data after the end of the collected file stream"
    assert outputs(execution) == {}


def test_the_unpacker_refuses_dotdot_and_absolute_entries(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "sandbox"))
    try:
        import files as sandbox_files  # the in-sandbox module, run here on a scratch dir
    finally:
        sys.path.pop(0)
    root = tmp_path / "work"
    root.mkdir()
    (tmp_path / "outside").mkdir()
    (root / "link").symlink_to(tmp_path / "outside")
    for path in ("../escaped", "/tmp/abs", "a/../../b", "link/through", ""):
        stream = io.BytesIO(
            json.dumps({"file": path, "size": 1}).encode() + b"\nx" + b'{"end": true}\n'
        )
        with pytest.raises((ValueError, OSError)):
            sandbox_files.unpack(stream, str(root))
    assert list((tmp_path / "outside").iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outside", "work"]
    assert [p.name for p in root.iterdir()] == ["link"]


async def test_a_file_swapped_for_a_symlink_by_a_child_is_never_read_through(
    api: Api,
) -> None:
    script = """
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        while True:
            with open('swap.tmp', 'w') as f:
                f.write('regular')
            os.replace('swap.tmp', 'swap')
            try:
                os.remove('link.tmp')
            except FileNotFoundError:
                pass
            os.symlink('/etc/passwd', 'link.tmp')
            os.replace('link.tmp', 'swap')
    os._exit(0)
time.sleep(0.3)
"""
    execution = await attack_files(api, script)
    assert execution["status"] == "COMPLETED", execution
    files, reasons = outputs(execution), skipped(execution)
    # The child is killed before the listing: "swap" is whichever it last was, whole.
    if "swap" in files:
        assert files["swap"]["size"] == len("regular")
        assert "swap" not in reasons
    else:
        assert reasons["swap"] == "symbolic link"
    assert set(files) <= {"swap", "swap.tmp"}
    for name in set(reasons) - {"swap", "link.tmp"}:
        pytest.fail(f"unexpected skip {name}: {reasons[name]}")


async def test_huge_sparse_files_stop_at_the_disk_limit(api: Api) -> None:
    script = """
import errno
with open('huge', 'wb') as f:
    try:
        f.truncate(1 << 40)
    except OSError as error:
        print(errno.errorcode[error.errno])
with open('a', 'wb') as f:
    f.truncate(3 << 20)
with open('b', 'wb') as f:
    f.truncate(3 << 20)
"""
    execution = await attack_files(api, script, limits={"diskMib": 4, "memoryMib": 64})
    assert execution["status"] == "COMPLETED", execution
    assert execution["stdout"] == "EFBIG\n"
    files = outputs(execution)
    # Sorted order: 'a' fits the 4 MiB total, 'b' does not; 'huge' is empty.
    assert {p: f["size"] for p, f in files.items()} == {"a": 3 << 20, "huge": 0}
    assert skipped(execution) == {"b": f"over the total of {4 << 20} bytes"}


async def test_many_tiny_files_stop_at_the_count_and_say_how_many_more(api: Api) -> None:
    script = """
import os
os.mkdir('many')
for i in range(700):
    open(f'many/{i:04d}', 'w').close()
"""
    execution = await attack_files(api, script, limits={"timeoutSeconds": 20})
    assert execution["status"] == "COMPLETED", execution
    files = outputs(execution)
    assert len(files) == 500
    assert set(files) == {f"many/{i:04d}" for i in range(500)}
    reasons = execution["skippedFiles"]
    assert len(reasons) == 101
    assert reasons[:100] == [
        {"path": f"many/{i:04d}", "reason": "more than 500 files"} for i in range(500, 600)
    ]
    assert reasons[100] == {"path": "*", "reason": "100 more files were skipped"}


async def test_names_with_newlines_or_invalid_utf8_are_skipped(api: Api) -> None:
    script = r"""
open('new\nline', 'w').write('1')
open(b'bad\xff'.decode('utf-8', 'surrogateescape'), 'w').write('2')
open('tab\there', 'w').write('3')
open('ünïcode ok.txt', 'w').write('4')
"""
    execution = await attack_files(api, script)
    assert execution["status"] == "COMPLETED", execution
    assert set(outputs(execution)) == {"ünïcode ok.txt"}
    assert skipped(execution) == {
        "bad\\xff": "unsupported name",
        "new\\nline": "unsupported name",
        "tab\\there": "unsupported name",
    }


async def test_a_fifo_that_never_ends_is_skipped_without_waiting(api: Api) -> None:
    script = """
import os
os.mkfifo('pipe')
os.mkdir('d')
os.mkfifo('d/inner')
open('real', 'w').write('x')
"""
    execution = await attack_files(api, script)
    assert execution["status"] == "COMPLETED", execution
    assert set(outputs(execution)) == {"real"}
    assert skipped(execution) == {"d/inner": "not a regular file", "pipe": "not a regular file"}


async def test_a_child_still_writing_is_dead_before_collection(api: Api) -> None:
    script = """
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        with open('growing.txt', 'w') as f:
            while True:
                f.write('0123456789')
                f.flush()
    os._exit(0)
time.sleep(0.3)
"""
    execution = await attack_files(api, script, limits={"timeoutSeconds": 10})
    # It ends when the script does, not when the timeout kills a writer that never stops.
    assert execution["status"] == "COMPLETED", execution
    files = outputs(execution)
    assert set(files) == {"growing.txt"}
    size = files["growing.txt"]["size"]
    async with httpx.AsyncClient(base_url=api.url) as http:
        content = (await http.get(files["growing.txt"]["url"])).content
    # Whole writes only, and what was read is what the record says.
    assert size > 0 and size % 10 == 0
    assert content == b"0123456789" * (size // 10)


async def test_unreadable_files_and_directories_are_reported(api: Api) -> None:
    script = """
import os
open('locked', 'w').write('x')
os.chmod('locked', 0)
os.makedirs('closed/inside')
open('closed/inside/f', 'w').write('y')
os.chmod('closed', 0)
path = 'deep'
for _ in range(40):
    path += '/d'
os.makedirs(path)
"""
    execution = await attack_files(api, script)
    assert execution["status"] == "COMPLETED", execution
    assert outputs(execution) == {}
    reasons = skipped(execution)
    assert reasons["locked"] == "cannot read it: Permission denied"
    assert reasons["closed/"] == "cannot read it: Permission denied"
    assert reasons["deep" + "/d" * 32 + "/"] == "nested deeper than 32 directories"
