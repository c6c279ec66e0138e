"""This CPU's hand-written limit for ``numba:fused``: the C anchor, built here and timed beside it.

``pi_simd.c`` (beside this module) computes numba:fused's stream and inside test in C three
ways: the plain loop as the compiler vectorises it (``scalar``), 4 x 64-bit lanes of AVX2
intrinsics (``avx2``) and 8 lanes of AVX-512 (``avx512``, only where the compiler targets it).
:func:`build` compiles it for this host (``cc -O3 -march=native``; ``$CC`` chooses another
compiler, and Numba's target CPU, where ``NUMBA_CPU_NAME`` sets one, replaces ``native``) into a
shared library, once per source, compiler and CPU, in accelpi's cache folder; :func:`limit` times
each version on one thread, and :func:`ratio_to_limit` times numba:fused on one thread in the
same rounds, so that ``1.1x`` reads "numba:fused runs 1.1 times as fast as the fastest
hand-written C on this CPU".

The C code counts ``(x/2**32)**2 + (y/2**32)**2 < 1`` where numba:fused counts
``(x + 1/2)**2 + (y + 1/2)**2 < 2**64``: the two differ only for points within about
``2**-31`` of the circle, so their hits agree on almost every seed and size (a test checks a
few); the work per sample is the same.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import stats
from ..errors import BackendUnavailable, InvalidArgument

__all__ = ["VERSIONS", "Anchor", "build", "limit", "march", "ratio_to_limit"]

#: The versions of ``pi_simd.c``, in the order of its entry point's ``version`` argument.
VERSIONS = ("scalar", "avx2", "avx512")

_HERE = Path(__file__).parent
_SOURCES = ("anchor.c", "pi_simd.c")
_NONE = 2**64 - 1  # what the entry point returns for a version this build lacks


def _compiler() -> list[str]:
    chosen = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if not chosen:
        raise BackendUnavailable(
            "the C anchor needs a C compiler, and none was found (no $CC, cc, gcc or clang on PATH); "
            "install one (Debian: apt-get install gcc) or set CC"
        )
    return chosen.split()


def march() -> str:
    """The CPU the C is compiled for: ``native``, or Numba's target where one is set
    (``NUMBA_CPU_NAME=znver3``: Numba makes AVX2 code on an AVX-512 host, and the C limit
    beside it is then built for the same CPU; ``generic`` is ``x86-64``)."""
    target = os.environ.get("NUMBA_CPU_NAME", "").strip()
    if not target:
        return "native"
    try:
        import llvmlite.binding as llvm

        if target == llvm.get_host_cpu_name():
            return "native"
    except ImportError:
        pass
    return "x86-64" if target == "generic" else target


def _cache_dir() -> Path:
    from ..machine import cache_dir

    return cache_dir() / "anchor"


@dataclass(frozen=True)
class Anchor:
    """``pi_simd.c`` compiled for this host and loaded (see :func:`build`).

    Attributes
    ----------
    path
        The shared library.
    compiler
        The compiler's first line of ``--version``.
    versions
        The versions this build holds (``scalar`` always; ``avx2`` and ``avx512`` where the
        compiler targets them on this CPU).
    march
        The ``-march`` it was built with (:func:`march`).
    """

    path: Path
    compiler: str
    versions: tuple[str, ...]
    march: str = "native"

    def count(self, version: str, seed: int, n: int) -> int:
        """Hits of ``version`` over ``n`` samples of the stream of ``seed`` (``n`` a multiple
        of 8: the vector versions run whole vectors)."""
        if version not in self.versions:
            raise InvalidArgument(
                f"version={version!r}: this build of the C anchor holds {', '.join(self.versions)}"
            )
        if n <= 0 or n % 8:
            raise InvalidArgument(f"n={n}: the C anchor takes a positive multiple of 8 samples")
        return int(_load(self.path)(VERSIONS.index(version), stats.stream_key(seed), n))

    def seconds(self, version: str, n: int) -> float:
        """Seconds one :meth:`count` of ``n`` samples takes, on the calling thread."""
        t0 = time.perf_counter()
        self.count(version, 1, n)
        return time.perf_counter() - t0


@functools.cache
def _load(path: Path) -> Any:
    """The library's entry point, loaded once per process (not inside a timed call)."""
    function = ctypes.CDLL(str(path)).accelpi_anchor_count
    function.argtypes = [ctypes.c_int, ctypes.c_uint64, ctypes.c_uint64]
    function.restype = ctypes.c_uint64
    return function


