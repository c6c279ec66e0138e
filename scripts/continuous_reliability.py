"""How reliable is the pull-request gate on this machine? A/A and A/B runs, repeatable.

* A/A: ``main`` against a commit that changes nothing (an empty commit): nothing may be
  flagged.
* A/B: ``main`` against a throwaway commit that plants a slowdown of one backend
  (``numba:fused``, 1.10x by default): every gate benchmark of that backend must be
  flagged, and nothing else. The slowdown is planted through the suite's documented test
  hook, a file the commit adds to the package (``benchmarks/planted.py``, ``PLANT_FILE``),
  which the harness reads and the package never does: no source line is matched or edited.

Each run is the gate itself (``accelpi gate``: ``asv continuous`` with the gate's
benchmarks and options), A/A and A/B alternating so that a drift of the machine over the
hour falls on both. After each run the two commits' results are kept, and asv's own
``asv compare`` judges them again at every ``--factors`` value: one set of runs measures
the false alarms and the catches of several factors. It also reports each run's wall time
(the gate's cost) and, per benchmark, the largest A/A ratio (its noise).

Everything happens in a temporary clone of this repository, so the working tree is not
touched; asv environments are shared with the repository's ``.asv/env``. Run it on an
otherwise idle machine::

    python scripts/continuous_reliability.py [--runs 5] [--plant 1.10] [--json FILE]

It exits 1 if, at the gate's factor, an A/A run flagged anything or an A/B run missed or
over-flagged.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from accelpi.store.asvcompat import load_json

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from accelpi.cli.common import machine_name  # noqa: E402
from accelpi.gate import GATE, GATE_FACTOR  # noqa: E402
from accelpi.gate import command as gate_command  # noqa: E402
from benchmarks.planted import PLANT_FILE  # noqa: E402

SLOW_BACKEND = "numba:fused"
FACTORS = (1.05, 1.07, 1.1, 1.15, 1.25)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


def prepare(clone: Path, plant: float) -> dict[str, str]:
    """Clone the repository, add the ``aa`` and ``ab`` branches on top of ``main``; return
    the commit hash of ``main``, ``aa`` and ``ab``."""
    subprocess.run(["git", "clone", "-q", "--branch", "main", str(ROOT), str(clone)], check=True)
    git(clone, "config", "user.email", "reliability@accelpi.invalid")
    git(clone, "config", "user.name", "accelpi reliability script")
    git(clone, "checkout", "-q", "-b", "aa", "main")
    git(clone, "commit", "-q", "--allow-empty", "-m", "A/A: no change")
    git(clone, "checkout", "-q", "-b", "ab", "main")
    (clone / "accelpi" / PLANT_FILE).write_text(json.dumps({"backend": SLOW_BACKEND, "factor": plant}))
    git(clone, "add", "-f", f"accelpi/{PLANT_FILE}")
    git(clone, "commit", "-q", "-m", f"A/B: {SLOW_BACKEND} planted {plant}x slower")
    git(clone, "checkout", "-q", "main")
    conf = load_json(str(clone / "asv.conf.json"), js_comments=True)
    conf.update(
        env_dir=str(ROOT / ".asv" / "env"), results_dir=str(clone / "results"), html_dir=str(clone / "html")
    )
    (clone / "asv.reliability.json").write_text(json.dumps(conf, indent=2))
    return {name: git(clone, "rev-parse", name) for name in ("main", "aa", "ab")}


def table_rows(output: str) -> list[dict[str, str]]:
    """Every row of the tables ``asv continuous`` and ``asv compare`` print: change mark
    (``+`` slower, ``-`` faster, ``~`` beyond the factor but not significant, blank),
    before, after, ratio and benchmark."""
    rows = []
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 5 and cells[4] and not cells[4].startswith(("Benchmark", "-")):
            mark = cells[0] if cells[0] in {"+", "-", "~", "x", "!", ""} else None
            if mark is not None and re.match(r"^~?[\d.]+$|^n/a$", cells[3]):
                rows.append(
                    dict(zip(("change", "before", "after", "ratio", "benchmark"), cells[:5], strict=True))
                )
    return rows


def flagged(output: str) -> list[dict[str, str]]:
    """Rows reported as slower (``+``): before, after, ratio, benchmark."""
    return [
        {k: r[k] for k in ("before", "after", "ratio", "benchmark")}
        for r in table_rows(output)
        if r["change"] == "+"
    ]


def keep(clone: Path, hashes: list[str], folder: Path) -> Path:
    """Copy the results of ``hashes`` (and asv's benchmark list) out of the clone: the next
    run of the same commits overwrites them there."""
    source = clone / "results"
    for path in source.rglob("*.json"):
        name = path.name
        if name in ("benchmarks.json", "machine.json") or any(name.startswith(h[:8]) for h in hashes):
            target = folder / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    return folder


def judge(
    clone: Path, results: Path, machine: str, base: str, head: str, factor: float
) -> list[dict[str, str]]:
    """``asv compare`` of two kept results at ``factor``: every row, as asv marks it."""
    conf = load_json(str(clone / "asv.reliability.json"))
    # asv reads a configuration's relative paths from the file's folder: make them absolute
    conf.update(results_dir=str(results), repo=str(clone), benchmark_dir=str(clone / "benchmarks"))
    config = results / "asv.compare.json"
    config.write_text(json.dumps(conf))
    compare = ["compare", "--config", str(config), "--machine", machine, "--factor", str(factor)]
    done = subprocess.run(
        [sys.executable, "-m", "asv", *compare, base, head],
        cwd=clone,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"asv compare failed: {done.stderr[-1500:]}")
    return table_rows(done.stdout)


def run_once(clone: Path, kind: str, machine: str, bench: list[str]) -> dict:
    """One gate run: ``asv continuous`` of ``main`` against ``kind`` (``aa`` or ``ab``)."""
    extra = ["--config", "asv.reliability.json", "--machine", machine]
    command = gate_command("main", kind, GATE_FACTOR, bench, extra)
    began = time.perf_counter()
    done = subprocess.run(command, cwd=clone, capture_output=True, text=True)
    seconds = time.perf_counter() - began
    if done.returncode == 2:
        print(done.stdout[-3000:], done.stderr[-3000:], file=sys.stderr)
    return {
        "kind": kind,
        "exit": done.returncode,
        "seconds": round(seconds, 1),
        "flagged_at_gate": flagged(done.stdout),
    }


def evaluate(runs: list[dict], factors: tuple[float, ...]) -> dict:
    """Per factor: the A/A false alarms of each run, and whether each A/B run flagged every
    gate benchmark of the planted backend and nothing else."""
    by_factor = {}
    for factor in factors:
        aa, ab = [], []
        for run in runs:
            rows = [r for r in run["judged"][str(factor)] if r["ratio"] != "n/a"]  # n/a: skipped here
            slower = sorted(r["benchmark"] for r in rows if r["change"] == "+")
            if run["kind"] == "aa":
                aa.append(
                    {"slower": slower, "faster": sorted(r["benchmark"] for r in rows if r["change"] == "-")}
                )
            else:
                planted = sorted(r["benchmark"] for r in rows if f"'{SLOW_BACKEND}'" in r["benchmark"])
                missed = [b for b in planted if b not in slower]
                others = [b for b in slower if b not in planted]
                ab.append({"caught": not missed and not others, "missed": missed, "others": others})
        by_factor[str(factor)] = {
            "aa_false_alarms": [len(r["slower"]) for r in aa],
            "aa_runs": aa,
            "ab_caught": [r["caught"] for r in ab],
            "ab_runs": ab,
        }
    return by_factor


def noise(runs: list[dict]) -> dict[str, float]:
    """Per benchmark, the largest ratio away from 1 over the A/A runs (``max(r, 1/r)``)."""
    worst: dict[str, float] = {}
    for run in runs:
        if run["kind"] != "aa":
            continue
        for r in run["judged"][str(FACTORS[0])]:
            try:
                ratio = float(r["ratio"].lstrip("~"))
            except ValueError:
                continue
            if ratio > 0:
                worst[r["benchmark"]] = max(worst.get(r["benchmark"], 1.0), math.exp(abs(math.log(ratio))))
    return dict(sorted(worst.items(), key=lambda item: -item[1]))


def markdown(summary: dict) -> str:
    """The tables of docs/benchmarking.md from a saved summary (``--json``)."""
    lines = [
        f"| `--factor` | A/A: benchmarks flagged slower, runs 1-{summary['runs']} | "
        f"A/B ({summary['plant']}x planted): every {SLOW_BACKEND} benchmark flagged and nothing else |",
        "|---|---|---|",
    ]
    for factor, result in summary["factors"].items():
        caught = result["ab_caught"]
        misses = sorted({b.split(".", 1)[-1] for r in result["ab_runs"] for b in r["missed"]})
        others = sorted({b.split(".", 1)[-1] for r in result["ab_runs"] for b in r["others"]})
        detail = f"{sum(caught)} of {len(caught)}"
        if misses:
            detail += f"; missed: {', '.join(f'`{b}`' for b in misses)}"
        if others:
            detail += f"; also flagged: {', '.join(f'`{b}`' for b in others)}"
        alarms = ", ".join(map(str, result["aa_false_alarms"]))
        flagged = sorted({b.split(".", 1)[-1] for r in result["aa_runs"] for b in r["slower"]})
        shown = f" ({', '.join(f'`{b}`' for b in flagged)})" if flagged else ""
        lines.append(f"| {factor} | {alarms}{shown} | {detail} |")
    seconds = summary["seconds_per_run"]
    lines += [
        "",
        f"Gate run (`asv continuous` of two commits, environment built): {min(seconds):.0f} to "
        f"{max(seconds):.0f} s, median {sorted(seconds)[len(seconds) // 2]:.0f} s over {len(seconds)} runs.",
        "",
        "| benchmark | largest A/A ratio (max of r, 1/r over the runs) |",
        "|---|---|",
    ]
    lines += [f"| `{name.split('.', 1)[-1]}` | {ratio:.3f} |" for name, ratio in summary["aa_noise"].items()]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5, help="A/A runs, and as many A/B runs (default 5)")
    parser.add_argument("--plant", type=float, default=1.10, help=f"the slowdown planted in {SLOW_BACKEND}")
    parser.add_argument("--factors", type=float, nargs="+", default=list(FACTORS), help="factors judged")
    parser.add_argument("--machine", default=None, help="asv machine name (default: this host's)")
    parser.add_argument("-b", "--bench", action="append", help="benchmark regexes (default: the gate's)")
    parser.add_argument("--json", help="write the summary here")
    parser.add_argument("--markdown", metavar="JSON", help="only print the tables of a saved summary")
    args = parser.parse_args()
    if args.markdown:
        print(markdown(json.loads(Path(args.markdown).read_text())), end="")
        return 0
    machine = machine_name(args.machine)  # this host's fingerprint name, recorded for asv
    bench = args.bench or list(GATE)
    factors = tuple(sorted(set(args.factors) | {GATE_FACTOR}))
    runs = []
    with tempfile.TemporaryDirectory(prefix="accelpi-reliability-") as tmp:
        clone = Path(tmp) / "repo"
        hashes = prepare(clone, args.plant)
        for number in range(args.runs):
            for kind in ("aa", "ab"):
                run = run_once(clone, kind, machine, bench)
                kept = keep(clone, [hashes["main"], hashes[kind]], Path(tmp) / f"run-{number}-{kind}")
                run["judged"] = {
                    str(f): judge(clone, kept, machine, hashes["main"], hashes[kind], f) for f in factors
                }
                at_gate = [r["benchmark"] for r in run["judged"][str(GATE_FACTOR)] if r["change"] == "+"]
                print(
                    f"run {number + 1} {kind}: {run['seconds']:.0f} s, flagged at {GATE_FACTOR}: {at_gate}",
                    flush=True,
                )
                runs.append(run)
    by_factor = evaluate(runs, factors)
    summary = {
        "plant": args.plant,
        "runs": args.runs,
        "gate_factor": GATE_FACTOR,
        "bench": bench,
        "seconds_per_run": [r["seconds"] for r in runs],
        "factors": by_factor,
        "aa_noise": noise(runs),
        "raw": runs,
    }
    for factor, result in by_factor.items():
        print(
            f"factor {factor}: A/A false alarms {result['aa_false_alarms']}, A/B caught {result['ab_caught']}"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=1))
    gate = by_factor[str(GATE_FACTOR)]
    return 0 if not any(gate["aa_false_alarms"]) and all(gate["ab_caught"]) else 1


if __name__ == "__main__":
    sys.exit(main())
