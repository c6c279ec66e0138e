"""The threading lab: our backends are deterministic under concurrency; safe kernels are exact."""

from __future__ import annotations

import json
import sys
import threading

import pytest

import accelpi
from accelpi import registry
from accelpi.cli import main
from accelpi.lab import threads as threadlab

CONCURRENT = [b for b in registry.names() if b != "python" and "cpu" in registry.spec(b).devices]


@pytest.mark.parametrize("name", CONCURRENT)
def test_concurrent_calls_give_the_serial_results(name):
    info = registry.info(name)
    if not info.available:
        pytest.skip(f"{name} unavailable: {info.reason}")
    (row,) = threadlab.concurrency([name], threads=4, rounds=3, n=200_003)
    assert row["calls"] == 12
    assert row["mismatches"] == 0, row["example"]


def test_safe_kernels_are_exact_and_the_unsafe_one_reports():
    rows = {r["kernel"]: r for r in threadlab.race(threads=4, runs=5, updates=50, size=50_000)}
    for label, row in rows.items():
        assert row["runs"] == 5
        if row["safe"]:
            assert row["wrong_runs"] == 0 and row["lost_updates"] == 0, label
    unsafe = rows["numpy in-place add on a shared array"]
    # Lost updates are probabilistic: never assert that they happen, but what is reported
    # must add up: a run is wrong exactly when it lost updates, and the worst run lost at
    # most what all runs lost together (4 threads x 50 updates x 50,000 counters per run).
    assert not unsafe["safe"]
    assert (unsafe["wrong_runs"] == 0) == (unsafe["lost_updates"] == 0)
    assert round(unsafe["worst_loss"] * 4 * 50 * 50_000) <= unsafe["lost_updates"]


def test_scaling_rows_and_plot(tmp_path):
    rows = threadlab.scaling(["numpy:threads"], [1, 2], n=2**21, repeat=1)
    assert [r["threads"] for r in rows] == [1, 2]
    assert rows[0]["speedup"] == pytest.approx(1.0)
    assert all(r["seconds"] > 0 and r["efficiency"] > 0 for r in rows)
    threadlab.plot_scaling(rows, str(tmp_path / "scaling.png"))
    assert (tmp_path / "scaling.png").read_bytes().startswith(b"\x89PNG")


def test_scaling_skips_thread_counts_a_backend_cannot_use():
    info = registry.info("numba:parallel")
    if not info.available:
        pytest.skip(info.reason)
    limit = registry.load("numba:parallel").max_threads()
    rows = threadlab.scaling(["numba:parallel"], [limit + 1], n=2**16, repeat=1)
    assert "at most" in rows[0]["skipped"]


def test_gil_status_names_the_interpreter():
    enabled = sys._is_gil_enabled() if hasattr(sys, "_is_gil_enabled") else True
    assert threadlab.gil_status() == ("GIL enabled" if enabled else "free-threaded (GIL disabled)")


@pytest.mark.parametrize("name", registry.scaling_backends())
def test_every_backend_of_the_scaling_study_runs_on_two_threads(name):
    # `accelpi threads` without -b scales these: a single-threaded backend among them
    # (cupy once was) made the command exit 2 on a GPU machine.
    assert registry.spec(name).threads in ("pool", "library")
    info = registry.info(name)
    if not info.available:
        pytest.skip(f"{name} unavailable: {info.reason}")
    assert accelpi.estimate(1000, name, seed=0, threads=2).threads == 2


def test_threads_command(capsys):
    code = main(
        [
            "threads",
            "-b",
            "numpy:threads",
            "--max-threads",
            "2",
            "-n",
            "2**20",
            "--repeat",
            "1",
            "--concurrent",
            "2",
            "--rounds",
            "1",
            "--runs",
            "2",
            "--json",
        ]
    )
    out, _ = capsys.readouterr()
    assert code == 0
    report = json.loads(out)
    assert set(report) == {"interpreter", "scaling", "concurrency", "race"}
    assert all(r["mismatches"] == 0 for r in report["concurrency"])


@pytest.mark.parametrize("name", CONCURRENT)
def test_eight_threads_with_mixed_arguments_get_the_serial_results(name):
    """Seeds, sizes and thread counts mixed across 8 concurrent callers (dask:distributed on
    its local clusters included): every result equals the same call made alone."""
    from concurrent.futures import ThreadPoolExecutor

    info = registry.info(name)
    if not info.available:
        pytest.skip(f"{name} unavailable: {info.reason}")
    counts = [1, 2] if registry.spec(name).threads in ("pool", "library") else [None]
    calls = [(seed, n, t) for seed in (3, 4) for n in (100_003, 250_001) for t in counts]
    calls = (calls * 8)[:8]
    serial = {c: accelpi.estimate(c[1], name, seed=c[0], threads=c[2]).hits for c in set(calls)}
    barrier = threading.Barrier(len(calls))

    def call(c):
        barrier.wait()
        return accelpi.estimate(c[1], name, seed=c[0], threads=c[2]).hits

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        got = list(pool.map(call, calls))
    assert got == [serial[c] for c in calls]
