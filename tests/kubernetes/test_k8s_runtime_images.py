"""Each runtime runs in its own runner image: an environment runtime
(`python3.11-datascience`) gets its pods from the image the map names for it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from k8s_cluster import running_cluster
from k8s_podrun import IMAGES, podrun_env, start, stop, unique_database, write_kubeconfig

from tests.support.client import Api
from tests.support.servers import PodrunProcess, StoreProcess

SCIENCE_IMAGE = "registry.invalid/podrun/runner:3.11-datascience"


@pytest.fixture(scope="module")
async def api(store: StoreProcess, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Api]:
    workdir = tmp_path_factory.mktemp("k8s-runtime-images")
    async with running_cluster(workdir / "node") as (_emulator, kubelet, url):
        # The node cannot pull it: the error names the image the pod asked for.
        kubelet.missing_images = {SCIENCE_IMAGE}
        env = podrun_env(
            store,
            unique_database("k8s_runtime_images"),
            write_kubeconfig(workdir, url),
            PODRUN_K8S_IMAGES=json.dumps({**IMAGES, "python3.11-datascience": SCIENCE_IMAGE}),
        )
        server = await start(PodrunProcess(workdir / "server", ["serve"], env=env))
        try:
            yield Api(server.url)
        finally:
            await stop(server)


async def test_the_environment_runtime_is_listed_with_its_environment(api: Api) -> None:
    runtimes = (await api.gql("{ runtimes { id version environment status { state } } }"))[
        "runtimes"
    ]
    science = next(r for r in runtimes if r["id"] == "python3.11-datascience")
    assert science == {
        "id": "python3.11-datascience",
        "version": "3.11",
        "environment": "datascience",
        "status": {"state": "READY"},
    }


async def test_its_pod_uses_its_image_and_the_bare_runtime_its_own(api: Api) -> None:
    science = await api.run("print('never')", runtime="python3.11-datascience")
    assert science["status"] == "ERROR"
    assert SCIENCE_IMAGE in science["errorMessage"]
    bare = await api.run("print('bare')", runtime="python3.11")
    assert bare["status"] == "COMPLETED" and bare["stdout"] == "bare\n"
