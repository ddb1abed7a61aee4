"""The data-science environment: built once into a read-only tree, offered as its own
runtime with its packages, working under its defaults, plots arriving as PNG displays; a
build that fails is listed as failed and not offered."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from service.adapters.sandbox.local import LocalBackendConfig, LocalSandboxBackend
from service.adapters.sandbox.local.environments import (
    FONT_CACHE,
    EnvironmentBuilder,
    EnvironmentDefinition,
)
from service.domain.runtimes import RuntimeCatalog, RuntimeState
from service.entrypoints.environments import build_one
from tests.support.client import Api
from tests.support.environments import CACHE, build_datascience
from tests.support.png import decode_png
from tests.support.servers import PodrunProcess, StoreProcess

pytestmark = pytest.mark.environments

RUNTIME = "python3-datascience"
RUNTIMES = "{ runtimes { id aliases status { state message } packages { name version } } }"


@pytest_asyncio.fixture(scope="module")
async def sandboxes() -> AsyncIterator[LocalSandboxBackend]:
    backend = LocalSandboxBackend(LocalBackendConfig(warm_sandboxes=0))
    await backend.start()
    yield backend
    await backend.close()


@pytest_asyncio.fixture(scope="module")
async def built(sandboxes: LocalSandboxBackend) -> Path:
    """The tree, built once per machine (the first build takes about 80 s)."""
    return await build_datascience(sandboxes)


@pytest.fixture(scope="module")
def science_server(
    built: Path, store: StoreProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PodrunProcess]:
    process = PodrunProcess(
        tmp_path_factory.mktemp("science"),
        ["serve"],
        env={
            "PODRUN_MONGODB_URI": store.uri,
            "PODRUN_DATABASE": "science",
            "PODRUN_LOCAL_ENVIRONMENTS": json.dumps(["datascience"]),
            "PODRUN_LOCAL_ENVIRONMENTS_DIR": str(CACHE),
        },
    ).start()
    yield process
    process.stop()


@pytest_asyncio.fixture
async def science(science_server: PodrunProcess) -> Api:
    api = Api(science_server.url)
    for _ in range(600):  # the check in a sandbox runs after the server answers
        runtimes = (await api.gql(RUNTIMES))["runtimes"]
        state = next(r for r in runtimes if RUNTIME in r["aliases"])["status"]["state"]
        if state != "BUILDING":
            break
        await asyncio.sleep(0.1)
    return api


async def test_the_environment_is_a_runtime_listing_its_packages(science: Api) -> None:
    runtimes = (await science.gql(RUNTIMES))["runtimes"]
    runtime = next(r for r in runtimes if RUNTIME in r["aliases"])
    assert runtime["id"].endswith("-datascience")
    assert runtime["status"] == {"state": "READY", "message": None}
    packages = {p["name"].lower(): p["version"] for p in runtime["packages"]}
    for name in ("numpy", "pandas", "scipy", "scikit-learn", "matplotlib", "pillow", "sympy"):
        assert name in packages
    assert packages["numpy"] == "2.3.5"


async def test_the_bare_interpreter_does_not_see_the_packages(science: Api) -> None:
    execution = await science.run("import numpy")
    assert execution["status"] == "FAILED"
    assert "ModuleNotFoundError" in execution["stderr"]


async def test_numpy_pandas_scikit_learn_and_matplotlib_work(science: Api) -> None:
    script = """
import numpy as np, pandas as pd
from sklearn.linear_model import LinearRegression
import matplotlib
frame = pd.DataFrame({"x": np.arange(20), "y": np.arange(20) * 3.0 + 1})
model = LinearRegression().fit(frame[["x"]], frame["y"])
print(round(float(model.coef_[0]), 6), round(float(model.intercept_), 6))
print(frame.describe().loc["mean", "y"])
print(matplotlib.get_backend())
"""
    execution = await science.run(script, runtime=RUNTIME)
    assert execution["status"] == "COMPLETED", execution["stderr"]
    assert execution["stdout"].splitlines() == [
        "3.0 1.0",
        "29.5",
        "module://podrun.matplotlib_backend",
    ]
    # The runtime's own defaults (its imports need more than the server's 128 MiB).
    assert execution["limits"]["memoryMib"] == 256


async def test_a_plot_arrives_as_a_png_display(science: Api) -> None:
    script = """
