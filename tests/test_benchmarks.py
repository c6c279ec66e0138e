"""Self-test of the asv suite: it validates, runs every benchmark at tiny sizes, and checks pins.

The quick run uses the test interpreter itself (``-E existing:same``), tiny sizes
(``ACCELPI_BENCH_QUICK=1``) and ``--dry-run`` (nothing saved). Skips with a reason are
fine; any failing benchmark fails the test.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from accelpi import registry

ROOT = Path(__file__).resolve().parents[1]

pytest.importorskip("asv", reason="asv is not installed (pip install 'accelpi[bench]')")
sys.path.insert(0, str(ROOT))
from benchmarks import common  # noqa: E402


def asv(*args: str, home: Path, timeout: float = 900) -> subprocess.CompletedProcess:
    env = {**os.environ, "HOME": str(home), "ACCELPI_BENCH_QUICK": "1"}
    config = ["--config", str(home / "asv.conf.json")] if args[0] != "machine" else []
    return subprocess.run(
        [sys.executable, "-m", "asv", args[0], *config, *args[1:]],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def asv_home(tmp_path_factory):
    """A HOME with an asv machine, and the project's configuration writing into it, not into results/."""
    from asv import util

    home = tmp_path_factory.mktemp("asv-home")
    conf = util.load_json(str(ROOT / "asv.conf.json"), js_comments=True)
    conf.update(
        repo=str(ROOT),
        benchmark_dir=str(ROOT / "benchmarks"),
        results_dir=str(home / "results"),
        html_dir=str(home / "html"),
        env_dir=str(home / "env"),
    )
    (home / "asv.conf.json").write_text(json.dumps(conf))
    done = asv("machine", "--yes", "--machine", "selftest", home=home)
    assert done.returncode == 0, done.stdout + done.stderr
    return home


def test_backend_axis_is_the_registry():
    assert common.BACKENDS == registry.names()


def test_asv_check(asv_home):
    done = asv("check", "-E", "existing:same", home=asv_home)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_every_benchmark_runs_at_tiny_sizes(asv_home):
    done = asv(
        "run",
        "-E",
        "existing:same",
        "--quick",
        "--dry-run",
        "--show-stderr",
        "--machine",
        "selftest",
        home=asv_home,
    )
    output = done.stdout + done.stderr
    failed = [line for line in output.splitlines() if re.search(r"\bfailed\b", line)]
    assert done.returncode == 0 and not failed, "\n".join(failed) or output[-5000:]
    assert "ok" in output


def test_benchmark_modules_import_no_accelerator_library():
    # asv's forkserver imports the benchmark modules once and forks every benchmark
    # from it: nothing that starts CUDA or a framework's threads may be imported there.
    code = (
        "import sys, pkgutil, importlib; sys.path.insert(0, '.'); import benchmarks\n"
        "for m in pkgutil.iter_modules(benchmarks.__path__):\n"
        "    importlib.import_module('benchmarks.' + m.name)\n"
        "heavy = ['torch', 'tensorflow', 'jax', 'cupy', 'numba', 'dask', 'mkl_random']\n"
        "print([h for h in heavy if h in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def _env_info(tmp_path: Path, requirements: dict) -> str:
    (tmp_path / "asv-env-info.json").write_text(json.dumps({"requirements": requirements}))
    return str(tmp_path)


def test_pins_that_held_pass(tmp_path):
    numpy_version = importlib.metadata.version("numpy")
    assert common.unmet_pins(_env_info(tmp_path, {"numpy": numpy_version, "threadpoolctl": ""})) == []


def test_pins_that_did_not_hold_are_named(tmp_path):
    problems = common.unmet_pins(_env_info(tmp_path, {"numpy": "1.0.0", "pip+no-such-package-xyz": ""}))
    assert any(p.startswith("numpy: pinned 1.0.0, installed") for p in problems)
    assert any("no-such-package-xyz is not installed" in p for p in problems)


def test_a_pin_that_did_not_hold_fails_every_benchmark(tmp_path):
    env = {**os.environ, "ASV_ENV_DIR": _env_info(tmp_path, {"numpy": "1.0.0"}), "ASV_ENV_NAME": "broken"}
    code = "import sys; sys.path.insert(0, '.'); import benchmarks.common"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0 and "pins did not hold: numpy: pinned 1.0.0" in done.stderr


def test_the_scaling_axis_is_the_registrys_thread_model():
    assert common.THREADED == registry.scaling_backends()


#: Benchmarks whose code changed on purpose since the committed results, and why. Every other
#: benchmark keeps the version (asv's hash of its code) of ``results/benchmarks.json``: asv
#: hides results of another version, so a changed hash would cut the history in two.
CHANGED = {
    "threads.Concurrency.track_mismatches": "records the count instead of raising: it could only record 0",
}


DISCOVER = """
import json
from asv_runner.discovery import disc_benchmarks
print(json.dumps({b.name: [b.version, b.params] for b in disc_benchmarks("benchmarks")}))
"""


def test_benchmark_versions_continue_the_committed_history(tmp_path):
    # discovered as on a GPU machine (an `nvidia-smi` on PATH), so that GpuThroughput, left out
    # at discovery elsewhere, is checked too: the H100's results are in the history
    (tmp_path / "nvidia-smi").write_text("#!/bin/sh\nexit 0\n")
    (tmp_path / "nvidia-smi").chmod(0o755)
    env = {**os.environ, "PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        [sys.executable, "-c", DISCOVER], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    current = json.loads(done.stdout.strip().splitlines()[-1])
    committed = json.loads((ROOT / "results" / "benchmarks.json").read_text())
    assert "throughput.GpuThroughput.time_estimate" in committed
    for name, definition in committed.items():
        if name == "version" or name in CHANGED:
            continue
        assert name in current, f"{name} disappeared: its history would end"
        version, params = current[name]
        assert version == definition["version"], f"{name}: code changed, history cut"
        # a new backend adds a value to the backend axis (asv keys results by value, so the old
        # series continue); a value that disappears would end its series
        assert len(params) == len(definition["params"]), f"{name}: parameter axes changed"
        for axis, (now, before) in enumerate(zip(params, definition["params"], strict=True)):
            lost = set(before) - set(now)
            assert not lost, (
                f"{name}: values {sorted(lost)} of axis {axis} disappeared: their history would end"
            )
