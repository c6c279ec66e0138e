"""Two campaigns of the same releases: do their steps agree? (a campaign A/A)

A release step is flagged inside one campaign, with asv's test on that campaign's samples.
Measuring the same releases again in a second campaign (same commit, same host, hours
later) says how far one campaign's verdicts can be trusted::

    python scripts/campaign_agreement.py tensorflow-cpu \\
        experiments/campaigns-superseded/amd-epyc-2c-aa63a279/tensorflow-cpu-20261130T140648Z \\
        sweeps/amd-epyc-2c-aa63a279/tensorflow-cpu-20261130T170020Z

Each argument is a campaign's folder (its ``.campaign`` record with its results). Both are
read as one results folder (a temporary copy, with ``sweeps/benchmarks.json`` and each
machine's ``machine.json``), so that each keeps its own series. Only the releases that ran in
both count; a step is taken between consecutive releases of those (a release only one
campaign ran is skipped over in both), with the test and factor ``accelpi versions`` uses.

Prints, for each test (the process-level test of ``accelpi versions``, and asv's test on the
pooled samples that it replaced), the steps each campaign flags (slower) or finds improved
(faster) and how many the other campaign finds again in the same direction; how many rows
the two campaigns decide in opposite directions (slower in one, faster in the other); of the
rows one campaign decides (slower, faster or same), how many the other decides the same way or
leaves undecided; and how far the same row's ratio differs between the two (the larger ratio
over the smaller, minus one) for each kind of row: times at each sample count, first calls,
peak memory.

Read-only: nothing is measured.
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import statistics
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def kind(benchmark: str, params: str) -> str:
    """What a row measures, for grouping: ``first calls``, ``peak memory``, ``time, 2**N
    samples`` (a time with a sample count among its parameters), or ``time``."""
    if "first_call" in benchmark:
        return "first calls"
    if ".peakmem_" in benchmark:
        return "peak memory"
    for part in params.split(","):
        part = part.strip()
        if part.isdigit() and int(part) > 1 and int(part) & (int(part) - 1) == 0:
            return f"time, 2**{int(part).bit_length() - 1} samples"
    return "time"


def agreement(
    results: Path, library: str, first: str, second: str, factor: float, pooled: bool = False
) -> dict:
    """``{"steps": {campaign: [Change]}, "differences": {kind: [relative difference]},
    "releases": [...], "rows": {row: {campaign: Change}}}`` for the two campaigns ``first`` and
    ``second`` under ``results`` (``pooled``: asv's test on pooled samples, the old one)."""
    from packaging.version import Version

    from accelpi.reports.versions import collect, reference_backends, step

    series = [s for s in collect(results, library) if s.campaign in (first, second)]
    ran = {c: {r for s in series if s.campaign == c for r in s.points} for c in (first, second)}
    shared = sorted(ran[first] & ran[second], key=Version)
    references = reference_backends(library)
    by_row: dict[tuple, dict[str, object]] = defaultdict(dict)
    for s in series:
        releases = [r for r in shared if r in s.points]
        for before, after in itertools.pairwise(releases):
            change = step(s, before, after, factor, references, pooled=pooled)
            by_row[_row(change)][s.campaign] = change
    steps: dict[str, list] = {first: [], second: []}
    differences: dict[str, list[float]] = defaultdict(list)
    for row, changes in sorted(by_row.items()):
        for campaign, change in changes.items():
            if change.direction:
                steps[campaign].append(change)
        if len(changes) == 2 and all(c.unit in ("seconds", "bytes") for c in changes.values()):
            a, b = changes[first].ratio, changes[second].ratio
            if a > 0 and b > 0:
                differences[kind(row[0], row[1])].append(max(a, b) / min(a, b) - 1)
    return {"steps": steps, "differences": differences, "releases": shared, "rows": by_row}


DECIDED = ("slower", "faster", "same")


def consistency(rows: dict, first: str, second: str) -> dict[str, int]:
    """Over the rows both campaigns compared: ``opposite`` (slower in one, faster in the
    other), and for each campaign the rows it decided (``decided_FIRST``) and how many of those
    the other decided the same way or left undecided (``kept_FIRST``)."""
    found = {"opposite": 0}
    for this, other in ((first, second), (second, first)):
        decided = kept = 0
        for changes in rows.values():
            if len(changes) != 2 or changes[this].outcome not in DECIDED:
                continue
            decided += 1
            kept += changes[other].outcome in (changes[this].outcome, "undecided")
        found[f"decided_{this}"], found[f"kept_{this}"] = decided, kept
    found["opposite"] = sum(
        len(c) == 2 and {c[first].outcome, c[second].outcome} == {"slower", "faster"} for c in rows.values()
    )
    return found


def _row(change) -> tuple[str, ...]:
    """A step's row: benchmark, parameters, axes and the two releases."""
    return (change.benchmark, change.params, change.axes, change.before, change.after)


def _copy(folders: list[Path], into: Path) -> None:
    shutil.copy(ROOT / "sweeps" / "benchmarks.json", into / "benchmarks.json")
    for folder in folders:
        machine = folder.parent
        (into / machine.name).mkdir(exist_ok=True)
        if (machine / "machine.json").exists():
            shutil.copy(machine / "machine.json", into / machine.name / "machine.json")
        shutil.copytree(folder, into / machine.name / folder.name)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("library", help="the library both campaigns swept")
    parser.add_argument("first", type=Path, help="the first campaign's folder")
    parser.add_argument("second", type=Path, help="the second campaign's folder")
    parser.add_argument("--factor", type=float, default=1.1, help="as accelpi versions (default 1.1)")
    args = parser.parse_args()

    from accelpi.store.campaigns import load_campaigns

    ids = []
    for folder in (args.first, args.second):
        records = load_campaigns(folder)
        if len(records) != 1:
            parser.error(f"{folder}: expected the folder of one campaign, found {len(records)} records")
        ids.append(next(iter(records)))
    if ids[0] == ids[1]:
        parser.error("the same campaign twice: nothing to compare")
    with tempfile.TemporaryDirectory() as tmp:
        _copy([args.first.resolve(), args.second.resolve()], Path(tmp))
        tests = {
            "the process-level test": agreement(Path(tmp), args.library, ids[0], ids[1], args.factor),
            "asv's test on pooled samples": agreement(
                Path(tmp), args.library, ids[0], ids[1], args.factor, pooled=True
            ),
        }
    found = tests["the process-level test"]
    print(f"releases both campaigns ran: {', '.join(found['releases']) or 'none'}")
    for name, found in tests.items():
        print(f"{name}:")
        for this, other in (ids, ids[::-1]):
            mine = found["steps"][this]
            theirs = {(*_row(x), x.direction) for x in found["steps"][other]}
            again = sum((*_row(x), x.direction) in theirs for x in mine)
            print(
                f"  {this}: {len(mine)} step(s) slower or faster beyond {args.factor}x, "
                f"{again} in {other} too"
            )
            for x in mine:
                there = found["rows"][_row(x)].get(other)
                elsewhere = f"{there.ratio:.2f}x {there.outcome}" if there else "not measured"
                print(f"      {x.benchmark}({x.params}) [{x.axes}] {x.before} -> {x.after}: ", end="")
                print(f"{x.ratio:.2f}x {x.interval_text()}, there {elsewhere}")
        agree = consistency(found["rows"], *ids)
        print(f"  rows decided in opposite directions: {agree['opposite']}")
        for this, other in (ids, ids[::-1]):
            decided, kept = agree[f"decided_{this}"], agree[f"kept_{this}"]
            share = f" ({kept / decided:.0%})" if decided else ""
            print(
                f"  {this} decided {decided} row(s) (slower, faster or same); {other} decided "
                f"{kept} of them the same way or left them undecided{share}"
            )
    found = tests["the process-level test"]
    print("the same row's ratio in the two campaigns: the larger over the smaller, minus one")
    for name, values in sorted(found["differences"].items()):
        print(
            f"    {name}: {len(values)} rows, median {statistics.median(values):.0%}, "
            f"largest {max(values):.0%}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
