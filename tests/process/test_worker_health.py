"""`podrun worker` answers health probes: alive while its loops run, ready while it has
started and the store answers; a store outage makes it unready, not dead."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from tests.support.servers import PodrunProcess, StoreProcess, free_port

pytestmark = pytest.mark.timeout(240)


def _status(url: str, timeout: float = 5) -> int | None:
    """The HTTP status, or None when nothing answered in time."""
    try:
        return httpx.get(url, timeout=timeout).status_code
    except httpx.HTTPError:
        return None


def _until(url: str, status: int | None, deadline_seconds: float = 90) -> None:
    deadline = time.monotonic() + deadline_seconds
    seen = _status(url)
    while seen != status:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} still answers {seen}, not {status}")
        time.sleep(0.1)
        seen = _status(url)


def test_worker_probes_follow_its_state(tmp_path: Path) -> None:
    store = StoreProcess(tmp_path / "store").start()
    port = free_port()
    worker = PodrunProcess(
        tmp_path,
        ["worker"],
        env={
            "PODRUN_MONGODB_URI": store.uri,
            "PODRUN_WORKER_HEALTH_PORT": str(port),
            "PODRUN_WORKER_HEARTBEAT_SECONDS": "0.5",
        },
    ).start()
    base = f"http://127.0.0.1:{port}"
    try:
        _until(f"{base}/readyz", 200)
        assert _status(f"{base}/livez") == 200
        assert _status(f"{base}/healthz") == 200
        # Its metrics, for the chart's ServiceMonitor: it runs work, and reaches the store.
        metrics = httpx.get(f"{base}/metrics", timeout=10).text
        assert "podrun_worker_leading 1.0" in metrics
        assert "podrun_store_up 1.0" in metrics
        assert "podrun_executions_finished" in metrics

        # The store goes away: not ready (send it no work), but alive (a restart would not
        # bring the store back).
        store.stop()
        _until(f"{base}/readyz", 503)
        assert _status(f"{base}/livez") == 200
        assert "podrun_store_up 0.0" in httpx.get(f"{base}/metrics", timeout=10).text
        store = StoreProcess(store.path, port=store.port).start()
        _until(f"{base}/readyz", 200)

        # A wedged process answers no probe: the kubelet's timeout restarts it.
        assert worker.process is not None
        os.kill(worker.process.pid, signal.SIGSTOP)
        try:
            assert _status(f"{base}/livez", timeout=2) is None
        finally:
            os.kill(worker.process.pid, signal.SIGCONT)
        _until(f"{base}/livez", 200)

        worker.process.send_signal(signal.SIGTERM)
        assert worker.process.wait(timeout=60) == 0
        assert _status(f"{base}/livez") is None  # the endpoint went with it
    finally:
        worker.stop()
        store.stop()
