"""Timing shared by the benchmarks: contenders run in turns, so that a noisy spell on a
shared machine falls on every one of them alike."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from typing import NamedTuple


class Timing(NamedTuple):
    """Medians over the rounds of one contender, in seconds per call."""

    wall: float
    """Wall time of a call, over as many calls in a row as fill `min_time` (see below)."""
    cpu: float
    """CPU time of the process (all threads) of a call, likewise."""
    first: float
    """Wall time of the first call of each round, right after the other contenders ran."""


def interleaved(
    fns: dict[str, Callable[[], object]], repeats: int, min_time: float = 0.2
) -> dict[str, Timing]:
    """Medians of each function over `repeats` rounds that run every function in order.

    In a round a function is called as many times in a row as take at least `min_time`
    seconds (once when a call takes that long, as timeit's autorange does), and the time per
    call is the total divided by the calls. A call of a few milliseconds on its own partly
    measures how the machine wakes up: on this shared 2-core machine the first parallel call
    after half a second of other work (or of sleep) was seen to take 1.3 to 1.7 times as long
    as the next ones, depending on the machine's state. The first call of each round is
    reported too (`first`).
    """
    counts = {}
    for name, fn in fns.items():
        t0 = time.perf_counter()
        fn()
        once = max(time.perf_counter() - t0, 1e-9)
        counts[name] = max(1, math.ceil(min_time / once)) if min_time > 0 else 1
    wall: dict[str, list[float]] = {name: [] for name in fns}
    cpu: dict[str, list[float]] = {name: [] for name in fns}
    first: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            n = counts[name]
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            first[name].append(time.perf_counter() - t0)
            for _ in range(n - 1):
                fn()
            wall[name].append((time.perf_counter() - t0) / n)
            cpu[name].append((time.process_time() - c0) / n)
    med = statistics.median
    return {name: Timing(med(wall[name]), med(cpu[name]), med(first[name])) for name in fns}
