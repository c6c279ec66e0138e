"""Are results still right under concurrency, and does the talk's race still happen?"""

from __future__ import annotations

from .common import size


def _require_threadlab() -> None:
    """Skip (asv's ``NotImplementedError``) at commits older than the threading lab."""
    try:
        from accelpi import threadlab  # noqa: F401
    except ImportError:
        raise NotImplementedError("accelpi.threadlab does not exist at this commit") from None


class Concurrency:
    """``track_mismatches``: results of 4 concurrent calls (3 rounds) of every available
    backend that differ from the same calls made serially. Must stay 0: a non-zero count
    fails the benchmark, naming the backends. (One process for all backends: the
    per-backend counts are in ``accelpi threads`` and the tests.)"""

    timeout = 600
    unit = "wrong results"

    def setup(self):
        _require_threadlab()

    def track_mismatches(self):
        from accelpi import threadlab

        rows = threadlab.concurrency(threads=4, rounds=3, n=size(200_003))
        wrong = [f"{r['backend']}: {r['example']}" for r in rows if r["mismatches"]]
        if wrong:
            raise AssertionError("wrong results under concurrency: " + "; ".join(wrong))
        return sum(r["mismatches"] for r in rows)


class Race:
    """``track_lost_update_fraction``: the fraction of updates the unsafe kernel (in-place
    NumPy adds on one shared array from 4 threads) loses, over 10 runs. It depends on
    timing alone; the safe kernels' losses are checked by the tests (always 0)."""

    timeout = 300
    unit = "fraction lost"

    def setup(self):
        _require_threadlab()

    def track_lost_update_fraction(self):
        from accelpi import threadlab

        threads, runs, updates, cells = 4, 10, 100, size(100_000)
        rows = threadlab.race(threads=threads, runs=runs, updates=updates, size=cells)
        unsafe = next(r for r in rows if not r["safe"])
        return unsafe["lost_updates"] / (runs * threads * updates * cells)
