"""Environments: package sets from pinned requirement files, built into read-only trees.

An environment is defined in the repository (`sandbox/environments/<name>.txt`): its first
comment line describes it, a `# check: <python>` line is what must run in a sandbox before
it is offered, a `# limits:` line gives the defaults its runtime needs (`memory_mib=256`),
and every requirement is pinned with its hash (pip `--require-hashes` then refuses
anything else). For an interpreter runtime (`python3.11`) it becomes the runtime
`python3.11-datascience`, whose sandboxes also see the tree read-only at
`/opt/podrun/env/<name>`, on `PYTHONPATH`.

Building (`EnvironmentBuilder.build`) never leaves a half-installed tree: pip installs into
a sibling `.partial` directory (the worker's own pip, told the target's Python version, so
the target needs no pip), the target interpreter compiles its bytecode, a manifest lists
what was installed, and one `rename` puts it in place. The tree's name holds a digest of
the requirement file and the interpreter's version, so a changed file builds a new tree
beside the old one, and a tree that exists is complete. An interrupted build resumes from
pip's download cache (`<root>/.cache`). Next: the serving process starts builds in the
background (`service.entrypoints.environments`); `podrun runtimes build` runs them in the
foreground.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from service.domain.runtimes import (
    Mount,
    Package,
    Runtime,
    RuntimeState,
    RuntimeStatus,
)

log = logging.getLogger(__name__)

DEFINITIONS = Path(__file__).resolve().parents[4] / "sandbox" / "environments"
# Copied to the root of a tree with matplotlib: puts the pre-built font cache in place.
SITECUSTOMIZE = DEFINITIONS / "sitecustomize.py"
FONT_CACHE = "podrun-cache/matplotlib"  # in the tree: matplotlib's fontlist, scanned once
# Part of every tree's name: a change to how trees are built builds new ones beside the old.
BUILD_REVISION = "2"  # 2: the pre-built matplotlib font cache
SANDBOX_ENV_ROOT = "/opt/podrun/env"
MANIFEST = "podrun-environment.json"
_REQUIREMENT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==")


class BuildFailed(Exception):
    """An environment could not be built; the message says why."""


@dataclass(frozen=True, slots=True)
class EnvironmentDefinition:
    """One package set, as the repository defines it."""

    name: str
    requirements: Path
    description: str
    check: str
    pinned: int  # how many requirements (the progress' total)
    # `# limits: memory_mib=256 ...`: the runtime's defaults (`Runtime.default_limits`).
    default_limits: tuple[tuple[str, float], ...] = ()

    @classmethod
    def read(cls, path: Path) -> EnvironmentDefinition:
        text = path.read_text()
        comments = [line[1:].strip() for line in text.splitlines() if line.startswith("#")]
        check = next((c[len("check:") :].strip() for c in comments if c.startswith("check:")), "")
        limits = next(
            (c[len("limits:") :].split() for c in comments if c.startswith("limits:")), []
        )
        return cls(
            name=path.stem,
            requirements=path,
            description=comments[0] if comments else path.stem,
            check=check or "pass",
            pinned=sum(1 for line in text.splitlines() if _REQUIREMENT.match(line)),
            default_limits=tuple(
                (name, float(value)) for name, _, value in (item.partition("=") for item in limits)
            ),
        )


def definitions(directory: Path = DEFINITIONS) -> dict[str, EnvironmentDefinition]:
    """The environments defined in `directory`, by name."""
    try:
        files = sorted(directory.glob("*.txt"))
    except OSError:
        return {}
    return {path.stem: EnvironmentDefinition.read(path) for path in files}


@dataclass(frozen=True, slots=True)
class BuildProgress:
    """Where a build is: `done` of `total` packages collected, then a named phase."""

    phase: str  # "collecting", "installing", "compiling", "fonts", "checking"
    done: int
    total: int
    detail: str = ""


def environment_runtime(
    base: Runtime,
    definition: EnvironmentDefinition,
    tree: Path,
    *,
    status: RuntimeStatus,
    packages: tuple[Package, ...] = (),
) -> Runtime:
    """The runtime `<base>-<name>`: `base` plus the tree at `/opt/podrun/env/<name>`."""
    target = f"{SANDBOX_ENV_ROOT}/{definition.name}"
    env = dict(base.env)
    env["PYTHONPATH"] = ":".join(p for p in (env.get("PYTHONPATH"), target) if p)
    aliases = tuple(f"{alias}-{definition.name}" for alias in base.aliases if alias == "python3")
    return replace(
        base,
        id=f"{base.id}-{definition.name}",
        default=False,
        aliases=aliases,
        description=f"{definition.description} On {base.description or base.id}.",
        packages=packages,
        status=status,
        interpreter=base.id,
        environment=definition.name,
        mounts=(*base.mounts, Mount(str(tree), target)),
        default_limits=definition.default_limits,
        env=tuple(env.items()),
    )


class EnvironmentBuilder:
    """Builds and finds environment trees under `root` (which sandboxes must be able to
    read: it is bound into them)."""

    def __init__(self, root: Path, *, pip_python: str = sys.executable) -> None:
        self._root = root
        self._pip_python = pip_python

    def tree(self, base: Runtime, definition: EnvironmentDefinition) -> Path:
        digest = hashlib.sha256(definition.requirements.read_bytes())
        digest.update(f"\0{base.id}\0{base.version}\0{BUILD_REVISION}\0".encode())
        digest.update(SITECUSTOMIZE.read_bytes() if SITECUSTOMIZE.is_file() else b"")
        return self._root / f"{base.id}-{definition.name}-{digest.hexdigest()[:16]}"

    def built(self, base: Runtime, definition: EnvironmentDefinition) -> Runtime | None:
        """The environment's runtime, ready, if its tree is built already."""
        tree = self.tree(base, definition)
        try:
            manifest = json.loads((tree / MANIFEST).read_text())
        except (OSError, ValueError):
            return None
        packages = tuple(Package(p["name"], p["version"]) for p in manifest["packages"])
        return environment_runtime(
            base, definition, tree, status=RuntimeStatus(), packages=packages
        )

    def building(self, base: Runtime, definition: EnvironmentDefinition) -> Runtime:
        return environment_runtime(
            base,
            definition,
            self.tree(base, definition),
            status=RuntimeStatus(RuntimeState.BUILDING, "installing packages"),
        )

    def failed(self, base: Runtime, definition: EnvironmentDefinition, why: str) -> Runtime:
        return environment_runtime(
            base,
            definition,
            self.tree(base, definition),
            status=RuntimeStatus(RuntimeState.FAILED, why),
        )

    async def build(
        self,
        base: Runtime,
        definition: EnvironmentDefinition,
        host_python: Path,
        on_progress: Callable[[BuildProgress], None] = lambda _: None,
    ) -> Runtime:
        """Build (or find) the tree; raises BuildFailed. `host_python` is the base's
        interpreter as the host sees it (it compiles the bytecode)."""
        ready = self.built(base, definition)
        if ready is not None:
            return ready
        tree = self.tree(base, definition)
        partial = tree.with_name(f".{tree.name}.partial")
        self._root.mkdir(parents=True, exist_ok=True)
        self._root.chmod(0o755)
        shutil.rmtree(partial, ignore_errors=True)
        total = definition.pinned
        major_minor = ".".join(base.version.split(".")[:2])
        collected = 0

        def on_line(line: str) -> None:
            nonlocal collected
            if line.startswith("Collecting ") or line.startswith("Processing "):
                collected += 1
                on_progress(BuildProgress("collecting", collected, total, _short(line.split()[1])))
            elif line.startswith("Installing collected packages"):
                on_progress(BuildProgress("installing", total, total))

        pip = [
            self._pip_python, "-m", "pip", "install", "--target", str(partial),
            "--only-binary=:all:", "--python-version", major_minor, "--no-compile",
            "--disable-pip-version-check", "--no-input", "--progress-bar", "off",
            "--cache-dir", str(self._root / ".cache"), "--require-hashes",
            "-r", str(definition.requirements),
        ]  # fmt: skip
        await _run(pip, on_line, env=_pip_env())
        packages = installed_packages(partial)
        if any(p.name.lower() == "matplotlib" for p in packages):
            on_progress(BuildProgress("fonts", total, total))
            await _prebuild_font_cache(host_python, partial)
        on_progress(BuildProgress("compiling", total, total))
        await _run(
            [str(host_python), "-m", "compileall", "-q", "-j", "0", str(partial)],
            lambda _: None,
            env={"LD_LIBRARY_PATH": str(host_python.parent.parent / "lib"), "PATH": "/usr/bin"},
            quiet_ok=True,
        )
        (partial / MANIFEST).write_text(
            json.dumps(
                {
                    "environment": definition.name,
                    "interpreter": base.id,
                    "version": base.version,
                    "packages": [{"name": p.name, "version": p.version} for p in packages],
                },
                indent=1,
            )
        )
        for path in [partial, *partial.rglob("*")]:
            if not path.is_symlink():
                mode = path.stat().st_mode
                path.chmod(mode | (0o555 if path.is_dir() or mode & 0o100 else 0o444))
        os.rename(partial, tree)
        return environment_runtime(
            base, definition, tree, status=RuntimeStatus(), packages=packages
        )


