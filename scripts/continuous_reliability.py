"""How reliable is ``asv continuous`` on this machine? A/A and A/B comparisons, repeatable.

* A/A: ``main`` against a commit that changes nothing (an empty commit), several times:
  at a good ``--factor`` nothing may be flagged.
* A/B: ``main`` against a throwaway commit that plants a slowdown of one backend
  (``numba:fused``, 1.5x by default): exactly that backend's benchmarks must be flagged.
  The slowdown is planted through the suite's documented test hook, a file the commit
  adds to the package (``benchmarks/common.py``, ``PLANT_FILE``), which the harness reads
  and the package never does: no source line of a backend is matched or edited.

Everything happens in a temporary clone of this repository, so the working tree is not
touched; asv environments are shared with the repository's ``.asv/env``. Run it on an
otherwise idle machine::

    python scripts/continuous_reliability.py [--factor 1.1] [--aa-runs 3] [--machine NAME]

It prints each run's flagged benchmarks and a summary, writes the summary as JSON with
``--json FILE``, and exits 1 if an A/A run flagged anything or the A/B run flagged the
wrong set.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from asv import util

ROOT = Path(__file__).resolve().parents[1]

#: Benchmarks compared: fast, representative throughput timings and the fused kernel's scaling.
DEFAULT_BENCH = [
    r"Throughput.time_estimate\('(numpy|numpy:threads|numba|numba:parallel|numba:fused|torch|jax)'",
    r"ThreadScaling.time_estimate\('numba:fused'",
]
SLOW_BACKEND = "numba:fused"
sys.path.insert(0, str(ROOT))
from benchmarks.common import PLANT_FILE  # noqa: E402


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


def prepare(clone: Path, plant: float = 1.5) -> None:
    """Clone the repository and add the ``aa`` and ``ab`` branches on top of ``main``."""
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
    conf = util.load_json(str(clone / "asv.conf.json"), js_comments=True)
    conf.update(
        env_dir=str(ROOT / ".asv" / "env"), results_dir=str(clone / "results"), html_dir=str(clone / "html")
    )
    (clone / "asv.reliability.json").write_text(json.dumps(conf, indent=2))


def flagged(output: str) -> list[dict[str, str]]:
    """Rows ``asv continuous`` reported as slower ('+' rows of its table): before, after, ratio."""
    rows = []
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 5 and cells[0] == "+":  # | Change | Before | After | Ratio | Benchmark |
            rows.append(dict(zip(("before", "after", "ratio", "benchmark"), cells[1:5], strict=True)))
        elif len(cells) == 1 and (match := re.match(r"^\s*\+\s+(\S+)\s+(\S+)\s+(\S+)\s+(.+)$", line)):
            rows.append(dict(zip(("before", "after", "ratio", "benchmark"), match.groups(), strict=True)))
    return rows


def continuous(clone: Path, base: str, head: str, factor: float, machine: str, bench: list[str]) -> dict:
    command = [
        sys.executable,
        "-m",
        "asv",
        "continuous",
        "--config",
        "asv.reliability.json",
        "--factor",
        str(factor),
        "--machine",
        machine,
        "--show-stderr",
    ]
    for regex in bench:
        command += ["-b", regex]
    command += [base, head]
    done = subprocess.run(command, cwd=clone, capture_output=True, text=True)
    rows = flagged(done.stdout)
    shown = [f"{r['benchmark']} {r['before']} -> {r['after']} ({r['ratio']})" for r in rows]
    print(f"{base}..{head}: exit {done.returncode}, flagged {len(rows)}: {shown}", flush=True)
    if done.returncode == 2:
        print(done.stdout[-3000:], done.stderr[-3000:], file=sys.stderr)
    return {
        "base": base,
        "head": head,
        "exit": done.returncode,
        "flagged": [r["benchmark"] for r in rows],
        "rows": rows,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--factor", type=float, default=1.1)
    parser.add_argument("--aa-runs", type=int, default=3)
    parser.add_argument(
        "--plant",
        type=float,
        default=1.5,
        help=f"the slowdown planted in {SLOW_BACKEND} for A/B (default 1.5)",
    )
    parser.add_argument("--machine", default=None, help="asv machine name (default: this host's)")
    parser.add_argument("-b", "--bench", action="append", help="benchmark regexes (default: a fast set)")
    parser.add_argument("--json", help="write the summary here")
    args = parser.parse_args()
    machines = util.load_json(str(Path.home() / ".asv-machine.json"))
    machine = args.machine or next(name for name in machines if name != "version")
    bench = args.bench or DEFAULT_BENCH
    with tempfile.TemporaryDirectory(prefix="accelpi-reliability-") as tmp:
        clone = Path(tmp) / "repo"
        prepare(clone, args.plant)
        aa = [continuous(clone, "main", "aa", args.factor, machine, bench) for _ in range(args.aa_runs)]
        ab = continuous(clone, "main", "ab", args.factor, machine, bench)
    false_alarms = sum(len(run["flagged"]) for run in aa)
    wrong_ab = [name for name in ab["flagged"] if f"'{SLOW_BACKEND}'" not in name]
    summary = {
        "factor": args.factor,
        "aa_runs": len(aa),
        "aa_false_alarms": false_alarms,
        "ab_flagged": ab["flagged"],
        "ab_flagged_other_backends": wrong_ab,
        "ab_caught": bool(ab["flagged"]) and not wrong_ab,
        "runs": [*aa, ab],
    }
    print(json.dumps({k: v for k, v in summary.items() if k != "runs"}, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2))
    return 0 if false_alarms == 0 and summary["ab_caught"] else 1


if __name__ == "__main__":
    sys.exit(main())
