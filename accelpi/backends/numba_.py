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
coordinates. Its inside test comes in three formulations with the same hits (64-bit
integers, 32-bit products, float64): which is fastest depends on the CPU's multipliers, so
the one this host runs fastest is chosen on its first use and remembered per CPU
fingerprint (:mod:`accelpi.backends.formulation`). Counters are disjoint by
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
from ..errors import InvalidArgument, shown
from . import formulation

#: Samples per chunk for the Mersenne Twister variants. Each chunk reseeds its thread,
#: which costs about 50 µs in Numba: 2**18 samples keep that near 1 % (chosen on cpu-epyc-2c;
#: part of the stream: chunk i is seeded base + i).
CHUNK = 1 << 18

#: Samples per parallel block in ``numba:fused`` (any value gives the same hits; chosen on cpu-epyc-2c).
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


#: numba:fused's inside test, three ways; each gives exactly the same hits for the same
#: draws, and each is the fastest on some CPU (:mod:`.formulation` chooses per host):
#:
#: * ``int64``: (u + 1/2)**2 + (v + 1/2)**2 < 2**64 as u(u + 1) + v(v + 1) < 2**64 in 64-bit
#:   integers (the sum does not wrap): two 64x64-bit products, one instruction each with
#:   AVX-512DQ, three without;
#: * ``int32``: the same integer sum as u*u + (v*v + u + v): u and v are below 2**32, so each
#:   square is one 32x32 -> 64-bit product (``pmuludq``, fast on every x86), and neither part
#:   wraps. Written ``u*u + u``, LLVM 20 (Numba 0.62 and later) folds it into ``u*(u + 1)``,
#:   a 33-bit factor that takes two ``pmuludq``;
#: * ``float``: (u + 1/2)**2 + (v + 1/2)**2 < 2**64 in float64 (the formulation until
#:   2026-11-28): it rounds near the circle, where a point lies within 2**-19 of it (about
#:   7e-16 of all points), never seen in the recorded hits.
FORMULATIONS = ("int64", "int32", "float")
_R2 = np.float64(2.0**64)


@njit(inline="always")
def _inside(z: np.uint64, form: int) -> bool:
    # The draw z gives the point (u, v) = (z >> 32, z & 0xFFFFFFFF).
    u, v = z >> _S32, z & _M32
    if form == 0:
        inside = u * (u + _ONE)
        return inside + v * (v + _ONE) >= inside
    if form == 1:
        inside = u * u
        return inside + (v * v + (u + v)) >= inside
    x = np.float64(np.int64(u)) + 0.5
    y = np.float64(np.int64(v)) + 0.5
    return x * x + y * y < _R2


@njit(inline="always")
def _fused_span(key: np.uint64, start: int, stop: int, form: int) -> int:
    # Sample j is the point given by splitmix64 at counter j + 1 of the key's sequence,
    # key + (j + 1) * gamma: kept as a running sum, which LLVM 20 no longer derives from
    # the product (three pmuludq a vector on AVX2). One loop per formulation (the choice is
    # made once per call, outside the loop, so that each loop vectorises as if alone).
    # Together, Numba 0.68 runs this 1.6x faster on AVX2 than the product form
    # (docs/benchmarking.md, "numba:fused and the CPU's limit").
    counted = 0
    counter = key + np.uint64(start + 1) * _GAMMA
    if form == 0:
        for _ in range(stop - start):
            counted += _inside(_splitmix64(counter), 0)
            counter += _GAMMA
    elif form == 1:
        for _ in range(stop - start):
            counted += _inside(_splitmix64(counter), 1)
            counter += _GAMMA
    else:
        for _ in range(stop - start):
            counted += _inside(_splitmix64(counter), 2)
            counter += _GAMMA
    return counted


@njit(parallel=True, cache=True)
def _fused(key: np.uint64, start: int, stop: int, block: int, form: int) -> int:
    hits = 0
    for b in prange((stop - start + block - 1) // block):
        first = start + b * block
        hits += _fused_span(key, first, min(stop, first + block), form)
    return hits


@njit(nogil=True, cache=True)
def _fused_range(key: np.uint64, start: int, stop: int, form: int) -> int:
    return _fused_span(key, start, stop, form)


def _form(job_formulation: object = None) -> int:
    """The index of the formulation to run: the one asked for, else this host's choice."""
    name = job_formulation or formulation.chosen(FORMULATIONS, _probe_kernel)[0]
    if name not in FORMULATIONS:
        raise InvalidArgument(f"formulation={shown(name)}: accepted: {', '.join(FORMULATIONS)}")
    return FORMULATIONS.index(name)


def _probe_kernel(name: str, n: int) -> None:
    """One run of formulation ``name`` over ``n`` samples on one thread, for the chooser: the
    kernel a call runs (no other to compile), each formulation a branch of it."""
    with _parallel_launch(1):
        _fused(np.uint64(0x9E3779B97F4A7C15), 0, n, FUSED_BLOCK, FORMULATIONS.index(name))


def fused_range(seed: int, start: int, stop: int) -> int:
    """Hits of ``numba:fused``'s samples ``start`` to ``stop - 1``, on the calling thread.

    The samples of an estimate are split into ranges at will (Dask tasks, for one), and
    the hits of the ranges add up to exactly ``numba:fused``'s for the same seed.
    """
    return int(_fused_range(np.uint64(stats.stream_key(seed)), start, stop, _form()))


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
    """``numba:fused``: counter-based generator fused into a parallel count, with the inside
    test this host runs fastest (``formulation=`` forces one of :data:`FORMULATIONS`)."""
    form = _form(job.options.get("formulation"))
    key = np.uint64(stats.stream_key(job.seed))
    hits = 0
    for a, b in _slices(job.n, FUSED_SLICE * job.threads):
        with _parallel_launch(job.threads):
            hits += int(_fused(key, a, b, FUSED_BLOCK, form))
    return hits
