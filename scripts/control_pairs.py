"""Each campaign's own A/A: its newest release measured twice, compared by the verdict's door.

A campaign measures its newest release in a second environment told apart by a variable
nothing reads (``ACCELPI_CONTROL=copy``). Compared row by row with :func:`accelpi.reports.
verdicts.compare`, as every step is, that pair should decide nothing slower or faster; the
largest ratio it shows is how far two environments of one release differ in that campaign::

    python scripts/control_pairs.py numba numpy tensorflow-cpu
    python scripts/control_pairs.py numba --campaign numba-20261206T181843Z

Prints per campaign the outcomes of its control rows (same, undecided, untested, and any
slower or faster: a false alarm of that campaign's own) and the row that moved most.

Read-only: nothing is measured.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def control_pairs(results: Path, library: str, factor: float) -> dict[str, dict]:
    """``{campaign: {"outcomes": Counter, "largest": (magnitude, row)}}`` of ``library``."""
    from accelpi.reports.verdicts import compare, lower_is_better, magnitude_of
    from accelpi.store.series import collect

    found: dict[str, dict] = {}
    for s in collect(results, library):
        for release in sorted(set(s.controls) & set(s.points)):
            c = compare(s.points[release], s.controls[release], factor, lower_is_better(s.benchmark))
            entry = found.setdefault(s.campaign, {"outcomes": Counter(), "largest": (1.0, "")})
            entry["outcomes"][c.outcome] += 1
            moved = magnitude_of(c.ratio) if c.ratio > 0 else 1.0
            if moved > entry["largest"][0]:
                row = f"{s.benchmark.split('.', 1)[-1]}({s.params}) {s.axes}: {c.ratio:.3f}x {c.outcome}"
                entry["largest"] = (moved, row)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("library", nargs="+")
    parser.add_argument("--results", default=str(ROOT / "sweeps"))
    parser.add_argument("--campaign", help="only this campaign")
    parser.add_argument("--factor", type=float, default=1.1)
    args = parser.parse_args(argv)
    alarms = 0
    for library in args.library:
        for campaign, entry in sorted(control_pairs(Path(args.results), library, args.factor).items()):
            if args.campaign and campaign != args.campaign:
                continue
            outcomes = entry["outcomes"]
            alarms += outcomes["slower"] + outcomes["faster"]
            said = ", ".join(f"{n} {word}" for word, n in sorted(outcomes.items()))
            print(f"{campaign}: {said}; moved most: {entry['largest'][1] or 'nothing'}")
    return 1 if alarms else 0


if __name__ == "__main__":
    sys.exit(main())
