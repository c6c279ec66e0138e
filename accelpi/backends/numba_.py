"""Numba backends: the natural ``@njit`` loop, ``prange``, ``nogil`` threads, and a fused kernel.

``numba``, ``numba:parallel`` and ``numba:nogil-threads`` run one kernel per chunk of
``CHUNK`` samples. Numba's ``np.random`` keeps one Mersenne Twister state per thread and
``np.random.seed`` takes 32 bits only, so each chunk seeds the state of the thread that
runs it with its own seed, ``base + i``: distinct for up to ``2**32`` chunks, hence no
shared streams, and the three variants return the same hits for the same ``(n, seed)``
whatever the thread count.

``numba:fused`` is the tuned variant: a counter-based generator (the splitmix64 output
function applied to the sample's global index, keyed by the seed) inlined in a parallel
loop that counts without materialising any array; each 64-bit draw gives both 32-bit
coordinates, and the inside test is exact 64-bit integer arithmetic on them (no float
squares: 1.27x faster per core than float64, same hits). Counters are disjoint by
construction (one per sample), so streams never overlap and the result does not depend
on how the loop is split across threads.

Kernels are cached on disk (``cache=True``: Numba's ``__pycache__``, or
``NUMBA_CACHE_DIR``), so only the first process compiles them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import numba
import numpy as np
from numba import njit, prange

from .. import stats
from ..core import Job, run_chunks

#: Samples per chunk for the Mersenne Twister variants. Each chunk reseeds its thread,
#: which costs about 50 µs in Numba: 2**18 samples keep that near 1 %.
CHUNK = 1 << 18

#: Samples per parallel block in ``numba:fused`` (any value gives the same hits).
FUSED_BLOCK = 1 << 20

#: A long estimate runs as several kernel calls, so that Python gets control back (and
#: Ctrl-C is honoured) every fraction of a second: chunks per call and thread for the
#: Mersenne Twister variants (64 x 2**18 samples, about 0.15 s), samples per call and
#: thread for ``numba:fused`` (about 0.25 s). The slices do not change the hits.
SLICE_CHUNKS = 64
FUSED_SLICE = 1 << 29

_M32 = np.uint64(0xFFFFFFFF)
_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S32 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(32)
_ONE = np.uint64(1)


def max_threads() -> int:
    """Numba's thread pool size (``NUMBA_NUM_THREADS``), the most a variant may use."""
    return int(numba.config.NUMBA_NUM_THREADS)


def _count_chunk_py(seed32: int, size: int) -> int:
    np.random.seed(seed32)
    hits = 0
    for _ in range(size):
        x = np.random.random()
        y = np.random.random()
        if x * x + y * y < 1.0:
            hits += 1
    return hits


_count_chunk = njit(cache=True)(_count_chunk_py)


def _chunks_py(base: int, n: int, chunk: int, first: int, last: int) -> int:
    # Calling the chunk kernel from a jitted loop (rather than from Python) lets LLVM
    # inline it and hoist the thread's generator state: about 2x faster in Numba 0.68.
    hits = 0
    for i in range(first, last):
        hits += _count_chunk((base + i) & 0xFFFFFFFF, min(chunk, n - i * chunk))
    return hits


# One dispatcher per Python function: with a nogil and a GIL-holding dispatcher compiled
# from this same function, the nogil one did not run in parallel (Numba 0.68; `accelpi
# threads` showed 0.98x on 2 threads, 2.0x after). Releasing the GIL costs nothing when called
# from one thread, so the serial backend uses the nogil dispatcher too.
_chunks = njit(nogil=True, cache=True)(_chunks_py)


@njit(parallel=True, cache=True)
def _parallel(base: int, n: int, chunk: int, first: int, last: int) -> int:
    hits = 0
    for k in prange(last - first):
        i = first + k
        hits += _count_chunk((base + i) & 0xFFFFFFFF, min(chunk, n - i * chunk))
    return hits


@njit(inline="always")
def _splitmix64(z: np.uint64) -> np.uint64:
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    return z ^ (z >> _S31)


