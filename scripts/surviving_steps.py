"""How many release steps of the history before campaigns are found again by the campaigns.

The old ``docs/what-changed.md`` (at a commit before campaigns, ``--old-ref``) listed steps
taken across commits, days and host speeds. For each library the campaigns measured again,
this counts its old steps (direction, benchmark, parameters, environment, releases) that the
committed campaigns flag again in the same direction, and says how many of those were taken on
one commit before. Only old steps whose two releases some campaign of the library measured
count (a library measured again in part is compared over that part)::

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


def survivors(
    old: list[dict[str, str]], new: set[tuple], measured: set[tuple[str, str]], libraries: list[str]
) -> Counter:
    """``{(library, column): count}``: the old steps of ``libraries`` between two releases in
    ``measured`` (``(library, release)`` pairs some campaign measured), how many of them are in
    ``new`` (the campaigns' steps, as :func:`key`) and how many of each were taken on one commit;
    under ``"new"``, the campaigns' own steps per library."""
    counts: Counter = Counter()
    for row in old:
        if row["library"] not in libraries:
            continue
        before, _, after = row["releases"].replace(" ", "").partition("→")
        if not {(row["library"], before), (row["library"], after)} <= measured:
            continue  # a step between releases no campaign has measured again yet
        step = key(
            row["library"],
            row["direction"],
            row["benchmark"],
            row["parameters"],
            row["environment"],
            row["releases"],
        )
        found = step in new
        same = row.get("accelpi code") == "one commit"
        counts[row["library"], "old"] += 1
        counts[row["library"], "old one commit"] += same
        counts[row["library"], "again"] += found
        counts[row["library"], "again one commit"] += same and found
    for library in libraries:
        counts[library, "new"] = sum(k[0] == library for k in new)
    return counts


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

    from packaging.version import Version

    from accelpi.reports.report import release_report
    from accelpi.store import SWEEP_RESULTS
    from accelpi.store.campaigns import load_campaigns
    from accelpi.store.series import collect

    report = release_report(ROOT / SWEEP_RESULTS)
    # a release some campaign asked for and measured a value of: one whose every benchmark
    # failed (the AVX-512 build on a host without AVX-512) was not measured again
    valued = {
        (library, Version(release).public)
        for library in args.libraries
        for s in collect(ROOT / SWEEP_RESULTS, library)
        if s.campaign
        for release in s.points
    }
    measured = {
        (record["library"], release)
        for record in load_campaigns(ROOT / SWEEP_RESULTS).values()
        for release in record["releases"]
    } & valued
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
    counts = survivors(old_steps(args.old_ref), new, measured, args.libraries)
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
