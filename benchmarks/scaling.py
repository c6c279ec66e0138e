"""Does the work scale with threads (the talk's items 1, 2 and 7)?"""

from __future__ import annotations

import accelpi

from .common import THREADED, LongCall, available, cpu_count, size, warm_up


class ThreadScaling(LongCall):
    """``time_estimate``: seconds for ``2**25`` samples (``2**28`` for ``numba:fused``)
    on 1, 2, 4 and 8 threads; thread counts above this machine's cores are skipped.
    """

    params = (THREADED, [1, 2, 4, 8])
    param_names = ("backend", "threads")

    def setup(self, backend, threads):
        if threads > cpu_count():
            raise NotImplementedError(f"{threads} threads > {cpu_count()} cores")
        available(backend, "cpu")
        self.n = size(2**28 if backend == "numba:fused" else 2**25)
        warm_up(backend, self.n, threads=threads)

    def time_estimate(self, backend, threads):
        accelpi.estimate(self.n, backend, seed=1, threads=threads)