async def _prebuild_font_cache(host_python: Path, tree: Path) -> None:
    """Scan the fonts once, as a sandbox would see them, into the tree.

    matplotlib rebuilds its font list (about a second) whenever its cache directory lacks
    one, which in a fresh sandbox is every run. The scan runs here with the tree's
    matplotlib and a throw-away home, fontconfig reading only `/usr/share/fonts` (what a
    sandbox has); matplotlib stores its own fonts relative to its data directory, so the
    list holds for the tree wherever it is mounted. `sitecustomize.py` copies it into a
    sandbox's writable cache directory at start.
    """
    cache = tree / FONT_CACHE
    cache.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="podrun-fonts-") as home:
        fonts_conf = Path(home) / "fonts.conf"
        fonts_conf.write_text(
            '<?xml version="1.0"?>\n<fontconfig><dir>/usr/share/fonts</dir>'
            f"<cachedir>{home}/fontconfig</cachedir></fontconfig>\n"
        )
        await _run(
            [str(host_python), "-c", "import matplotlib.font_manager"],
            lambda _: None,
            env={
                "PYTHONPATH": str(tree),
                "MPLCONFIGDIR": str(cache),
                "MPLBACKEND": "agg",
                "HOME": home,
                "FONTCONFIG_FILE": str(fonts_conf),
                "LD_LIBRARY_PATH": str(host_python.parent.parent / "lib"),
                "PATH": "/usr/bin",
            },
        )
    for leftover in cache.iterdir():  # matplotlib's rc and lock files: only the list ships
        if not leftover.name.startswith("fontlist-"):
            shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
    if not any(cache.iterdir()):
        raise BuildFailed("matplotlib wrote no font list")
    shutil.copyfile(SITECUSTOMIZE, tree / SITECUSTOMIZE.name)


