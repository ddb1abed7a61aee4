"""Recent events per key in a sliding window: the counters behind this process's rate limits
(failed logins, registrations). Memory stays bounded: beyond `max_keys` the key seen least
recently is forgotten, which only ever lets a forgotten caller try again sooner."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Hashable


class RecentEvents:
    """When each key's events of the last `window_seconds` happened."""

    def __init__(
        self,
        window_seconds: float,
        *,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.window_seconds = window_seconds
        self._max_keys = max_keys
        self._clock = clock
        self._events: dict[Hashable, deque[float]] = {}

    def count(self, key: Hashable) -> int:
        return len(self._recent(key))

    def record(self, key: Hashable) -> None:
        self._recent(key).append(self._clock())

    def seconds_until_below(self, key: Hashable, limit: int) -> float:
        """How long until `key` has fewer than `limit` events in the window (0: already)."""
        events = self._recent(key)
        if len(events) < limit:
            return 0.0
        return max(0.0, events[len(events) - limit] + self.window_seconds - self._clock())

    def _recent(self, key: Hashable) -> deque[float]:
        events = self._events.pop(key, None) or deque()
        horizon = self._clock() - self.window_seconds
        while events and events[0] <= horizon:
            events.popleft()
        self._events[key] = events  # re-inserted: the most recently seen key is last
        if len(self._events) > self._max_keys:
            self._events.pop(next(iter(self._events)))
        return events
