"""The web client in headless Debian Chromium against a real `podrun serve`.

The built client (web/dist) is what `podrun serve` serves; the session builds it when it is
missing or older than its sources, as scripts/dev.sh does. Screenshots go to a temporary
directory, or to $PODRUN_SCREENSHOTS (the README's come from
`PODRUN_SCREENSHOTS=docs/screenshots python3 -m pytest tests/web`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.servers import REPO, PodrunProcess

WEB = REPO / "web"
CHROMIUM = Path("/usr/bin/chromium")


def _stale(dist_index: Path) -> bool:
    if not dist_index.is_file():
        return True
    built = dist_index.stat().st_mtime
    sources = [
        WEB / "index.html",
        WEB / "package.json",
        WEB / "vite.config.ts",
        *(WEB / "src").rglob("*"),
        *(WEB / "public").rglob("*"),
    ]
    return any(path.is_file() and path.stat().st_mtime > built for path in sources)


@pytest.fixture(scope="session")
def web_dist() -> Path:
    """web/dist, built from the current sources."""
    index = WEB / "dist" / "index.html"
    if _stale(index):
        if shutil.which("npm") is None or not (WEB / "node_modules").is_dir():
            pytest.skip(
                "the web client is not built and web/node_modules is missing: "
                "run `bash scripts/dev.sh` (or `cd web && npm ci`)"
            )
        subprocess.run(["npm", "run", "build", "--silent"], cwd=WEB, check=True, timeout=300)
    return index.parent


@pytest.fixture(scope="session")
def web_server(web_dist: Path, server: PodrunProcess) -> PodrunProcess:
    """The session's `podrun serve`, which serves the client at `/`."""
    return server


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs the `playwright` package")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, web_server: PodrunProcess) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=web_server.url, viewport={"width": 1280, "height": 860})
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = os.environ.get("PODRUN_SCREENSHOTS")
    path = Path(target) if target else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path
