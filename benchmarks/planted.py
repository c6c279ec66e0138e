"""The A/B test hook: a known slowdown planted, for the gate's and the campaigns' A/B runs.

Two ways to plant one, both read by this harness module only (never the package):

* ``scripts/continuous_reliability.py`` adds a file to the package in a throwaway commit,
  ``{"backend": NAME, "factor": F}`` (the gate's A/B runs: two commits);
* a campaign crosses the variable :data:`PLANT_VARIABLE` as a switch (``accelpi sweep numba
  0.68.1 --switch "ACCELPI_PLANT=none,numba:fused=1.15"``): the environments where it names a
  backend and a factor are slower by that factor, the others not (the release verdict's power,
  docs/benchmarking.md).

This module stretches that backend's timed calls by F. Without either (every real commit and
campaign) nothing happens. ``common.py`` imports it, so that every benchmark process sees
the plant.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

try:
    import accelpi
except ImportError:  # pragma: no cover - an old commit: nothing to plant into
    accelpi = None

#: A file that a throwaway commit adds to the package to plant a known slowdown, for
#: ``scripts/continuous_reliability.py``'s A/B runs: ``{"backend": NAME, "factor": F}``.
#: The harness (never the package) reads it and stretches that backend's timed calls by F.
PLANT_FILE = "_planted_slowdown.json"

#: The variable a campaign crosses as a switch to plant a slowdown: ``BACKEND=FACTOR``
#: (``numba:fused=1.15``), or anything else (``none``) for no plant.
PLANT_VARIABLE = "ACCELPI_PLANT"


def _read_plant() -> dict:
    if accelpi is None:
        return {}
    backend, _, factor = os.environ.get(PLANT_VARIABLE, "").rpartition("=")
    try:
        if backend:
            return {backend: float(factor)}
        plant = json.loads((Path(accelpi.__file__).parent / PLANT_FILE).read_text())
        return {str(plant["backend"]): float(plant["factor"])}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


_PLANT = _read_plant()


def planted_factor(backend: str) -> float:
    """The slowdown planted for ``backend`` at this commit (1.0: none, the normal case)."""
    return _PLANT.get(backend, 1.0)


def _stretched(estimate):
    def planted(n, backend="numpy", **kwargs):
        factor = planted_factor(backend)
        start = time.perf_counter()
        result = estimate(n, backend, **kwargs)
        if factor > 1:
            stop = start + factor * (time.perf_counter() - start)
            while time.perf_counter() < stop:  # busy, like the work it stands for
                pass
        return result

    return planted


if _PLANT:  # only in the A/B experiment's throwaway commit: the timed calls of `time_` benchmarks
    accelpi.estimate = _stretched(accelpi.estimate)
