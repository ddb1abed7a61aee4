"""A small Kubernetes for the tests: kmock's KubernetesEmulator plus a simulated kubelet.

kmock's emulator stores objects and serves list/watch/get/create/patch/delete over real HTTP.
What a real API server and node also do, and the backend relies on, is added here with
kmock's own request handling (an emulator subclass and DSL reactions):

- uid, resourceVersion and creationTimestamp on every object; optimistic concurrency (a
  PATCH carrying `metadata.resourceVersion` is a precondition); equality label selectors;
  `timeoutSeconds` on watches, ending with a BOOKMARK; injectable `410 Gone` and dropped
  watches;
- `pods/{name}/log` (follow, timestamps, sinceTime; injectable drops, mid-line too) and
  `pods/{name}/attach` (websocket, channel protocol v4/v5);
- the kubelet: schedules, "pulls", really runs `sandbox/runner.py` with the host Python for
  each pod (in a directory of its own standing for its `workingDir`, `/work`), keeps its
  stdout as the container log, reports the termination message; and plays
  OOMKilled, DeadlineExceeded, ErrImagePull, InvalidImageName and Unschedulable on request —
  or, like a real node, from the pod itself: a memory request above the node's capacity is
  Unschedulable, an image it cannot find fails to pull, and memory use above the container's
  limit is OOM-killed (the process tree's RSS, polled; the kill is counted in the cgroup's
  `memory.events`, as the kernel does);
- the garbage collector: deleting a pod deletes the ConfigMaps it owns;
- DELETE preconditions (`preconditions.resourceVersion`), as the API server checks them;
- a ResourceQuota on the number of pods (`pod_quota`): a pod over it is refused with 403;
- a configurable start delay (`kubelet.start_delay_seconds`): what scheduling, the image and
  the container's start cost a real cold pod, so warm and cold pods can be compared;
- warm pods (`podrun.dev/pool=warm`) run too, their runner waiting on stdin.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import copy
import dataclasses
import datetime
import itertools
import json
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import aiohttp.web
import attrs
import kmock

RUNNER = Path(__file__).resolve().parents[2] / "sandbox" / "runner.py"
NODE = "node-1"
PODS = kmock.resource("", "v1", "pods")


def now_rfc3339(nano: bool = True) -> str:
    now = datetime.datetime.now(datetime.UTC)
    if nano:
        return f"{now:%Y-%m-%dT%H:%M:%S}.{now.microsecond:06d}000Z"
    return f"{now:%Y-%m-%dT%H:%M:%S}Z"


def parse_time(value: str) -> datetime.datetime:
    value = value.rstrip("Z")
    if "." in value:
        head, frac = value.split(".", 1)
        value = f"{head}.{frac[:6]}"
    return datetime.datetime.fromisoformat(value).replace(tzinfo=datetime.UTC)


def selector_matches(obj: dict[str, Any], selector: str | None) -> bool:
    if not selector:
        return True
    labels = (obj.get("metadata") or {}).get("labels") or {}
    for term in selector.split(","):
        key, _, value = term.partition("=")
        if labels.get(key.strip()) != value.strip():
            return False
    return True


def mebibytes(quantity: str | None) -> int | None:
    """A memory quantity as our pod specs write it (`128Mi`, `1Gi`) in MiB."""
    if not quantity:
        return None
    for suffix, factor in (("Gi", 1024), ("Mi", 1), ("Ki", 1 / 1024)):
        if quantity.endswith(suffix):
            return int(float(quantity[: -len(suffix)]) * factor)
    return int(quantity) // (1024 * 1024)


def process_tree(root: int) -> list[int]:
    """`root` and all its descendants (from /proc)."""
    found, queue = [], [root]
    while queue:
        pid = queue.pop()
        found.append(pid)
        with contextlib.suppress(OSError, ValueError):
            for task in Path(f"/proc/{pid}/task").iterdir():
                queue.extend(int(c) for c in (task / "children").read_text().split())
    return found


def resident_bytes(pid: int) -> int:
    with contextlib.suppress(OSError, ValueError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


@dataclass(frozen=True)
class HistoryEvent:
    version: int
    resource: kmock.resource
    namespace: str | None
    event: dict[str, Any]


@attrs.define(kw_only=True)
class ClusterEmulator(kmock.KubernetesEmulator):
    """kmock's emulator with the API-server behaviour listed in the module docstring.

    Watches are served from an event history keyed by resourceVersion, as etcd does, so a
    watch resumed from a version replays what happened since; `compact()` forgets the
    history, and resuming from before it answers 410 Gone.
    """

    kubelet: SimulatedKubelet | None = None
    drop_watches: int = 0  # the next N watches with a label selector end at once
    pod_quota: int | None = None  # a ResourceQuota's `pods`: creations beyond it get 403
    watch_requests: int = 0
    _versions: itertools.count[int] = attrs.field(factory=lambda: itertools.count(101))
    _current_version: int = 100
    _history: list[HistoryEvent] = attrs.field(factory=list)
    _history_floor: int = 0
    _history_changed: asyncio.Event = attrs.field(factory=asyncio.Event)
    _generation: int = 0

    def next_version(self) -> str:
        self._current_version = next(self._versions)
        return str(self._current_version)

    def compact(self) -> None:
        """Forget the history so far, like etcd compaction: resuming a watch from any version
        seen until now answers 410 Gone. Open watches end, as when an API server restarts."""
        self._history_floor = int(self.next_version())
        self._generation += 1
        self._history_changed.set()
        self._history_changed = asyncio.Event()

    async def _handle(self, request: kmock.Request) -> aiohttp.web.StreamResponse:
        if request.subresource == "attach" and self.kubelet is not None:
            return await self.kubelet.serve_attach(request)
        data = request.data if isinstance(request.data, dict) else None
        key: tuple[Any, ...] | None = None
        if request.resource is not None and request.subresource in (None, "status"):
            if request.action == kmock.action.CREATE and data is not None:
                self._check_quota(request)
                metadata = data.setdefault("metadata", {})
                metadata.setdefault("namespace", request.namespace)
                metadata["uid"] = str(uuid.uuid4())
                metadata["creationTimestamp"] = now_rfc3339(nano=False)
                metadata["resourceVersion"] = self.next_version()
                key = (request.resource, metadata["namespace"], metadata.get("name"))
            elif request.action == kmock.action.UPDATE and data is not None:
                self._check_precondition(request, data)
                data.setdefault("metadata", {})["resourceVersion"] = self.next_version()
                key = (request.resource, request.namespace, request.name)
            elif request.action == kmock.action.DELETE:
                key = (request.resource, request.namespace, request.name)
                self._check_delete_precondition(request, key)
        response = await super()._handle(request)
        if key is not None and response.status < 400 and key in self.objects:
            assert request.resource is not None
            obj = self.objects[key]
            if obj.deleted:
                raw = copy.deepcopy(obj.last.raw)
                raw["metadata"]["resourceVersion"] = self.next_version()
                kind = "DELETED"
            else:
                raw = copy.deepcopy(obj.raw)
                kind = "ADDED" if request.action == kmock.action.CREATE else "MODIFIED"
            version = int(raw["metadata"]["resourceVersion"])
            self._history.append(
                HistoryEvent(version, request.resource, key[1], {"type": kind, "object": raw})
            )
            self._history_changed.set()
            self._history_changed = asyncio.Event()
        return response

    def _check_quota(self, request: kmock.Request) -> None:
        if self.pod_quota is None or request.resource != PODS:
            return
        used = sum(
            1
            for (resource, namespace, _), obj in self.objects.items()
            if resource == PODS and namespace == request.namespace and not obj.deleted
        )
        if used >= self.pod_quota:
            raise kmock.KubernetesError(
                status=403,
                reason="Forbidden",
                message=f"pods is forbidden: exceeded quota: sandboxes, requested: pods=1, "
                f"used: pods={used}, limited: pods={self.pod_quota}",
            )

    def _check_delete_precondition(self, request: kmock.Request, key: tuple[Any, ...]) -> None:
        data = request.data if isinstance(request.data, dict) else {}
        expected = (data.get("preconditions") or {}).get("resourceVersion")
        if expected is None or key not in self.objects or self.objects[key].deleted:
            return
        actual = (self.objects[key].get("metadata") or {}).get("resourceVersion")
        if actual != expected:
            raise kmock.KubernetesError(
                status=409,
                reason="Conflict",
                message=f"Precondition failed: ResourceVersion: Expected {expected}, "
                f"Actual {actual}",
            )

    def _check_precondition(self, request: kmock.Request, data: dict[str, Any]) -> None:
        expected = (data.get("metadata") or {}).get("resourceVersion")
        if expected is None:
            return
        key = (request.resource, request.namespace, request.name)
        if key in self.objects and not self.objects[key].deleted:
            actual = (self.objects[key].get("metadata") or {}).get("resourceVersion")
            if actual != expected:
                raise kmock.KubernetesError(
                    status=409,
                    reason="Conflict",
                    message="the object has been modified; please apply your changes to the "
                    "latest version and try again",
                )

    async def _serve_list(self, request: kmock.Request) -> kmock.Payload:
        body: Any = await super()._serve_list(request)
        selector = request.params.get("labelSelector")
        body["items"] = [item for item in body["items"] if selector_matches(item, selector)]
        body["metadata"]["resourceVersion"] = str(self._current_version)
        return body

    async def _serve_watch(self, request: kmock.Request) -> AsyncIterator[kmock.Payload]:
        selector = request.params.get("labelSelector")
        since = request.params.get("resourceVersion")
        if selector:
            self.watch_requests += 1
        yield b""
        if since and int(since) < self._history_floor:
            yield {
                "type": "ERROR",
                "object": {
                    "kind": "Status",
                    "apiVersion": "v1",
                    "status": "Failure",
                    "code": 410,
                    "reason": "Expired",
                    "message": f"too old resource version: {since}",
                },
            }
            return
        if selector and self.drop_watches:
            self.drop_watches -= 1
            return
        generation = self._generation

        def wanted(item: HistoryEvent) -> bool:
            return (
                item.resource == request.resource
                and (request.namespace is None or item.namespace == request.namespace)
                and selector_matches(item.event["object"], selector)
            )

        if since:
            start = int(since)
        else:  # no version: the current state first, as ADDED events
            start = self._current_version
            for (resource, namespace, _), obj in list(self.objects.items()):
                if (
                    resource == request.resource
                    and not obj.deleted
                    and (request.namespace is None or namespace == request.namespace)
                    and selector_matches(obj.raw, selector)
                ):
                    yield {"type": "ADDED", "object": copy.deepcopy(obj.raw)}
        timeout = float(request.params.get("timeoutSeconds") or 0) or None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout if timeout else None
        index = 0
        while generation == self._generation:
            changed = self._history_changed
            while index < len(self._history):
                item = self._history[index]
                index += 1
                if item.version > start and wanted(item):
                    yield item.event
            remaining = None if deadline is None else deadline - loop.time()
            if remaining is not None and remaining <= 0:
                break
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except TimeoutError:
                break
        if request.params.get("allowWatchBookmarks") == "true" and generation == self._generation:
            yield {
                "type": "BOOKMARK",
                "object": {
                    "kind": "Pod",
                    "apiVersion": "v1",
                    "metadata": {"resourceVersion": str(self._current_version)},
                },
            }


@dataclass
class PodPlan:
    """How the kubelet treats one execution's pod."""

    unschedulable: bool = False
    image_error: str | None = None  # ErrImagePull (then ImagePullBackOff) or InvalidImageName
    oom_after_output: bool = False  # the kernel kills the container once it printed something
    active_deadline: float | None = None  # overrides spec.activeDeadlineSeconds
    drop_env: tuple[str, ...] = ()  # an older runner image that ignores these settings


