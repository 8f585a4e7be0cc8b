"""Cost that must not explode, checked so that a busy machine cannot fail the check.

A wall-clock bound (`elapsed < 1`) fails when another process takes the cores. What a
reader or parser must not do is grow faster than its input: a quadratic parse or a
backtracking regex takes 16 times longer for 4 times the input, a linear one 4 times. So
these checks time the same work at two sizes, in turn and best of a few, and compare:
both measurements share whatever load the machine is under.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

# 4× the input: linear work takes about 4×, quadratic work 16×; 10 lies between, with room
# for the noise of a busy machine.
FACTOR = 4
MAX_GROWTH = 10.0
# Below this, the larger run is cheap whatever its ratio (timer noise dominates such
# small times): a busy machine can only push a run above it, never below.
NEGLIGIBLE_SECONDS = 0.05


def growth(run: Callable[[int], object], size: int, factor: int = FACTOR, repeats: int = 3) -> tuple[float, float]:
    """Best time of `run(size)` and of `run(size * factor)`, measured alternately."""
    small = large = float("inf")
    for _ in range(repeats):
        small = min(small, _timed(run, size))
        large = min(large, _timed(run, size * factor))
    return small, large


def assert_grows_linearly(run: Callable[[int], object], size: int, what: str = "") -> None:
    """`run(n)` does work of size n: 4n must cost well under 16 times n. A ratio over the
    bound is measured once more, longer, before it fails: a quadratic cost is over it
    every time, a burst of load on a shared machine seldom twice."""
    for repeats in (3, 7):
        small, large = growth(run, size, repeats=repeats)
        if large < NEGLIGIBLE_SECONDS:
            return
        ratio = large / max(small, 1e-6)
        if ratio < MAX_GROWTH:
            return
    raise AssertionError(f"{what}: {small * 1000:.1f} ms for {size}, {large * 1000:.1f} ms for {size * FACTOR} ({ratio:.1f}×)")


def _timed(run: Callable[[int], object], size: int) -> float:
    # The garbage collector's full passes cost what the whole test process holds, not
    # what this run made: collected before, kept out of the measurement.
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        run(size)
        return time.perf_counter() - started
    finally:
        gc.enable()
