"""How fast is each backend, per call (small n) and per sample (large n)?"""

from __future__ import annotations

from asv_runner.benchmarks.mark import skip_benchmark_if

import accelpi

from .common import BACKENDS, Benchmark, LongCall, available, has_nvidia_gpu, size, warm_up

#: GPU sizes: several 256 Mi-sample chunks, so the device, not the launch, is timed.
GPU_N = 2**31


class Throughput(Benchmark):
    """``time_estimate``: seconds for one estimate on the backend's default device (the CPU).

    ``2**16`` samples shows per-call overhead; ``2**25`` shows throughput
    (samples/s = n / time). Compilation is excluded: ``setup`` warms up.
    """

    params = (BACKENDS, [2**16, 2**25])
    param_names = ("backend", "n")
    # `number` is left to asv: it batches the short 2**16 calls into 10 ms samples (one
    # call per sample was too noisy: torch's ~1 ms call tripped an A/A comparison).
    # Sub-millisecond calls also differ from one process to the next: the pull-request
    # gate, which compares two commits, runs GATE_ROUNDS processes per benchmark so that
    # its test sees that spread (accelpi/gate.py). A run of the suite records each
    # commit's figures; two rounds do, at half the processes of four (docs/benchmarking.md).
    repeat = (3, 10, 6.0)
    rounds = 2
    # A fresh process ran its first few 10 ms samples of a short call up to 6x slower (and
    # one sample about the fifth 4x), after setup's warm-up call; 0.2 s of asv's warm-up
    # removes that (docs/benchmarking.md). At 2**25 it is one more call per process.
    warmup_time = 0.2

    def setup(self, backend, n):
        available(backend, "cpu")
        if backend == "python" and n > 2**16:
            raise NotImplementedError("python at 2**25 takes seconds per call; its rate shows at 2**16")
        warm_up(backend, size(n), device="cpu")

    def time_estimate(self, backend, n):
        accelpi.estimate(size(n), backend, seed=1, device="cpu")


class GpuThroughput(LongCall):
    """``time_estimate``: seconds for ``2**31`` samples on a CUDA GPU, result back on the host."""

    params = (BACKENDS,)
    param_names = ("backend",)

    def setup(self, backend):
        available(backend, "cuda")
        warm_up(backend, size(GPU_N), device="cuda")

    # Left out at discovery on machines without an NVIDIA GPU, rather than skipping
    # every backend in its own process.
    @skip_benchmark_if(not has_nvidia_gpu())
    def time_estimate(self, backend):
        accelpi.estimate(size(GPU_N), backend, seed=1, device="cuda")