def build() -> Anchor:
    """Compile the C anchor for this CPU (or reuse this host's earlier build) and load it.

    Raises
    ------
    BackendUnavailable
        No C compiler, or the sources do not compile here (``pi_simd.c`` is x86-64 only);
        the message carries the compiler's first lines.
    """
    from ..machine import fingerprint

    command = _compiler()
    try:
        about = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=60)
    except OSError as exc:
        raise BackendUnavailable(f"the C compiler {' '.join(command)!r} does not run: {exc}") from None
    compiler = (about.stdout.splitlines() or ["unknown compiler"])[0]
    digest = hashlib.sha256()
    for name in _SOURCES:
        digest.update((_HERE / name).read_bytes())
    arch = march()
    digest.update(f"{compiler} {fingerprint()['digest']} {arch}".encode())
    path = _cache_dir() / f"pi_simd-{digest.hexdigest()[:12]}.so"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=path.parent) as scratch:
            built = Path(scratch) / path.name
            flags = ["-O3", f"-march={arch}", "-shared", "-fPIC", "-o", str(built), str(_HERE / "anchor.c")]
            done = subprocess.run([*command, *flags], capture_output=True, text=True, timeout=300)
            if done.returncode:
                lines = "; ".join(done.stderr.strip().splitlines()[:3])
                raise BackendUnavailable(f"the C anchor does not compile here ({compiler}): {lines}")
            os.replace(built, path)  # atomic: a process beside this one finds it whole or not at all
    count = _load(path)
    held = tuple(v for i, v in enumerate(VERSIONS) if count(i, 1, 8) != _NONE)
    return Anchor(path, compiler, held, arch)


def _timed(n: int, repeat: int, fused: bool) -> dict[str, Any]:
    anchor = build()
    if fused:
        import accelpi

        accelpi.estimate(n, "numba:fused", seed=1, threads=1)  # compiled, its formulation chosen
    best = dict.fromkeys(anchor.versions, float("inf"))
    fused_s = float("inf")
    for _ in range(repeat):  # a round times every version, then numba:fused
        for version in anchor.versions:
            best[version] = min(best[version], anchor.seconds(version, n))
        if fused:
            t0 = time.perf_counter()
            accelpi.estimate(n, "numba:fused", seed=1, threads=1)
            fused_s = min(fused_s, time.perf_counter() - t0)
    fastest = min(best, key=best.__getitem__)
    found = {
        "compiler": anchor.compiler,
        "march": anchor.march,
        "n": n,
        "samples_per_second": {v: n / s for v, s in best.items()},
        "best": fastest,
    }
    if fused:
        found.update(fused_samples_per_second=n / fused_s, ratio=best[fastest] / fused_s)
    return found


def limit(n: int = 1 << 26, repeat: int = 5) -> dict[str, Any]:
    """The C anchor's speed on one thread: samples per second of each version, best of
    ``repeat`` calls of ``n`` samples, and the fastest (``best``), this CPU's limit."""
    return _timed(n, repeat, fused=False)


def ratio_to_limit(n: int = 1 << 26, repeat: int = 5) -> dict[str, Any]:
    """numba:fused on one thread against the fastest version of the C anchor, timed in the
    same rounds (each round times every version, then numba:fused), best of ``repeat``.

    Returns
    -------
    dict
        :func:`limit`'s keys, plus ``fused_samples_per_second`` and ``ratio``: numba:fused's
        samples per second over the fastest C version's (above 1: faster than the C).
    """
    return _timed(n, repeat, fused=True)
