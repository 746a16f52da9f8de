"""What the benchmark scripts measure with: wall and CPU time, medians of repeats, peak memory.
(The scripts run as ``python benchmarks/bench_*.py``, so this folder is on their import path.)"""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable


class Clock:
    """Wall time and CPU time of this process (other work on the machine inflates wall time)."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def __enter__(self) -> Clock:
        self._w, self._c = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall.append(time.perf_counter() - self._w)
        self.cpu.append(time.process_time() - self._c)

    def result(self) -> dict:
        return {"time": statistics.median(self.wall), "cpu": statistics.median(self.cpu)}


def timed(fn: Callable[[], object], repeat: int = 3) -> float:
    """Median wall time of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_rss_mb() -> float:
    """This process's peak RSS: /proc VmHWM, which exec resets. Linux's ru_maxrss keeps the peak
    of the parent across fork + exec (the parent built the workbooks a child measures)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
