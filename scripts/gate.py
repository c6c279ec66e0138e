"""The pull-request gate: ``asv continuous`` of two commits on the gate's benchmarks.

    python scripts/gate.py BASE HEAD [--full] [--machine NAME] [--factor F] [asv options]

Compares ``HEAD`` with ``BASE`` on the benchmarks of ``benchmarks.common.GATE`` (``--full``:
the whole suite) at ``benchmarks.common.GATE_FACTOR``, the factor measured by
``scripts/continuous_reliability.py`` (docs/benchmarking.md), with the gate's asv options.
``make continuous`` and the pull-request workflow run it. Exit status: asv's (1 when a
benchmark got slower, 2 when one failed).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.common import GATE, GATE_FACTOR, GATE_OPTIONS, GATE_ROUNDS  # noqa: E402


def command(base: str, head: str, factor: float, bench: list[str] | None, extra: list[str]) -> list[str]:
    """The ``asv continuous`` command line of the gate; ``bench=None``: the whole suite.

    The gate's benchmarks run ``GATE_ROUNDS`` rounds; the whole suite runs each benchmark's
    own (asv's ``-a`` would set every benchmark's, ``FirstCall``'s single round included).
    """
    selected = [arg for regex in bench or () for arg in ("-b", regex)]
    if bench:
        selected += ["-a", f"rounds={GATE_ROUNDS}"]
    return [
        sys.executable,
        "-m",
        "asv",
        "continuous",
        "--factor",
        str(factor),
        *GATE_OPTIONS,
        "--split",
        "--show-stderr",
        *selected,
        *extra,
        base,
        head,
    ]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("base", help="the commit compared against (main, origin/main)")
    parser.add_argument("head", help="the commit under test (HEAD)")
    parser.add_argument("--full", action="store_true", help="the whole suite, not the gate's subset")
    parser.add_argument("--factor", type=float, default=GATE_FACTOR, help=f"default: {GATE_FACTOR}")
    args, extra = parser.parse_known_args()
    began = time.perf_counter()
    bench = None if args.full else list(GATE)
    done = subprocess.run(command(args.base, args.head, args.factor, bench, extra), cwd=ROOT)
    print(
        f"gate: asv continuous exited {done.returncode} after {time.perf_counter() - began:.0f} s",
        file=sys.stderr,
    )
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
