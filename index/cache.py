"""A small bounded, thread-safe cache of arrays computed from one index generation.

Date keys, lengths and posting lists are read once per index generation and shared by
the server's threads; keys carry the generation, so a reindex never serves stale arrays.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")

_every: list[LruCache] = []


class LruCache(Generic[Value]):
    """Values weighing at most `size` in all, the least recently used dropped first.

    Each value weighs 1 unless `weigh` says otherwise (posting lists weigh their length,
    so that the cache is bounded in memory, not in entries).
    """

    def __init__(self, size: int, weigh: Callable[[Value], int] | None = None) -> None:
        self._size = size
        self._weigh = weigh or (lambda value: 1)
        self._weight = 0
        self._values: OrderedDict[Hashable, tuple[Value, int]] = OrderedDict()
        self._lock = threading.Lock()
        _every.append(self)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._weight = 0

    def get(self, key: Hashable, compute: Callable[[], Value]) -> Value:
        """The cached value for `key`, computed (outside the lock) when missing."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key][0]
        value = compute()
        weight = self._weigh(value)
        with self._lock:
            if key in self._values:
                self._weight -= self._values.pop(key)[1]
            self._values[key] = (value, weight)
            self._weight += weight
            while self._weight > self._size and len(self._values) > 1:
                self._weight -= self._values.popitem(last=False)[1][1]
        return value


def clear_caches() -> None:
    """Empty every cache: what a process that just started has (benchmarks measure
    queries from there)."""
    for cache in _every:
        cache.clear()
