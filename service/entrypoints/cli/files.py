"""Files for `podrun run`: `--file` reads local files into the run's `files`, `--out DIR`
downloads the files the run left into DIR.

Downloads use the run's own `File.url` with the CLI's token (the server's ownership rules
apply). A path from the server is still checked before anything is written: relative, no
`..`, and never through a symlink already in DIR, so a hostile server cannot make the CLI
write outside DIR.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path, PurePosixPath
from typing import Any, TextIO

import httpx

from service.domain.display import DISPLAY_DIR

OUTPUTS = """
query Outputs($id: ID!) {
  execution(id: $id) { outputFiles { path size url } skippedFiles { path reason } }
}
"""


def file_inputs(specs: list[str]) -> list[dict[str, str]]:
    """`PATH` (placed as its file name) or `PATH=DEST` (placed at DEST under /work), as
    FileInputs; raises OSError for a file that cannot be read."""
    inputs = []
    for spec in specs:
        local, _, dest = spec.partition("=")
        data = Path(local).read_bytes()
        inputs.append(
            {
                "path": dest or Path(local).name,
                "content": base64.b64encode(data).decode(),
                "encoding": "BASE64",
            }
        )
    return inputs


def env_inputs(specs: list[str]) -> list[dict[str, str]]:
    """`NAME=VALUE` pairs as EnvVarInputs (the server checks the names)."""
    return [
        {"name": name, "value": value} for name, _, value in (spec.partition("=") for spec in specs)
    ]


def safe_target(out_dir: Path, path: str) -> Path | None:
    """Where `path` goes under `out_dir`, or None when it would leave it."""
    parts = PurePosixPath(path).parts
    if not parts or path.startswith("/") or any(p in ("", ".", "..") for p in parts):
        return None
    target = out_dir.joinpath(*parts)
    current = out_dir
    for part in parts[:-1]:
        current = current / part
        if current.is_symlink():
            return None
    if target.is_symlink():
        return None
    return target


async def download_outputs(
    url: str, token: str | None, execution: dict[str, Any], out_dir: Path, err: TextIO
) -> bool:
    """Write every output file of `execution` (its outputFiles) under `out_dir`, but the
    copies of displayed images: the display sink saved those as they came."""
    base = url.rstrip("/").removesuffix("/graphql")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    out_dir.mkdir(parents=True, exist_ok=True)
    ok = True
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as http:
        for file in execution["outputFiles"]:
            if file["path"].startswith(f"{DISPLAY_DIR}/"):
                continue
            ok = await save_file(http, file, out_dir, err) and ok
    for skipped in execution["skippedFiles"]:
        print(f"podrun: not collected: {skipped['path']} ({skipped['reason']})", file=err)
    return ok


async def save_file(
    http: httpx.AsyncClient, file: dict[str, Any], out_dir: Path, err: TextIO
) -> bool:
    """Download one `File` (its `path` and `url`) to its path under `out_dir`."""
    target = safe_target(out_dir, file["path"])
    if target is None:
        print(f"podrun: not writing {file['path']!r}: outside {out_dir}", file=err)
        return False
    response = await http.get(file["url"])
    if response.status_code != 200:
        print(f"podrun: cannot download {file['path']}: HTTP {response.status_code}", file=err)
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(response.content)
    return True
