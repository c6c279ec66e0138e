"""The threading and GIL lab: scaling, determinism under concurrency, and the race the talk found.

The talk's last third asked whether GIL-safety can be predicted, and showed a "Count"
run from several threads returning wrong counts depending on timing alone. Three
experiments make that reproducible (``accelpi threads`` runs them all):

:func:`scaling`
    the same total work on 1..k threads: time, speedup and parallel efficiency;
:func:`concurrency`
    every backend's ``estimate`` called from k threads at once, round after round, each
    result compared with the same call made serially: our backends must never differ;
:func:`race`
    "count" kernels updating shared state from several threads: an unsafe one (in-place
    NumPy adds on one shared array, which release the GIL mid-update) loses updates;
    the safe ones (per-thread partial counts, a lock, per-thread slots in a ``nogil``
    Numba kernel) never do.

Nothing here assumes a GIL: on a free-threaded build (``sys._is_gil_enabled()`` false)
the same experiments run, and :func:`gil_status` says so.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import numpy as np

from .. import registry
from ..core import estimate
from ..machine import cpu_count


def gil_status() -> str:
    """``"GIL enabled"`` or ``"free-threaded (GIL disabled)"`` for this interpreter."""
    enabled = sys._is_gil_enabled() if hasattr(sys, "_is_gil_enabled") else True
    return "GIL enabled" if enabled else "free-threaded (GIL disabled)"


def _best_time(call: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


# -- 1. scaling ------------------------------------------------------------------------


def scaling(
    backends: Sequence[str] | None = None,
    threads: Sequence[int] | None = None,
    n: int = 2**25,
    repeat: int = 3,
) -> list[dict[str, Any]]:
    """Time ``n`` samples on each thread count; rows with speedup and efficiency.

    Parameters
    ----------
    backends : sequence of str, optional
        Default: :func:`accelpi.registry.scaling_backends` available here.
    threads : sequence of int, optional
        Default: 1 to the number of cores.
    n : int
        Samples per call (``numba:fused`` gets 8 times more, to be measurable).
    repeat : int
        Calls per point; the best is kept.

    Returns
    -------
    list of dict
        ``backend``, ``threads``, ``seconds``, ``speedup`` (vs 1 thread), ``efficiency``
        (speedup / threads), or ``skipped`` with the reason.
    """
    names = (
        list(backends)
        if backends is not None
        else [b for b in registry.scaling_backends() if registry.info(b).available]
    )
    counts = sorted(set(threads)) if threads is not None else list(range(1, cpu_count() + 1))
    rows = []
    for name in names:
        size = n * 8 if name == "numba:fused" else n
        limit = registry.load(name).max_threads()
        base = None
        for t in counts:
            if limit is not None and t > limit:
                rows.append(
                    {"backend": name, "threads": t, "skipped": f"{name} allows at most {limit} threads"}
                )
                continue
            estimate(10_000, name, threads=t)  # warm-up: compile, thread pools
            seconds = _best_time(
                lambda name=name, t=t, size=size: estimate(size, name, seed=1, threads=t), repeat
            )
            base = base if base is not None else (seconds if t == 1 else None)
            speedup = base / seconds if base else None
            rows.append(
                {
                    "backend": name,
                    "threads": t,
                    "n": size,
                    "seconds": seconds,
                    "speedup": speedup,
                    "efficiency": speedup / t if speedup else None,
                }
            )
    return rows


def plot_scaling(rows: list[dict[str, Any]], path: str) -> None:
    """Speedup against threads, one line per backend, with the ideal line (matplotlib)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    measured = [r for r in rows if r.get("speedup")]
    fig, ax = plt.subplots(figsize=(6, 4.5), layout="constrained")
    top = max((r["threads"] for r in measured), default=1)
    ax.plot([1, top], [1, top], "k--", label="ideal")
    for name in dict.fromkeys(r["backend"] for r in measured):
        points = [(r["threads"], r["speedup"]) for r in measured if r["backend"] == name]
        ax.plot(*zip(*points, strict=True), marker="o", label=name)
    ax.set(xlabel="threads", ylabel="speedup vs 1 thread", title=f"Thread scaling ({gil_status()})")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.savefig(path, dpi=120)
    plt.close(fig)


# -- 2. determinism under concurrency ----------------------------------------------


