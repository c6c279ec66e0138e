"""Which of ``numba:fused``'s formulations this host runs fastest: chosen once per CPU.

The formulations give the same hits; their speed depends on the CPU (a 64-bit vector multiply
is one instruction on AMD's AVX-512 cores, several on Intel's, emulated without AVX-512). On
first use on a host, :func:`chosen` times each formulation on a short run (best of a few, one
thread), keeps the fastest, and remembers it in a small file keyed by the host's fingerprint
and Numba's release, so that later processes (and the other environments of this host) take
the same one without timing again. ``ACCELPI_FUSED_FORMULATION`` forces one (to benchmark
each); ``accelpi info`` says which runs and why.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..timestamps import utc

__all__ = ["OVERRIDE", "PROBE_N", "cache_path", "chosen", "known"]

#: Forces a formulation (``int64``, ``int32`` or ``float``), for benchmarking each.
OVERRIDE = "ACCELPI_FUSED_FORMULATION"

#: Numba's settings of the CPU it compiles for: a choice is remembered for each target apart.
TARGET = ("NUMBA_CPU_NAME", "NUMBA_CPU_FEATURES")

#: Samples each formulation is timed on, and how many times (best of): about 1 ms each.
PROBE_N, PROBE_REPEAT = 1 << 19, 3

_lock = threading.Lock()
_choice: tuple[str, str] | None = None


def cache_path() -> Path:
    """Where choices are remembered: ``$ACCELPI_CACHE_DIR``, else the user's cache folder."""
    from ..machine import cache_dir

    return cache_dir() / "fused-formulation.json"


def _key() -> str:
    import numba

    from ..machine import fingerprint

    key = f"{fingerprint()['digest']} numba {numba.__version__}"
    # Numba told to compile for another CPU than this one (NUMBA_CPU_NAME, NUMBA_CPU_FEATURES:
    # an AVX2 target on an AVX-512 host, say) makes other code, whose fastest test may differ.
    target = [os.environ.get(name) for name in TARGET]
    return key + (f" target {target[0] or 'host'} {target[1] or ''}".rstrip() if any(target) else "")


def _read() -> dict[str, Any]:
    try:
        found = json.loads(cache_path().read_text())
        return found if isinstance(found, dict) else {}
    except (OSError, ValueError):
        return {}


def known() -> dict[str, Any] | None:
    """This host's remembered choice (``formulation``, ``timings_ns``, ``chosen_at``), or
    ``None`` when none was made yet; never times anything (``accelpi info``)."""
    if os.environ.get(OVERRIDE):
        return {"formulation": os.environ[OVERRIDE], "why": f"forced by {OVERRIDE}"}
    entry = _read().get(_key())
    return entry if isinstance(entry, dict) else None


def chosen(names: Sequence[str], run: Callable[[str, int], None]) -> tuple[str, str]:
    """``(formulation, why)``: the override, the remembered choice, or the fastest of a probe
    (``run(name, n)`` runs formulation ``name`` over ``n`` samples on the calling thread)."""
    global _choice
    forced = os.environ.get(OVERRIDE)
    if forced:
        if forced not in names:
            from ..errors import InvalidArgument

            raise InvalidArgument(f"{OVERRIDE}={forced!r}: accepted: {', '.join(names)}")
        return forced, f"forced by {OVERRIDE}"
    with _lock:
        if _choice is not None:
            return _choice
        key = _key()
        entry = _read().get(key)
        if isinstance(entry, dict) and entry.get("formulation") in names:
            _choice = (entry["formulation"], "remembered for this CPU")
            return _choice
        run(names[0], 1024)  # the kernel a call needs anyway: compiled (or loaded) first
        began = time.perf_counter()
        timings = _probe(names, run)
        best = min(timings, key=timings.__getitem__)
        record = _read()
        record[key] = {
            "formulation": best,
            "timings_ns": timings,
            "probe_seconds": time.perf_counter() - began,  # what the choice adds to a first call
            "chosen_at": utc(),
        }
        try:
            from ..store.files import write_atomically

            write_atomically(cache_path(), json.dumps(record, indent=1, sort_keys=True))
        except OSError:  # a read-only home: the next process chooses again
            pass
        _choice = (best, "timed on this CPU")
        return _choice


def _probe(names: Sequence[str], run: Callable[[str, int], None]) -> dict[str, float]:
    """Nanoseconds per sample of each formulation on one thread: best of a few, in rounds
    that alternate the formulations (a drift of the host falls on all of them)."""
    best = dict.fromkeys(names, float("inf"))
    for _ in range(PROBE_REPEAT):
        for name in names:
            start = time.perf_counter()
            run(name, PROBE_N)
            best[name] = min(best[name], time.perf_counter() - start)
    return {name: seconds / PROBE_N * 1e9 for name, seconds in best.items()}
