"""``numpy`` and ``numpy:threads``: vectorised NumPy over fixed-size chunks.

Chunk ``i`` always draws from the ``i``-th child of ``SeedSequence(seed)`` with PCG64,
so the hit count depends on ``(n, seed)`` only: ``numpy`` and ``numpy:threads`` agree
exactly, whatever the thread count. Each thread reuses one buffer of
``2 * CHUNK`` float64 values (16 MiB), which bounds memory for any ``n``.
"""

from __future__ import annotations

import threading
from typing import NamedTuple

import numpy as np

from .. import stats
from ..core import Job, run_chunks

#: Samples per chunk: large enough to amortise NumPy's per-call overhead, small
#: enough that a thread's buffer stays cache- and memory-friendly (chosen on cpu-epyc-2c; part of
#: the stream: a chunk is seeded by its index, so another size is another stream).
CHUNK = 1 << 20

_buffers = threading.local()


class Ufuncs(NamedTuple):
    """The three ufuncs of the inside test: NumPy's own, or another implementation's
    (``numpy:mkl-umath`` passes MKL's)."""

    square: np.ufunc = np.square
    add: np.ufunc = np.add
    less: np.ufunc = np.less


NUMPY = Ufuncs()


def count_chunk(seed: int, index: int, size: int, ufuncs: Ufuncs = NUMPY) -> int:
    """Hits of chunk ``index`` (``size`` points) of the stream of ``seed``."""
    buf = getattr(_buffers, "xy", None)
    if buf is None:
        buf = _buffers.xy = np.empty(2 * CHUNK)
    rng = np.random.Generator(np.random.PCG64(stats.chunk_seed_sequence(seed, index)))
    xy = buf[: 2 * size].reshape(2, size)
    rng.random(out=xy)
    ufuncs.square(xy, out=xy)
    x2, y2 = xy
    ufuncs.add(x2, y2, out=x2)
    return int(np.count_nonzero(ufuncs.less(x2, 1.0)))


def count(job: Job) -> int:
    """Count hits chunk by chunk on ``job.threads`` threads (1 for ``numpy``)."""
    return run_chunks(lambda i, size: count_chunk(job.seed, i, size), job, CHUNK)
