"""Batches against a real server: 50 inputs, some invalid, answered one by one in order."""

from __future__ import annotations

from typing import Any

from tests.auth.accounts import register
from tests.support.client import Api
from tests.webhooks.calls import until
from tests.webhooks.conftest import USER_CONCURRENT

BATCH = """
mutation($inputs: [ExecuteScriptInput!]!) {
  executeScripts(inputs: $inputs) {
    __typename
    ... on Execution { id status stdin }
    ... on InputError { message field }
    ... on QuotaExceeded { message }
  }
}
"""
BY_IDS = """
query($ids: [ID!]) {
  executions(ids: $ids) { edges { cursor node { id status stdout } } }
}
"""


def case(index: int) -> dict[str, Any]:
    if index % 7 == 3:
        return {"script": "   "}  # empty
    if index % 11 == 5:
        return {"script": "print(1)", "runtime": "cobol"}
    if index % 13 == 8:
        return {"script": "print(1)", "limits": {"timeoutSeconds": -1}}
    return {"script": "import sys; print(int(sys.stdin.read()) * 2)", "stdin": str(index)}


async def test_a_batch_of_fifty_answers_each_input_in_order(hooks_api: Api) -> None:
    user = await register(hooks_api, "batch")
    inputs = [case(i) for i in range(50)]
    answers = (await user.api.gql(BATCH, inputs=inputs))["executeScripts"]
    assert len(answers) == 50
    accepted = []
    for index, (asked, answer) in enumerate(zip(inputs, answers, strict=True)):
        if "stdin" in asked:
            assert answer["__typename"] == "Execution", (index, answer)
            assert answer["stdin"] == str(index)
            accepted.append((index, answer["id"]))
        else:
            assert answer["__typename"] == "InputError", (index, answer)
            assert answer["field"].startswith(f"inputs[{index}]")
    assert answers[3]["field"] == "inputs[3].script"
    assert answers[5]["field"] == "inputs[5].runtime"

    ids = [execution_id for _, execution_id in reversed(accepted)]

    async def all_done() -> list[dict[str, Any]]:
        edges = (await user.api.gql(BY_IDS, ids=ids))["executions"]["edges"]
        nodes = [e["node"] for e in edges]
        return nodes if all(n["status"] == "COMPLETED" for n in nodes) else []

    nodes = await until("the batch to finish", all_done, timeout=120)
    # In the order asked, each with its own output.
    assert [n["id"] for n in nodes] == ids
    for (index, _), node in zip(reversed(accepted), nodes, strict=True):
        assert node["stdout"] == f"{index * 2}\n"
    # Someone else asking for the same ids sees none of them.
    stranger = await register(hooks_api, "stranger")
    assert (await stranger.api.gql(BY_IDS, ids=ids))["executions"]["edges"] == []


async def test_a_batch_over_the_quota_refuses_only_the_inputs_past_it(hooks_api: Api) -> None:
    user = await register(hooks_api, "quota")
    # A user may have USER_CONCURRENT executions unfinished at once: these wait for stdin
    # until cancelled, so the batch's first ones take the quota and the rest are refused,
    # each on its own.
    waiting = {"script": "input()", "interactive": True, "limits": {"timeoutSeconds": 60}}
    answers = (await user.api.gql(BATCH, inputs=[waiting] * (USER_CONCURRENT + 4)))[
        "executeScripts"
    ]
    try:
        kinds = [a["__typename"] for a in answers]
        assert kinds == ["Execution"] * USER_CONCURRENT + ["QuotaExceeded"] * 4
    finally:
        for answer in answers:
            if answer["__typename"] == "Execution":
                await user.api.cancel(answer["id"])


async def test_a_batch_past_its_largest_size_refuses_every_input(hooks_api: Api) -> None:
    answers = (await hooks_api.gql(BATCH, inputs=[{"script": "pass"}] * 101))["executeScripts"]
    assert {a["__typename"] for a in answers} == {"InputError"} and len(answers) == 101
    assert "at most 100" in answers[0]["message"]
