"""Check and time every GPU backend on a machine with an NVIDIA GPU, in a few minutes.

Runs the GPU tests (``pytest -m gpu``), then times every GPU-capable backend on the GPU as
``accelpi compare --device cuda`` does (:func:`accelpi.lab.timing.measure`), and writes
everything (test log, compare JSON, ``accelpi info``) into the output folder::

    python scripts/gpu_check.py [OUTPUT_DIR] [--only NAME ...] [--grids]

``--grids`` also times the two fused kernels (``cupy:fused``, ``numba-cuda``) at a few
launch grids, to choose theirs (their results depend on the grid, so it is fixed). On a
machine without a GPU every step runs and reports the backends unavailable, which is how
``scripts/gpu_device.sh`` is rehearsed. Exit status: that of the tests (0 when all passed
or skipped).
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
import time
from pathlib import Path

#: Samples per timed ``compare`` call at most (``measure`` sizes calls to its budget).
COMPARE_N = 2**36
#: Launch grids tried by ``--grids``: (blocks, threads per block).
GRIDS = [(512, 256), (1024, 256), (2048, 256), (4096, 256), (8192, 256)]


def run(command: list[str], log: Path, timeout: float, shown: int = 3000) -> int:
    """Run ``command``; its stdout goes to ``log``, its stderr beside it (``.stderr``)."""
    print("$", " ".join(command), flush=True)
    start = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        stdout, stderr, code = done.stdout, done.stderr, done.returncode
    except subprocess.TimeoutExpired as exc:
        stdout, stderr, code = str(exc.stdout or ""), f"{exc.stderr or ''}\ntimed out after {timeout} s", 124
    log.write_text(stdout)
    log.with_name(log.name + ".stderr").write_text(stderr)
    print(
        stdout[-shown:] if shown else "",
        stderr[-1500:],
        f"({time.perf_counter() - start:.0f} s, exit {code})",
        flush=True,
    )
    return code


def time_grids(n: int = 2**33, repeat: int = 5) -> list[dict]:
    """Best time of the fused kernels at each grid of :data:`GRIDS` (``n`` samples)."""
    import accelpi
    from accelpi import registry

    rows = []
    for name, module in (("cupy:fused", "cupy_"), ("numba-cuda", "numba_cuda_")):
        if "cuda" not in registry.info(name).devices:
            rows.append({"backend": name, "reason": registry.info(name).reason})
            continue
        backend = importlib.import_module(f"accelpi.backends.{module}")
        chosen = backend.GRID
        for grid in GRIDS:
            backend.GRID = grid
            accelpi.estimate(n, name, seed=0, device="cuda")  # states and kernel ready
            best = min(_timed(accelpi.estimate, n, name, seed=0, device="cuda") for _ in range(repeat))
            rows.append({"backend": name, "grid": list(grid), "n": n, "best_s": best, "rate": n / best})
            print(f"{name:12} grid {grid}: {n / best / 1e9:7.1f} Gsamples/s", flush=True)
        backend.GRID = chosen
    return rows


def _timed(call, *args, **kwargs) -> float:
    start = time.perf_counter()
    call(*args, **kwargs)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="gpu-check", type=Path)
    parser.add_argument("--only", nargs="*", help="these GPU backends only (default: every one)")
    parser.add_argument("--grids", action="store_true", help="also time the fused kernels' grids")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    python = sys.executable
    run([python, "-m", "accelpi", "info", "--json"], args.out / "info.json", 120, shown=0)
    from accelpi import registry
    from accelpi.lab.timing import measure

    gpu = [n for n in registry.names() if "cuda" in registry.spec(n).devices]
    gpu = [n for n in gpu if not args.only or n in args.only]
    tests = [
        f"tests/backends/test_gpu.py::{t}[{n}]"
        for n in gpu
        for t in (
            "test_gpu_estimates_are_valid_and_stable",
            "test_gpu_z_scores_over_many_seeds_are_standard_normal",
        )
    ]
    pytest = [python, "-m", "pytest", "-m", "gpu", "-q", "-rs", "-p", "no:cacheprovider", *tests]
    status = run(pytest, args.out / "gpu-tests.log", 200)
    rows = []
    for name in gpu:  # the same timing as `accelpi compare --device cuda`
        print(f"measuring {name} on cuda", flush=True)
        rows.append(measure(name, COMPARE_N, budget=0.5, repeat=3, seed=0, threads=None, device="cuda"))
        print(json.dumps(rows[-1]), flush=True)
    compare = {"n": COMPARE_N, "device": "cuda", "rows": rows}
    (args.out / "compare.json").write_text(json.dumps(compare, indent=2))
    if args.grids:
        (args.out / "grids.json").write_text(json.dumps(time_grids(), indent=2))
    return status


if __name__ == "__main__":
    sys.exit(main())
