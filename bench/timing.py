"""Timing shared by the benchmarks: contenders run in turns, so that a noisy spell on a
shared machine falls on every one of them alike."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

Timings = dict[str, tuple[float, float]]


def interleaved(fns: dict[str, Callable[[], object]], repeats: int) -> Timings:
    """(median wall seconds, median CPU seconds of the process, all threads) of each function,
    over `repeats` rounds that call every function once, in order."""
    wall: dict[str, list[float]] = {name: [] for name in fns}
    cpu: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            wall[name].append(time.perf_counter() - t0)
            cpu[name].append(time.process_time() - c0)
    return {name: (statistics.median(wall[name]), statistics.median(cpu[name])) for name in fns}
