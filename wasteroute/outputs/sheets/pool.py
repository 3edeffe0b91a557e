"""Run one job per item on several cores: forked worker processes that share the parent's data.

The workers are forked after the data is built, so they read the plan, the road graph and the
street geometry from the parent's memory (copy-on-write) instead of receiving a pickled copy
per item. Only an item's index goes to a worker and only a small result (a file name, a page
count) comes back. Off Linux (no ``fork`` on Windows; on macOS, forking a process that has
loaded system frameworks is unsafe) the items run one after the other in this process.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
import signal
import sys
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Generic, TypeVar

from ...errors import WasterouteError

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


class Jobs(Generic[T]):
    """``job(0)``, …, ``job(n - 1)`` started in forked workers; this process is free until
    :meth:`wait`. With one worker (or no ``fork``) the items run in :meth:`wait`, here.

    Use it as a context manager: leaving the block early (an error, Ctrl-C) cancels the items
    not started and waits for the workers to stop.
    """

    def __init__(self, job: Callable[[int], T], n: int, *, workers: int) -> None:
        self.job, self.n = job, n
        self.workers = max(1, min(workers, n)) if sys.platform.startswith("linux") else 1
        self._pool: ProcessPoolExecutor | None = None
        self._futures: dict[Future[tuple[int, T]], int] = {}

    def __enter__(self) -> Jobs[T]:
        if self.workers > 1:
            # Objects made before the fork stay out of the collector: fewer pages copied.
            gc.freeze()
            try:
                self._pool = ProcessPoolExecutor(
                    self.workers,
                    mp_context=mp.get_context("fork"),
                    initializer=_start,
                    initargs=(self.job,),
                )
                self._futures = {self._pool.submit(_run, i): i for i in range(self.n)}
            finally:
                gc.unfreeze()  # the workers exist now (fork starts them all at the first submit)
        return self

    def wait(self, *, on_done: Callable[[], None]) -> list[T]:
        """The results in item order; ``on_done`` is called after each item as it finishes."""
        if self._pool is None:
            results = []
            for i in range(self.n):
                results.append(self.job(i))
                on_done()
            return results
        out: dict[int, T] = {}
        for done in as_completed(self._futures):
            try:
                i, result = done.result()
            except BrokenProcessPool:
                msg = (
                    "a worker process died before it finished (out of memory or killed); "
                    "run again with one worker (workers=1) to use less memory"
                )
                raise WasterouteError(msg) from None
            out[i] = result
            on_done()
        return [out[i] for i in range(self.n)]

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=kind is not None)
            self._pool = None


def _start(job: Callable[[int], Any]) -> None:
    """Worker start: keep the job (handed over by fork, never pickled).

    Ctrl-C reaches the whole process group; only the parent acts on it (it cancels the items
    not started and waits for the running ones), so a worker ignores it instead of printing
    a traceback.
    """
    global _JOB
    _JOB = job
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run(i: int) -> tuple[int, Any]:
    """Worker: item ``i``'s result, with its index."""
    assert _JOB is not None
    return i, _JOB(i)