import matplotlib.pyplot as plt
plt.plot([1, 2, 3], [1, 4, 9])
plt.title("squares")
plt.show()
print("shown")
plt.figure()
plt.bar(["a", "b"], [3, 5])
"""  # the second figure is still open at exit
    execution = await science.run(script, runtime=RUNTIME)
    assert execution["status"] == "COMPLETED", execution["stderr"]
    assert execution["stdout"] == "shown\n"
    assert execution["stderr"] == ""
    events = await science.events(execution["id"])
    displays = [e for e in events if e["__typename"] == "DisplayEvent"]
    assert [d["mimeType"] for d in displays] == ["image/png", "image/png"]
    for display in displays:
        image = decode_png(base64.b64decode(display["data"]))
        assert image.width > 100 and image.height > 100
    kinds = [e["__typename"] for e in events if e["__typename"] != "StatusEvent"]
    assert kinds == ["DisplayEvent", "OutputEvent", "DisplayEvent"]


async def test_a_failed_build_is_failed_and_not_offered(
    sandboxes: LocalSandboxBackend, tmp_path: Path
) -> None:
    requirements = tmp_path / "broken.txt"
    requirements.write_text(
        "# Broken on purpose: the hash is not six's.\nsix==1.17.0 \\\n    --hash=sha256:"
        + "0" * 64
        + "\n"
    )
    definition = EnvironmentDefinition.read(requirements)
    base = next(r for r in sandboxes.runtimes() if r.default)
    catalog = RuntimeCatalog(sandboxes.runtimes())
    builder = EnvironmentBuilder(tmp_path / "trees")
    runtime = await build_one(sandboxes, builder, base, definition, put=catalog.put)
    assert runtime.status.state is RuntimeState.FAILED
    assert "hash" in (runtime.status.message or "").lower()
    listed = catalog.lookup(runtime.id)
    assert listed is not None and listed.status.state is RuntimeState.FAILED
    assert catalog.find(runtime.id) is None
    # Nothing half-installed is left where a tree would be.
    assert not builder.tree(base, definition).exists()


async def test_matplotlib_uses_the_font_cache_built_with_the_environment(
    science: Api, built: Path
) -> None:
    (prebuilt,) = (built / FONT_CACHE).glob("fontlist-*.json")
    script = """
import hashlib, logging, pathlib
said = []
class Keep(logging.Handler):
    def emit(self, record):
        said.append(record.getMessage())
logging.getLogger("matplotlib.font_manager").addHandler(Keep())
logging.getLogger("matplotlib.font_manager").setLevel(logging.DEBUG)
import matplotlib, matplotlib.pyplot as plt
from matplotlib import font_manager
cache = pathlib.Path(matplotlib.get_cachedir(), f"fontlist-v{font_manager.FontManager.__version__}.json")
print(cache)
print(hashlib.sha256(cache.read_bytes()).hexdigest())
print(any(m.startswith("Using fontManager instance from") for m in said))
print(any("generated new fontManager" in m for m in said))
print(font_manager.findfont("DejaVu Sans"))
"""
    execution = await science.run(script, runtime=RUNTIME)
    assert execution["status"] == "COMPLETED", execution["stderr"]
    assert "building the font cache" not in execution["stderr"]
    path, digest, used, generated, font = execution["stdout"].splitlines()
    # The sandbox's own cache directory holds the environment's list, read, not rebuilt.
    assert path == f"/tmp/.cache/matplotlib/{prebuilt.name}"
    assert digest == hashlib.sha256(prebuilt.read_bytes()).hexdigest()
    assert (used, generated) == ("True", "False")
    assert font.endswith("DejaVuSans.ttf")
