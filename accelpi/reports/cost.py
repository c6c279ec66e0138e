"""Where a run of the suite spends its time: per benchmark, processes, wall and timed seconds.

Reads one asv result file (``results/MACHINE/COMMIT-ENV.json``) through the store: asv
records each benchmark's wall time (all its parameter combinations and rounds: process
start-up, imports, ``setup`` and warm-up included) and every timed sample. The difference is
what the suite pays besides measuring; :func:`cost` sorts the rows by it
(``scripts/suite_cost.py`` prints them).
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

from ..store import asvcompat

__all__ = ["cost"]


def cost(path: Path) -> list[dict]:
    """One row per benchmark: combinations run, processes, wall, timed and other seconds."""
    result = asvcompat.load_result(path)
    listing = asvcompat.benchmarks(path.parents[1])
    rows = []
    for key in result.get_all_result_keys():
        info = listing.get(key, {})
        params = info.get("params", [])
        values = result.get_result_value(key, params)
        stats = result.get_result_stats(key, params)
        samples = result.get_result_samples(key, params)
        ran = [v is not None and not (isinstance(v, float) and math.isnan(v)) for v in values]
        timed = 0.0
        for done, value, stat, sample in zip(ran, values, stats, samples, strict=False):
            if not done or info.get("type") != "time" or not stat:
                continue
            number = stat.get("number") or 1
            # the samples when asv kept them, else the median times the number of samples
            timed += number * (sum(sample) if sample else value * (stat.get("repeat") or 1))
        wall = float(result.duration.get(key) or 0.0)
        processes = sum(ran) * int(info.get("rounds", 1) or 1)
        rows.append(
            {
                "benchmark": key,
                "combinations": f"{sum(ran)} of {len(list(itertools.product(*params))) if params else 1}",
                "processes": processes,
                "wall_s": round(wall, 1),
                "timed_s": round(timed, 1),
                "other_s": round(wall - timed, 1),
                "other_per_process_s": round((wall - timed) / processes, 2) if processes else None,
            }
        )
    return sorted(rows, key=lambda r: -r["other_s"])
