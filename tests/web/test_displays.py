"""Displays in the web client: a matplotlib plot inline as an image, HTML in a sandboxed
iframe, in order with the output; the runtime picker shows versions and packages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.environments import CACHE, build_datascience_now
from tests.support.servers import PodrunProcess, StoreProcess
from tests.web.pages import open_editor, output, run, set_script, verdict

pytestmark = pytest.mark.environments

SCRIPT = """
import matplotlib.pyplot as plt
import podrun
print("before the plot")
plt.plot([0, 1, 2, 3], [0, 1, 4, 9], marker="o")
plt.title("squares")
plt.show()
podrun.display("<table><tr><th>n</th><td>9</td></tr></table>", mime_type="text/html")
print("after the table")
"""


@pytest.fixture(scope="module")
def web_server(
    web_dist: Path, store: StoreProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PodrunProcess]:
    """A `podrun serve` offering the datascience runtime (built once per machine)."""
    build_datascience_now()
    process = PodrunProcess(
        tmp_path_factory.mktemp("web-science"),
        ["serve"],
        env={
            "PODRUN_MONGODB_URI": store.uri,
            "PODRUN_DATABASE": "web-science",
            "PODRUN_LOCAL_ENVIRONMENTS": json.dumps(["datascience"]),
            "PODRUN_LOCAL_ENVIRONMENTS_DIR": str(CACHE),
        },
    ).start()
    yield process
    process.stop()


def _pick_datascience(page: Page) -> None:
    picker = page.get_by_label("Runtime")
    option = picker.locator("option", has_text="datascience")
    expect(option).to_be_enabled(timeout=60_000)  # ready once checked in a sandbox
    picker.select_option(value=str(option.get_attribute("value")))


def test_the_picker_shows_version_and_packages(page: Page) -> None:
    open_editor(page)
    _pick_datascience(page)
    info = page.get_by_test_id("runtime-info")
    expect(info).to_contain_text("numpy 2.3.5")
    expect(info).to_contain_text("matplotlib")


def test_a_plot_and_a_table_show_inline_in_order(page: Page, screenshots: Path) -> None:
    open_editor(page)
    _pick_datascience(page)
    set_script(page, SCRIPT)
    run(page)
    assert verdict(page) == "COMPLETED"
    displays = page.get_by_test_id("display")
    expect(displays).to_have_count(2)
    image = displays.nth(0).locator("img")
    expect(image).to_be_visible()
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 100", arg=image.element_handle()
    )
    frame = displays.nth(1).locator("iframe")
    # An empty sandbox: no scripts, an opaque origin of its own.
    assert frame.get_attribute("sandbox") == ""
    expect(page.frame_locator("iframe").locator("td")).to_have_text("9")
    text = output(page)
    assert text.index("before the plot") < text.index("after the table")
    kinds = page.locator("[data-testid=output] > *").evaluate_all(
        "nodes => nodes.map(n => n.dataset.testid === 'display' ? 'display' : n.textContent.trim())"
    )
    assert kinds == ["before the plot", "display", "display", "after the table"]
    page.get_by_test_id("output").evaluate("pane => { pane.scrollTop = 0; }")
    page.screenshot(path=str(screenshots / "plot-inline.png"), full_page=True)
