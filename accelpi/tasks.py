"""Pure counting tasks: the unit of work the Dask backends and the launch-overhead lab share.

An estimate of ``n`` samples is split into ``chunks`` tasks (:func:`plan`); each task is
computed by :func:`count_task` with one of two kernels:

``"numpy"``
    task ``i`` draws float64 points from PCG64 streams ``SeedSequence(seed)`` children
    ``(i, j)``, ``2**20`` points at a time (so a task's memory is bounded whatever its
    size);
``"numba:fused"``
    task ``i`` counts its range of ``numba:fused``'s samples (disjoint counters of one
    counter-based stream), so the total equals ``numba:fused``'s for any ``chunks``.

Tasks are pure: for a given ``(n, seed, chunks, kernel)`` the hits are the same whichever
scheduler runs them (Dask's, a cluster's, a plain thread pool) and the same as
:func:`serial_hits` computes; a task rerun after a worker died gives the same count.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator

import numpy as np

from . import registry
from .errors import BackendUnavailable, InvalidArgument
from .machine import cpu_count

__all__ = ["KERNELS", "block_points", "check_kernel", "count_task", "default_chunks", "plan", "serial_hits"]

KERNELS = ("numpy", "numba:fused")

#: Default task size, and the points a ``numpy`` task draws at once (chosen on cpu-epyc-2c).
TASK_SAMPLES = 1 << 22
DRAW = 1 << 20

#: The most tasks one estimate is split into: a scheduler holds every task of a graph in
#: memory, so the graph must stay bounded whatever ``n`` is (2**62 samples at the default
#: task size would be 2**40 tasks); past this count, tasks grow instead.
MAX_TASKS = 100_000


def _draws(seed: int, index: int, size: int) -> Iterator[np.ndarray]:
    for j, start in enumerate(range(0, size, DRAW)):
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(index, j))))
        yield rng.random((2, min(DRAW, size - start)))


def count_task(seed: int, index: int, start: int, size: int, kernel: str) -> int:
    """Hits of task ``index``, which holds samples ``start`` to ``start + size - 1``."""
    if kernel == "numba:fused":
        return registry.load("numba:fused").module.fused_range(seed, start, start + size)
    hits = 0
    for xy in _draws(seed, index, size):
        np.square(xy, out=xy)
        hits += int(np.count_nonzero(xy[0] + xy[1] < 1.0))
    return hits


def block_points(seed: int, index: int, size: int) -> np.ndarray:
    """Task ``index``'s points as one ``(2, size)`` block: the ``numpy`` kernel's draws."""
    return np.concatenate(list(_draws(seed, index, size)), axis=1)


def plan(n: int, chunks: int) -> list[tuple[int, int, int]]:
    """``(index, start, size)`` of each task: ``chunks`` near-equal ranges covering ``n``."""
    base, extra = divmod(n, chunks)
    tasks, start = [], 0
    for i in range(chunks):
        size = base + (1 if i < extra else 0)
        tasks.append((i, start, size))
        start += size
    return tasks


def serial_hits(n: int, seed: int, chunks: int, kernel: str = "numpy") -> int:
    """The same tasks computed one after the other, without any scheduler: the reference."""
    return sum(count_task(seed, i, start, size, kernel) for i, start, size in plan(n, chunks))


def default_chunks(n: int) -> int:
    """One task per ``TASK_SAMPLES`` samples, at least one per core, at most ``MAX_TASKS``."""
    return min(n, MAX_TASKS, max(cpu_count(), math.ceil(n / TASK_SAMPLES)))


def check_chunks(chunks: object, n: int) -> int:
    """Validate a task count (``None``: :func:`default_chunks`)."""
    if chunks is None:
        return default_chunks(n)
    top = min(n, MAX_TASKS)
    if isinstance(chunks, bool) or not isinstance(chunks, numbers.Integral) or not 1 <= chunks <= top:
        raise InvalidArgument(
            f"chunks={chunks!r}: chunks must be an integer from 1 to {top:,} (n, and at most {MAX_TASKS:,} "
            "tasks: a scheduler holds the whole graph in memory), or None"
        )
    return int(chunks)


def check_kernel(kernel: object) -> str:
    """Validate a task kernel name (``None``: ``"numpy"``); an unavailable one is reported."""
    kernel = kernel or "numpy"
    if kernel not in KERNELS:
        raise InvalidArgument(f"kernel={kernel!r} is not a task kernel; accepted: {', '.join(KERNELS)}")
    if kernel == "numba:fused":
        info = registry.info("numba:fused")
        if not info.available:
            raise BackendUnavailable(f"kernel 'numba:fused' is unavailable: {info.reason}")
    return str(kernel)
