"""Library-release tooling: sweep plans, a real two-release sweep, cross-version comparison, drift, bisection.

The comparison, drift and bisection tests write asv result files with asv's own
``asv.results.Results`` (so the files are exactly what ``asv run`` writes) holding
samples with a known slowdown; the sweep test builds two real asv environments.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from accelpi import InvalidArgument
from accelpi.inventory import drift, load_inventories
from accelpi.sweep import INVENTORY_SUFFIX, LIBRARIES, SweepPlan, plan_sweep, run_sweep
from accelpi.versions import compare_builds, compare_versions

from .asv_files import BENCH, write_result

pytest.importorskip("asv", reason="asv is not installed (pip install 'accelpi[bench]')")

ROOT = Path(__file__).resolve().parents[1]


def test_plans_pin_each_release_and_cross_switches():
    plan = SweepPlan(
        LIBRARIES["tensorflow-cpu"], ["2.20.0", "2.21.0"], dict(LIBRARIES["tensorflow-cpu"].switches), {}
    )
    entries = plan.include()
    assert len(entries) == 4
    assert {e["req"]["tensorflow-cpu"] for e in entries} == {"2.20.0", "2.21.0"}
    assert {e["env_nobuild"]["TF_ENABLE_ONEDNN_OPTS"] for e in entries} == {"0", "1"}
    assert all(e["req"]["numpy"] == "" and "numba" not in e["req"] for e in entries)
    dask = SweepPlan(LIBRARIES["dask"], ["2026.8.0"], {}, {}).include()
    assert dask[0]["req"]["dask"] == dask[0]["req"]["distributed"] == "2026.8.0"


def test_bench_expressions_select_the_swept_backends_only():
    import re

    regexes = SweepPlan(LIBRARIES["numba"], ["0.68.1"], {}, {}).bench_regexes()
    names = [
        f"{BENCH}('numba', 65536)",
        f"{BENCH}('numba:fused', 65536)",
        f"{BENCH}('numpy', 65536)",
        "first_call.FirstCall.timeraw_first_call('numba:parallel')",
        f"{BENCH}('numba-cuda', 65536)",
        "throughput.GpuThroughput.time_estimate('numba')",
    ]
    chosen = [n for n in names if any(re.search(r, n) for r in regexes)]
    assert chosen == [*names[:2], names[3]]


def test_unknown_library_and_uninstallable_release_are_reported():
    with pytest.raises(InvalidArgument, match="cannot be swept; accepted: numba"):
        plan_sweep("left-pad", ["1.0"])
    plan = plan_sweep("numba", ["0.68.1", "0.0.1"], switches={})
    assert plan.versions == ["0.68.1"]
    assert "0.0.1" in plan.skipped and "numba==0.0.1" in plan.skipped["0.0.1"]


def test_an_old_release_gets_the_numpy_it_supports():
    # asv installs requirements one by one: an unpinned NumPy would be upgraded past what
    # numba 0.60 supports, so the sweep pins NumPy to the joint resolution.
    from packaging.version import Version

    plan = plan_sweep("numba", ["0.60.0"], switches={})
    (entry,) = plan.include()
    assert entry["req"]["numba"] == "0.60.0"
    assert Version(entry["req"]["numpy"]) < Version("2.1")


# -- a real sweep ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    """Two numba releases, one quick benchmark, into a temporary results folder."""
    home = tmp_path_factory.mktemp("home")
    results = tmp_path_factory.mktemp("results")
    env = {**os.environ, "HOME": str(home)}
    subprocess.run(
        [sys.executable, "-m", "asv", "machine", "--yes", "--machine", "selftest"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    old_home = os.environ["HOME"]
    os.environ["HOME"] = str(home)
    try:
        plan = plan_sweep("numba", ["0.67.0", "0.68.1"], switches={})
        plan.bench = [r"\.Throughput\.time_estimate\('numba:fused', 65536\)"]
        report = run_sweep(plan, ROOT, "selftest", quick=True, results_dir=results)
    finally:
        os.environ["HOME"] = old_home
    return report, results


@pytest.mark.slow
def test_a_real_sweep_records_what_each_environment_installed(swept):
    report, results = swept
    assert report["asv_exit"] == 0, report["asv_output_tail"]
    installed = sorted(e["installed"]["numba"] for e in report["environments"])
    assert installed == ["0.67.0", "0.68.1"]
    assert all(e["disk_bytes"] > 10 * 2**20 for e in report["environments"])
    inventories = load_inventories(results)
    assert len(inventories) == 2 and not drift(inventories)
    assert all(path.suffix == INVENTORY_SUFFIX for path in (results / "selftest").glob("*.versions"))
    series, changes = compare_versions(results, "numba")
    (s,) = [s for s in series if s.params == "'numba:fused', 65536"]
    assert sorted(s.points) == ["0.67.0", "0.68.1"] and len(changes) >= 1


# -- comparison on asv result files --------------------------------------------------


def _write_results(
    results: Path,
    versions: dict[str, float],
    spread: float = 0.01,
    inventory: bool = True,
    machine: str = "testbox",
    dist: str = "numba",
    import_name: str = "numba",
) -> None:
    """asv result files of one benchmark, one environment per release of ``dist``."""
    for i, (version, value) in enumerate(sorted(versions.items())):
        env_name = f"virtualenv-py3.11-{dist}{version}"
        write_result(
            results,
            {"numba:fused": value},
            n=33554432,
            commit=f"{i:040x}",
            date=1_700_000_000_000 + i,
            env_name=env_name,
            machine=machine,
            requirements={dist: version},
            spread=spread,
        )
        if inventory:
            record = {
                "env_name": env_name,
                "requested": {dist: version},
                "env_vars": {},
                "commit": f"{i:040x}",
                "recorded_at": f"2026-11-{10 + i}T00:00:00Z",
                "environment": {"libraries": {import_name: {"distribution": dist, "version": version}}},
            }
            path = results / machine / f"{f'{i:040x}'[:8]}-{env_name}{INVENTORY_SUFFIX}"
            path.write_text(json.dumps(record))


def test_a_slower_release_is_flagged(tmp_path):
    _write_results(tmp_path, {"0.66.0": 0.010, "0.67.0": 0.0101, "0.68.1": 0.016})
    series, changes = compare_versions(tmp_path, "numba", factor=1.1)
    assert len(series) == 1 and sorted(series[0].points) == ["0.66.0", "0.67.0", "0.68.1"]
    by_step = {(c.before, c.after): c for c in changes}
    assert not by_step[("0.66.0", "0.67.0")].flagged
    step = by_step[("0.67.0", "0.68.1")]
    assert step.flagged and step.significant and step.ratio == pytest.approx(0.016 / 0.0101)


def test_noise_is_not_flagged(tmp_path):
    _write_results(tmp_path, {"0.67.0": 0.010, "0.68.1": 0.0104}, spread=0.3)
    _, changes = compare_versions(tmp_path, "numba", factor=1.1)
    assert not any(c.flagged for c in changes)


def _versions(results: Path, *extra: str, library: str = "numba") -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "accelpi", "versions", "--results", str(results), "--library", library]
    return subprocess.run([*command, *extra], capture_output=True, text=True, timeout=120)


def test_versions_command_exits_1_on_a_flagged_release(tmp_path):
    _write_results(tmp_path, {"0.67.0": 0.010, "0.68.1": 0.02})
    done = _versions(tmp_path, "--json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert [(c["before"], c["after"]) for c in report["flagged"]] == [("0.67.0", "0.68.1")]
    ok = _versions(tmp_path, "--factor", "3")
    assert ok.returncode == 0 and "0.68.1" in ok.stdout


def test_the_installed_version_wins_over_the_requested_one(tmp_path):
    _write_results(tmp_path, {"0.67.0": 0.010, "0.68.1": 0.011})
    path = next((tmp_path / "testbox").glob("*numba0.68.1*.versions"))
    record = json.loads(path.read_text())
    record["environment"]["libraries"]["numba"]["version"] = "0.68.0"  # pip installed something else
    path.write_text(json.dumps(record))
    (series,), _ = compare_versions(tmp_path, "numba")
    assert sorted(series.points) == ["0.67.0", "0.68.0"]
    (problem,) = drift(load_inventories(tmp_path))
    assert problem["kind"] == "pin did not hold" and problem["installed"] == "0.68.0"


def test_one_release_as_two_builds_is_compared_release_for_release(tmp_path):
    tf = {"dist": "tensorflow-cpu", "import_name": "tensorflow"}
    intel = {"dist": "intel-tensorflow", "import_name": "tensorflow"}
    _write_results(tmp_path, {"2.14.0": 0.030, "2.15.0": 0.029}, **tf)
    _write_results(tmp_path, {"2.14.0": 0.010, "2.14.1": 0.0101}, **intel)
    (difference,) = compare_builds(tmp_path, "tensorflow")  # 2.14.1 and 2.15.0 exist in one build only
    assert (difference.release, difference.reference, difference.build) == (
        "2.14.0",
        "tensorflow-cpu",
        "intel-tensorflow",
    )
    assert difference.ratio == pytest.approx(1 / 3) and difference.significant and difference.lower_is_better
    done = _versions(tmp_path, "--json", library="tensorflow")
    assert done.returncode == 0, done.stderr  # a faster build is not a regression
    (row,) = json.loads(done.stdout)["builds"]["tensorflow"]
    assert row["release"] == "2.14.0" and row["value_build"] == pytest.approx(0.010)
    with pytest.raises(InvalidArgument, match="accepted: tensorflow"):
        compare_builds(tmp_path, "numba")


def test_a_build_difference_within_noise_is_not_significant(tmp_path):
    for dist, value in (("tensorflow-cpu", 0.0100), ("intel-tensorflow", 0.0104)):
        _write_results(tmp_path, {"2.14.0": value}, spread=0.3, dist=dist, import_name="tensorflow")
    (difference,) = compare_builds(tmp_path, "tensorflow")
    assert not difference.significant


def test_drift_between_two_records_of_one_environment(tmp_path):
    machine = tmp_path / "box"
    machine.mkdir()
    for day, numpy_version in ((1, "2.3.5"), (2, "2.4.6")):
        (machine / f"0000000{day}-virtualenv-py3.11-numpy{INVENTORY_SUFFIX}").write_text(
            json.dumps(
                {
                    "env_name": "virtualenv-py3.11-numpy",
                    "requested": {"numpy": ""},
                    "env_vars": {},
                    "recorded_at": f"2026-11-0{day}T00:00:00Z",
                    "environment": {
                        "libraries": {"numpy": {"distribution": "numpy", "version": numpy_version}}
                    },
                }
            )
        )
    (problem,) = drift(load_inventories(tmp_path))
    assert problem["kind"] == "drift" and (problem["before"], problem["after"]) == ("2.3.5", "2.4.6")


def test_bisect_names_the_first_slower_release_from_existing_results(tmp_path):
    from accelpi.bisect import bisect_releases

    releases = ["0.64.0", "0.65.0", "0.65.1", "0.66.0", "0.67.0"]
    values = {v: (0.010 if v < "0.65.1" else 0.015) for v in releases}
    (tmp_path / "results").mkdir()
    _write_results(tmp_path / "results", values)
    (tmp_path / "asv.conf.json").write_text("{}")
    result = bisect_releases(
        "numba",
        "0.64.0",
        "0.67.0",
        r"Throughput\.time_estimate\('numba:fused'",
        "testbox",
        tmp_path,
        log=lambda text: None,
    )
    assert result["first_bad"] == "0.65.1" and result["last_good"] == "0.65.0"
    assert [s["release"] for s in result["steps"]] == ["0.65.1", "0.65.0"]


def test_a_pin_joins_the_resolution():
    plan = plan_sweep("numba", ["0.68.1"], switches={}, constraints=("numpy==2.3.5",))
    (entry,) = plan.include()
    assert entry["req"]["numpy"] == "2.3.5" and entry["req"]["numba"] == "0.68.1"
