"""How fast is the host itself right now? Kernels no measured library touches.

A step in these graphs is the host's (another CPU, a busy neighbour, a slow afternoon), and
explains the same step in every backend's graph at that commit; a backend's step with none
here is the code's. The kernels are :mod:`accelpi.lab.calibration`'s, also timed before,
between and after every release campaign.
"""

from __future__ import annotations

from .common import Benchmark, accelpi


class HostSpeed(Benchmark):
    """``track_*``: the best of five timings of one calibration kernel (lower is faster)."""

    def setup(self):
        try:
            from accelpi.lab import calibration  # noqa: F401
        except ImportError:
            raise NotImplementedError("accelpi has no calibration kernels at this commit") from None
        if accelpi is None:  # pragma: no cover - an old commit
            raise NotImplementedError("accelpi does not import at this commit")

    def track_python_loop(self):
        from accelpi.lab.calibration import measure

        return measure("python_loop")

    track_python_loop.unit = "ns per iteration"

    def track_sha256(self):
        from accelpi.lab.calibration import measure

        return measure("sha256")

    track_sha256.unit = "ms per 16 MiB"

    def track_memcopy(self):
        from accelpi.lab.calibration import measure

        return measure("memcopy")

    track_memcopy.unit = "ms per 64 MiB"
