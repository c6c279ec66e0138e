"""Are results still right under concurrency, and does the talk's race still happen?"""

from __future__ import annotations

from .common import Benchmark, size


def _threadlab():
    """The threading lab (``accelpi.lab.threads``; ``accelpi.threadlab`` at older commits);
    asv's skip (``NotImplementedError``) at commits older than the lab."""
    try:
        from accelpi.lab import threads
    except ImportError:
        try:
            from accelpi import threadlab as threads
        except ImportError:
            raise NotImplementedError("the threading lab does not exist at this commit") from None
    return threads


class Concurrency(Benchmark):
    """``track_mismatches``: results of 4 concurrent calls (3 rounds) of every available
    backend that differ from the same calls made serially. Anything but 0 is a bug: the
    tests fail on it (``tests/lab/test_threads.py``), and this history shows when it
    happened. (One process for all backends: the per-backend counts are in ``accelpi
    threads`` and the tests.) Until the lab moved to ``accelpi.lab`` this benchmark raised
    instead of returning a non-zero count, so it could only ever record 0."""

    timeout = 600
    unit = "wrong results"

    def setup(self):
        self.lab = _threadlab()

    def track_mismatches(self):
        rows = self.lab.concurrency(threads=4, rounds=3, n=size(200_003))
        return sum(r["mismatches"] for r in rows)


class Race(Benchmark):
    """``track_lost_update_fraction``: the fraction of updates the unsafe kernel (in-place
    NumPy adds on one shared array from 4 threads) loses, over 10 runs. It depends on
    timing alone; the safe kernels' losses are checked by the tests (always 0)."""

    unit = "fraction lost"
    # asv's default version is a hash of the code below; the code changed only where it
    # finds the lab (it moved to accelpi.lab), so the series continues under its old version.
    version = "882ac32d35fe03785aabdde2e6363ea1bfd9bd1a6be23ab6433062d5a40eb816"

    def setup(self):
        self.lab = _threadlab()

    def track_lost_update_fraction(self):
        threads, runs, updates, cells = 4, 10, 100, size(100_000)
        rows = self.lab.race(threads=threads, runs=runs, updates=updates, size=cells)
        unsafe = next(r for r in rows if not r["safe"])
        return unsafe["lost_updates"] / (runs * threads * updates * cells)
