"""The summary at the end of ``make bench``: rows recomputed from the raw result file."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys

import pytest

from accelpi.reports.summary import GPU_N, LARGE, SMALL, format_summary, run_summary

from ..helpers import ROOT

pytest.importorskip("asv", reason="asv is not installed")

RESULTS = ROOT / "results"


def _raw(summary: dict) -> dict[str, dict[tuple[str, ...], float]]:
    """The summary's result file read as plain JSON, without asv: benchmark -> params -> value."""
    data = json.loads((RESULTS / summary["machine"] / summary["file"]).read_text())
    column = data["result_columns"].index("result")
    axes = data["result_columns"].index("params")  # the parameters the file was measured with
    table = {}
    for name, row in data["results"].items():
        combos = list(itertools.product(*row[axes])) or [()]
        table[name] = {
            combo: value for combo, value in zip(combos, row[column], strict=False) if value == value
        }
    return table


def test_the_summary_is_recomputed_from_the_result_file():
    summary = run_summary(RESULTS)
    raw = _raw(summary)
    throughput = raw["throughput.Throughput.time_estimate"]
    first_calls = raw["first_call.FirstCall.timeraw_first_call"]
    assert summary["rows"], "no rows"
    for row in summary["rows"]:
        name = f"'{row['backend']}'"
        seconds = throughput.get((name, str(row["n"])))
        assert row["samples_per_second"] == pytest.approx(row["n"] / seconds), row["backend"]
        assert row["first_call_s"] == pytest.approx(first_calls[(name,)])
    large = [r for r in summary["rows"] if r["n"] == LARGE]
    assert [r["samples_per_second"] for r in large] == sorted(
        (r["samples_per_second"] for r in large), reverse=True
    )
    numpy = next(r for r in summary["rows"] if r["backend"] == "numpy")
    python = next(r for r in summary["rows"] if r["backend"] == "python")
    assert python["n"] == SMALL and numpy["speedup_vs_numpy"] == pytest.approx(1.0)
    assert python["speedup_vs_python"] == pytest.approx(1.0)


def test_the_summary_fits_80_columns_and_names_every_backend_whole():
    summary = run_summary(RESULTS)
    lines = format_summary(summary)
    assert all(len(line) <= 80 for line in lines), max(lines, key=len)
    text = "\n".join(lines)
    assert all(r["backend"] in text for r in summary["rows"])
    done = subprocess.run(
        [sys.executable, "-m", "accelpi", "summary", "--results", str(RESULTS)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0 and all(len(line) <= 80 for line in done.stdout.splitlines()), done.stdout
    assert "make publish" in done.stdout and "make continuous" in done.stdout


def test_a_gpu_machines_run_is_ranked_from_its_result_file_and_never_taken_for_this_machine():
    summary = run_summary(RESULTS, machine="gpu-h100")
    raw = _raw(summary)["throughput.GpuThroughput.time_estimate"]
    assert summary["device"] == "cuda" and summary["n"] == GPU_N
    assert {r["backend"] for r in summary["rows"]} >= {"cupy:fused", "numba-cuda", "torch", "jax"}
    for row in summary["rows"]:
        assert row["samples_per_second"] == pytest.approx(GPU_N / raw[(f"'{row['backend']}'",)])
    rates = [r["samples_per_second"] for r in summary["rows"]]
    assert rates == sorted(rates, reverse=True)
    lines = format_summary(summary)
    assert all(len(line) <= 80 for line in lines) and "2**31 samples on the GPU" in lines[1]
    # with no machine named, the newest CPU run is summarised, even where a GPU run is newer
    assert run_summary(RESULTS)["device"] == "cpu"


def test_numba_fused_s_ratio_to_the_hand_written_limit_is_read_where_it_was_measured():
    from accelpi.reports.summary import LIMIT, LIMIT_RATIO

    machines = sorted(p.name for p in RESULTS.iterdir() if (p / "machine.json").exists())
    found = {}
    for machine in machines:
        summary = run_summary(RESULTS, machine=machine)
        if summary["device"] != "cpu":
            continue
        raw = _raw(summary)
        if LIMIT_RATIO in raw:
            assert summary["limit"] == {
                "ratio": pytest.approx(raw[LIMIT_RATIO][()]),
                "gsamples_per_second": pytest.approx(raw[LIMIT][()]),
            }
            text = " ".join(format_summary(summary))
            assert f"{summary['limit']['ratio']:.2f}x this CPU's hand-written" in text
            found[machine] = summary["limit"]
        else:
            assert summary["limit"] is None  # a commit before the benchmark: nothing said
    assert found, "no committed run measured HandWrittenLimit"
