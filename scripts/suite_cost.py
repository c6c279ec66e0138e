"""Where a run of the suite spends its time: per benchmark, processes, wall and timed seconds.

    python scripts/suite_cost.py RESULT.json [--markdown]

Reads one asv result file (``results/MACHINE/COMMIT-ENV.json``) with asv's own modules:
asv records each benchmark's wall time (all its parameter combinations and rounds: process
start-up, imports, ``setup`` and warm-up included) and every timed sample. The difference
is what the suite pays besides measuring; the rows are sorted by it.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
from pathlib import Path

from asv import results as asv_results


def cost(path: Path) -> list[dict]:
    """One row per benchmark: combinations run, processes, wall, timed and other seconds."""
    result = asv_results.Results.load(str(path))
    listing = json.loads((path.parents[1] / "benchmarks.json").read_text())
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


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("result", type=Path, help="an asv result file")
    parser.add_argument("--markdown", action="store_true", help="a Markdown table instead of JSON")
    args = parser.parse_args()
    rows = cost(args.result)
    if not args.markdown:
        print(json.dumps(rows, indent=1))
        return 0
    print("| benchmark | combinations | processes | wall s | timed s | other s | other s per process |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        cells = [r["benchmark"], r["combinations"], r["processes"], r["wall_s"], r["timed_s"], r["other_s"]]
        print("| " + " | ".join(map(str, [*cells, r["other_per_process_s"]])) + " |")
    total = [sum(r[k] for r in rows) for k in ("processes", "wall_s", "timed_s", "other_s")]
    print(f"| **all** | | {total[0]} | {total[1]:.0f} | {total[2]:.0f} | {total[3]:.0f} | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