def installed_packages(tree: Path) -> tuple[Package, ...]:
    """Name and version of every distribution installed in `tree`."""
    packages: list[Package] = []
    for metadata in sorted(tree.glob("*.dist-info/METADATA")):
        fields: dict[str, str] = {}
        for line in metadata.read_text(errors="replace").splitlines():
            if not line:
                break
            key, _, value = line.partition(": ")
            fields.setdefault(key, value.strip())
        if "Name" in fields and "Version" in fields:
            packages.append(Package(fields["Name"], fields["Version"]))
    return tuple(sorted(packages, key=lambda p: p.name.lower()))


def _pip_env() -> dict[str, str]:
    """The worker's environment for pip (its index, proxy and certificate settings)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PODRUN_")}


async def _run(
    argv: list[str],
    on_line: Callable[[str], None],
    *,
    env: dict[str, str],
    quiet_ok: bool = False,
) -> None:
    try:
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env=env,
        )
    except OSError as error:
        raise BuildFailed(f"cannot run {argv[0]}: {error.strerror}") from error
    assert process.stdout is not None
    tail: list[str] = []
    try:
        async for raw in process.stdout:
            line = raw.decode(errors="replace").rstrip()
            tail = [*tail[-19:], line]
            on_line(line)
        await process.wait()
    except BaseException:
        if process.returncode is None:
            process.kill()
            await process.wait()
        raise
    if process.returncode != 0 and not (quiet_ok and process.returncode == 1):
        detail = "\n".join(line for line in tail if "ERROR" in line or "error" in line)
        raise BuildFailed(
            f"{Path(argv[0]).name} {' '.join(argv[1:3])} failed (exit {process.returncode}): "
            f"{detail or chr(10).join(tail[-5:])}"
        )


def _short(requirement: str) -> str:
    """`numpy==2.3.5`, or a wheel's file name without its directory and tags."""
    name = requirement.rsplit("/", 1)[-1]
    return "-".join(name.split("-")[:2]) if name.endswith(".whl") else name
