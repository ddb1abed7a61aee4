"""Files through the API: given with the run, left by it, told as FileEvents before the
verdict, downloaded over HTTP with ranges; bad files, arguments and variables are
InputErrors naming the field."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import httpx
import pytest

from tests.support.client import Api

pytestmark = pytest.mark.bubblewrap

FILE_FIELDS = "path size sha256 contentType url"
RUN = f"""
mutation($input: ExecuteScriptInput!) {{
  executeScript(input: $input) {{
    __typename
    ... on Execution {{ id inputFiles {{ {FILE_FIELDS} }} argv }}
    ... on InputError {{ message field }}
  }}
}}
"""
GET = f"""
query($id: ID!) {{ execution(id: $id) {{
  status exitCode stdout stderr
  inputFiles {{ {FILE_FIELDS} }} outputFiles {{ {FILE_FIELDS} }} skippedFiles {{ path reason }}
}} }}
"""
EVENTS = f"""
subscription($id: ID!) {{
  executionEvents(id: $id) {{
    __typename
    ... on StatusEvent {{ seq status }}
    ... on OutputEvent {{ seq data }}
    ... on FileEvent {{ seq file {{ {FILE_FIELDS} }} }}
  }}
}}
"""


async def submit(api: Api, script: str, **fields: Any) -> dict[str, Any]:
    data = await api.gql(RUN, input={"script": script, **fields})
    result: dict[str, Any] = data["executeScript"]
    return result


async def finish(api: Api, execution_id: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    events = [
        e["executionEvents"] async for e in api.client.subscribe(EVENTS, {"id": execution_id})
    ]
    execution = (await api.gql(GET, id=execution_id))["execution"]
    return events, execution


async def test_a_csv_in_and_a_png_out(api: Api) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    script = (
        "import base64, csv, sys\n"
        "rows = list(csv.reader(open('data.csv')))\n"
        "print(len(rows), sys.argv[1:])\n"
        f"open('plot.png', 'wb').write(base64.b64decode({base64.b64encode(png).decode()!r}))\n"
        "open('notes/summary.txt', 'w').write('sum')\n"
    )
    submitted = await submit(
        api,
        script,
        files=[
            {"path": "data.csv", "content": "a,b\n1,2\n3,4\n"},
            {
                "path": "notes/keep.txt",
                "content": base64.b64encode(b"kept").decode(),
                "encoding": "BASE64",
            },
        ],
        argv=["--rows", "all"],
    )
    assert submitted["__typename"] == "Execution", submitted
    assert submitted["argv"] == ["--rows", "all"]
    assert [f["path"] for f in submitted["inputFiles"]] == ["data.csv", "notes/keep.txt"]
    events, execution = await finish(api, submitted["id"])
    assert execution["status"] == "COMPLETED", execution
    assert execution["stdout"] == "3 ['--rows', 'all']\n"
    outputs = {f["path"]: f for f in execution["outputFiles"]}
    # Inputs left as they were are not outputs.
    assert set(outputs) == {"plot.png", "notes/summary.txt"}
    assert outputs["plot.png"]["contentType"] == "image/png"
    assert outputs["plot.png"]["size"] == len(png)
    assert outputs["plot.png"]["sha256"] == hashlib.sha256(png).hexdigest()
    assert outputs["notes/summary.txt"]["contentType"] == "text/plain; charset=utf-8"
    assert execution["skippedFiles"] == []
    # One FileEvent per stored file, after the output and before the verdict, seqs unbroken.
    kinds = [e["__typename"] for e in events]
    assert kinds[-3:] == ["FileEvent", "FileEvent", "StatusEvent"]
    assert {e["file"]["path"] for e in events if e["__typename"] == "FileEvent"} == set(outputs)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))

    async with httpx.AsyncClient(base_url=api.url) as http:
        response = await http.get(outputs["plot.png"]["url"])
        assert response.status_code == 200
        assert response.content == png
        assert response.headers["content-type"] == "image/png"
        assert response.headers["content-disposition"].startswith('attachment; filename="plot.png"')
        assert response.headers["x-content-type-options"] == "nosniff"
        part = await http.get(outputs["plot.png"]["url"], headers={"Range": "bytes=8-15"})
        assert part.status_code == 206
        assert part.content == png[8:16]
        assert part.headers["content-range"] == f"bytes 8-15/{len(png)}"
        tail = await http.get(outputs["plot.png"]["url"], headers={"Range": "bytes=-4"})
        assert tail.content == png[-4:]
        beyond = await http.get(outputs["plot.png"]["url"], headers={"Range": "bytes=99999-"})
        assert beyond.status_code == 416
        given = await http.get(execution["inputFiles"][1]["url"])
        assert given.content == b"kept"
        other = await http.get(f"/executions/{submitted['id']}/files/000000000000000000000000")
        assert other.status_code == 404


async def test_a_second_run_does_not_see_the_first_runs_files(api: Api) -> None:
    first = await submit(api, "open('left.txt', 'w').write('x')")
    await finish(api, first["id"])
    second = await submit(api, "import os; print(sorted(os.listdir('.')))")
    _, execution = await finish(api, second["id"])
    assert execution["stdout"] == "['main.py']\n"
    assert execution["outputFiles"] == []


async def test_environment_variables_reach_the_script(api: Api) -> None:
    submitted = await submit(
        api,
        "import os; print(os.environ['MODE'], os.environ['EMPTY'] == '')",
        env=[{"name": "MODE", "value": "fast"}, {"name": "EMPTY", "value": ""}],
    )
    _, execution = await finish(api, submitted["id"])
    assert execution["stdout"] == "fast True\n"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"files": [{"path": "../escape", "content": "x"}]}, "files[0].path"),
        ({"files": [{"path": "/etc/passwd", "content": "x"}]}, "files[0].path"),
        (
            {"files": [{"path": "a", "content": "1"}, {"path": "b\u0000c", "content": "2"}]},
            "files[1].path",
        ),
        ({"files": [{"path": "a\nb", "content": "x"}]}, "files[0].path"),
        ({"files": [{"path": "", "content": "x"}]}, "files[0].path"),
        ({"files": [{"path": "x" * 2000, "content": "x"}]}, "files[0].path"),
        ({"files": [{"path": "a/./b", "content": "x"}]}, "files[0].path"),
        ({"files": [{"path": "main.py", "content": "x"}]}, "files[0].path"),
        (
            {
                "files": [
                    {"path": "d", "content": "1"},
                    {"path": "e", "content": "2"},
                    {"path": "d", "content": "3"},
                ]
            },
            "files[2].path",
        ),
        (
            {"files": [{"path": "d", "content": "1"}, {"path": "d/e", "content": "2"}]},
            "files[1].path",
        ),
        (
            {
                "files": [{"path": "big", "content": "x" * (2 * 1024 * 1024)}],
                "limits": {"diskMib": 1},
            },
            "files[0].content",
        ),
        (
            {"files": [{"path": "b", "content": "not base64!", "encoding": "BASE64"}]},
            "files[0].content",
        ),
        ({"env": [{"name": "PYTHONPATH", "value": "/tmp"}]}, "env[0].name"),
        (
            {"env": [{"name": "OK", "value": "1"}, {"name": "LD_PRELOAD", "value": "x.so"}]},
            "env[1].name",
        ),
        ({"env": [{"name": "PATH", "value": "/tmp"}]}, "env[0].name"),
        ({"env": [{"name": "lc_all", "value": "C"}]}, "env[0].name"),
        ({"env": [{"name": "1BAD", "value": "x"}]}, "env[0].name"),
        ({"env": [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}]}, "env[1].name"),
        ({"env": [{"name": "A", "value": "nul\u0000"}]}, "env[0].value"),
        ({"argv": ["fine", "nul\u0000"]}, "argv[1]"),
    ],
)
async def test_bad_files_arguments_and_variables_are_input_errors(
    api: Api, fields: dict[str, Any], field: str
) -> None:
    result = await submit(api, "print(1)", **fields)
    assert result["__typename"] == "InputError", result
    assert result["field"] == field, result


async def test_an_anonymous_idempotency_key_is_bound_to_the_files(api: Api) -> None:
    key = {"idempotencyKey": "files-key-1"}
    first = await submit(api, "print(1)", files=[{"path": "secret.txt", "content": "mine"}], **key)
    again = await submit(api, "print(1)", files=[{"path": "secret.txt", "content": "mine"}], **key)
    guess = await submit(api, "print(1)", files=[{"path": "secret.txt", "content": "guess"}], **key)
    assert again["id"] == first["id"]
    assert guess["id"] != first["id"]
    await finish(api, first["id"])
    await finish(api, guess["id"])
