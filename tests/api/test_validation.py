"""Bad input gets a clear error as data, naming the field, and nothing is queued."""

from __future__ import annotations

import httpx
import pytest

from tests.support.client import Api


@pytest.mark.parametrize(
    ("limits", "field"),
    [
        ({"timeoutSeconds": 0}, "limits.timeoutSeconds"),
        ({"timeoutSeconds": -1}, "limits.timeoutSeconds"),
        ({"timeoutSeconds": 100000}, "limits.timeoutSeconds"),
        ({"memoryMib": 1}, "limits.memoryMib"),
        ({"memoryMib": 1_000_000}, "limits.memoryMib"),
        ({"cpuMillicores": 0}, "limits.cpuMillicores"),
        ({"cpuMillicores": 100_000}, "limits.cpuMillicores"),
        ({"maxProcesses": 0}, "limits.maxProcesses"),
        ({"maxProcesses": 100_000}, "limits.maxProcesses"),
        ({"maxOutputBytes": 0}, "limits.maxOutputBytes"),
        ({"maxOutputBytes": 2_000_000_000}, "limits.maxOutputBytes"),
        ({"diskMib": 0}, "limits.diskMib"),
        ({"diskMib": 1_000_000}, "limits.diskMib"),
    ],
)
async def test_out_of_range_limits_are_input_errors(api: Api, limits: dict, field: str) -> None:
    result = await api.submit("print(1)", limits=limits)
    assert result["__typename"] == "InputError"
    assert result["field"] == field
    assert "between" in result["message"]


async def test_empty_script_is_rejected(api: Api) -> None:
    result = await api.submit("   \n")
    assert result == {
        "__typename": "InputError",
        "message": "script must not be empty",
        "field": "script",
    }


async def test_oversized_script_is_rejected(api: Api) -> None:
    result = await api.submit("#" * (300 * 1024))
    assert result["__typename"] == "InputError"
    assert result["field"] == "script"


async def test_unknown_runtime_lists_the_available_ones(api: Api) -> None:
    result = await api.submit("print(1)", runtime="cobol-85")
    assert result["__typename"] == "InputError"
    assert result["field"] == "runtime"
    runtimes = (await api.gql("{ runtimes { id } }"))["runtimes"]
    assert runtimes[0]["id"] in result["message"]


async def test_nul_in_script_is_rejected(api: Api) -> None:
    result = await api.submit("print(1)\x00")
    assert result["__typename"] == "InputError"
    assert result["field"] == "script"


async def test_wrong_types_are_graphql_errors_not_crashes(api: Api) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.post(
            api.client.url,
            json={
                "query": 'mutation { executeScript(input: {script: "x", limits: {memoryMib: "lots"}}) { __typename } }'
            },
        )
    assert response.status_code == 200
    body = response.json()
    assert body["errors"]
    assert "Int cannot represent" in body["errors"][0]["message"]


async def test_malformed_request_body_is_a_400(api: Api) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.post(
            api.client.url, content=b"{not json", headers={"content-type": "application/json"}
        )
    assert response.status_code == 400


async def test_defaults_apply_to_omitted_limits(api: Api) -> None:
    result = await api.submit("print(1)", limits={"memoryMib": 256})
    assert result["__typename"] == "Execution"
    assert result["limits"] == {
        "timeoutSeconds": 5.0,
        "memoryMib": 256,
        "cpuMillicores": 1000,
        "maxProcesses": 64,
        "maxOutputBytes": 1024 * 1024,
        "diskMib": 16,
    }
