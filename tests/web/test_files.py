"""The files a run leaves, in the web client: listed with their size, images previewed
inline, each downloadable with the page's own credentials; skipped ones say why."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.web.pages import open_editor, output, run, set_script, verdict

pytestmark = pytest.mark.timeout(180)

# A 1x1 PNG.
PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def test_output_files_are_listed_previewed_and_downloaded(page: Page) -> None:
    open_editor(page)
    set_script(
        page,
        "import base64, os\n"
        f"open('dot.png', 'wb').write(base64.b64decode('{PNG}'))\n"
        "open('table.csv', 'w').write('a,b\\n1,2\\n')\n"
        "os.symlink('/etc/passwd', 'link')\n",
    )
    run(page)
    assert verdict(page) == "COMPLETED"
    files = page.get_by_test_id("output-file")
    expect(files).to_have_count(2)
    expect(page.locator('[data-path="table.csv"]')).to_contain_text("8 B")
    expect(page.get_by_test_id("file-preview")).to_have_attribute("alt", "dot.png")
    expect(page.get_by_test_id("skipped-file")).to_contain_text("symbolic link")
    with page.expect_download() as caught:
        page.locator('[data-path="table.csv"] button').click()
    download = caught.value
    assert download.suggested_filename == "table.csv"
    path = download.path()
    assert path is not None and path.read_text() == "a,b\n1,2\n"


def test_attached_files_are_in_work_when_the_script_starts(page: Page, tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    data.write_bytes(b"x\n1\n2\n\xff")
    open_editor(page)
    page.get_by_test_id("attach-files").set_input_files(str(data))
    expect(page.get_by_test_id("attached-files")).to_contain_text("data.csv")
    set_script(page, "print(open('data.csv', 'rb').read())\n")
    run(page)
    assert verdict(page) == "COMPLETED"
    assert output(page) == "b'x\\n1\\n2\\n\\xff'\n"
