"""The replication report: every number recomputed from the result files."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
import sys

import pytest

from accelpi.reports.replicate import replication_report

from ..helpers import ROOT

pytest.importorskip("asv", reason="asv is not installed")


def _copy(tmp_path):
    for folder in ("results", "sweeps"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


def _scale_time(root, backend: str, n: str, factor: float) -> None:
    """Multiply one Throughput time in every default-environment result file by ``factor``."""
    key = "throughput.Throughput.time_estimate"
    for path in (root / "results").glob("*/*.json"):
        if path.name == "machine.json":
            continue
        data = json.loads(path.read_text())
        if key not in data.get("results", {}):
            continue
        axes = data["results"][key][data["result_columns"].index("params")]  # the file's own
        combos = list(itertools.product(*axes))
        if (f"'{backend}'", n) not in combos:
            continue
        index = combos.index((f"'{backend}'", n))
        column = data["result_columns"].index("result")
        row = data["results"][key][column]
        if index < len(row) and row[index] == row[index] and row[index] is not None:
            row[index] *= factor
        path.write_text(json.dumps(data))


def _claim(report, number: str) -> dict:
    return next(r for r in report["rows"] if r["claim"].startswith(number))


def test_every_claim_has_a_verdict_and_its_rule():
    report = replication_report(ROOT)
    assert [r["claim"].split(".")[0] for r in report["rows"]] == [
        "1",
        "2",
        "3",
        "4",
        "5a",
        "5b",
        "6",
        "7",
        "8",
    ]
    assert all(r["verdict"] and r["rule"] for r in report["rows"])
    assert _claim(report, "3.")["verdict"] == "holds"  # the H100's results are committed
    assert _claim(report, "8.")["verdict"] == "not a measurement"


def test_the_report_follows_the_result_files(tmp_path):
    root = _copy(tmp_path)
    before = _claim(replication_report(root), "1.")
    _scale_time(root, "numba:parallel", "33554432", 0.5)  # twice as fast in the copied results
    after = _claim(replication_report(root), "1.")
    assert before["today"]  # every machine of the commit history, each from its own files

    def vs_numba(row, machine):
        return float(re.search(r"([\d.]+)x Numba", row["today"][machine]).group(1))

    for machine in before["today"]:
        assert vs_numba(after, machine) == pytest.approx(2 * vs_numba(before, machine), rel=0.01)


def test_the_command_prints_the_same_report():
    done = subprocess.run(
        [sys.executable, "-m", "accelpi", "replicate", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(json.dumps(replication_report(ROOT)))
    text = subprocess.run(
        [sys.executable, "-m", "accelpi", "replicate"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**__import__("os").environ, "COLUMNS": "80"},
    )
    assert text.returncode == 0 and all(len(line) <= 80 for line in text.stdout.splitlines())


def test_the_committed_replication_page_is_up_to_date():
    from accelpi.site.markdown import replication_markdown

    committed = (ROOT / "docs" / "replication.md").read_text()
    assert committed == replication_markdown(replication_report(ROOT)), (
        "docs/replication.md is stale: make publish"
    )


def _newest_gpu_run(root):
    """The newest result file of gpu-h100: the run the report reads."""
    runs = [json.loads(path.read_text()) for path in (root / "results" / "gpu-h100").glob("*-gpu.json")]
    return max(runs, key=lambda run: run["date"])


def test_the_cuda_claim_follows_the_gpu_machines_results(tmp_path):
    root = _copy(tmp_path)
    claim = _claim(replication_report(root), "3.")
    data = _newest_gpu_run(root)
    key = "throughput.GpuThroughput.time_estimate"
    row, columns = data["results"][key], data["result_columns"]
    index = row[columns.index("params")][0].index("'numba-cuda'")
    seconds = row[columns.index("result")][index]
    assert claim["today"]
    for text in claim["today"].values():  # the GPU's figure, beside each CPU machine's Python
        assert f"({2**31 / seconds / 1e6:,.0f} Msamples/s at 2**31)" in text and "on gpu-h100" in text
    shutil.rmtree(root / "results" / "gpu-h100")  # without a GPU machine: not measured
    assert _claim(replication_report(root), "3.")["verdict"] == "not measured"


def test_the_cuda_first_call_comes_from_the_check_of_the_gpu_runs_commit(tmp_path):
    root = _copy(tmp_path)
    checks = root / "experiments" / "gpu" / "check"
    checks.mkdir(parents=True)
    newest = _newest_gpu_run(root)

    def check(name: str, first: float) -> None:
        row = {"backend": "numba-cuda", "first_call_s": first}
        (checks / f"compare-{name}.json").write_text(json.dumps({"rows": [row]}))

    check(newest["commit_hash"][:8], 1.25)  # the run's own commit: used, though first in name order
    check("ffffffff", 9.75)
    assert "first call 1.2 s" in _claim(replication_report(root), "3.")["today"]["cpu-epyc-2c"]
    (checks / f"compare-{newest['commit_hash'][:8]}.json").unlink()
    assert "first call 9.8 s" in _claim(replication_report(root), "3.")["today"]["cpu-epyc-2c"]


def test_graph_over_eager_per_release_spans_every_campaign_each_ratio_from_one(tmp_path):
    """TensorFlow's history is measured in overlapping campaigns: every release appears, each
    ratio divides eager by graph of one campaign, and a release measured twice takes the newer."""
    from accelpi.reports.replicate import _tf_by_release

    from ..asv_files import write_release_results

    on = {"TF_ENABLE_ONEDNN_OPTS": "1"}
    common = dict(dist="tensorflow-cpu", import_name="tensorflow", env_vars=on, machine="box")
    write_release_results(
        tmp_path, {"2.12.0": 1.0, "2.13.1": 1.0}, campaign="tensorflow-cpu-A", day=10, first_commit=1,
        backends={"tensorflow:eager": 2.0, "tensorflow:graph": 1.0}, **common,
    )  # fmt: skip
    write_release_results(
        tmp_path, {"2.13.1": 1.0, "2.14.1": 1.0}, campaign="tensorflow-cpu-B", day=11, first_commit=1,
        backends={"tensorflow:eager": 3.0, "tensorflow:graph": 1.0}, **common,
    )  # fmt: skip
    machines, ratios = _tf_by_release(tmp_path)
    assert machines == ["box"]
    assert ratios == pytest.approx({"2.12.0": 2.0, "2.13.1": 3.0, "2.14.1": 3.0})


def test_the_intel_build_claim_names_the_machine_its_campaigns_ran_on():
    """The row is keyed by the commit history's machine; the Intel builds were swept on
    another: the figures say which (they once read as the commit history machine's)."""
    from accelpi.reports.replicate import _mkl

    figures, default, machines = _mkl(ROOT / "sweeps")
    assert figures and default, "the committed sweeps hold no Intel TensorFlow build beside its twin"
    assert machines and all((ROOT / "sweeps" / m).is_dir() for m in machines), machines
    today = _claim(replication_report(ROOT), "5b.")["today"]
    assert today
    for machine, text in today.items():
        if machines != [machine]:
            assert text.startswith(f"on {', '.join(machines)}, "), text
    # one convention with builds.html: the Intel / stock time ratio, the same figure for each row
    from accelpi.reports.builds import build_summary
    from accelpi.reports.report import release_report

    pages = build_summary(release_report(ROOT / "sweeps", "tensorflow"))
    for r in pages:
        assert any(
            f"{r['build']} {r['release']} [" in f and f.endswith(f"{r['ratio']:.2f}x") for f in figures
        ), r


def test_a_cost_below_the_noise_is_said_so_not_printed_negative():
    from accelpi.reports.replicate import _cost

    assert _cost(-0.011) == "under 0.01 s (measured -0.011 s: within noise)"
    assert _cost(0.25) == "+0.250 s" and _cost(None) == "not measured"


def test_the_parallel_claim_is_judged_per_core_on_both_of_its_figures():
    row = _claim(replication_report(ROOT), "1.")
    assert "per core 11x Python, 0.55x Numba" in row["figure_2018"]
    assert "5.6x to 22.5x Python" in row["rule"] and "shown, not judged" not in row["rule"]
