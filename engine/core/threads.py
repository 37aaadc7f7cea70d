"""How many threads a run's fits and predictions may use: the cores free when the run starts, never more.

Libraries start as many threads as the machine has cores. On a laptop doing other work those threads outnumber
the free cores, and OpenMP threads spin-wait for each other: LightGBM fitting 1,600 × 30 rows took 8.6 s with its
default threads and one core busy, 0.2 s with one thread (issue 17). Every library that can start threads (OpenMP
in LightGBM and scikit-learn's histogram boosting, BLAS) gets its count from here. OpenMP keeps its own way of
waiting: with as many threads as free cores nothing spins against other work, and passive waiting made
histogram boosting 7× slower on free cores (bench/threads.py).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

# the variables OpenMP and the BLAS libraries read once, when they are loaded
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")
SAMPLE_S = 0.2  # how long the cores are watched to see how busy they are
BUSY_SHARE = 0.5  # a core busier than this over the sample is taken


def cores() -> int:
    """The cores this process may run on (a container's or taskset's limit, not the machine's count)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def free_cores(sample_s: float = SAMPLE_S) -> int:
    """The cores not kept busy by other work right now (at least one): this process's cores less the busy time
    the machine's counters show over `sample_s`, or less the load average where there are no such counters."""
    usable = cores()
    busy = _busy_cores(sample_s)
    if busy is None:
        busy = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    return max(1, min(usable, usable - int(busy + (1 - BUSY_SHARE))))


def _busy_cores(sample_s: float) -> float | None:
    """Cores' worth of time spent busy over `sample_s`, from /proc/stat (Linux); None elsewhere."""

    def counters() -> tuple[int, int] | None:
        try:
            with open("/proc/stat", encoding="ascii") as stat:
                fields = [int(v) for v in stat.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle and waiting for disk
        return sum(fields), idle

    before = counters()
    time.sleep(sample_s)
    after = counters()
    if before is None or after is None or after[0] == before[0]:
        return None
    total, idle = after[0] - before[0], after[1] - before[1]
    return (total - idle) / total * (os.cpu_count() or 1)


_settled: list[int] = []  # the count settle() was given, for estimators that take theirs as a parameter


def count() -> int:
    """The thread count this process settled on (settle), else every core it may use."""
    return _settled[-1] if _settled else cores()


def settle(count: int) -> None:
    """Tell the thread libraries not yet loaded, and the estimators built from now on (ModelSpec.threads_param),
    how many threads to start; a value the user set in the environment stays theirs."""
    _settled[:] = [count]
    for name in THREAD_VARIABLES:
        os.environ.setdefault(name, str(count))


@contextmanager
def limited(count: int) -> Iterator[None]:
    """`count` threads for the thread libraries already loaded (settle() covers those loaded later)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=count):
        yield


def use_free_cores() -> int:
    """For a process that goes on to use a saved model (predict, what-if): the thread libraries, loaded or still to
    load, start no more threads than the cores free now, from here on (a run sets its own for as long as it lasts,
    runner.run; a loaded model is asked for as long as the process lives). Returns that count."""
    from threadpoolctl import threadpool_limits

    count = free_cores()
    settle(count)
    threadpool_limits(limits=count)  # not a context: in force for the rest of the process
    return count
