"""Downloads follow the execution's ownership exactly: its owner and admins, with the API's
own credentials; anyone else (another user, no token, a bad token) gets what an unknown
file gets."""

from __future__ import annotations

import httpx
import pytest

from tests.auth.accounts import Account, register
from tests.support.client import Api

pytestmark = pytest.mark.bubblewrap

SUBMIT = """
mutation($input: ExecuteScriptInput!) {
  executeScript(input: $input) { __typename ... on Execution { id } }
}
"""
FILES = """
query($id: ID!) { execution(id: $id) { status outputFiles { path url } inputFiles { url } } }
"""


async def own_file(owner: Account) -> tuple[str, str]:
    submitted = (
        await owner.api.gql(
            SUBMIT,
            input={
                "script": "open('secret.txt', 'w').write('mine')",
                "files": [{"path": "given.txt", "content": "in"}],
            },
        )
    )["executeScript"]
    await owner.api.events(submitted["id"])
    execution = (await owner.api.gql(FILES, id=submitted["id"]))["execution"]
    assert execution["status"] == "COMPLETED", execution
    return execution["outputFiles"][0]["url"], execution["inputFiles"][0]["url"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_only_the_owner_and_admins_download(anonymous: Api, admin: Account) -> None:
    owner = await register(anonymous, "owner")
    other = await register(anonymous, "other")
    output, given = await own_file(owner)
    async with httpx.AsyncClient(base_url=anonymous.url) as http:
        mine = await http.get(output, headers=bearer(owner.access_token))
        assert (mine.status_code, mine.content) == (200, b"mine")
        assert (await http.get(given, headers=bearer(owner.access_token))).content == b"in"
        assert (await http.get(output, headers=bearer(admin.access_token))).content == b"mine"
        for refused in (
            await http.get(output, headers=bearer(other.access_token)),
            await http.get(given, headers=bearer(other.access_token)),
            await http.get(output),
        ):
            assert refused.status_code == 404
            assert b"mine" not in refused.content
        forged = await http.get(output, headers=bearer("not-a-token"))
        assert forged.status_code == 401
