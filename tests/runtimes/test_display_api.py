"""Displays through the API: `DisplayEvent`s in the event log, numbered among the output,
text as UTF-8 and images as base64, replayed from the store like any event."""

from __future__ import annotations

import base64

import httpx

from tests.support.client import Api, output_of

SCRIPT = """
import podrun
print("table:")
podrun.display("<table><tr><td>1</td></tr></table>", mime_type="text/html")
podrun.display('<svg xmlns="http://www.w3.org/2000/svg"/>', mime_type="image/svg+xml")
podrun.display(bytes(range(256)), mime_type="image/png")
print("done")
"""


async def test_displays_are_events_in_order_with_the_output(api: Api) -> None:
    execution = await api.run(SCRIPT)
    assert execution["status"] == "COMPLETED"
    events = await api.events(execution["id"])
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    displays = [e for e in events if e["__typename"] == "DisplayEvent"]
    assert [d["mimeType"] for d in displays] == ["text/html", "image/svg+xml", "image/png"]
    assert displays[0]["data"] == "<table><tr><td>1</td></tr></table>"
    assert displays[1]["data"].startswith("<svg")
    assert base64.b64decode(displays[2]["data"]) == bytes(range(256))
    # Displays never reach stdout, and sit between the output around them.
    assert output_of(events) == "table:\ndone\n"
    assert execution["stdout"] == "table:\ndone\n"
    kinds = [e["__typename"] for e in events if e["__typename"] != "StatusEvent"]
    first, last = kinds.index("DisplayEvent"), len(kinds) - 1 - kinds[::-1].index("DisplayEvent")
    assert "OutputEvent" in kinds[:first] and "OutputEvent" in kinds[last:]


async def test_runtimes_list_their_status_and_packages(api: Api) -> None:
    data = await api.gql(
        "{ runtimes { id default version description packages { name version } "
        "status { state message } } }"
    )
    runtimes = data["runtimes"]
    default = next(r for r in runtimes if r["default"])
    assert default["status"] == {"state": "READY", "message": None}
    assert default["packages"] == []
    assert default["description"].startswith("Python ")


IMAGE_FILES = """
import podrun
podrun.display(b"\\x89PNG not really", mime_type="image/png")
podrun.display("<b>not an image</b>", mime_type="text/html")
open("left.txt", "w").write("mine")
"""
# `file` is File on DisplayEvent (only images have one) and File! on FileEvent: GraphQL
# wants an alias for one of them when a document selects both.
DISPLAY_FILES = """
subscription($id: ID!) { executionEvents(id: $id) { __typename
  ... on DisplayEvent { seq mimeType image: file { path size sha256 contentType url } }
  ... on FileEvent { seq file { path } } } }
"""


async def test_a_displayed_image_is_also_one_of_the_runs_files(api: Api) -> None:
    execution = await api.run(IMAGE_FILES)
    assert execution["status"] == "COMPLETED"
    events = [
        e["executionEvents"]
        async for e in api.client.subscribe(DISPLAY_FILES, {"id": execution["id"]})
    ]
    image, html = [e for e in events if e["__typename"] == "DisplayEvent"]
    assert html["image"] is None
    file = image["image"]
    assert file["path"] == f".podrun/displays/display-{image['seq']}.png"
    assert file["contentType"] == "image/png" and file["size"] == len(b"\x89PNG not really")
    data = await api.gql(
        "query($id: ID!) { execution(id: $id) { outputFiles { path url } } }",
        id=execution["id"],
    )
    outputs = {f["path"]: f["url"] for f in data["execution"]["outputFiles"]}
    assert set(outputs) == {file["path"], "left.txt"}
    async with httpx.AsyncClient(base_url=api.url) as http:
        response = await http.get(file["url"])
    assert response.status_code == 200 and response.content == b"\x89PNG not really"
