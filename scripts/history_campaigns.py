"""Measure the release history again, as campaigns, at one commit, on an otherwise idle host.

Every library the committed history holds, each in campaigns of ``accelpi sweep`` (one commit,
one host, passes alternating over the releases' environments): the same releases as before
campaigns, so that the old steps can be checked against the new. A group runs only when named::

    python scripts/history_campaigns.py --plan                # what each costs (accelpi sweep --plan)
    python scripts/history_campaigns.py numba numpy jax       # measure these groups
    python scripts/history_campaigns.py --all                 # everything, in the order below

A library too long for one idle slot is cut into groups that overlap by one release
(``tensorflow-cpu-1`` ... ``-4``): every consecutive pair of releases is inside one campaign,
and each group can run on a different day.

Each campaign's output is kept in ``.asv/history-campaigns/GROUP.log``. Run nothing else on the
host meanwhile (no tests, no builds): the campaigns measure the host as much as the releases.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOGS = ROOT / ".asv" / "history-campaigns"

#: group -> (build, releases, more options): the releases of the history before campaigns.
GROUPS: dict[str, tuple[str, list[str], list[str]]] = {
    "numba": (
        "numba",
        "0.57.1 0.58.1 0.59.1 0.60.0 0.61.2 0.62.1 0.63.1 0.64.0 0.65.1 0.66.0 0.67.0 0.68.0 0.68.1".split(),
        [],
    ),
    "numpy": ("numpy", "1.24.4 1.25.2 1.26.4 2.0.2 2.1.3 2.2.6 2.3.5 2.4.6".split(), []),
    "jax": ("jax", "0.4.23 0.4.38 0.5.3 0.6.2 0.8.3 0.10.2".split(), []),
    "mkl-random": ("mkl-random", "1.2.4 1.2.8 1.2.10 1.2.11 1.3.0 1.3.1 1.4.0 1.4.1 1.4.2 1.5.0".split(), []),
    "mkl-umath": ("mkl-umath", "0.1.5 0.2.0 0.3.0 0.3.1 0.4.0 0.4.1 0.4.2 0.4.3 0.5.0".split(), []),
    "dask": (
        "dask",
        "2024.6.2 2024.12.1 2025.5.1 2025.9.3 2026.1.3 2026.6.0 2026.7.1 2026.8.0".split(),
        ["--delete-envs"],
    ),
    # tensorflow-cpu: 13 releases, each with oneDNN on and off, cost about 2.8 min per environment in
    # a campaign's first pass here (eager mode, XLA's compiles): 26 environments in one campaign
    # would take four hours or more. Four campaigns of four releases, each overlapping the next by
    # one release, so that every consecutive pair is measured inside one campaign; each fits an
    # idle slot of about 50 minutes (measured on 2026-11-30: groups 1 to 3 took 36, 28 and 36
    # minutes by their records, and a few minutes more for deleting their environments).
    # tensorflow-cpu 2.14.0 sets no upper bound on NumPy: resolved jointly it takes NumPy 2.4.6 and
    # cannot import (its first campaign measured nothing of it); its group pins NumPy below 2, as
    # the releases around it resolve anyway.
    **{
        f"tensorflow-cpu-{number}": ("tensorflow-cpu", releases.split(), ["--delete-envs", "--alone", *pins])
        for number, (releases, pins) in enumerate(
            [
                ("2.12.0 2.12.1 2.13.0 2.13.1", []),
                ("2.13.1 2.14.0 2.14.1 2.15.1", ["--pin", "numpy<2"]),
                ("2.15.1 2.16.2 2.17.1 2.18.1", []),
                ("2.18.1 2.19.1 2.20.0 2.21.0", []),
            ],
            1,
        )
    },
    "intel-tensorflow": (
        "intel-tensorflow",
        "2.12.0 2.13.0 2.14.0".split(),
        ["--pin", "numpy<2", "--delete-envs", "--alone"],
    ),
    "intel-tensorflow-avx512": (
        "intel-tensorflow-avx512",
        "2.12.0 2.13.0 2.14.0".split(),
        ["--pin", "numpy<2", "--delete-envs", "--alone"],
    ),
    # torch's wheels on the index are CUDA builds of several GB: windows of three releases,
    # each environment deleted once its window is measured
    "torch": ("torch", "2.1.2 2.4.1 2.7.1 2.10.0 2.13.0 2.15.0".split(), ["--window", "3", "--delete-envs"]),
    "intel-extension-for-pytorch": ("intel-extension-for-pytorch", ["2.7.0", "2.8.0"], ["--delete-envs"]),
}


def command(group: str, plan: bool) -> list[str]:
    build, releases, extra = GROUPS[group]
    return [sys.executable, "-m", "accelpi", "sweep", build, *releases, *extra, *(["--plan"] if plan else [])]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("groups", nargs="*", help=f"groups to measure: {', '.join(GROUPS)}")
    parser.add_argument("--all", action="store_true", help="every group, in order")
    parser.add_argument("--plan", action="store_true", help="only say what each would cost")
    args = parser.parse_args()
    groups = list(GROUPS) if args.all or (args.plan and not args.groups) else args.groups
    unknown = [g for g in groups if g not in GROUPS]
    if unknown:
        parser.error(f"unknown group(s) {', '.join(unknown)}; accepted: {', '.join(GROUPS)}")
    LOGS.mkdir(parents=True, exist_ok=True)
    failed = []
    for group in groups:
        began = time.time()
        print(f"== {group}: {' '.join(command(group, args.plan)[3:])}", flush=True)
        if args.plan:
            done = subprocess.run(command(group, True), cwd=ROOT)
        else:
            with (LOGS / f"{group}.log").open("w") as log:
                done = subprocess.run(command(group, False), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        print(f"== {group}: exit {done.returncode} after {(time.time() - began) / 60:.0f} min", flush=True)
        if done.returncode not in (0, 1):
            failed.append(group)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
