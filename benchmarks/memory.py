"""Does chunking keep memory bounded whatever n is?"""

from __future__ import annotations

import accelpi

from .common import Benchmark, available, size, warm_up

VECTORISED = [
    "numpy",
    "numpy:threads",
    "numpy:mkl",
    "torch",
    "tensorflow:eager",
    "tensorflow:graph",
    "tensorflow:xla",
    "jax",
    "dask:array",
]

#: Unchunked, 2**27 samples would take 2 GiB as float64 (1 GiB as float32).
N = 2**27


class PeakMemory(Benchmark):
    """Peak resident memory (bytes) of a process that ran one large estimate.

    ``peakmem_estimate`` includes the interpreter and the library (``setup`` imports and
    warms up); ``peakmem_reference`` is the same process without the large estimate.
    Their difference is what the estimate itself needs: about one chunk per thread.
    """

    params = (VECTORISED,)
    param_names = ("backend",)

    def setup(self, backend):
        available(backend, "cpu")
        warm_up(backend, device="cpu")

    def peakmem_estimate(self, backend):
        accelpi.estimate(size(N), backend, seed=1, device="cpu")

    def peakmem_reference(self, backend):
        pass
