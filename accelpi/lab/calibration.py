"""The host's own speed, measured with code that depends on no library accelpi measures.

A host of this project's class ran the whole workload twice as fast some afternoons, with
an identical ``/proc/cpuinfo``: a step between two measurements may be the host's, not a
release's. Three small kernels of the interpreter and its standard library (whose speed no
swept library changes) tell how fast the host is right now:

``python_loop``
    a pure-Python integer loop: the interpreter, one core (ns per iteration);
``sha256``
    hashlib's C code over 16 MiB: integer throughput of one core (ms);
``memcopy``
    a copy of 64 MiB: memory bandwidth (ms).

:func:`calibrate` times each (best of a few) in well under a second. A campaign runs it
before, between and after its passes (:mod:`accelpi.releases.campaign`), and the commit suite
tracks it (``benchmarks/calibration.py``), so that asv's graphs show the host's own steps
beside the backends'. The kernels are frozen: changing one would change what every
recorded calibration means.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from functools import cache

__all__ = ["KERNELS", "UNITS", "calibrate", "change", "measure"]

_LOOP = 200_000


@cache
def _buffers() -> tuple[bytes, bytearray, bytearray]:
    """16 MiB to hash, 64 MiB to copy and its target, made once per process (on first use:
    importing this module costs no memory). The target is written here once, so that the
    timed copy faults no page in."""
    copied = bytearray(b"\x5a" * (64 * 2**20))
    target = bytearray(len(copied))
    target[:] = copied
    return bytes(range(256)) * (16 * 2**20 // 256), copied, target


def _python_loop() -> float:
    x = 1
    start = time.perf_counter()
    for _ in range(_LOOP):
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
    return (time.perf_counter() - start) / _LOOP * 1e9


def _sha256() -> float:
    hashed, _, _ = _buffers()
    start = time.perf_counter()
    hashlib.sha256(hashed).digest()
    return (time.perf_counter() - start) * 1e3


def _memcopy() -> float:
    _, copied, target = _buffers()
    start = time.perf_counter()
    target[:] = copied
    return (time.perf_counter() - start) * 1e3


#: Kernel name -> function returning one timing in the kernel's unit (lower is faster).
KERNELS: dict[str, Callable[[], float]] = {
    "python_loop": _python_loop,
    "sha256": _sha256,
    "memcopy": _memcopy,
}

#: The unit of each kernel's timing.
UNITS = {"python_loop": "ns per iteration", "sha256": "ms per 16 MiB", "memcopy": "ms per 64 MiB"}


def measure(kernel: str, repeats: int = 5) -> float:
    """The best of ``repeats`` timings of one kernel (after one untimed call)."""
    function = KERNELS[kernel]
    function()
    return min(function() for _ in range(repeats))


def calibrate(repeats: int = 5) -> dict[str, float]:
    """Every kernel's best timing now: ``{"python_loop": 31.2, "sha256": 9.8, ...}``."""
    return {name: measure(name, repeats) for name in KERNELS}


def change(before: dict[str, float], after: dict[str, float]) -> float:
    """How much slower the host got from ``before`` to ``after``: the geometric mean of the
    kernels' timing ratios (1.25: a quarter slower; 0.8: a quarter faster)."""
    ratios = [after[k] / before[k] for k in KERNELS if before.get(k) and after.get(k)]
    return math.exp(sum(map(math.log, ratios)) / len(ratios)) if ratios else 1.0
