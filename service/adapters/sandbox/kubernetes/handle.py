"""`KubernetesSandboxHandle`: one execution's pod, observed until it is gone.

Everything the handle learns arrives in one inbox — pod states from the `PodWatcher`, frames
from the `LogFollower`, wake-ups from `cancel()` — and one loop turns it into observations,
so their order is the order of decisions: Scheduled, Started, output in log order, and
Finished only after the log has been drained (or the drain timed out). Clocks run beside the
inbox: the wall-clock timeout from container start, and the deadlines for a pod that cannot be
scheduled or whose image cannot be pulled. What the loop knows between items, and the pure
decisions on it (the next deadline, a stuck pod, whether it may finish), are `PodProgress`
(`progress.py`); this module keeps the side effects. A cold pod given files or arguments
waits for its hand-over (`handover.py`), which the loop sends over attach once the container
runs; the files the run leaves arrive as "f" frames, gathered here and parsed as hostile
input when it ends (`service/domain/filestreams.py`), as the local sandbox does. Next: the
verdict comes from `outcomes.py`, and the pod left behind by a lost worker is the reaper's
(`reaping.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Collection

import aiohttp

from service.adapters.sandbox.kubernetes.api import JsonObject, KubeApi, KubeError
from service.adapters.sandbox.kubernetes.attaching import StdinAttachment
from service.adapters.sandbox.kubernetes.config import KubernetesBackendConfig
from service.adapters.sandbox.kubernetes.frames import Frame
from service.adapters.sandbox.kubernetes.handover import chunks
from service.adapters.sandbox.kubernetes.logs import LogFollower
from service.adapters.sandbox.kubernetes.outcomes import BackendActions, outcome_for, parse_report
from service.adapters.sandbox.kubernetes.podspecs import SandboxTerms
from service.adapters.sandbox.kubernetes.podstates import PodState, read_pod
from service.adapters.sandbox.kubernetes.progress import (
    InboxItem,
    LogFrame,
    LogsDrained,
    PodProgress,
    Wake,
    timeout_deadline,
)
from service.adapters.sandbox.kubernetes.spans import PodSpans
from service.adapters.sandbox.kubernetes.watching import PodEvent, PodWatcher
from service.domain.filestreams import Collected, parse_collected, stream_bound
from service.domain.sandboxes import (
    OutputStream,
    SandboxFinished,
    SandboxObservation,
    SandboxOutcome,
    SandboxOutput,
    SandboxScheduled,
    SandboxStarted,
)

logger = logging.getLogger(__name__)


class KubernetesSandboxHandle:
    """A launched (or re-found) sandbox pod; see the protocol in `services.sandbox_port`."""

    def __init__(
        self,
        *,
        execution_id: str,
        pod_name: str,
        terms: SandboxTerms,
        api: KubeApi,
        watcher: PodWatcher,
        config: KubernetesBackendConfig,
        resumed: bool = False,
        stdin: StdinAttachment | None = None,
        hand_over: bytes | None = None,
        given: Collection[tuple[str, str]] = frozenset(),
    ) -> None:
        self._execution_id = execution_id
        self._pod_name = pod_name
        self._terms = terms
        self._api = api
        self._watcher = watcher
        self._config = config
        self._resumed = resumed
        self._pod_path = f"/api/v1/namespaces/{config.namespace}/pods/{pod_name}"
        self._inbox: asyncio.Queue[InboxItem] = asyncio.Queue()
        self._progress = PodProgress()
        self._cancelled = False
        self._timed_out = False
        self._output_capped = False
        self._killed_at: float | None = None
        self._finished = False
        self._iterated = False
        self._started = asyncio.Event()
        self._skip = {OutputStream.STDOUT: 0, OutputStream.STDERR: 0}
        self._follower: LogFollower | None = None
        self._log_task: asyncio.Task[None] | None = None
        # A cold pod's hand-over, sent once its container runs; a warm pod's was sent by the
        # backend before this handle watched it.
        self._hand_over = hand_over
        # A warm pod's attach session is opened by the hand-over and stays its stdin.
        self._stdin = stdin or (
            StdinAttachment(api, config.namespace, pod_name)
            if terms.interactive or hand_over is not None
            else None
        )
        # The files the run left, as the runner packs them into "f" frames; `given`: the
        # (path, sha256) of the inputs, dropped when they come back unchanged.
        self._files = bytearray()
        self._files_cut = False
        self._files_bound = stream_bound(terms.collect) if terms.collect is not None else 0
        self._given = given
        self.spans = PodSpans(
            terms.traceparent,
            execution_id=execution_id,
            namespace=config.namespace,
            pod_name=pod_name,
            resumed=resumed,
        )
        if resumed:
            self.spans.pending()
        watcher.subscribe(execution_id, self._inbox.put_nowait)

    @property
    def execution_id(self) -> str:
        return self._execution_id

    @property
    def pod_name(self) -> str:
        return self._pod_name

    @property
    def log_reconnects(self) -> int:
        return self._follower.reconnects if self._follower is not None else 0

    def skip_delivered_output(self, *, stdout_bytes: int = 0, stderr_bytes: int = 0) -> None:
        """After a reattach: drop the first bytes of each stream, already stored by the caller.

        The log is replayed from its start; the bytes of each stream come back identical, so
        per-stream byte counts are an exact resume point whatever the chunking was.
        """
        self._skip[OutputStream.STDOUT] = stdout_bytes
        self._skip[OutputStream.STDERR] = stderr_bytes

    def discard(self) -> None:
        """Stop listening (the launch failed before anything was observed)."""
        self._watcher.unsubscribe(self._execution_id, self._inbox.put_nowait)
        self._finished = True
        self.spans.end()

    async def observations(self) -> AsyncIterator[SandboxObservation]:
        if self._iterated:
            raise RuntimeError("observations() can be iterated only once")
        self._iterated = True
        try:
            async for observation in self._observe():
                yield observation
        except Exception as exc:  # the protocol: a fault becomes an outcome, never an exception
            logger.exception("observing %s failed", self._pod_name)
            if not self._finished:
                self._finished = True
                yield SandboxFinished(SandboxOutcome(error=f"lost track of the sandbox pod: {exc}"))
        finally:
            self._finished = True
            self._started.set()
            self.spans.end()
            self._watcher.unsubscribe(self._execution_id, self._inbox.put_nowait)
            if self._log_task is not None:
                self._log_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._log_task
            if self._stdin is not None:
                await self._stdin.close()

    async def cancel(self) -> None:
        state = self._progress.state
        if self._finished or self._cancelled or (state is not None and state.finished):
            return
        self._cancelled = True
        await self._kill()

    async def write_stdin(self, data: bytes) -> None:
        if self._stdin is None:
            raise BrokenPipeError("the sandbox is not interactive: its stdin is closed")
        await self._started.wait()
        if self._finished or self._progress.ended_at is not None:
            raise BrokenPipeError("the sandbox has ended: its stdin is closed")
        await self._stdin.write(data)

    async def close_stdin(self) -> None:
        if self._stdin is None or self._stdin.closed:
            return
        await self._started.wait()
        await self._stdin.close()

    # The observation loop.

    async def _observe(self) -> AsyncIterator[SandboxObservation]:
        progress = self._progress
        while True:
            item = await self._next_item()
            if isinstance(item, PodEvent):
                for observation in self._on_pod(item):
                    yield observation
                if self._hand_over is not None and progress.started_sent:
                    await self._send_hand_over(self._hand_over)
            elif isinstance(item, LogFrame):
                for observation in await self._on_frame(item.frame):
                    yield observation
            elif isinstance(item, LogsDrained):
                progress.logs_drained = True
            await self._check_clocks()
            if self._can_finish():
                outcome = self._outcome()
                self._finished = True
                if outcome.error is not None:
                    self.spans.failed(outcome.error)
                else:
                    self.spans.terminated(progress.state)
                if not progress.gone:
                    await self._delete(grace_seconds=None)
                yield SandboxFinished(outcome)
                return

    async def _next_item(self) -> InboxItem | None:
        """The next thing that happened, or None when a clock is due first."""
        if not self._inbox.empty():
            return self._inbox.get_nowait()
        deadline = self._next_deadline()
        if deadline is None:
            return await self._inbox.get()
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        try:
            return await asyncio.wait_for(self._inbox.get(), remaining)
        except TimeoutError:
            return None

    def _next_deadline(self) -> float | None:
        return self._progress.next_deadline(
            self._config, timed_out=self._timed_out, killed_at=self._killed_at
        )

    def _on_pod(self, event: PodEvent) -> list[SandboxObservation]:
        progress = self._progress
        state = read_pod(event.pod)
        if event.type == "DELETED":
            progress.gone = True
        if progress.state is not None and progress.state.finished and not state.finished:
            state = progress.state  # a stale event cannot bring a finished container back
        progress.state = state
        observations: list[SandboxObservation] = []
        if (state.scheduled or state.started) and not progress.scheduled_sent:
            progress.scheduled_sent = True
            where = f" on node {state.node_name}" if state.node_name else ""
            observations.append(SandboxScheduled(f"pod {self._pod_name} scheduled{where}"))
            self.spans.scheduled(state.node_name)
        if state.started and not progress.started_sent:
            progress.started_sent = True
            progress.problem = None
            progress.timeout_at = self._timeout_deadline(state)
            self._start_logs()
            if self._hand_over is None:
                self._started.set()  # else once it is handed over: stdin follows it
            self.spans.started()
            observations.append(SandboxStarted(f"container of pod {self._pod_name} started"))
        if not state.started and not state.finished and not progress.gone:
            self._note_problem(state)
        if (state.finished or progress.gone) and progress.ended_at is None:
            progress.ended_at = time.monotonic()
            if self._follower is not None:
                self._follower.terminated.set()
            else:
                progress.logs_drained = True
            self._started.set()
        return observations

    def _timeout_deadline(self, state: PodState) -> float:
        return timeout_deadline(
            state,
            resumed=self._resumed,
            timeout_seconds=self._terms.timeout_seconds,
            grace_seconds=self._config.timeout_grace_seconds,
        )

    def _note_problem(self, state: PodState) -> None:
        message = self._progress.note_problem(state, self._terms.image)
        if message is not None:
            self.spans.waiting(message)

    async def _on_frame(self, frame: Frame) -> list[SandboxObservation]:
        progress = self._progress
        if frame.accepted:
            progress.accepted = True
            if not self._resumed and progress.state is not None and not self._timed_out:
                # The runner's clocks start at the hand-over: so does our backstop, or a
                # slow transfer of input files would eat its grace.
                progress.timeout_at = self._timeout_deadline(progress.state)
            return []
        if frame.files:
            self._on_files(frame.data)
            return []
        if frame.is_end or frame.stream is None:
            progress.log_report = frame.report
            return []
        data = frame.data
        skip = min(self._skip[frame.stream], len(data))
        if skip:
            self._skip[frame.stream] -= skip
            progress.output_bytes += skip
            data = data[skip:]
        if not data or self._output_capped:
            return []
        room = self._terms.max_output_bytes - progress.output_bytes
        if len(data) > room:
            # The runner enforces the cap; this is the defence if it did not.
            data = data[: max(room, 0)]
            self._output_capped = True
            await self._kill()
        progress.output_bytes += len(data)
        return [SandboxOutput(frame.stream, data)] if data else []

    async def _check_clocks(self) -> None:
        now = time.monotonic()
        self._progress.check_problem(now, self._config)
        if self._progress.timeout_due(now, timed_out=self._timed_out):
            self._timed_out = True
            await self._kill()

    def _can_finish(self) -> bool:
        return self._progress.can_finish(
            self._config, killed_at=self._killed_at, pod_name=self._pod_name
        )

    def _on_files(self, data: bytes) -> None:
        # The script has ended: no wall-clock limit runs while its files are read (the
        # cluster's activeDeadlineSeconds still bounds the pod).
        self._progress.collecting = True
        if self._terms.collect is None:
            return
        room = self._files_bound - len(self._files)
        if len(data) > room:
            self._files_cut = True
            data = data[: max(0, room)]
        self._files += data

    def _collected(self) -> Collected:
        if self._terms.collect is None or not self._files:
            return Collected()
        return parse_collected(
            bytes(self._files), self._terms.collect, truncated=self._files_cut, given=self._given
        )

    def _outcome(self) -> SandboxOutcome:
        outcome = self._ended()
        if outcome.error is not None:
            return outcome
        return self._collected().told_in(outcome)

    def _ended(self) -> SandboxOutcome:
        progress = self._progress
        actions = BackendActions(
            cancelled=self._cancelled,
            timed_out=self._timed_out,
            output_limit_exceeded=self._output_capped,
        )
        if progress.error is not None and not actions.cancelled:
            return SandboxOutcome(error=progress.error)
        state = progress.state
        report = None
        if state is not None and state.terminated is not None:
            report = parse_report(state.terminated.message)
        if report is None and progress.log_report is not None:
            report = dict(progress.log_report)
        if (
            self._terms.warm
            and not progress.accepted
            and not actions.cancelled
            and (report is None or (report.get("exit_code") is None and not report.get("signal")))
        ):
            # Its runner never said it had the script: the worker that claimed the pod
            # stopped before the hand-over, so whatever ended it, nothing of ours ran.
            return SandboxOutcome(
                error="the script never reached its pod (the worker that launched or claimed "
                "the pod stopped before handing it over)"
            )
        if (
            state is not None
            and progress.gone
            and not state.finished
            and not any((actions.cancelled, actions.timed_out, actions.output_limit_exceeded))
        ):
            return SandboxOutcome(error="the sandbox pod was deleted before it finished")
        return outcome_for(state, report, actions)

    # Side effects.

    async def _send_hand_over(self, message: bytes) -> None:
        """Give the waiting runner its files, arguments and script (`handover.py`)."""
        self._hand_over = None
        assert self._stdin is not None
        try:
            with self.spans.handing_over():
                for chunk in chunks(message):
                    await self._stdin.write(chunk)
                if not self._terms.interactive:
                    await self._stdin.close()
        except BrokenPipeError as exc:
            if self._progress.error is None:
                self._progress.error = f"cannot hand the script to its sandbox pod: {exc}"
            await self._kill()
        finally:
            self._started.set()

    def _start_logs(self) -> None:
        self._follower = LogFollower(
            self._api,
            self._config.namespace,
            self._pod_name,
            read_timeout=self._config.log_read_timeout_seconds,
            backoff=self._config.reconnect_backoff_seconds,
        )
        self._log_task = asyncio.create_task(self._pump_logs(self._follower))

    async def _pump_logs(self, follower: LogFollower) -> None:
        try:
            async for frame in follower.frames():
                self._inbox.put_nowait(LogFrame(frame))
        except (KubeError, aiohttp.ClientError, TimeoutError, ValueError) as exc:
            logger.warning("following the log of %s failed: %s", self._pod_name, exc)
        finally:
            self._inbox.put_nowait(LogsDrained())

    async def _kill(self) -> None:
        """Delete the pod at once (the runner's SIGTERM handler will not get a chance)."""
        if self._killed_at is None:
            self._killed_at = time.monotonic()
        await self._delete(grace_seconds=0)
        self._inbox.put_nowait(Wake())

    async def _delete(self, grace_seconds: int | None) -> None:
        body: JsonObject = {"propagationPolicy": "Background"}
        if grace_seconds is not None:
            body["gracePeriodSeconds"] = grace_seconds
        try:
            with self.spans.deleting(grace_seconds):
                await self._api.delete(self._pod_path, body)
        except (KubeError, aiohttp.ClientError, TimeoutError) as exc:
            # The reaper removes what we could not.
            logger.warning("cannot delete pod %s: %s", self._pod_name, exc)