@dataclass
class LogDrop:
    """The next log stream ends after `after_lines` lines (mid-line when `partial`)."""

    after_lines: int
    partial: bool = True


@dataclass
class PodLog:
    lines: list[tuple[str, bytes]] = field(default_factory=list)
    started: bool = False
    done: bool = False
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def notify(self) -> None:
        self.changed.set()
        self.changed = asyncio.Event()


class SimulatedKubelet:
    """Watches pods over HTTP like a node would, and runs them with the real runner."""

    def __init__(self, emulator: ClusterEmulator, base_url: str, workdir: Path) -> None:
        self.emulator = emulator
        self.base_url = base_url.rstrip("/")
        self.workdir = workdir
        self.plans: dict[str, PodPlan] = {}
        self.log_drops: list[LogDrop] = []
        self.logs: dict[str, PodLog] = {}
        self.processes: dict[str, asyncio.subprocess.Process] = {}
        self.deleted: set[str] = set()
        self.stdin_received: dict[str, bytes] = {}
        # Node behaviour decided from the pod itself (see the module docstring).
        self.node_memory_mib: int | None = None
        self.missing_images: set[str] = set()
        self.enforce_memory = False
        # Seconds between a pod's scheduling and its container's start (pull, create, start).
        self.start_delay_seconds = 0.0
        self._tasks: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None
        self._watch_task: asyncio.Task[None] | None = None
        self._seen: set[str] = set()

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(headers={"User-Agent": "simulated-kubelet"})
        ready = asyncio.Event()
        self._watch_task = asyncio.create_task(self._watch(ready))
        await ready.wait()

    async def stop(self) -> None:
        for name in list(self.processes):
            await self._kill_container(name, graceful=False)
        tasks = [self._watch_task, *self._tasks]
        for task in tasks:
            if task is not None:
                task.cancel()
        for task in tasks:
            if task is not None:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        if self._session is not None:
            await self._session.close()

    # API calls, as a node makes them.

    async def _request(self, method: str, path: str, body: Any = None) -> Any:
        assert self._session is not None
        headers = {"Content-Type": "application/merge-patch+json"} if method == "PATCH" else {}
        async with self._session.request(
            method, f"{self.base_url}{path}", json=body, headers=headers
        ) as response:
            return await response.json(content_type=None)

    async def _status(self, namespace: str, name: str, status: dict[str, Any]) -> None:
        if name not in self.deleted:
            path = f"/api/v1/namespaces/{namespace}/pods/{name}/status"
            await self._request("PATCH", path, {"status": status})

    async def _watch(self, ready: asyncio.Event) -> None:
        assert self._session is not None
        async with self._session.get(f"{self.base_url}/api/v1/pods", params={"watch": "true"}) as r:
            ready.set()
            async for raw in r.content:
                if not raw.strip():
                    continue
                event = json.loads(raw)
                pod = event.get("object") or {}
                name = (pod.get("metadata") or {}).get("name")
                if event["type"] == "ADDED" and name and name not in self._seen:
                    self._seen.add(name)
                    self._spawn(self._run_pod(pod))
                elif event["type"] == "DELETED" and name:
                    self._spawn(self._on_deleted(pod))

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # The pod's life.

    async def _run_pod(self, pod: dict[str, Any]) -> None:
        metadata = pod["metadata"]
        namespace, name = metadata["namespace"], metadata["name"]
        pod_labels = metadata.get("labels", {})
        execution_id = pod_labels.get("podrun.dev/execution-id")
        if execution_id is None and pod_labels.get("podrun.dev/pool") != "warm":
            return  # this node runs sandbox pods only
        plan = self.plans.get(execution_id, PodPlan()) if execution_id else PodPlan()
        container = pod["spec"]["containers"][0]
        log = self.logs[name] = PodLog()
        await asyncio.sleep(0.01)
        requested = mebibytes(
            ((container.get("resources") or {}).get("requests") or {}).get("memory")
        )
        too_big = self.node_memory_mib is not None and (requested or 0) > self.node_memory_mib
        if container["image"] in self.missing_images and plan.image_error is None:
            plan = dataclasses.replace(plan, image_error="ErrImagePull")
        if plan.unschedulable or too_big:
            await self._status(
                namespace,
                name,
                {
                    "phase": "Pending",
                    "conditions": [
                        {
                            "type": "PodScheduled",
                            "status": "False",
                            "reason": "Unschedulable",
                            "message": "0/3 nodes are available: 3 Insufficient memory.",
                        }
                    ],
                },
            )
            return
        await self._request(
            "PATCH", f"/api/v1/namespaces/{namespace}/pods/{name}", {"spec": {"nodeName": NODE}}
        )
        await self._status(
            namespace,
            name,
            {
                "phase": "Pending",
                "conditions": [{"type": "PodScheduled", "status": "True"}],
                "containerStatuses": [
                    self._container(container, {"waiting": {"reason": "ContainerCreating"}})
                ],
            },
        )
        if plan.image_error is not None:
            await self._fail_image(namespace, name, container, plan.image_error)
            return

        if self.start_delay_seconds:
            await asyncio.sleep(self.start_delay_seconds)
            if name in self.deleted:
                return
        pod_dir = self.workdir / name
        argv, env = await self._command(namespace, pod, pod_dir, plan)
        # The container's workingDir (its /work emptyDir), one directory per pod.
        work = pod_dir / "work"
        work.mkdir(exist_ok=True)
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE if container.get("stdin") else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            env=env,
            cwd=work if container.get("workingDir") else None,
        )
        self.processes[name] = process
        started_at = now_rfc3339(nano=False)
        await self._status(
            namespace,
            name,
            {
                "phase": "Running",
                "startTime": started_at,
                "containerStatuses": [
                    self._container(container, {"running": {"startedAt": started_at}}, ready=True)
                ],
            },
        )
        log.started = True
        log.notify()

        oom = False
        deadline_exceeded = False
        deadline = plan.active_deadline or pod["spec"].get("activeDeadlineSeconds")

        async def pump() -> None:
            nonlocal oom
            assert process.stdout is not None
            async for line in process.stdout:
                log.lines.append((now_rfc3339(), line.rstrip(b"\n")))
                log.notify()
                if plan.oom_after_output and not oom:
                    oom = True
                    await self._kill_container(name, graceful=False)

        pumping = asyncio.create_task(pump())
        limit = mebibytes(((container.get("resources") or {}).get("limits") or {}).get("memory"))
        enforcing = None
        if self.enforce_memory and limit is not None:
            enforcing = asyncio.create_task(
                self._enforce_memory(process, limit * 1024 * 1024, pod_dir / "cgroup")
            )
        try:
            await asyncio.wait_for(asyncio.shield(pumping), deadline)
        except TimeoutError:
            deadline_exceeded = name not in self.deleted
            await self._kill_container(name, graceful=True)
            await pumping
        await process.wait()
        if enforcing is not None:
            enforcing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await enforcing
            events = (pod_dir / "cgroup" / "memory.events").read_text()
            oom = oom or "oom_kill 0" not in events
        self.processes.pop(name, None)
        log.done = True
        log.notify()
        if name in self.deleted:
            return

        report_path = pod_dir / "termination-log"
        message = report_path.read_text() if report_path.exists() else None
        code = process.returncode if process.returncode >= 0 else 128 - process.returncode
        terminated: dict[str, Any] = {
            "exitCode": code,
            "reason": "OOMKilled" if oom else "Completed" if code == 0 else "Error",
            "startedAt": started_at,
            "finishedAt": now_rfc3339(nano=False),
        }
        if message:
            terminated["message"] = message
        status: dict[str, Any] = {
            "phase": "Succeeded" if code == 0 and not deadline_exceeded else "Failed",
            "containerStatuses": [self._container(container, {"terminated": terminated})],
        }
        if deadline_exceeded:
            status["reason"] = "DeadlineExceeded"
            status["message"] = "Pod was active on the node longer than the specified deadline"
        await self._status(namespace, name, status)

    def _container(
        self, container: dict[str, Any], state: dict[str, Any], ready: bool = False
    ) -> dict[str, Any]:
        return {
            "name": container["name"],
            "image": container["image"],
            "ready": ready,
            "restartCount": 0,
            "state": state,
        }

    async def _fail_image(
        self, namespace: str, name: str, container: dict[str, Any], reason: str
    ) -> None:
        message = f'Failed to pull image "{container["image"]}": not found'
        await self._status(
            namespace,
            name,
            {
                "containerStatuses": [
                    self._container(container, {"waiting": {"reason": reason, "message": message}})
                ]
            },
        )
        if reason == "ErrImagePull":
            await asyncio.sleep(0.1)
            await self._status(
                namespace,
                name,
                {
                    "containerStatuses": [
                        self._container(
                            container,
                            {
                                "waiting": {
                                    "reason": "ImagePullBackOff",
                                    "message": f'Back-off pulling image "{container["image"]}"',
                                }
                            },
                        )
                    ]
                },
            )

    async def _command(
        self, namespace: str, pod: dict[str, Any], pod_dir: Path, plan: PodPlan
    ) -> tuple[list[str], dict[str, str]]:
        """The container's command, with image paths mapped onto the host."""
        container = pod["spec"]["containers"][0]
        pod_dir.mkdir(parents=True, exist_ok=True)
        (pod_dir / "cgroup").mkdir(exist_ok=True)
        if self.enforce_memory:
            (pod_dir / "cgroup" / "memory.events").write_text("oom 0\noom_kill 0\n")
        mounts: dict[str, Path] = {}
        for volume in pod["spec"].get("volumes", []):
            if "configMap" in volume:
                cm_name = volume["configMap"]["name"]
                cm = await self._request(
                    "GET", f"/api/v1/namespaces/{namespace}/configmaps/{cm_name}"
                )
                target = pod_dir / volume["name"]
                target.mkdir(exist_ok=True)
                for key, text in (cm.get("data") or {}).items():
                    (target / key).write_text(text)
                for key, b64 in (cm.get("binaryData") or {}).items():
                    (target / key).write_bytes(base64.b64decode(b64))
                mounts[volume["name"]] = target
        for mount in container.get("volumeMounts", []):
            if mount["name"] in mounts:
                mounts[mount["mountPath"]] = mounts[mount["name"]]

        def host_path(arg: str) -> str:
            if arg == "python3":
                return sys.executable
            if arg == "/opt/podrun/runner.py":
                return str(RUNNER)
            for mount_path, target in mounts.items():
                if mount_path.startswith("/") and arg.startswith(mount_path + "/"):
                    return str(target / arg[len(mount_path) + 1 :])
            return arg

        argv = [host_path(a) for a in [*container["command"], *container.get("args", [])]]
        env = {e["name"]: e["value"] for e in container.get("env", [])}
        for name in plan.drop_env:
            env.pop(name, None)
        if "PODRUN_SCRIPT_DIR" in env:  # a warm pod's writable emptyDir for the script
            (pod_dir / "handover").mkdir(exist_ok=True)
            env["PODRUN_SCRIPT_DIR"] = str(pod_dir / "handover")
        env["PODRUN_REPORT_PATH"] = str(pod_dir / "termination-log")
        env["PODRUN_CGROUP_ROOT"] = str(pod_dir / "cgroup")
        env["PATH"] = os.environ.get("PATH", "/usr/bin")
        env["KUBERNETES_SERVICE_HOST"] = "10.96.0.1"
        return argv, env

    async def _enforce_memory(
        self, process: asyncio.subprocess.Process, limit_bytes: int, cgroup: Path
    ) -> None:
        """The kernel's OOM killer for the container: SIGKILL the biggest process once the
        tree's resident memory passes the limit, and count it in `memory.events`."""
        kills = 0
        while process.returncode is None:
            sizes = {pid: resident_bytes(pid) for pid in process_tree(process.pid)}
            if sum(sizes.values()) > limit_bytes:
                victim = max(sizes, key=lambda pid: sizes[pid])
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(victim, signal.SIGKILL)
                kills += 1
                (cgroup / "memory.events").write_text(f"oom {kills}\noom_kill {kills}\n")
            await asyncio.sleep(0.02)

    async def _kill_container(self, name: str, graceful: bool) -> None:
        """Stop every process of the container (like the runtime does with its cgroup)."""
        process = self.processes.get(name)
        if process is None or process.returncode is not None:
            return
        if graceful:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 2)
                return
            except TimeoutError:
                pass
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
        with contextlib.suppress(OSError, ValueError):
            for child in children.read_text().split():
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(int(child), signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            process.kill()

    async def _on_deleted(self, pod: dict[str, Any]) -> None:
        metadata = pod["metadata"]
        name, namespace, uid = metadata["name"], metadata["namespace"], metadata.get("uid")
        self.deleted.add(name)
        grace = pod["spec"].get("terminationGracePeriodSeconds", 30)
        await self._kill_container(name, graceful=bool(grace))
        # The garbage collector: dependents of the deleted pod go too.
        listing = await self._request("GET", f"/api/v1/namespaces/{namespace}/configmaps")
        for cm in listing.get("items", []):
            owners = cm.get("metadata", {}).get("ownerReferences") or []
            if any(owner.get("uid") == uid for owner in owners):
                cm_name = cm["metadata"]["name"]
                await self._request(
                    "DELETE", f"/api/v1/namespaces/{namespace}/configmaps/{cm_name}"
                )

    # Subresources.

    async def serve_log(self, request: kmock.Request) -> AsyncIterator[bytes]:
        log = self.logs.get(request.name or "")
        key = (PODS, request.namespace, request.name)
        if key not in self.emulator.objects or self.emulator.objects[key].deleted:
            raise kmock.KubernetesObjectNotFoundError()
        if log is None or not log.started:
            raise kmock.KubernetesError(
                status=400,
                reason="BadRequest",
                message=f'container "script" in pod "{request.name}" is waiting to start',
            )
        return self._log_lines(log, dict(request.params))

    async def _log_lines(self, log: PodLog, params: dict[str, str]) -> AsyncIterator[bytes]:
        since = parse_time(params["sinceTime"]) if "sinceTime" in params else None
        follow = params.get("follow") == "true"
        timestamps = params.get("timestamps") == "true"
        drop = self.log_drops.pop(0) if self.log_drops else None
        yield b""
        index = served = 0
        while True:
            changed = log.changed
            while index < len(log.lines):
                stamp, text = log.lines[index]
                index += 1
                if since is not None and parse_time(stamp) < since:
                    continue
                line = (f"{stamp} ".encode() if timestamps else b"") + text + b"\n"
                if drop is not None and served >= drop.after_lines:
                    if drop.partial:
                        yield line[: len(line) // 2]
                    return
                served += 1
                yield line
            if log.done or not follow:
                return
            await changed.wait()

    async def serve_attach(self, request: kmock.Request) -> aiohttp.web.StreamResponse:
        name = request.name or ""
        process = self.processes.get(name)
        if process is None or process.stdin is None:
            return aiohttp.web.json_response(
                {"kind": "Status", "code": 400, "message": "container not running or no stdin"},
                status=400,
            )
        socket = aiohttp.web.WebSocketResponse(protocols=("v5.channel.k8s.io", "v4.channel.k8s.io"))
        assert request._raw_request is not None
        await socket.prepare(request._raw_request)
        try:
            async for message in socket:
                if message.type != aiohttp.WSMsgType.BINARY:
                    continue
                data: bytes = message.data
                if data[:1] == b"\x00":
                    self.stdin_received[name] = self.stdin_received.get(name, b"") + data[1:]
                    process.stdin.write(data[1:])
                    await process.stdin.drain()
                elif data == b"\xff\x00":
                    break
        finally:
            with contextlib.suppress(OSError, RuntimeError):
                process.stdin.close()  # stdinOnce: the first session's end is EOF
        await socket.close()
        return socket


@contextlib.asynccontextmanager
async def running_cluster(
    workdir: Path,
) -> AsyncIterator[tuple[ClusterEmulator, SimulatedKubelet, str]]:
    async with ClusterEmulator() as emulator, kmock.Server(emulator) as server:
        for resource in ("v1/pods", "v1/configmaps", "coordination.k8s.io/v1/leases"):
            emulator.resources[resource] = {}
        url = str(server.url).rstrip("/")
        kubelet = SimulatedKubelet(emulator, url, workdir)
        emulator.kubelet = kubelet
        emulator[kmock.action.FETCH, PODS, kmock.subresource("log")] << kubelet.serve_log
        await kubelet.start()
        try:
            yield emulator, kubelet, url
        finally:
            await kubelet.stop()
