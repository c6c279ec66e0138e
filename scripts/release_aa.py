"""A/A test of release campaigns: what does ``accelpi versions`` flag when nothing changed,
and does the order of the environments in a campaign bias what it measures?

One release of each library is measured in one campaign as several identical environments,
told apart only by a variable nothing reads (``ACCELPI_AA=a,b,c,d``): every row that differs
beyond the factor with asv's significance test is a false alarm, and a copy that is
consistently slower the later it runs in each pass shows an order bias. The campaigns are run
with each order of ``accelpi sweep --order`` (serpentine: reversed from pass to pass; asv:
asv's own interleaved rounds, always in the same order), on an otherwise idle machine::

    python scripts/release_aa.py --run serpentine asv     # measure (about an hour), then count
    python scripts/release_aa.py                          # count what is measured already

It writes ``experiments/release-aa.json``; ``--markdown`` prints its tables. The default
factor of the release tools (``accelpi.reports.DEFAULT_FACTOR``) must flag none.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "experiments" / "release-aa"
SUMMARY = ROOT / "experiments" / "release-aa.json"
VARIABLE = "ACCELPI_AA"
FACTORS = (1.05, 1.1, 1.15, 1.25)

#: One release of each library, as several identical environments (copies), and the orders
#: each is measured with.
CAMPAIGNS = (
    ("numba", "0.68.1", "abcd", (), ("serpentine", "asv")),
    ("numpy", "2.4.6", "abcd", (), ("serpentine", "asv")),
    ("tensorflow-cpu", "2.21.0", "ab", ("--switch", "TF_ENABLE_ONEDNN_OPTS=1"), ("serpentine",)),
)


def run(orders: list[str]) -> None:
    for library, release, copies, extra, allowed in CAMPAIGNS:
        for order in (o for o in orders if o in allowed):
            command = [sys.executable, "-m", "accelpi", "sweep", library, release, *extra]
            command += ["--switch", f"{VARIABLE}={','.join(copies)}", "--order", order, "--alone"]
            command += ["--results", str(RESULTS / order)]
            print("$", " ".join(command), flush=True)
            subprocess.run(command, cwd=ROOT, check=True)


def count(results: Path = RESULTS) -> dict:
    """Per order and library: rows compared, false alarms per factor, and each copy's
    geometric-mean ratio to copy ``a`` over the timed rows (its order bias)."""
    from accelpi.reports.builds import switch_differences
    from accelpi.store.campaigns import load_campaigns

    table: dict = {"variable": VARIABLE, "factors": list(FACTORS), "orders": {}}
    for order_dir in sorted(p for p in results.iterdir() if p.is_dir()) if results.is_dir() else []:
        campaigns = load_campaigns(order_dir)
        per_library = {}
        for library, release, copies, _, _ in CAMPAIGNS:
            mine = [c for c in campaigns.values() if c["library"] == library]
            if not mine:
                continue
            rows = switch_differences(order_dir, library, VARIABLE, 1.0)
            timed = [r for r in rows if r.lower_is_better and "PeakMemory" not in r.benchmark]
            bias = {}
            for copy in copies[1:]:
                ratios = [r.ratio for r in timed if r.other == f"{VARIABLE}={copy}" and r.ratio > 0]
                if ratios:
                    bias[copy] = math.exp(sum(map(math.log, ratios)) / len(ratios))
            factors = {}
            for factor in FACTORS:
                alarms = [
                    r for r in switch_differences(order_dir, library, VARIABLE, factor) if r.significant
                ]
                factors[str(factor)] = {
                    "false_alarms": len(alarms),
                    "which": [f"{r.benchmark}({r.params}) {r.other} {r.ratio:.3f}x" for r in alarms],
                }
            record = mine[-1]
            per_library[f"{library} {release}"] = {
                "campaign": record["id"],
                "copies": len(copies),
                "rows": len(rows),
                "minutes": round(record["seconds"] / 60, 1),
                "host_change": record["calibration"]["change"],
                "position_bias": bias,
                "largest_ratio": max((max(r.ratio, 1 / r.ratio) for r in timed if r.ratio > 0), default=None),
                "factors": factors,
            }
        table["orders"][order_dir.name] = per_library
    return table


def markdown(table: dict) -> str:
    lines = [
        "| order | library | copies | rows | minutes | host change | copy / a (b, c, d) | largest | "
        + " | ".join(f"false alarms at {f}" for f in table["factors"])
        + " |",
        "|---" * (8 + len(table["factors"])) + "|",
    ]
    for order, libraries in table["orders"].items():
        for name, row in libraries.items():
            bias = ", ".join(f"{v:.3f}" for v in row["position_bias"].values())
            alarms = [str(row["factors"][str(f)]["false_alarms"]) for f in table["factors"]]
            lines.append(
                f"| {order} | {name} | {row['copies']} | {row['rows']} | {row['minutes']} | "
                f"{row['host_change']:.3f}x | {bias} | {row['largest_ratio']:.3f}x | "
                + " | ".join(alarms)
                + " |"
            )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--run", nargs="+", choices=("serpentine", "asv"), help="measure with these orders first"
    )
    parser.add_argument("--markdown", action="store_true", help="print the tables of the saved summary")
    args = parser.parse_args()
    if args.markdown:
        print(markdown(json.loads(SUMMARY.read_text())), end="")
        return 0
    if args.run:
        run(args.run)
    table = count()
    SUMMARY.parent.mkdir(parents=True, exist_ok=True)
    SUMMARY.write_text(json.dumps(table, indent=1) + "\n")
    print(markdown(table), end="")
    default = str(1.1)
    flagged = sum(
        row["factors"][default]["false_alarms"] for lib in table["orders"].values() for row in lib.values()
    )
    return 1 if flagged else 0


if __name__ == "__main__":
    sys.exit(main())
