"""CuPy backends: ``cupy`` (NumPy code on the GPU) and ``cupy:fused`` (one raw CUDA kernel).

``cupy`` is the NumPy path with the import changed: one ``cupy.random.default_rng`` seeded
from ``SeedSequence(seed)`` draws float32 chunks one after the other (consecutive pieces of
a single stream), and the counts are summed on the device.

``cupy:fused`` keeps everything in registers: thread ``t`` evaluates the Philox4x32-10
counter-based generator at counters ``t, t + T, ...`` (the sample pair's global index,
hence disjoint counters: no two draws share one), keyed by 64 bits derived from the seed.
One call yields four 32-bit numbers, two points. A point ``(a, b)`` of the 2**32 grid
is inside when ``a**2 + b**2 < 2**64``, tested exactly in 64-bit integers. Counts are
summed with warp shuffles and one 64-bit atomic per warp.
"""

from __future__ import annotations

import cupy as cp
import numpy as np

from .. import stats
from ..core import Job
from .cuda_source import FUSED_PI, kernel_source

#: Samples per chunk for ``cupy``: 2 x 256 Mi float32 (2 GiB).
CHUNK = 1 << 28

#: (blocks, threads per block) for ``cupy:fused``; fixed, so results do not depend on the GPU.
#: 2 Mi threads: on an H100 503 Gsamples/s at 2**33 samples against 481 with 1024 blocks
#: (scripts/gpu_check.py --grids, docs/gpu.md).
GRID = (8192, 256)

#: CUDA C of ``cupy:fused``: the generator (also compiled on the host by the tests, to
#: check it against Philox's published known-answer vectors) and the kernel.
KERNEL_SOURCE = kernel_source(*FUSED_PI)

_kernel = None


def available_devices() -> tuple[str, ...]:
    try:
        return ("cuda",) if cp.cuda.runtime.getDeviceCount() > 0 else ()
    except cp.cuda.runtime.CUDARuntimeError:
        return ()


def device_reason(device: str) -> str:
    try:
        cp.cuda.runtime.getDeviceCount()
    except cp.cuda.runtime.CUDARuntimeError as exc:
        return f"CuPy finds no CUDA GPU ({exc})"
    return "CuPy finds no CUDA GPU"


def count(job: Job) -> int:
    """``cupy``: vectorised float32 chunks from one generator; counts summed on the device."""
    rng = cp.random.default_rng(np.random.SeedSequence(job.seed))
    total = cp.zeros((), dtype=cp.int64)
    for i in range(job.chunks(CHUNK)):
        xy = rng.random((2, job.chunk_size(CHUNK, i)), dtype=cp.float32)
        total += cp.count_nonzero(xy[0] * xy[0] + xy[1] * xy[1] < 1.0)
        del xy
    return int(total)  # reading the count back waits for the device


def fused(job: Job) -> int:
    """``cupy:fused``: one Philox kernel over all of ``n``."""
    global _kernel
    if _kernel is None:
        _kernel = cp.RawKernel(KERNEL_SOURCE, "count_pi")
    key = stats.stream_key(job.seed)
    hits = cp.zeros(1, dtype=cp.uint64)
    _kernel(GRID[:1], GRID[1:], (np.uint64(job.n), np.uint32(key & 0xFFFFFFFF), np.uint32(key >> 32), hits))
    return int(hits.get()[0])
