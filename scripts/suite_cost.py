"""Where a run of the suite spends its time: per benchmark, processes, wall and timed seconds.

    python scripts/suite_cost.py RESULT.json [--markdown]

The rows come from :func:`accelpi.reports.cost.cost` (see there what each column means).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from accelpi.reports.cost import cost


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
