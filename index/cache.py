"""A small bounded, thread-safe cache of arrays computed from one index generation.

Date keys, lengths and posting lists are read once per index generation and shared by
the server's threads; keys carry the generation, so a reindex never serves stale arrays.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

import numpy as np

Value = TypeVar("Value")

_every: list[LruCache] = []


# What one entry costs beyond its arrays: the key (a tuple, the word's string), the
# ordered dict's slot and link, the (value, weight) pair. And what each array of its own
# costs beyond its data (its header, its share of the object holding it). Measured with
# tracemalloc on posting lists: 224 bytes an entry for a 12-digit word the index does
# not hold (they share one empty list), 720 for a word with a short list of its own.
ENTRY_BYTES = 300
ARRAY_BYTES = 200


def shared(array: np.ndarray) -> np.ndarray:
    """`array` made read-only: a cached array is shared by every request of a generation,
    and writing to it is a bug that should fail where it is made."""
    array.flags.writeable = False
    return array


def array_bytes(*arrays: np.ndarray) -> int:
    """What an entry holding these arrays costs: their data, their headers, the entry."""
    return ENTRY_BYTES + sum(ARRAY_BYTES + int(a.nbytes) for a in arrays)


class LruCache(Generic[Value]):
    """Values weighing at most `size` in all, the least recently used dropped first.

    Each value weighs 1 unless `weigh` says otherwise: caches of arrays weigh them in
    bytes with `array_bytes`, entry included, so that a flood of tiny entries (words
    the index does not hold) is bounded as honestly as a few large ones.
    """

    def __init__(self, size: int, weigh: Callable[[Value], int] | None = None) -> None:
        self._size = size
        self._weigh = weigh or (lambda value: 1)
        self._weight = 0
        self._values: OrderedDict[Hashable, tuple[Value, int]] = OrderedDict()
        self._lock = threading.Lock()
        _every.append(self)

    def __len__(self) -> int:
        return len(self._values)

    @property
    def weight(self) -> int:
        """The weight of the values held, at most `size` (unless one value alone is more)."""
        return self._weight

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
