"""`LogFollower`: the runner's frames from the pod log, once each, across dropped streams.

Follows `pods/{name}/log?follow=true&timestamps=true`. When a stream drops while the container
runs, it resumes with `sinceTime` (whole seconds, so it overlaps) and skips every frame whose
number it has already yielded. A stream that was opened after the container terminated holds
everything, so its end is the end; so is the runner's final frame, or the pod's deletion.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import aiohttp

from service.adapters.sandbox.kubernetes.api import KubeApi, KubeError
from service.adapters.sandbox.kubernetes.frames import Frame, parse_log_line, since_time
from service.adapters.sandbox.kubernetes.podspecs import CONTAINER_NAME

logger = logging.getLogger(__name__)


class LogFollower:
    """Yields the frames of one pod's log in order, without gaps from reconnects or repeats."""

    def __init__(
        self,
        api: KubeApi,
        namespace: str,
        pod_name: str,
        *,
        read_timeout: float,
        backoff: tuple[float, ...],
    ) -> None:
        self._api = api
        self._path = f"/api/v1/namespaces/{namespace}/pods/{pod_name}/log"
        self._read_timeout = read_timeout
        self._backoff = backoff or (1.0,)
        self.terminated = asyncio.Event()  # set by the owner when the container has ended
        self.last_number = 0
        self.reconnects = 0

    async def frames(self) -> AsyncIterator[Frame]:
        last_timestamp: str | None = None
        failures = 0
        while True:
            complete = self.terminated.is_set()
            params = {"container": CONTAINER_NAME, "follow": "true", "timestamps": "true"}
            if last_timestamp is not None:
                params["sinceTime"] = since_time(last_timestamp)
            progressed = False
            try:
                async with self._api.lines(
                    self._path, params, read_timeout=self._read_timeout
                ) as lines:
                    async for line in lines:
                        parsed = parse_log_line(line)
                        if parsed is None or parsed.frame.number <= self.last_number:
                            continue
                        if parsed.frame.number != self.last_number + 1:
                            logger.warning(
                                "log of %s skips frames %d..%d",
                                self._path,
                                self.last_number + 1,
                                parsed.frame.number - 1,
                            )
                        self.last_number = parsed.frame.number
                        last_timestamp = parsed.timestamp
                        progressed = True
                        yield parsed.frame
                        if parsed.frame.is_end:
                            return
                if complete:
                    return
            except KubeError as exc:
                if exc.not_found:
                    return  # the pod is gone, and its log with it
                logger.info("log stream of %s refused: %s", self._path, exc)
            except (aiohttp.ClientError, TimeoutError) as exc:
                logger.info("log stream of %s dropped: %s", self._path, exc)
            self.reconnects += 1
            failures = 0 if progressed else failures + 1
            if failures:
                await self._pause(failures - 1)

    async def _pause(self, failures: int) -> None:
        """Back off, but wake up at once when the container ends."""
        delay = self._backoff[min(failures, len(self._backoff) - 1)]
        try:
            await asyncio.wait_for(self.terminated.wait(), delay)
        except TimeoutError:
            pass
        else:
            await asyncio.sleep(min(delay, 0.05))
