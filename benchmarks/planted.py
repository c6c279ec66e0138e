"""The A/B test hook: a slowdown planted in a throwaway commit, for the gate's A/B runs.

``scripts/continuous_reliability.py`` adds a file to the package in a throwaway commit,
``{"backend": NAME, "factor": F}``; this harness module (never the package) reads it and
stretches that backend's timed calls by F. Without the file (every real commit) nothing
happens. ``common.py`` imports it, so that every benchmark process sees the plant.
"""

from __future__ import annotations

import json
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


def _read_plant() -> dict:
    if accelpi is None:
        return {}
    try:
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
