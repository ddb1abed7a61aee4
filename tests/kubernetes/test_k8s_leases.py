"""Leader election on a Lease, against the emulated API server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import kmock
import pytest_asyncio
from k8s_cluster import ClusterEmulator, SimulatedKubelet
from kubernetes_asyncio.client import ApiClient, Configuration

from service.adapters.leases import LeaseElector

LEASES = kmock.resource("coordination.k8s.io", "v1", "leases")
DURATION = 1.0


@pytest_asyncio.fixture
async def api_client(
    cluster: tuple[ClusterEmulator, SimulatedKubelet, str],
) -> AsyncIterator[ApiClient]:
    client = ApiClient(Configuration(host=cluster[2]))
    try:
        yield client
    finally:
        await client.close()


def elector(client: ApiClient, identity: str) -> LeaseElector:
    return LeaseElector(
        client,
        namespace="podrun",
        name="podrun-worker",
        identity=identity,
        lease_duration_seconds=DURATION,
        renew_interval_seconds=0.2,
        retry_interval_seconds=0.05,
    )


async def test_the_first_candidate_creates_the_lease_and_leads(
    api_client: ApiClient, emulator: ClusterEmulator
) -> None:
    first = elector(api_client, "worker-a")
    await asyncio.wait_for(first.acquire(), 5)
    assert first.is_leader
    lease = emulator.objects[LEASES, "podrun", "podrun-worker"]
    spec = lease["spec"]
    assert spec["holderIdentity"] == "worker-a"
    assert spec["leaseDurationSeconds"] == 1
    assert spec["leaseTransitions"] == 0
    assert spec["acquireTime"] and spec["renewTime"]
    await first.release()


async def test_exactly_one_of_two_leads_and_renews(
    api_client: ApiClient, emulator: ClusterEmulator
) -> None:
    a, b = elector(api_client, "worker-a"), elector(api_client, "worker-b")
    tasks = [asyncio.create_task(a.acquire()), asyncio.create_task(b.acquire())]
    done, pending = await asyncio.wait(tasks, timeout=5, return_when=asyncio.FIRST_COMPLETED)
    assert len(done) == 1
    await asyncio.sleep(DURATION * 2)  # well past a lease duration: renewals keep it
    assert [a.is_leader, b.is_leader].count(True) == 1
    assert all(not t.done() for t in pending)
    leader = a if a.is_leader else b
    lease = emulator.objects[LEASES, "podrun", "podrun-worker"]
    assert lease["spec"]["holderIdentity"] == leader.identity
    assert lease["spec"]["renewTime"] != lease["spec"]["acquireTime"]
    assert not leader.lost.is_set()
    for task in pending:
        task.cancel()
    await leader.release()


async def test_the_other_takes_over_when_the_leader_stops_renewing(
    api_client: ApiClient, emulator: ClusterEmulator
) -> None:
    a, b = elector(api_client, "worker-a"), elector(api_client, "worker-b")
    await asyncio.wait_for(a.acquire(), 5)
    follower = asyncio.create_task(b.acquire())
    await asyncio.sleep(0.5)
    assert not follower.done()

    # The leader's process hangs: it stops renewing without releasing.
    assert a._renewer is not None
    a._renewer.cancel()
    stopped = time.monotonic()
    await asyncio.wait_for(follower, DURATION + 2)
    took = time.monotonic() - stopped
    assert b.is_leader
    assert took <= DURATION + 0.5
    spec = emulator.objects[LEASES, "podrun", "podrun-worker"]["spec"]
    assert spec["holderIdentity"] == "worker-b"
    assert spec["leaseTransitions"] == 1
    await b.release()


async def test_a_leader_that_is_overtaken_sets_lost(
    api_client: ApiClient, emulator: ClusterEmulator
) -> None:
    a = elector(api_client, "worker-a")
    await asyncio.wait_for(a.acquire(), 5)
    # Someone else writes the lease (e.g. after a long pause of ours).
    async with api_client.rest_client.pool_manager.patch(
        f"{api_client.configuration.host}/apis/coordination.k8s.io/v1/namespaces/podrun/leases/podrun-worker",
        json={"spec": {"holderIdentity": "intruder"}},
        headers={"Content-Type": "application/merge-patch+json"},
    ) as response:
        assert response.status == 200
    await asyncio.wait_for(a.lost.wait(), 3)
    assert not a.is_leader


async def test_release_hands_over_at_once(api_client: ApiClient) -> None:
    a, b = elector(api_client, "worker-a"), elector(api_client, "worker-b")
    await asyncio.wait_for(a.acquire(), 5)
    follower = asyncio.create_task(b.acquire())
    await asyncio.sleep(0.2)
    started = time.monotonic()
    await a.release()
    assert a.lost.is_set() and not a.is_leader
    await asyncio.wait_for(follower, 3)
    assert time.monotonic() - started < DURATION
    await b.release()
