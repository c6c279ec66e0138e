"""What each committed campaign cost, and how far the host's speed moved while it ran.

One row per campaign record under a results folder (``sweeps/`` by default): its library,
releases, environments, minutes, seconds per environment and pass, disk per environment (from
its environments' inventories) and the calibration kernels' change from the first reading to the
last, with the largest change between any two readings::

    python scripts/campaign_costs.py                      # every campaign in sweeps/
    python scripts/campaign_costs.py --markdown numba dask  # these libraries, as a Markdown table
    python scripts/campaign_costs.py --before experiments/sweeps-before-campaigns

``--before`` adds what the same library's one-release sweeps took per environment (the results
of before campaigns) and the ratio of the two: the median ratio is
``accelpi.releases.duration.SWEEP_TO_CAMPAIGN``, by which ``accelpi sweep --plan`` costs a
library never measured in a campaign from its older sweeps.

Read-only: nothing is measured.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MIB = 1024 * 1024


def rows(results: Path, libraries: list[str], before: Path | None = None) -> list[dict[str, str]]:
    """One row per campaign (oldest first), in the order of ``libraries`` when given."""
    from statistics import mean

    from accelpi.libraries import canonical
    from accelpi.releases.duration import sweep_seconds_per_environment
    from accelpi.store.campaigns import load_campaigns
    from accelpi.store.records import load_inventories

    old = sweep_seconds_per_environment(load_inventories(before)) if before else {}

    disks: dict[str, list[float]] = defaultdict(list)
    for record in load_inventories(results):
        if record.get("campaign") and isinstance(record.get("disk_bytes"), int | float):
            disks[record["campaign"]].append(float(record["disk_bytes"]))
    wanted = [canonical(name) for name in libraries]
    found = []
    for cid, record in load_campaigns(results).items():
        library = canonical(str(record.get("library") or ""))
        if wanted and library not in wanted:
            continue
        environments = len(record.get("environments") or [])
        passes = max(1, int(record.get("passes") or 1))
        seconds = float(record.get("seconds") or 0.0)
        releases = list(record.get("releases") or [])
        calibration = record.get("calibration") or {}
        sizes = disks.get(cid, [])
        disk = "–"
        if sizes:
            low, high = min(sizes) / MIB, max(sizes) / MIB
            disk = f"{low:,.0f} MiB" if round(low) == round(high) else f"{low:,.0f}–{high:,.0f} MiB"
        speed = "–"
        if isinstance(calibration.get("change"), int | float):
            speed = f"{calibration['change']:.2f}x ({calibration.get('largest_change') or 0:.2f}x)"
        per = seconds / (environments * passes) if environments else None
        earlier = {}
        if before:
            swept = old.get(library)
            earlier = {
                "one-release sweep per environment": f"{mean(swept):.0f} s" if swept else "–",
                "ratio": f"{per / mean(swept):.2f}" if swept and per else "–",
            }
        found.append(
            {
                "order": (wanted.index(library) if wanted else 0, str(record.get("started") or "")),
                "campaign": cid,
                "library": str(record.get("library") or "?"),
                "releases": f"{releases[0]} … {releases[-1]}" if len(releases) > 1 else "".join(releases),
                "environments": str(environments),
                "minutes": f"{seconds / 60:.1f}",
                "per environment and pass": f"{per:.0f} s" if per else "–",
                "disk per environment": disk,
                "host's speed, start to end (largest move)": speed,
                **earlier,
            }
        )
    found.sort(key=lambda row: row["order"])
    for row in found:
        del row["order"]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("libraries", nargs="*", help="only these libraries' campaigns, in this order")
    parser.add_argument("--results", type=Path, default=ROOT / "sweeps", help="results folder")
    parser.add_argument(
        "--before", type=Path, help="results of one-release sweeps of before campaigns, to compare"
    )
    parser.add_argument("--markdown", action="store_true", help="a Markdown table")
    args = parser.parse_args()
    if not args.results.is_dir():
        parser.error(f"--results {args.results}: not a folder")
    if args.before and not args.before.is_dir():
        parser.error(f"--before {args.before}: not a folder")
    table = rows(args.results, args.libraries, args.before)
    if not table:
        print(f"no campaign record under {args.results}", file=sys.stderr)
        return 1
    if args.markdown:
        from accelpi.site.markdown import markdown_table

        print("\n".join(markdown_table(list(table[0]), [list(row.values()) for row in table])))
    else:
        for row in table:
            print("  ".join(f"{k}: {v}" for k, v in row.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
