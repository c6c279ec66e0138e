"""How many release steps of the history before campaigns are found again by the campaigns.

The old ``docs/what-changed.md`` (at a commit before campaigns, ``--old-ref``) listed steps
taken across commits, days and host speeds. For each library the campaigns measured again,
this counts its old steps (direction, benchmark, parameters, environment, releases) that the
committed campaigns flag again in the same direction, and says how many of those were taken on
one commit before::

    python scripts/surviving_steps.py --old-ref 50fa54a numba numpy jax
    python scripts/surviving_steps.py --old-ref 50fa54a numba --markdown

Read-only: nothing is measured. The old history was measured on ``cpu-epyc-2c`` (an EPYC with
AVX-512), the campaigns on the host named in their records: a step that does not survive may
also be one that only the other CPU shows.
"""

from __future__ import annotations

import argparse
import html
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def old_steps(ref: str) -> list[dict[str, str]]:
    """The rows of ``docs/what-changed.md`` at ``ref``: one dict per step, with its library."""
    text = subprocess.run(
        ["git", "show", f"{ref}:docs/what-changed.md"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    rows, library, header = [], None, None
    for line in text.splitlines():
        if line.startswith("## "):
            library, header = line[3:].strip(), None
        elif line.startswith("|") and library:
            cells = [html.unescape(c.strip()) for c in line.strip().strip("|").split("|")]
            if header is None:
                header = cells
            elif not set(line) <= set("|-: "):
                rows.append({"library": library, **dict(zip(header, cells, strict=False))})
    return rows


def key(library: str, direction: str, benchmark: str, params: str, axes: str, releases: str) -> tuple:
    return (library, direction, benchmark, params.replace(" ", ""), axes, releases.replace(" ", ""))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("libraries", nargs="+", help="libraries measured again in campaigns")
    parser.add_argument(
        "--old-ref", required=True, help="a commit whose docs/what-changed.md predates campaigns"
    )
    parser.add_argument("--markdown", action="store_true", help="a Markdown table")
    args = parser.parse_args()

    from accelpi.reports.report import release_report
    from accelpi.store import SWEEP_RESULTS

    report = release_report(ROOT / SWEEP_RESULTS)
    new = {
        key(
            c["library"],
            direction,
            c["benchmark"].split(".", 1)[-1],
            c["params"],
            c["axes"],
            f"{c['before']}→{c['after']}",
        )
        for direction, rows in (("slower", report["flagged"]), ("faster", report["improved"]))
        for c in rows
    }
    counts: Counter = Counter()
    for row in old_steps(args.old_ref):
        if row["library"] not in args.libraries:
            continue
        found = key(
            row["library"],
            row["direction"],
            row["benchmark"],
            row["parameters"],
            row["environment"],
            row["releases"],
        )
        same = row.get("accelpi code") == "one commit"
        counts[row["library"], "old"] += 1
        counts[row["library"], "old one commit"] += same
        counts[row["library"], "again"] += found in new
        counts[row["library"], "again one commit"] += same and found in new
    for library in args.libraries:
        counts[library, "new"] = sum(k[0] == library for k in new)
    columns = ["old", "again", "old one commit", "again one commit", "new"]
    if args.markdown:
        print(
            "| library | old steps | found again | old, one commit | of those found again | campaign steps |"
        )
        print("|---|---:|---:|---:|---:|---:|")
        for library in args.libraries:
            print(f"| {library} | " + " | ".join(str(counts[library, c]) for c in columns) + " |")
    else:
        for library in args.libraries:
            print(library + ": " + ", ".join(f"{c} {counts[library, c]}" for c in columns))
    return 0


if __name__ == "__main__":
    sys.exit(main())