def concurrency(
    backends: Sequence[str] | None = None,
    threads: int = 4,
    rounds: int = 5,
    n: int = 300_001,
) -> list[dict[str, Any]]:
    """Call each backend from ``threads`` threads at once and compare with serial calls.

    Each round runs ``threads`` concurrent calls: half with distinct seeds, half
    repeating one seed. Every result must equal the serial result for its seed.

    Returns
    -------
    list of dict
        ``backend``, ``calls``, ``mismatches`` (must be 0) and the first ``example``.
    """
    names = (
        list(backends)
        if backends is not None
        else [b for b in registry.names() if b != "python" and registry.info(b).available]
    )
    rows = []
    for name in names:
        seeds = [1000 + i if i % 2 == 0 else 7 for i in range(threads)]
        serial = {seed: estimate(n, name, seed=seed).hits for seed in set(seeds)}
        calls = mismatches = 0
        example = None
        with ThreadPoolExecutor(max_workers=threads) as pool:
            for _ in range(rounds):
                call = partial(_call_together, threading.Barrier(threads), name, n)
                for seed, hits in pool.map(call, seeds):
                    calls += 1
                    if hits != serial[seed]:
                        mismatches += 1
                        example = example or f"seed {seed}: {hits} hits concurrently, {serial[seed]} serially"
        rows.append({"backend": name, "calls": calls, "mismatches": mismatches, "example": example})
    return rows


def _call_together(barrier: threading.Barrier, name: str, n: int, seed: int) -> tuple[int, int]:
    barrier.wait()  # start together, to overlap as much as possible
    return seed, estimate(n, name, seed=seed).hits


# -- 3. the race -------------------------------------------------------------------


def _add_repeatedly(counts: np.ndarray, ones: np.ndarray, updates: int) -> np.ndarray:
    for _ in range(updates):
        np.add(counts, ones, out=counts)  # read-modify-write; NumPy releases the GIL inside
    return counts


def race(threads: int = 4, runs: int = 20, updates: int = 200, size: int = 100_000) -> list[dict[str, Any]]:
    """Run each "count" kernel ``runs`` times from ``threads`` threads; count wrong results.

    Every kernel adds 1 to each of ``size`` shared counters ``updates`` times per thread,
    so a correct run ends with every counter at ``threads * updates``.

    Returns
    -------
    list of dict
        ``kernel``, ``safe`` (whether it is correct by construction), ``runs``,
        ``wrong_runs``, ``lost_updates`` (total over all runs) and ``worst_loss`` (the
        largest fraction of updates lost in one run).
    """
    expected = threads * updates
    ones = np.ones(size, dtype=np.int64)
    kernels: dict[str, tuple[bool, Callable[[], np.ndarray]]] = {}

    def unsafe() -> np.ndarray:
        counts = np.zeros(size, dtype=np.int64)
        _in_threads(threads, lambda slot: _add_repeatedly(counts, ones, updates))
        return counts

    def partial_sums() -> np.ndarray:
        parts = _in_threads(threads, lambda slot: _add_repeatedly(np.zeros(size, np.int64), ones, updates))
        return np.sum(parts, axis=0)

    def locked() -> np.ndarray:
        counts = np.zeros(size, dtype=np.int64)
        lock = threading.Lock()

        def work(slot: int) -> None:
            for _ in range(updates):
                with lock:
                    np.add(counts, ones, out=counts)

        _in_threads(threads, work)
        return counts

    kernels["numpy in-place add on a shared array"] = (False, unsafe)
    kernels["per-thread partial counts, then a sum"] = (True, partial_sums)
    kernels["numpy add under a lock"] = (True, locked)
    slots = _numba_slots(threads, updates, size)
    if slots is not None:
        kernels["numba nogil kernel, per-thread slots"] = (True, slots)
    rows = []
    for label, (safe, kernel) in kernels.items():
        wrong = lost = 0
        worst = 0.0
        for _ in range(runs):
            counts = kernel()
            missing = int(expected * size - counts.sum())
            if missing or (counts != expected).any():
                wrong += 1
                lost += missing
                worst = max(worst, missing / (expected * size))
        rows.append(
            {
                "kernel": label,
                "safe": safe,
                "runs": runs,
                "wrong_runs": wrong,
                "lost_updates": lost,
                "worst_loss": worst,
            }
        )
    return rows


def _in_threads(threads: int, work: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(threads)

    def start(slot: int) -> Any:
        barrier.wait()
        return work(slot)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(start, range(threads)))


def _numba_slots(threads: int, updates: int, size: int) -> Callable[[], np.ndarray] | None:
    try:
        from numba import njit
    except ImportError:
        return None

    @njit(nogil=True, cache=False)
    def add_to_slot(slots, slot, updates):  # pragma: no cover - compiled
        for _ in range(updates):
            for i in range(slots.shape[1]):
                slots[slot, i] += 1

    def kernel() -> np.ndarray:
        slots = np.zeros((threads, size), dtype=np.int64)
        _in_threads(threads, lambda slot: add_to_slot(slots, slot, updates))
        return slots.sum(axis=0)

    return kernel
