"""An API-only process and a separate worker process share one store; events cross live."""

from __future__ import annotations

from pathlib import Path

from tests.support.client import Api, output_of, statuses_of
from tests.support.servers import PodrunProcess, StoreProcess


async def test_api_only_process_streams_events_of_a_separate_worker(
    tmp_path: Path, store: StoreProcess
) -> None:
    env = {"PODRUN_MONGODB_URI": store.uri, "PODRUN_DATABASE": "multiprocess"}
    api_process = PodrunProcess(tmp_path, ["serve", "--no-worker"], env=env).start()
    worker = PodrunProcess(tmp_path, ["worker"], env=env).start()
    try:
        api = Api(api_process.url)
        script = "import time\nfor i in range(3):\n    print(i, flush=True)\n    time.sleep(0.3)"
        submitted = await api.submit(script)
        received = await api.timed_events(submitted["id"], timeout=60)
        events = [r.event for r in received]
        assert statuses_of(events) == ["QUEUED", "SCHEDULED", "RUNNING", "COMPLETED"]
        assert output_of(events) == "0\n1\n2\n"
        # Live, not replayed at the end: the outputs arrived spread over the run.
        outputs = [r for r in received if r.event["__typename"] == "OutputEvent"]
        assert outputs[-1].received_at - outputs[0].received_at > 0.4
    finally:
        worker.stop()
        api_process.stop()


async def test_embedded_processes_share_a_data_dir(tmp_path: Path) -> None:
    env = {"PODRUN_DATA_DIR": str(tmp_path / "data")}
    api_process = PodrunProcess(tmp_path, ["serve", "--no-worker"], env=env).start()
    worker = PodrunProcess(tmp_path, ["worker"], env=env).start()
    try:
        execution = await Api(api_process.url).run("print('from the worker')", timeout=60)
        assert execution["status"] == "COMPLETED"
        assert execution["stdout"] == "from the worker\n"
    finally:
        worker.stop()
        api_process.stop()