@njit(inline="always")
def _fused_span(key: np.uint64, start: int, stop: int) -> int:
    # Sample j is the point given by splitmix64 at counter j + 1 of the key's sequence.
    counted = 0
    for j in range(start, stop):
        z = _splitmix64(key + np.uint64(j + 1) * _GAMMA)
        u = z >> _S32
        v = z & _M32
        # (u + 1/2)**2 + (v + 1/2)**2 < 2**64, in integers: u(u + 1) + v(v + 1) < 2**64,
        # i.e. the 64-bit sum does not wrap (each term is below 2**64).
        inside = u * (u + _ONE)
        counted += inside + v * (v + _ONE) >= inside
    return counted


@njit(parallel=True, cache=True)
def _fused(key: np.uint64, start: int, stop: int, block: int) -> int:
    hits = 0
    for b in prange((stop - start + block - 1) // block):
        first = start + b * block
        hits += _fused_span(key, first, min(stop, first + block))
    return hits


@njit(nogil=True, cache=True)
def _fused_range(key: np.uint64, start: int, stop: int) -> int:
    return _fused_span(key, start, stop)


def fused_range(seed: int, start: int, stop: int) -> int:
    """Hits of ``numba:fused``'s samples ``start`` to ``stop - 1``, on the calling thread.

    The samples of an estimate are split into ranges at will (Dask tasks, for one), and
    the hits of the ranges add up to exactly ``numba:fused``'s for the same seed.
    """
    return int(_fused_range(np.uint64(stats.stream_key(seed)), start, stop))


#: Numba's ``workqueue`` threading layer (its fallback when neither TBB nor OpenMP is
#: present) aborts the whole process when two threads launch parallel kernels at once.
#: Parallel launches are therefore serialised; each one uses every thread it asked for.
_PARALLEL_LAUNCH = threading.Lock()


@contextmanager
def _parallel_launch(threads: int) -> Iterator[None]:
    """Hold the launch lock and set Numba's thread count, restoring it afterwards."""
    with _PARALLEL_LAUNCH:
        previous = numba.get_num_threads()
        numba.set_num_threads(threads)
        try:
            yield
        finally:
            numba.set_num_threads(previous)


def _seed_base(job: Job) -> int:
    return job.seed32_base(CHUNK, "Numba")


def _slices(total: int, size: int) -> Iterator[tuple[int, int]]:
    """``(first, last)`` ranges of ``size`` covering ``range(total)``: one kernel call each."""
    for first in range(0, total, size):
        yield first, min(total, first + size)


def serial(job: Job) -> int:
    """``numba``: one thread, chunk kernels called from a jitted loop."""
    base = _seed_base(job)
    return sum(int(_chunks(base, job.n, CHUNK, a, b)) for a, b in _slices(job.chunks(CHUNK), SLICE_CHUNKS))


def parallel(job: Job) -> int:
    """``numba:parallel``: ``prange`` over chunks on ``job.threads`` Numba threads."""
    base = _seed_base(job)
    hits = 0
    for a, b in _slices(job.chunks(CHUNK), SLICE_CHUNKS * job.threads):
        with _parallel_launch(job.threads):
            hits += int(_parallel(base, job.n, CHUNK, a, b))
    return hits


def nogil_threads(job: Job) -> int:
    """``numba:nogil-threads``: a ``nogil`` chunk kernel on a ``ThreadPoolExecutor``."""
    base = _seed_base(job)
    return run_chunks(lambda i, _size: _chunks(base, job.n, CHUNK, i, i + 1), job, CHUNK)


def fused(job: Job) -> int:
    """``numba:fused``: counter-based generator fused into a parallel count."""
    key = np.uint64(stats.stream_key(job.seed))
    hits = 0
    for a, b in _slices(job.n, FUSED_SLICE * job.threads):
        with _parallel_launch(job.threads):
            hits += int(_fused(key, a, b, FUSED_BLOCK))
    return hits
