"""How ``accelpi compare`` times a backend: the import, the first call, then the best of repeats.

Shared by the command line and ``scripts/gpu_check.py`` (which calls :func:`measure`
rather than running the command), so every comparison table is measured the same way.
"""

from __future__ import annotations

import math
import time
from typing import Any

from .. import registry
from ..core import estimate
from ..errors import BackendUnavailable
from ..ranking import REFERENCES, add_speedups

__all__ = ["FIRST_CALL_N", "REFERENCES", "measure", "with_speedups"]

#: Samples of the first call that ``compare`` times (import excluded, compile included).
FIRST_CALL_N = 10_000


_FRESH = """
import json, sys, time
name, seed, threads, device, n = json.loads(sys.argv[1])
start = time.perf_counter()
from accelpi import estimate, registry
registry.load(name)
imported = time.perf_counter()
estimate(n, name, seed=seed, threads=threads, device=device)
print(json.dumps({"import_s": imported - start, "first_call_s": time.perf_counter() - imported}))
"""


def first_call_in_a_fresh_process(
    name: str, *, seed: int, threads: int | None, device: str | None, timeout: float = 300
) -> dict[str, float] | None:
    """The import and the first ``FIRST_CALL_N``-sample call of ``name`` in a new interpreter.

    In the measuring process a backend may reuse what another one compiled (numba's
    variants share kernels), so its first call there says little. On-disk compilation
    caches are used as they are (a user's second run); asv's ``FirstCall`` measures them
    empty. ``None`` when the process failed.
    """
    import json
    import subprocess
    import sys

    arguments = json.dumps([name, seed, threads, device, FIRST_CALL_N])
    try:
        done = subprocess.run(
            [sys.executable, "-c", _FRESH, arguments], capture_output=True, text=True, timeout=timeout
        )
        return json.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else None
    except (subprocess.TimeoutExpired, ValueError, IndexError):
        return None


def measure(
    name: str,
    n: int,
    *,
    budget: float,
    repeat: int,
    seed: int,
    threads: int | None,
    device: str | None,
    fresh_first_call: bool = True,
) -> dict[str, Any]:
    """Time one backend the way ``accelpi compare`` reports it.

    The import and the first call (compile included, ``FIRST_CALL_N`` samples) are timed
    in a fresh interpreter (``fresh_first_call``; else in this process, after the other
    backends); then ``n`` is capped so that one call takes about ``budget`` seconds and the
    best of ``repeat`` calls gives the throughput. Unavailable backends give a row with
    the reason instead of raising.

    Returns
    -------
    dict
        ``backend``, ``available`` and, when available, ``import_s``, ``first_call_s``,
        ``n``, ``best_s``, ``samples_per_second``, ``z``, ``value``, ``threads``, ``device``;
        otherwise ``reason``.
    """
    row: dict[str, Any] = {"backend": name}
    spec = registry.spec(name)
    threads = threads if spec.threads != "serial" else None
    try:
        t0 = time.perf_counter()
        registry.load(name)
        row["import_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        estimate(FIRST_CALL_N, name, seed=seed, threads=threads, device=device)
        row["first_call_s"] = time.perf_counter() - t0
        row["first_call_where"] = "this process"
        if fresh_first_call:
            fresh = first_call_in_a_fresh_process(name, seed=seed, threads=threads, device=device)
            if fresh is not None:
                row.update(fresh, first_call_where="fresh process")
        # Grow the probe until one call takes a quarter of the budget: on a GPU a small
        # call times the launch, and its rate would size the timed calls far too small.
        # Each size is timed on its second call: a compiled backend compiles per size.
        size = min(n, 1 << 20)
        while True:
            estimate(size, name, seed=seed, threads=threads, device=device)
            t0 = time.perf_counter()
            estimate(size, name, seed=seed, threads=threads, device=device)
            took = max(time.perf_counter() - t0, 1e-9)
            if size >= n or took >= budget / 4:
                break
            size = int(min(n, max(2 * size, size / took * budget / 4)))
        size = int(min(n, max(size, size / took * budget)))
        best, est = math.inf, None
        for _ in range(repeat):
            t0 = time.perf_counter()
            est = estimate(size, name, seed=seed, threads=threads, device=device)
            best = min(best, time.perf_counter() - t0)
    except BackendUnavailable as exc:
        return {**row, "available": False, "reason": str(exc)}
    assert est is not None
    return {
        **row,
        "available": True,
        "n": size,
        "best_s": best,
        "samples_per_second": size / best,
        "z": est.z,
        "value": est.value,
        "threads": est.threads,
        "device": est.device,
    }


def with_speedups(rows: list[dict[str, Any]], chosen: list[str]) -> list[dict[str, Any]]:
    """Add ``speedup_vs_python``/``_numpy`` and ``reference_only`` to measured rows (in place)."""
    for r in rows:
        r["reference_only"] = r["backend"] not in chosen
    return add_speedups(rows)
