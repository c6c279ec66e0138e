"""numba:fused's loop as written before and after 2026-12-06, timed under several Numba releases.

Before, sample j's counter was the product ``key + (j + 1) * gamma`` and the int32 test
``u*u + u + v*v + v``; LLVM 20 (Numba 0.62 and later) recomputes that product in every
vector iteration and folds ``u*u + u`` into ``u*(u + 1)`` (two ``pmuludq`` instead of one).
Now the counter is a running sum and the test ``u*u + (v*v + u + v)``. This script times both
loops, each formulation, on one thread, in the same rounds, for each interpreter given (one
per Numba release) and each CPU target (``native``, or a Numba/GCC CPU name such as
``znver3``: AVX2 code on an AVX-512 host), with the C anchor built for the same target::

    python -m venv venv-numba-0.61.2 && venv-numba-0.61.2/bin/pip install numba==0.61.2 "numpy<2.3"
    python scripts/fused_kernels.py --python venv-numba-0.61.2/bin/python --python .venv/bin/python \\
        --target native --target znver3 --out experiments/numba-fused/kernels-MACHINE.json

Each interpreter needs numba and numpy only: accelpi is imported from this checkout. Run it on an
otherwise idle machine. Prints Gsamples/s per core (best of ``--repeat`` rounds).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, os, sys, time
import numba, numpy as np
from numba import njit
from accelpi.backends import numba_ as nb
from accelpi.lab import anchor

n, repeat = int(sys.argv[1]), int(sys.argv[2])
numba.set_num_threads(1)
G, M32, S32, ONE, R2 = nb._GAMMA, nb._M32, nb._S32, nb._ONE, nb._R2


@njit(nogil=True)
def before(key, start, stop, form):
    # numba:fused's loop until 2026-12-06 (commit ab4e2f8), each formulation a loop of its own
    counted = 0
    if form == 0:
        for j in range(start, stop):
            z = nb._splitmix64(key + np.uint64(j + 1) * G)
            u, v = z >> S32, z & M32
            inside = u * (u + ONE)
            counted += inside + v * (v + ONE) >= inside
    elif form == 1:
        for j in range(start, stop):
            z = nb._splitmix64(key + np.uint64(j + 1) * G)
            u, v = z >> S32, z & M32
            inside = u * u + u
            counted += inside + (v * v + v) >= inside
    else:
        for j in range(start, stop):
            z = nb._splitmix64(key + np.uint64(j + 1) * G)
            u, v = z >> S32, z & M32
            x = np.float64(np.int64(u)) + 0.5
            y = np.float64(np.int64(v)) + 0.5
            counted += x * x + y * y < R2
    return counted


loops = {"before": before, "now": nb._fused_range}
key = np.uint64(0x1234567)
for loop in loops.values():
    for form in range(3):
        loop(key, 0, 1 << 12, form)  # compiled
built = anchor.build()
best = {}
hits = {}
for _ in range(repeat):
    for name, loop in loops.items():
        for form, formulation in enumerate(nb.FORMULATIONS):
            t0 = time.perf_counter()
            hits[f"{name} {formulation}"] = int(loop(key, 0, n, form))
            took = time.perf_counter() - t0
            best[f"{name} {formulation}"] = min(best.get(f"{name} {formulation}", took), took)
    for version in built.versions:
        t0 = time.perf_counter()
        built.count(version, 1, n)
        took = time.perf_counter() - t0
        best[f"C {version}"] = min(best.get(f"C {version}", took), took)
print(json.dumps({
    "numba": numba.__version__,
    "march": built.march,
    "compiler": built.compiler,
    "n": n,
    "hits_agree": len(set(hits.values())) == 1,
    "gsamples_per_s": {k: n / v / 1e9 for k, v in best.items()},
}))
"""


def measure(python: str, target: str, n: int, repeat: int) -> dict:
    """One interpreter, one target: the child's JSON."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name in ("NUMBA_CPU_NAME", "NUMBA_CPU_FEATURES"):
        env.pop(name, None)
    if target != "native":
        # the features string only keeps Numba from adding the host's own (AVX-512) features
        env.update(NUMBA_CPU_NAME=target, NUMBA_CPU_FEATURES="+sse2")
    with tempfile.TemporaryDirectory() as cache:
        env.update(NUMBA_CACHE_DIR=cache, ACCELPI_CACHE_DIR=cache)
        done = subprocess.run(
            [python, "-c", CHILD, str(n), str(repeat)], env=env, capture_output=True, text=True, timeout=1800
        )
    if done.returncode:
        raise SystemExit(f"{python} ({target}) failed:\n{done.stderr[-3000:]}")
    return {"python": python, "target": target, **json.loads(done.stdout.strip().splitlines()[-1])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", action="append", required=True, help="an interpreter with numba (repeat)")
    parser.add_argument("--target", action="append", default=None, help="native or a CPU name (repeat)")
    parser.add_argument("--log2n", type=int, default=28, help="log2 of the samples per call (default 28)")
    parser.add_argument("--repeat", type=int, default=5, help="rounds, best kept (default 5)")
    parser.add_argument("--out", type=Path, help="also write every row as JSON here")
    args = parser.parse_args()
    rows = [
        measure(python, target, 1 << args.log2n, args.repeat)
        for target in args.target or ["native"]
        for python in args.python
    ]
    for row in rows:
        rates = "  ".join(f"{k} {v:.2f}" for k, v in row["gsamples_per_s"].items())
        agree = "same hits" if row["hits_agree"] else "HITS DIFFER"
        print(f"numba {row['numba']:8} {row['target']:8} ({agree}): {rates}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(rows, indent=1) + "\n")
    return 0 if all(row["hits_agree"] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
