"""Where the variance of a benchmark sits: between processes, or within one (Kalibera & Jones).

A campaign's samples come from one benchmark process per pass. For every row whose processes
are known (recorded, or inferred for older campaigns: :mod:`accelpi.store.processes`), on the
logarithm of its samples: the variance within a process (the mean of the processes' own
variances) and between processes (the variance of the processes' means less the part the
within-process variance explains). Their share ``rho = between / (between + within)`` says how
much a test that treats every sample as independent overstates its certainty (its variance is
too small by about ``1 + (n - 1) rho`` for ``n`` samples a process), and what helps: with most of
the variance between processes, more processes, not more samples in each::

    python scripts/variance_components.py numba numpy tensorflow-cpu           # sweeps/
    python scripts/variance_components.py numpy --results experiments/release-aa/serpentine-4-final
    python scripts/variance_components.py numba --markdown

Printed per library and kind of row (the benchmark class, and for Throughput the sample
count): how many rows, the median standard deviation within and between processes (relative),
the median ``rho``, and the half-width of a 99 % interval on a ratio that the median row gives
with 4 and with 6 processes a side (the samples per process as measured).

Read-only: nothing is measured.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def components(samples: list[list[float]]) -> tuple[float, float, float]:
    """``(within, between, samples per process)``: the two variances of the logarithms."""
    logs = [[math.log(x) for x in process] for process in samples]
    n = statistics.fmean(len(p) for p in logs)
    within = statistics.fmean(statistics.variance(p) for p in logs)
    between = max(0.0, statistics.variance([statistics.fmean(p) for p in logs]) - within / n)
    return within, between, n


def half_width(within: float, between: float, n: float, processes: int, confidence: float = 0.99) -> float:
    """Half the width (relative) of the interval on a ratio of two sides of ``processes`` each."""
    from scipy.special import stdtrit

    per_side = (between + within / n) / processes
    q = float(stdtrit(2 * processes - 2, 1 - (1 - confidence) / 2))
    return math.exp(q * math.sqrt(2 * per_side)) - 1


def kind(benchmark: str, params: str) -> str:
    cls = benchmark.split(".")[-2]
    if cls == "Throughput":
        n = int(params.rsplit(",", 1)[-1])
        return f"{cls}, 2**{n.bit_length() - 1}"
    return cls


def table(results: Path, library: str) -> list[dict]:
    from accelpi.store import processes
    from accelpi.store.series import collect

    rows: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    pooled: dict[str, int] = defaultdict(int)
    for s in collect(results, library):
        for point in (*s.points.values(), *s.controls.values()):
            split = processes.split(point["samples"], point["processes"])
            if split and len(split) >= 2 and min(len(p) for p in split) >= 2:
                rows[kind(s.benchmark, s.params)].append(components(split))
            elif point["samples"] and len(point["samples"]) > 1:
                pooled[kind(s.benchmark, s.params)] += 1
    found = []
    for name in sorted(set(rows) | set(pooled)):
        measured = rows.get(name, [])
        entry = {"library": library, "kind": name, "rows": len(measured), "pooled": pooled.get(name, 0)}
        if measured:
            within = statistics.median(r[0] for r in measured)
            between = statistics.median(r[1] for r in measured)
            n = statistics.median(r[2] for r in measured)
            entry.update(
                within=math.sqrt(within),
                between=math.sqrt(between),
                rho=statistics.median(r[1] / (r[0] + r[1]) if r[0] + r[1] else 0.0 for r in measured),
                samples=n,
                half_4=half_width(within, between, n, 4),
                half_6=half_width(within, between, n, 6),
            )
        found.append(entry)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("libraries", nargs="+")
    parser.add_argument("--results", type=Path, default=ROOT / "sweeps", help="default: sweeps/")
    parser.add_argument("--markdown", action="store_true", help="a Markdown table")
    args = parser.parse_args()
    headers = [
        "library", "rows", "rows pooled", "sd within", "sd between", "rho", "samples/process",
        "99% half-width, 4 processes", "6 processes",
    ]  # fmt: skip
    lines = []
    for library in args.libraries:
        for e in table(args.results, library):
            known = "rho" in e
            lines.append(
                [
                    f"{e['library']} {e['kind']}",
                    str(e["rows"]),
                    str(e["pooled"]),
                    f"{e['within']:.1%}" if known else "-",
                    f"{e['between']:.1%}" if known else "-",
                    f"{e['rho']:.2f}" if known else "-",
                    f"{e['samples']:.0f}" if known else "-",
                    f"±{e['half_4']:.0%}" if known else "-",
                    f"±{e['half_6']:.0%}" if known else "-",
                ]
            )
    if args.markdown:
        from accelpi.site.markdown import markdown_table

        print("\n".join(markdown_table(headers, lines)))
    else:
        widths = [max(len(h), *(len(r[i]) for r in lines)) for i, h in enumerate(headers)]
        for row in [headers, *lines]:
            print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
