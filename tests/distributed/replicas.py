"""Two API processes and two worker processes on one real store: a small Podrun cluster."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pymongo import MongoClient

from tests.support.client import Api
from tests.support.servers import PodrunProcess, StoreProcess


@dataclass
class Replicas:
    apis: list[PodrunProcess]
    workers: list[PodrunProcess]
    db: Any  # pymongo Database: to see which worker owns what (not exposed by the API)

    @property
    def clients(self) -> list[Api]:
        return [Api(api.url) for api in self.apis]

    def owner_pid(self, execution_id: str) -> int | None:
        """The pid of the worker process that claimed the execution (worker ids embed it)."""
        doc = self.db.executions.find_one({"_id": execution_id}, {"worker_id": 1})
        worker_id = (doc or {}).get("worker_id")
        return int(worker_id.rsplit("-", 2)[-2]) if worker_id else None

    def worker_pids(self) -> set[int]:
        return {w.process.pid for w in self.workers if w.process is not None}

    def wait_workers_registered(self, count: int, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            registered = {doc["pid"] for doc in self.db.workers.find({}, {"pid": 1})}
            if len(registered & self.worker_pids()) >= count:
                return
            for worker in self.workers:
                if worker.process is not None and worker.process.poll() is not None:
                    raise RuntimeError(f"worker exited early:\n{worker.log_path.read_text()}")
            time.sleep(0.2)
        raise TimeoutError("workers did not register")


@contextmanager
def start_replicas(
    workdir: Path, store: StoreProcess, database: str, *, concurrency: int
) -> Iterator[Replicas]:
    env = {
        "PODRUN_MONGODB_URI": store.uri,
        "PODRUN_DATABASE": database,
        "PODRUN_MAX_CONCURRENCY": str(concurrency),
        "PODRUN_WORKER_HEARTBEAT_SECONDS": "1",
        "PODRUN_WORKER_DEAD_AFTER_SECONDS": "5",
    }
    processes: list[PodrunProcess] = []
    client: MongoClient[dict[str, Any]] = MongoClient(store.uri)
    try:
        workers = [PodrunProcess(workdir / f"worker{i}", ["worker"], env=env) for i in range(2)]
        apis = [
            PodrunProcess(workdir / f"api{i}", ["serve", "--no-worker"], env=env) for i in range(2)
        ]
        for process in [*workers, *apis]:
            processes.append(process)
            process.start(wait=False)
        for api in apis:
            api.wait_healthy()
        replicas = Replicas(apis, workers, client[database])
        replicas.wait_workers_registered(2)
        yield replicas
    finally:
        for process in processes:
            process.stop()
        client.close()
