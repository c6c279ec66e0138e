"""A/A test of the release comparison: how many rows does ``accelpi versions`` flag when
nothing changed?

One release of each library is swept as two identical environments, told apart only by a
variable nothing reads (``ACCELPI_AA=a,b``): every row that differs beyond the factor with
asv's significance test is a false alarm. The sweeps (about 25 minutes on 2 cores; run them
on an otherwise idle machine)::

    python scripts/release_aa.py --sweep          # sweep, then count
    python scripts/release_aa.py                  # count from the results already there

count the rows at each factor and write ``docs/reliability/release-aa.json``. The default
factor of the release tools (``accelpi.reports.DEFAULT_FACTOR``) must flag none.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "docs" / "reliability" / "release-aa"
VARIABLE = "ACCELPI_AA"
FACTORS = (1.05, 1.1, 1.15, 1.2, 1.25)

#: What is swept: one release of each library, as two identical environments.
SWEEPS = (
    ("numba", "0.68.1", ()),
    ("numpy", "2.4.6", ()),
    ("tensorflow-cpu", "2.21.0", ("--switch", "TF_ENABLE_ONEDNN_OPTS=1")),
)


def sweep(machine: str) -> None:
    for library, release, extra in SWEEPS:
        command = [sys.executable, "-m", "accelpi", "sweep", library, release, *extra]
        command += ["--switch", f"{VARIABLE}=a,b", "--machine", machine, "--results", str(RESULTS)]
        print("$", " ".join(command), flush=True)
        subprocess.run(command, cwd=ROOT, check=True)


def count(results: Path = RESULTS) -> dict:
    """Rows compared and rows significant (false alarms), per library and factor."""
    from accelpi.reports.builds import compare_between

    table: dict = {"variable": VARIABLE, "factors": list(FACTORS), "libraries": {}}
    for library, release, _ in SWEEPS:
        per_factor = {}
        for factor in FACTORS:
            rows = compare_between(results, library, VARIABLE, factor)
            alarms = [r for r in rows if r.significant]
            per_factor[str(factor)] = {
                "rows": len(rows),
                "false_alarms": len(alarms),
                "which": [f"{r.benchmark}({r.params}) [{r.context}] {r.ratio:.3f}x" for r in alarms],
            }
        table["libraries"][f"{library} {release}"] = per_factor
    return table


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sweep", action="store_true", help="run the A/A sweeps first")
    parser.add_argument("--machine", default="cpu-epyc-2c", help="asv machine name")
    parser.add_argument("--json", default=str(ROOT / "docs" / "reliability" / "release-aa.json"))
    args = parser.parse_args()
    if args.sweep:
        sweep(args.machine)
    table = count()
    Path(args.json).write_text(json.dumps(table, indent=1) + "\n")
    print(f"{'library':28}" + "".join(f"{f'x{f}':>16}" for f in FACTORS))
    for name, per_factor in table["libraries"].items():
        cells = [f"{v['false_alarms']} of {v['rows']}" for v in per_factor.values()]
        print(f"{name:28}" + "".join(f"{c:>16}" for c in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
