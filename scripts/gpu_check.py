"""Check and time every GPU backend on a machine with an NVIDIA GPU, in a few minutes.

Runs the GPU tests (``pytest -m gpu``), then times every GPU-capable backend on the GPU as
``accelpi compare --device cuda`` does (:func:`accelpi.lab.timing.measure`), and writes
everything (test log, compare JSON, ``accelpi info``, ``accelpi backends``) into the output
folder::

    python scripts/gpu_check.py [OUTPUT_DIR]      # default: gpu-check/

Exit status: that of the tests (0 when all passed or skipped).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path


def run(command: list[str], log: Path, timeout: float) -> int:
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
    print(stdout[-4000:], stderr[-2000:], f"({time.perf_counter() - start:.0f} s, exit {code})", flush=True)
    return code


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "gpu-check")
    out.mkdir(parents=True, exist_ok=True)
    python = sys.executable
    run([python, "-m", "accelpi", "info", "--json"], out / "info.json", 120)
    run([python, "-m", "accelpi", "backends", "--probe", "--json"], out / "backends.json", 300)
    tests = run(
        [
            python,
            "-m",
            "pytest",
            "-m",
            "gpu",
            "-q",
            "-rs",
            "-p",
            "no:cacheprovider",
            "tests/backends/test_gpu.py",
        ],
        out / "gpu-tests.log",
        240,
    )
    from accelpi import registry
    from accelpi.lab.timing import measure

    gpu = [n for n in registry.names() if "cuda" in registry.spec(n).devices]
    rows = []
    for name in gpu:  # the same timing as `accelpi compare --device cuda`
        print(f"measuring {name} on cuda", flush=True)
        rows.append(measure(name, 2**36, budget=0.5, repeat=3, seed=0, threads=None, device="cuda"))
    (out / "compare.json").write_text(json.dumps({"n": 2**36, "device": "cuda", "rows": rows}, indent=2))
    print(f"{'backend':20} {'Gsamples/s':>11} {'first call':>11} {'error':>8}")
    for r in rows:
        if r["available"]:
            print(
                f"{r['backend']:20} {r['samples_per_second'] / 1e9:11.1f} {r['first_call_s']:10.2f}s "
                f"{r['z']:+7.2f}σ  ({r['device']})"
            )
        else:
            print(f"{r['backend']:20} unavailable: {r['reason']}")
    return tests


if __name__ == "__main__":
    sys.exit(main())
