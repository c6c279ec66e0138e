"""Is each backend still right? Speed without accuracy means nothing."""

from __future__ import annotations

import accelpi

from .common import BACKENDS, Benchmark, available, size

SEEDS = range(5)


class Accuracy(Benchmark):
    """Errors of estimates against π in standard errors (σ).

    ``track_error_in_sigmas`` follows one fixed ``(n, seed)``: it changes only when a
    backend's random stream changes. ``track_worst_error_in_sigmas`` is the largest
    ``|z|`` over five seeds and *fails* when it exceeds 6 σ (a broken generator or
    overlapping streams, never bad luck), so ``asv run`` exits non-zero.
    """

    params = (BACKENDS,)
    param_names = ("backend",)
    unit = "σ"

    def setup(self, backend):
        available(backend)

    def track_error_in_sigmas(self, backend):
        return accelpi.estimate(size(2**22), backend, seed=1).z

    def track_worst_error_in_sigmas(self, backend):
        worst = max(abs(accelpi.estimate(size(2**22), backend, seed=s).z) for s in SEEDS)
        if worst > 6:
            raise AssertionError(f"{backend}: an estimate {worst:.1f} standard errors from π")
        return worst
