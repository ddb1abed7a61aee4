"""Warm sandboxes for the runtimes in demand, not only the default one.

The default runtime's pool (`warm.py`) is started with the backend. Another runtime (a
second Python version, an environment) gets a pool of its own, of `size` sandboxes, the
first time one of its executions has to start cold: from the next execution on it starts
warm too. At most `max_pools` such pools live at once; a runtime asked for when all are
taken keeps starting cold, and the pool of the runtime used least recently is closed to
make room for it at its next cold start.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable

from service.adapters.sandbox.local.warm import HandedOver, WarmPool, warm_template
from service.domain.runtimes import Runtime
from service.domain.sandboxes import SandboxSpec

log = logging.getLogger(__name__)

MAX_POOLS = 4


class DemandPools:
    """One small warm pool per runtime in demand (implements the backend's side of it)."""

    def __init__(
        self,
        make_pool: Callable[[SandboxSpec, int], WarmPool],
        *,
        size: int = 1,
        max_pools: int = MAX_POOLS,
    ) -> None:
        self._make_pool = make_pool
        self._size = size
        self._max_pools = max_pools
        self._pools: OrderedDict[str, WarmPool] = OrderedDict()
        self._closing: set[asyncio.Task[None]] = set()

    def hand_over(self, spec: SandboxSpec) -> HandedOver | None:
        pool = self._pools.get(spec.runtime.id)
        if pool is None:
            return None
        self._pools.move_to_end(spec.runtime.id)
        return pool.hand_over(spec)

    def started_cold(self, runtime: Runtime) -> None:
        """`runtime` had to start cold: give it a pool (making room if need be)."""
        if self._size <= 0 or self._max_pools <= 0 or runtime.id in self._pools:
            return
        if len(self._pools) >= self._max_pools:
            _, evicted = self._pools.popitem(last=False)
            task = asyncio.get_running_loop().create_task(evicted.close())
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)
        pool = self._make_pool(warm_template(runtime), self._size)
        pool.fill()
        self._pools[runtime.id] = pool
        log.info("warm sandboxes for runtime %s: it is in demand", runtime.id)

    def has(self, runtime_id: str) -> bool:
        """Whether `runtime_id` has a pool now."""
        return runtime_id in self._pools

    def ready(self, runtime_id: str) -> int:
        """Warm sandboxes of `runtime_id` waiting now."""
        pool = self._pools.get(runtime_id)
        return 0 if pool is None else pool.ready

    @property
    def runtimes(self) -> list[str]:
        """The runtimes with a pool, least recently used first."""
        return list(self._pools)

    async def close(self) -> None:
        pools, self._pools = list(self._pools.values()), OrderedDict()
        await asyncio.gather(*(p.close() for p in pools), *self._closing, return_exceptions=True)
