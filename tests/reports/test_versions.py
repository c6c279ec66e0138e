"""Release-by-release comparison on asv result files written by asv's own modules.

The files hold samples with a known slowdown (``tests/asv_files.py``), so the expected
verdicts of asv's significance test are known.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from accelpi import InvalidArgument
from accelpi.reports.builds import build_differences
from accelpi.reports.inventory import drift
from accelpi.reports.report import release_report
from accelpi.reports.versions import release_steps
from accelpi.store.records import load_inventories

from ..asv_files import CAMPAIGN
from ..asv_files import write_release_results as _write_results

pytest.importorskip("asv", reason="asv is not installed (pip install 'accelpi[bench]')")


def test_a_slower_release_is_flagged(tmp_path):
    _write_results(tmp_path, {"0.66.0": 0.010, "0.67.0": 0.0101, "0.68.1": 0.016})
    series, changes = release_steps(tmp_path, "numba", factor=1.1)
    assert len(series) == 1 and sorted(series[0].points) == ["0.66.0", "0.67.0", "0.68.1"]
    by_step = {(c.before, c.after): c for c in changes}
    assert not by_step[("0.66.0", "0.67.0")].flagged
    step = by_step[("0.67.0", "0.68.1")]
    assert step.flagged and step.significant and step.ratio == pytest.approx(0.016 / 0.0101)


def test_noise_is_not_flagged(tmp_path):
    _write_results(tmp_path, {"0.67.0": 0.010, "0.68.1": 0.0104}, spread=0.3)
    _, changes = release_steps(tmp_path, "numba", factor=1.1)
    assert not any(c.flagged for c in changes)


def _versions(results: Path, *extra: str, library: str = "numba") -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "accelpi", "versions", "--results", str(results), "--library", library]
    return subprocess.run([*command, *extra], capture_output=True, text=True, timeout=120)


def test_versions_command_exits_1_on_a_confirmed_slower_release(tmp_path):
    """One campaign's slower step is provisional (exit 0, or 1 with --provisional); a second
    campaign of the same releases that finds it again confirms it (exit 1)."""
    _write_results(tmp_path, {"0.67.0": 0.010, "0.68.1": 0.02})
    done = _versions(tmp_path, "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert [(c["before"], c["after"], c["confirmation"]) for c in report["flagged"]] == [
        ("0.67.0", "0.68.1", "provisional")
    ]
    (row,) = report["flagged"]
    assert row["outcome"] == "slower" and row["low"] < row["ratio"] < row["high"] and row["test"]
    assert _versions(tmp_path, "--provisional").returncode == 1
    _write_results(tmp_path, {"0.67.0": 0.010, "0.68.1": 0.021}, campaign="test-20261111T000000Z", day=11)
    report = json.loads(_versions(tmp_path, "--json").stdout)
    (row,) = report["flagged"]  # one step, never two findings
    assert row["confirmation"] == "confirmed" and row["campaign"] == "test-20261111T000000Z"
    assert [o["campaign"] for o in row["elsewhere"]] == ["test-20261110T000000Z"]
    done = _versions(tmp_path)
    assert done.returncode == 1 and "confirmed by test-20261110T000000Z" in " ".join(done.stdout.split())
    ok = _versions(tmp_path, "--factor", "3")
    assert ok.returncode == 0 and "0 release step(s) slower" in ok.stdout.replace("\n", " ")
    every = _versions(tmp_path, "--factor", "3", "--all")
    assert every.returncode == 0 and "0.68.1" in every.stdout


def test_the_installed_version_wins_over_the_requested_one(tmp_path):
    _write_results(tmp_path, {"0.67.0": 0.010, "0.68.1": 0.011})
    path = next((tmp_path / "testbox").rglob("*numba0.68.1*.versions"))
    record = json.loads(path.read_text())
    record["environment"]["libraries"]["numba"]["version"] = "0.68.0"  # pip installed something else
    path.write_text(json.dumps(record))
    (series,), _ = release_steps(tmp_path, "numba")
    assert sorted(series.points) == ["0.67.0", "0.68.0"]
    (problem,) = drift(load_inventories(tmp_path))
    assert problem["kind"] == "pin did not hold" and problem["installed"] == "0.68.0"


def test_one_release_as_two_builds_is_compared_release_for_release(tmp_path):
    tf = {"dist": "tensorflow-cpu", "import_name": "tensorflow"}
    intel = {"dist": "intel-tensorflow", "import_name": "tensorflow"}
    _write_results(tmp_path, {"2.14.0": 0.030, "2.15.0": 0.029}, **tf)
    _write_results(tmp_path, {"2.14.0": 0.010, "2.14.1": 0.0101}, **intel)
    (difference,) = build_differences(tmp_path, "tensorflow")  # 2.14.1 and 2.15.0 exist in one build only
    assert (difference.release, difference.reference, difference.other) == (
        "2.14.0",
        "tensorflow-cpu",
        "intel-tensorflow",
    )
    assert difference.ratio == pytest.approx(1 / 3) and difference.significant and difference.lower_is_better
    # both builds were measured together: one campaign, one commit
    assert difference.campaign == CAMPAIGN and difference.commit_reference == difference.commit_other
    (row,) = release_report(tmp_path, "tensorflow")["builds"]["tensorflow"]
    assert row["campaign"] == CAMPAIGN
    done = _versions(tmp_path, "--json", library="tensorflow")
    assert done.returncode == 0, done.stderr  # a faster build is not a regression
    (row,) = json.loads(done.stdout)["builds"]["tensorflow"]
    assert row["release"] == "2.14.0" and row["value_other"] == pytest.approx(0.010)
    with pytest.raises(InvalidArgument, match="accepted: tensorflow"):
        build_differences(tmp_path, "numba")


def test_two_builds_measured_in_two_campaigns_are_not_compared(tmp_path):
    tf = {"dist": "tensorflow-cpu", "import_name": "tensorflow"}
    intel = {"dist": "intel-tensorflow", "import_name": "tensorflow"}
    _write_results(tmp_path, {"2.14.0": 0.030}, campaign="tf-20261110T000000Z", **tf)
    _write_results(
        tmp_path, {"2.14.0": 0.010}, campaign="tf-20261112T000000Z", first_commit=5, day=12, **intel
    )
    assert build_differences(tmp_path, "tensorflow") == []


def test_a_build_difference_within_noise_is_not_significant(tmp_path):
    for dist, value in (("tensorflow-cpu", 0.0100), ("intel-tensorflow", 0.0104)):
        _write_results(tmp_path, {"2.14.0": value}, spread=0.3, dist=dist, import_name="tensorflow")
    (difference,) = build_differences(tmp_path, "tensorflow")
    assert not difference.significant


def test_a_step_of_a_backend_the_library_does_not_run_is_marked_a_reference(tmp_path):
    """The plain Python loop beside numba moves between numba's environments without numba's
    doing: its step is flagged like any other, and said to be a reference everywhere."""
    from accelpi.site.markdown import findings_markdown
    from accelpi.site.pages import REFERENCE_NOTE

    _write_results(tmp_path, {"0.67.0": 0.010, "0.68.1": 0.02}, backends={"numba:fused": 1.0, "python": 1.0})
    _, changes = release_steps(tmp_path, "numba", factor=1.1)
    marks = {c.params.split(",")[0]: c.reference for c in changes}
    assert marks == {"'numba:fused'": False, "'python'": True}
    by_backend = {c.params.split(",")[0]: c for c in changes}
    assert by_backend["'python'"].flagged
    # numba's own step is no larger than what the environment alone moved: no finding
    fused = by_backend["'numba:fused'"]
    assert not fused.flagged and fused.outcome == "undecided" and fused.floor == pytest.approx(2.0)
    assert (
        fused.why
        == "no larger than what the campaign's controls moved (the reference row python moved 2.00x)"
    )

    done = _versions(tmp_path, "--provisional")
    assert done.returncode == 1, done.stderr
    text = " ".join(done.stdout.split())
    assert "1 release step(s) slower" in text and "1 of them in a reference the library does not run" in text
    assert text.count("SLOWER") == 1 and text.count("[reference: not the library's code]") == 1

    report = json.loads(_versions(tmp_path, "--json").stdout)
    assert [c["reference"] for c in report["flagged"]] == [True]
    page = findings_markdown(report)
    assert REFERENCE_NOTE in page and page.count("(reference)") == 2  # the note's and the row's


def test_another_projects_parameters_are_never_references():
    from accelpi.reports.versions import backend_of, reference_backends

    assert reference_backends("pandas") == set()  # not a library of accelpi's table
    assert "threadpool" in reference_backends("dask") and "dask:delayed" not in reference_backends("dask")
    twin = reference_backends("mkl-umath")  # numpy is the stock twin of numpy:mkl-umath
    assert "numpy" in twin and "numpy:mkl-umath" not in twin
    assert backend_of("'numba:fused', 65536") == "numba:fused" and backend_of("") == ""


def test_a_release_whose_every_benchmark_failed_is_named_and_the_exit_is_1(tmp_path):
    """It vanished from every table, and ``versions`` exited 0."""
    _write_results(tmp_path, {"0.66.0": 0.010, "0.67.0": 0.010, "0.68.1": 0.0101})
    (result,) = [p for p in tmp_path.rglob("*numba0.68.1*.json")]
    result.unlink()  # its inventory stays: installed, but nothing measured
    done = _versions(tmp_path)
    assert done.returncode == 1, done.stderr
    assert "numba 0.68.1 (campaign test-20261110T000000Z): every benchmark failed, not compared" in (
        " ".join(done.stderr.split())
    )
    report = json.loads(_versions(tmp_path, "--json").stdout)
    assert [(r["release"], r["why"]) for r in report["not_compared"]] == [("0.68.1", "no result")]


def test_the_control_copy_bounds_every_combination_of_switches_of_its_campaign():
    """A campaign copies one combination of switches of its newest release; the copy's move
    is the floor of the same benchmark and parameters under every switch of that campaign."""
    from accelpi.reports.versions import floors, step
    from accelpi.store.series import Series

    from .test_verdicts import point, side

    def series(switch: str, before: float, after: float, control: float | None = None) -> Series:
        s = Series("m", "throughput.Throughput.time_estimate", "'tensorflow:graph', 65536", switch, "seconds")
        s.campaign, s.switches = "tensorflow-cpu-20261206T000000Z", switch
        s.points = {"2.13.0": point(side([before] * 6)), "2.14.0": point(side([after] * 6))}
        if control is not None:
            s.controls = {"2.14.0": point(side([control] * 6))}
        return s

    copied = series("TF_ENABLE_ONEDNN_OPTS=0", 1.0, 1.0, control=1.2)
    other = series("TF_ENABLE_ONEDNN_OPTS=1", 1.0, 1.15)
    assert step(other, "2.13.0", "2.14.0", 1.1).outcome == "slower"
    changes = floors([copied, other], [step(s, "2.13.0", "2.14.0", 1.1) for s in (copied, other)], 1.1)
    demoted = next(c for c in changes if c.axes == "TF_ENABLE_ONEDNN_OPTS=1")
    assert demoted.outcome == "undecided" and demoted.floor == pytest.approx(1.2)
    assert demoted.why.endswith("(the control copy of 2.14.0 moved 1.20x)")


def test_a_step_says_what_else_its_two_environments_differ_in():
    """A numba step whose environments also moved numpy says so ("only numba differs" otherwise):
    from the inventories, never guessed."""
    from accelpi.reports.environments import also_differs
    from accelpi.store.series import Series

    s = Series(
        "box", "throughput.Throughput.time_estimate", "'numba', 65536", "numba", "seconds",
        points={"0.61.2": {"env": "env-a"}, "0.62.1": {"env": "env-b"}}, distribution="numba", campaign="c1",
    )  # fmt: skip
    installed = {
        ("c1", "env-a"): {"numba": "0.61.2", "numpy": "2.2.6", "llvmlite": "0.44.0", "accelpi": "0.1.0"},
        ("c1", "env-b"): {"numba": "0.62.1", "numpy": "2.3.5", "llvmlite": "0.45.1", "accelpi": "0.1.0"},
    }
    assert also_differs(installed, s, "0.61.2", "0.62.1") == "llvmlite 0.44.0 → 0.45.1; numpy 2.2.6 → 2.3.5"
    installed[("c1", "env-b")] = {**installed[("c1", "env-a")], "numba": "0.62.1"}
    assert also_differs(installed, s, "0.61.2", "0.62.1") == ""  # only numba differs
    assert also_differs({}, s, "0.61.2", "0.62.1") == ""  # no inventory: nothing claimed
