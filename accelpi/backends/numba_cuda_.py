"""``numba-cuda``: the talk's CUDA appendix, a ``@cuda.jit`` kernel with per-thread generators.

Each of the grid's threads owns one ``xoroshiro128p`` state from
``create_xoroshiro128p_states``: states ``2**64`` draws apart on one sequence, so threads
never share numbers. Thread ``t`` takes samples ``t, t + T, t + 2T, ...`` (``T`` threads in
all), counts its hits in a register and adds them to one 64-bit counter with a single
atomic. The grid is fixed, so the result depends only on ``(n, seed)``, on any GPU.

The states of the last few seeds are kept on the host (their initialisation is the
slow part of a first call) and copied to the device afresh for each call, so repeating a
call repeats its result.

numba-cuda (0.30.4 and older) registers ``np.row_stack`` when it compiles a first kernel,
and NumPy 2.5 removed that alias: there the device is reported unavailable with that
reason (NumPy is never patched), and a NumPy below 2.5 beside numba-cuda runs it.
"""

from __future__ import annotations

import importlib.metadata
import threading
from collections import OrderedDict
from functools import cache

import numpy as np
from numba import cuda
from numba.cuda.random import create_xoroshiro128p_states, xoroshiro128p_uniform_float32

from .. import stats
from ..core import Job

#: (blocks, threads per block): 2**17 threads, about half an H100's resident threads.
GRID = (512, 256)

_cache_lock = threading.Lock()
_states: OrderedDict[tuple[int, int, tuple[int, int]], object] = OrderedDict()
_CACHED_SEEDS = 4


@cache
def _compiler_problem() -> str | None:
    """Why numba-cuda cannot compile a kernel beside this NumPy, or ``None``.

    Its array support (imported by the first kernel compile) names NumPy functions at
    import; one NumPy removed fails there, so importing it is the cheap, exact check.
    """
    try:
        import numba.cuda.np.arrayobj  # noqa: F401
    except ModuleNotFoundError:  # a layout without it: nothing known to fail
        return None
    except AttributeError as exc:
        release = importlib.metadata.version("numba-cuda")
        return (
            f"numba-cuda {release} cannot compile kernels with NumPy {np.__version__} ({exc}); "
            "install numpy<2.5 beside it, or a numba-cuda release that supports this NumPy"
        )
    return None


def available_devices() -> tuple[str, ...]:
    return ("cuda",) if cuda.is_available() and _compiler_problem() is None else ()


def device_reason(device: str) -> str:
    problem = _compiler_problem() if cuda.is_available() else None
    return problem or "numba.cuda finds no usable CUDA GPU and driver (numba.cuda.is_available() is False)"


@cuda.jit
def _count_kernel(states, n, hits):
    tid = cuda.grid(1)
    stride = cuda.gridsize(1)
    counted = 0
    for _ in range(tid, n, stride):
        x = xoroshiro128p_uniform_float32(states, tid)
        y = xoroshiro128p_uniform_float32(states, tid)
        if x * x + y * y < 1.0:
            counted += 1
    cuda.atomic.add(hits, 0, counted)


def _fresh_states(seed: int):
    device_id = getattr(cuda.get_current_device(), "id", 0)  # Numba's CUDA simulator has no id
    key = (seed, device_id, GRID)
    with _cache_lock:
        pristine = _states.get(key)
        if pristine is None:
            # a NumPy uint64: a Python int of 2**63 or more overflows Numba's int64 argument
            states = create_xoroshiro128p_states(GRID[0] * GRID[1], seed=np.uint64(stats.stream_key(seed)))
            pristine = _states[key] = states.copy_to_host()
            while len(_states) > _CACHED_SEEDS:
                _states.popitem(last=False)
        _states.move_to_end(key)
    return cuda.to_device(pristine)  # 2 MiB: a fresh copy, so each call starts from the seed


def count(job: Job) -> int:
    """Launch the kernel on the whole of ``n`` and read the counter back."""
    states = _fresh_states(job.seed)
    hits = cuda.to_device(np.zeros(1, dtype=np.int64))
    _count_kernel[GRID](states, np.int64(job.n), hits)
    return int(hits.copy_to_host()[0])  # the copy waits for the kernel
