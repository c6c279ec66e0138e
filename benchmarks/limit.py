"""How near is numba:fused to this CPU's hand-written limit?

The limit is ``pi_simd.c`` (``accelpi/lab/anchor.py``): numba:fused's stream and inside test
written in C, plain and with AVX2 and AVX-512 intrinsics, compiled at ``setup`` on the host
that runs the suite (``cc -O3 -march=native``). Its speed depends on the CPU and the compiler,
not on the measured libraries; the ratio says what a Numba release makes of the same loop.
"""

from __future__ import annotations

from .common import Benchmark, available, size

#: Rounds of the ratio (each times every C version, then numba:fused, on one thread).
ROUNDS = 5


class HandWrittenLimit(Benchmark):
    """``track_ratio``: numba:fused's samples per second on one thread over the fastest C
    version's, both timed in the same rounds, best of five (``1.2``: 20 % faster than the
    hand-written C). ``track_limit``: the fastest C version's Gsamples/s on one thread.
    Skipped with the reason where no C compiler exists, or where the C does not build."""

    def setup(self):
        available("numba:fused", "cpu")
        try:
            from accelpi.errors import BackendUnavailable
            from accelpi.lab import anchor
        except ImportError:
            raise NotImplementedError("no C anchor at this commit") from None
        try:
            anchor.build()
        except BackendUnavailable as exc:
            raise NotImplementedError(str(exc)) from None
        self.anchor = anchor

    def track_ratio(self):
        return self.anchor.ratio_to_limit(size(2**26), repeat=ROUNDS)["ratio"]

    track_ratio.unit = "x the C limit"

    def track_limit(self):
        found = self.anchor.limit(size(2**26), repeat=ROUNDS)
        return found["samples_per_second"][found["best"]] / 1e9

    track_limit.unit = "Gsamples/s"
