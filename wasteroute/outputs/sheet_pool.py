"""Run one job per item on several cores: forked worker processes that share the parent's data.

The workers are forked after the data is built, so they read the plan, the road graph and the
street geometry from the parent's memory (copy-on-write) instead of receiving a pickled copy
per item. Only an item's index goes to a worker and only a small result (a file name, a page
count) comes back. Where ``fork`` does not exist (Windows, macOS' default) the items run one
after the other in this process.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from typing import Any, TypeVar

T = TypeVar("T")

_JOB: Callable[[int], Any] | None = None  # set in each worker by _start


def usable_cores() -> int:
    """The number of cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def check_workers(workers: int | None) -> int:
    """``workers`` checked, or every usable core when ``None``.

    Raises
    ------
    ValueError
        If ``workers`` is not a whole number of at least 1.
    """
    if workers is None:
        return usable_cores()
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        msg = f"workers must be at least 1 (a whole number of processes), not {workers!r}"
        raise ValueError(msg)
    return workers


def run_each(
    job: Callable[[int], T], n: int, *, workers: int, on_done: Callable[[], None]
) -> list[T]:
    """``[job(0), …, job(n - 1)]``, computed by up to ``workers`` forked processes.

    ``on_done`` is called in this process after each item, in the order the items finish.
    The results come back in item order whatever the number of workers.
    """
    workers = min(workers, n)
    if workers <= 1 or "fork" not in mp.get_all_start_methods():
        results = []
        for i in range(n):
            results.append(job(i))
            on_done()
        return results
    gc.freeze()  # objects made before the fork stay out of the collector: fewer pages copied
    pool = ProcessPoolExecutor(
        workers, mp_context=mp.get_context("fork"), initializer=_start, initargs=(job,)
    )
    try:
        futures: dict[Future[tuple[int, T]], int] = {pool.submit(_run, i): i for i in range(n)}
        out: dict[int, T] = {}
        for done in as_completed(futures):
            i, result = done.result()
            out[i] = result
            on_done()
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        gc.unfreeze()
    pool.shutdown(wait=True)
    return [out[i] for i in range(n)]


def _start(job: Callable[[int], Any]) -> None:
    """Worker start: keep the job (handed over by fork, never pickled)."""
    global _JOB
    _JOB = job


def _run(i: int) -> tuple[int, Any]:
    """Worker: item ``i``'s result, with its index."""
    assert _JOB is not None
    return i, _JOB(i)
