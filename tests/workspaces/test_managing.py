"""Workspaces against a real store and real GridFS: what their owner can do with them, what
another user cannot, the storage quota as data, and that changes replace the manifest whole."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from pymongo import AsyncMongoClient

from service.adapters.store.connection import connect
from service.adapters.store.files import GridFsBlobStore
from service.adapters.store.workspaces import MongoWorkspaceRepository
from service.domain.accounts import Principal, PrincipalKind, Role
from service.domain.files import FileContent
from service.domain.workspaces import Workspace
from service.services.problems import AuthProblem, InputProblem, NotFound, StorageQuotaProblem
from service.services.workspaces.managing import Workspaces
from tests.support.servers import StoreProcess

Client = AsyncMongoClient[dict[str, object]]
DATABASE = "workspaces"
QUOTA = 1000


@pytest_asyncio.fixture(scope="module")
async def client(store: StoreProcess) -> AsyncIterator[Client]:
    connected = await connect(store.uri, DATABASE)
    yield connected
    await connected.close()


@pytest.fixture
def blobs(client: Client) -> GridFsBlobStore:
    return GridFsBlobStore(client[DATABASE])


@pytest.fixture
def workspaces(client: Client, blobs: GridFsBlobStore) -> Workspaces:
    return Workspaces(MongoWorkspaceRepository(), blobs, quota_bytes=QUOTA)


def user(role: Role = Role.USER) -> Principal:
    return Principal(kind=PrincipalKind.USER, user_id=uuid.uuid4().hex, username="u", role=role)


async def created(workspaces: Workspaces, owner: Principal, name: str = "proj") -> Workspace:
    workspace = await workspaces.create(owner, name)
    assert isinstance(workspace, Workspace)
    return workspace


async def test_files_written_are_kept_and_read_back(workspaces: Workspaces) -> None:
    owner = user()
    workspace = await created(workspaces, owner)
    changed = await workspaces.write_files(
        owner, workspace.id, [FileContent("a.txt", b"one"), FileContent("data/b.csv", b"1,2\n")]
    )
    assert isinstance(changed, Workspace)
    assert (changed.file_count, changed.size_bytes) == (2, 7)
    again = await workspaces.write_files(owner, workspace.id, [FileContent("a.txt", b"three")])
    assert isinstance(again, Workspace)
    assert [f.path for f in again.files_under(None)] == ["a.txt", "data/b.csv"]
    assert [f.path for f in again.files_under("data/")] == ["data/b.csv"]
    assert await workspaces.read(owner, workspace.id, "a.txt") == b"three"
    assert [w.name for w in await workspaces.of_caller(owner)] == ["proj"]


async def test_a_name_is_unique_per_owner(workspaces: Workspaces) -> None:
    owner = user()
    await created(workspaces, owner, "same")
    taken = await workspaces.create(owner, "same")
    assert isinstance(taken, InputProblem) and taken.field == "name"
    await created(workspaces, user(), "same")  # another owner may use it
    bad = await workspaces.create(owner, "../x")
    assert isinstance(bad, InputProblem) and bad.field == "name"


async def test_bad_paths_are_input_errors_naming_the_file(workspaces: Workspaces) -> None:
    owner = user()
    workspace = await created(workspaces, owner)
    refused = await workspaces.write_files(
        owner, workspace.id, [FileContent("ok.txt", b""), FileContent("../etc/passwd", b"x")]
    )
    assert isinstance(refused, InputProblem) and refused.field == "files[1].path"
    unchanged = await workspaces.get(owner, workspace.id)
    assert unchanged is not None and unchanged.file_count == 0


async def test_files_are_deleted_by_path_or_prefix(
    workspaces: Workspaces, blobs: GridFsBlobStore
) -> None:
    owner = user()
    workspace = await created(workspaces, owner)
    files = [FileContent(p, b"x") for p in ("keep.txt", "gone.txt", "out/1", "out/2")]
    full = await workspaces.write_files(owner, workspace.id, files)
    assert isinstance(full, Workspace)
    gone_blob = next(f.blob_id for f in full.files if f.path == "gone.txt")
    left = await workspaces.delete_files(
        owner, workspace.id, paths=["gone.txt", "never.txt"], prefixes=["out/"]
    )
    assert isinstance(left, Workspace)
    assert [f.path for f in left.files] == ["keep.txt"]
    assert await blobs.get(gone_blob) is None  # its content went with it


async def test_deleting_a_workspace_removes_its_contents(
    workspaces: Workspaces, blobs: GridFsBlobStore
) -> None:
    owner = user()
    workspace = await created(workspaces, owner)
    full = await workspaces.write_files(owner, workspace.id, [FileContent("a", b"data")])
    assert isinstance(full, Workspace)
    assert await workspaces.delete(owner, workspace.id) is True
    assert await workspaces.get(owner, workspace.id) is None
    assert await blobs.get(full.files[0].blob_id) is None
    assert await workspaces.delete(owner, workspace.id) is False


async def test_the_storage_quota_counts_all_of_a_users_workspaces(
    workspaces: Workspaces,
) -> None:
    owner = user()
    first = await created(workspaces, owner, "first")
    second = await created(workspaces, owner, "second")
    assert isinstance(
        await workspaces.write_files(owner, first.id, [FileContent("a", b"x" * 600)]), Workspace
    )
    refused = await workspaces.write_files(owner, second.id, [FileContent("b", b"y" * 500)])
    assert isinstance(refused, StorageQuotaProblem)
    assert (refused.used_bytes, refused.quota_bytes) == (600, QUOTA)
    still = await workspaces.get(owner, second.id)
    assert still is not None and still.file_count == 0
    # Freeing room makes the same write succeed.
    await workspaces.delete_files(owner, first.id, paths=["a"])
    assert isinstance(
        await workspaces.write_files(owner, second.id, [FileContent("b", b"y" * 500)]), Workspace
    )


async def test_another_user_cannot_see_or_change_it_but_an_admin_can(
    workspaces: Workspaces,
) -> None:
    owner, stranger = user(), user()
    workspace = await created(workspaces, owner)
    await workspaces.write_files(owner, workspace.id, [FileContent("secret", b"s")])
    assert await workspaces.get(stranger, workspace.id) is None
    assert await workspaces.read(stranger, workspace.id, "secret") is None
    assert await workspaces.of_caller(stranger) == []
    refused = await workspaces.write_files(stranger, workspace.id, [FileContent("x", b"")])
    assert not isinstance(refused, Workspace)
    assert await workspaces.delete(stranger, workspace.id) is False
    anonymous = await workspaces.create(Principal(kind=PrincipalKind.ANONYMOUS), "mine")
    assert isinstance(anonymous, AuthProblem)
    admin = user(Role.ADMIN)
    seen = await workspaces.get(admin, workspace.id)
    assert seen is not None and seen.file_count == 1


async def test_a_run_applies_its_changes_to_the_workspace_as_it_is_now(
    workspaces: Workspaces,
) -> None:
    owner = user()
    workspace = await created(workspaces, owner)
    before = await workspaces.write_files(
        owner, workspace.id, [FileContent("same", b"1"), FileContent("deleted", b"2")]
    )
    assert isinstance(before, Workspace)
    same_blob = next(f.blob_id for f in before.files if f.path == "same")
    # The owner writes a file while the run goes on: the run's changes land beside it.
    during = await workspaces.write_files(owner, workspace.id, [FileContent("during", b"d")])
    assert isinstance(during, Workspace)
    after = await workspaces.apply_run(
        workspace.id, changed=[FileContent("new", b"3")], deleted=["deleted"]
    )
    assert isinstance(after, Workspace)
    assert [f.path for f in after.files_under(None)] == ["during", "new", "same"]
    assert next(f.blob_id for f in after.files if f.path == "same") == same_blob
    assert await workspaces.read(owner, workspace.id, "new") == b"3"
    gone = await workspaces.apply_run("no-such-workspace", changed=[], deleted=[])
    assert isinstance(gone, NotFound)


async def test_a_run_over_the_storage_quota_leaves_the_workspace_as_it_was(
    workspaces: Workspaces,
) -> None:
    owner = user()
    workspace = await created(workspaces, owner)
    before = await workspaces.write_files(owner, workspace.id, [FileContent("a", b"x" * 10)])
    assert isinstance(before, Workspace)
    refused = await workspaces.apply_run(
        workspace.id, changed=[FileContent("big", b"y" * (QUOTA + 1))], deleted=["a"]
    )
    assert isinstance(refused, StorageQuotaProblem)
    kept = await workspaces.get(owner, workspace.id)
    assert kept is not None and [f.path for f in kept.files] == ["a"]
