"""Launch overhead against the number of tasks: Dask against a plain ``ThreadPoolExecutor``.

The talk (item 6) found Dask's launch overhead growing with the task count while
``ThreadPoolExecutor``'s stayed flat. :func:`launch_overhead` re-measures it on today's
releases: the same total work (``n`` samples, the same pure tasks as the Dask backends)
split into 1, 10, 100, 1000 tasks and run by each method. Every method must return the
same hits for the same split; a mismatch raises.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ..core import check_n, estimate
from ..errors import InvalidArgument, shown
from ..machine import cpu_count
from ..tasks import MAX_TASKS, count_task, plan

METHODS = ("threadpool", "dask:delayed", "dask:distributed")


def threadpool_hits(n: int, seed: int, chunks: int, kernel: str = "numpy", threads: int | None = None) -> int:
    """The Dask backends' tasks run by a ``ThreadPoolExecutor`` instead of Dask."""
    with ThreadPoolExecutor(max_workers=threads or cpu_count()) as pool:
        futures = [
            pool.submit(count_task, seed, i, start, size, kernel) for i, start, size in plan(n, chunks)
        ]
        return sum(f.result() for f in futures)


def runner(method: str, n: int, seed: int = 0, kernel: str = "numpy") -> Callable[[int], int]:
    """A function ``tasks -> hits`` that computes ``n`` samples in ``tasks`` tasks with ``method``."""
    if method == "threadpool":
        return lambda tasks: threadpool_hits(n, seed, tasks, kernel)
    if method in ("dask:delayed", "dask:distributed"):
        return lambda tasks: estimate(n, method, seed=seed, chunks=tasks, kernel=kernel).hits
    raise InvalidArgument(f"method={method!r} is not a launch method; accepted: {', '.join(METHODS)}")


def launch_overhead(
    tasks: Sequence[int] = (1, 10, 100, 1000),
    n: int = 2**24,
    methods: Sequence[str] = METHODS,
    repeat: int = 3,
    kernel: str = "numpy",
) -> list[dict[str, Any]]:
    """Time each method on each task count; rows of ``method``, ``tasks``, ``seconds``, ``overhead_s``.

    ``seconds`` is the best of ``repeat`` runs (after one warm-up run that starts
    clusters and compiles kernels); ``overhead_s`` is ``seconds`` minus the same method's
    one-task time: what splitting the same work into more tasks costs.
    """
    n = check_n(n)
    top = min(n, MAX_TASKS)  # every method, the thread pool too: one future per task in memory
    for m in tasks:
        if isinstance(m, bool) or not isinstance(m, int) or not 1 <= m <= top:
            raise InvalidArgument(
                f"tasks={shown(m)}: each task count must be an integer from 1 to {top:,} "
                f"(n, and at most {MAX_TASKS:,} tasks)"
            )
    rows = []
    reference: dict[int, int] = {}
    for method in methods:
        run = runner(method, n, kernel=kernel)
        run(min(tasks))  # warm-up: cluster start, imports, compilation
        for m in sorted(tasks):
            best, hits = float("inf"), None
            for _ in range(repeat):
                start = time.perf_counter()
                hits = run(m)
                best = min(best, time.perf_counter() - start)
            if reference.setdefault(m, hits) != hits:
                raise AssertionError(f"{method} with {m} tasks gave {hits} hits, not {reference[m]}")
            rows.append({"method": method, "tasks": m, "seconds": best, "hits": hits})
    for row in rows:
        first = next(r for r in rows if r["method"] == row["method"])
        row["overhead_s"] = row["seconds"] - first["seconds"]
    return rows
