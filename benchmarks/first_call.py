"""What does the first call cost: import plus trace/compile, in a fresh interpreter?"""

from __future__ import annotations

from .common import BACKENDS, Benchmark, available

# Fresh, empty on-disk caches, so that compilation is measured rather than a cache hit
# (Numba's cache=True, torch.compile's Inductor cache, JAX's compilation cache).
_COLD_CACHES = """
import os, tempfile
cold = tempfile.mkdtemp(prefix="accelpi-first-call-")
for variable in ("NUMBA_CACHE_DIR", "TORCHINDUCTOR_CACHE_DIR", "JAX_COMPILATION_CACHE_DIR"):
    os.environ[variable] = os.path.join(cold, variable.lower())
"""


class FirstCall(Benchmark):
    """``timeraw_first_call``: a new Python process imports accelpi and the backend's
    library and runs a first ``10**4``-sample estimate, with empty compilation caches:
    import plus trace/compile, the talk's "1.8 s compile" figure.
    """

    params = (BACKENDS,)
    param_names = ("backend",)
    number = 1
    # Every sample is a fresh interpreter already: a second round (another asv process per
    # backend, 3.8 s of start-up each) added no independence, only a quarter of the suite's
    # time (docs/benchmarking.md). One round of three or four samples.
    rounds = 1
    repeat = (3, 4, 30.0)

    def setup(self, backend):
        available(backend)

    def timeraw_first_call(self, backend):
        run = f"import accelpi\naccelpi.estimate(10_000, {backend!r}, seed=0)\n"
        return _COLD_CACHES + run + "import shutil\nshutil.rmtree(cold, ignore_errors=True)\n"
