"""Sweeps: plans, joint resolution and pins, and a real two-release sweep (real asv environments)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from accelpi import InvalidArgument
from accelpi.libraries import sweep_target
from accelpi.releases.plan import SweepPlan, Target, plan_sweep
from accelpi.reports.inventory import drift
from accelpi.reports.versions import release_steps
from accelpi.store.records import INVENTORY_SUFFIX, load_inventories

from ..asv_files import BENCH
from ..helpers import ROOT

pytest.importorskip("asv", reason="asv is not installed (pip install 'accelpi[bench]')")

#: Passes of the test's real campaign.
PASSES = 3


def target(name: str) -> Target:
    return Target(name, sweep_target(name))


def test_plans_pin_each_release_and_cross_switches():
    plan = SweepPlan(
        target("tensorflow-cpu"), ["2.20.0", "2.21.0"], dict(target("tensorflow-cpu").switches), {}
    )
    entries = plan.include()
    assert len(entries) == 4
    assert {e["req"]["tensorflow-cpu"] for e in entries} == {"2.20.0", "2.21.0"}
    assert {e["env_nobuild"]["TF_ENABLE_ONEDNN_OPTS"] for e in entries} == {"0", "1"}
    assert all(e["req"]["numpy"] == "" and "numba" not in e["req"] for e in entries)
    dask = SweepPlan(target("dask"), ["2026.8.0"], {}, {}).include()
    assert dask[0]["req"]["dask"] == dask[0]["req"]["distributed"] == "2026.8.0"


def test_bench_expressions_select_the_swept_backends_only():
    regexes = SweepPlan(target("numba"), ["0.68.1"], {}, {}).bench_regexes()
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


# asv 0.6's output with --show-stderr, as a campaign reads it: a parameterised benchmark that
# failed for some parameters, one that failed whole, one that passed, then the next environment
ASV_OUTPUT = """\
[ 0.00%] · For accelpi commit e36d7bc6 <main>:
[ 0.00%] ·· Benchmarking virtualenv-py3.11-numba0.61.2
[14.29%] ··· scaling.ThreadScaling.time_estimate                            2/20 failed
[14.29%] ··· ========= ======== ========
[14.29%] ···  backend    1         2
[14.29%] ··· ========= ======== ========
[14.29%] ···· For parameters: 'numba:fused', 1
              Traceback (most recent call last):
                File "/home/someone/.asv/env/abc/lib/python3.11/site-packages/numba/core/x.py", line 3
              LLVM ERROR: 64-bit code requested on a subtarget that doesn't support it!

              For parameters: 'numba:fused', 4
              asv: skipped: NotImplementedError('4 threads > 2 cores')
[17.86%] ··· formulation.FusedFormulation.time_estimate                       failed
[17.86%] ···· Traceback (most recent call last):
                File "/work/x/benchmarks/formulation.py", line 31, in setup
              RuntimeError: planted
[21.43%] ··· limit.HandWrittenLimit.track_limit                               4.5
[21.43%] ·· Benchmarking virtualenv-py3.11-numba0.68.1
[25.00%] ··· limit.HandWrittenLimit.track_ratio                               failed
[25.00%] ···· ValueError: no
"""


def test_why_a_benchmark_failed_is_read_from_asv_s_output_per_environment():
    from accelpi.releases.sweep import _Failures

    failures = _Failures()
    env = ""
    for line in ASV_OUTPUT.splitlines(keepends=True):
        if "Benchmarking " in line:
            env = line.split("Benchmarking ")[1].strip()
        failures.feed(line, env)
    found = failures.done()
    first, second = "virtualenv-py3.11-numba0.61.2", "virtualenv-py3.11-numba0.68.1"
    assert sorted(found) == [first, second]
    assert found[first]["scaling.ThreadScaling.time_estimate"].endswith(
        "LLVM ERROR: 64-bit code requested on a subtarget that doesn't support it!"
    )
    assert "/home/someone" not in found[first]["scaling.ThreadScaling.time_estimate"]  # no folders kept
    assert found[first]["formulation.FusedFormulation.time_estimate"].endswith("RuntimeError: planted")
    assert "limit.HandWrittenLimit.track_limit" not in found[first]
    assert found[second] == {"limit.HandWrittenLimit.track_ratio": "ValueError: no"}


@pytest.mark.network
def test_unknown_library_and_uninstallable_release_are_reported():
    with pytest.raises(InvalidArgument, match="cannot be swept; accepted: numpy, numba, "):
        plan_sweep("left-pad", ["1.0"])
    with pytest.raises(InvalidArgument, match=r"cannot be swept \(did you mean 'numba'\?\)"):
        plan_sweep("nunba", ["1.0"])
    with pytest.raises(InvalidArgument, match=r"no release of numba can be installed here \(0\.0\.1: numba"):
        plan_sweep("numba", ["0.0.1"])
    plan = plan_sweep("numba", ["0.68.1", "0.0.1"], switches={})
    assert plan.versions == ["0.68.1"]
    assert "0.0.1" in plan.skipped and "not a release on the package index" in plan.skipped["0.0.1"]


@pytest.mark.network
def test_an_old_release_gets_the_numpy_it_supports():
    # asv installs requirements one by one: an unpinned NumPy would be upgraded past what
    # numba 0.60 supports, so the sweep pins NumPy to the joint resolution.
    from packaging.version import Version

    plan = plan_sweep("numba", ["0.60.0"], switches={})
    (entry,) = plan.include()
    assert entry["req"]["numba"] == "0.60.0"
    assert Version(entry["req"]["numpy"]) < Version("2.1")


# -- a real campaign -------------------------------------------------------------------


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    """Two numba releases in one campaign of three passes (odd and even, fewer than a real
    campaign's), the newer measured twice (the control), an extra pass where undecided, one quick
    benchmark, into a temporary results folder."""
    from accelpi.releases.campaign import run_campaign
    from accelpi.releases.plan import plan_campaigns

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
        (plan,), _ = plan_campaigns("numba", ["0.67.0", "0.68.1"], switches={}, passes=PASSES, extra_passes=1)
        for one in plan.plans:
            one.bench = [r"\.Throughput\.time_estimate\('numba:fused', 65536\)"]
        said: list[str] = []
        report = run_campaign(plan, ROOT, "selftest", results, quick=True, progress=said.append)
    finally:
        os.environ["HOME"] = old_home
    report = {**report, "said": said}  # what the campaign told its user, line by line
    return report, results, home


@pytest.mark.slow
@pytest.mark.network
def test_a_real_campaign_records_what_each_environment_installed(swept):
    report, results, _ = swept
    assert report["asv_exit"] == 0
    installed = sorted(e["installed"]["numba"] for e in report["environments"])
    assert installed == ["0.67.0", "0.68.1", "0.68.1"]  # the newest twice: the campaign's control
    assert sum("ACCELPI_CONTROLcopy" in e["name"] for e in report["environments"]) == 1
    assert all(e["disk_bytes"] > 10 * 2**20 for e in report["environments"])
    inventories = load_inventories(results)
    assert len(inventories) == 3 and not drift(inventories)
    assert {r["campaign"] for r in inventories} == {report["campaign"]}
    assert all(path.suffix == INVENTORY_SUFFIX for path in (results / "selftest").rglob("*.versions"))
    series, changes = release_steps(results, "numba")
    (s,) = [s for s in series if s.params == "'numba:fused', 65536"]
    assert sorted(s.points) == ["0.67.0", "0.68.1"] and s.campaign == report["campaign"]
    assert len(changes) == 1 and changes[0].campaign == report["campaign"]


@pytest.mark.slow
@pytest.mark.network
def test_the_passes_of_a_campaign_alternate_over_its_environments(swept):
    # read from asv's own output ("Benchmarking ENV"): the order really run, pass by pass
    report, results, _ = swept
    orders = [r["order"] for entry in report["passes"] for r in entry["rounds"]]
    # the releases, and the newest once more as the campaign's control (ACCELPI_CONTROL=copy)
    assert len(orders) >= PASSES and len(orders[0]) == 3
    for number, order in enumerate(orders[:PASSES]):  # reversed in the even passes
        assert order == (orders[0] if number % 2 == 0 else orders[0][::-1])
    assert ["numba0.67.0" in name for name in orders[0]] == [True, False, False]
    # every timed benchmark got one process per pass: two samples, appended
    from accelpi.store import asvcompat

    (path,) = [p for p in (results / "selftest").rglob("*numba0.68.1*.json") if "CONTROL" not in p.name]
    points = asvcompat.points(asvcompat.load_result(path), asvcompat.benchmarks(results), BENCH)
    (point,) = [p for label, p in points.items() if label[0] == "'numba:fused'"]
    from accelpi.store.campaigns import load_campaigns

    (record,) = load_campaigns(results).values()
    extra = record.get("extra_passes") or []  # more passes of the rows still undecided, if any
    assert len(point["samples"]) == PASSES + len(extra)
    assert len(record["calibration"]["readings"]) == PASSES + len(extra) + 1  # between passes
    assert record["fingerprint"]["digest"] and record["commit"] and record["passes"] == PASSES
    # which process each sample came from, environment by environment: one sample each (--quick)
    assert len(record["processes"]) == 3
    for rows in record["processes"].values():
        (measured,) = [r for r in rows[BENCH] if r]  # the one combination this campaign ran
        assert measured[:PASSES] == [1] * PASSES
    series, changes = release_steps(results, "numba")
    (s,) = [s for s in series if s.params == "'numba:fused', 65536"]
    assert sorted(s.controls) == ["0.68.1"] and s.points["0.68.1"]["processes_known"] == "recorded"
    (step,) = [c for c in changes if c.params == "'numba:fused', 65536"]
    assert step.processes_before >= PASSES and step.low < step.ratio < step.high
    assert step.floor_why.startswith("the control copy of 0.68.1 moved")
    # after every pass but the last, how long it took and when the rest should end
    took = [line for line in report["said"] if re.match(r"\[pass \d/\d\] took [\d.]+ min", line)]
    assert [line[:10] for line in took] == [f"[pass {n}/{PASSES}]" for n in range(1, PASSES)]
    rest = re.compile(r"the \d left at most about \d+ min more \(by \d{4}-\d\d-\d\dT")
    assert all(rest.search(line) for line in took)


@pytest.mark.slow
@pytest.mark.network
def test_a_replayed_campaign_result_installs_the_identical_files(swept, tmp_path, monkeypatch):
    from accelpi.releases.replay import replay
    from accelpi.store.records import file_records

    _, results, home = swept
    (original,) = [
        r
        for r in load_inventories(results)
        if r["installed"].get("numba") == "0.68.1" and not r.get("env_vars")
    ]
    files = file_records(original)
    assert files["numba"]["wheel"].startswith("numba-0.68.1-") and len(files["numba"]["sha256"]) == 64
    monkeypatch.setenv("HOME", str(home))
    # a benchmark of another commit, listed before: asv would rewrite the listing without it
    other = {"name": "old.Gone.time_it", "version": "1", "params": [], "param_names": [], "type": "time"}
    (tmp_path / "benchmarks.json").write_text(json.dumps({"old.Gone.time_it": other, "version": 2}))
    from accelpi.releases.campaign import one_measurement_at_a_time

    with one_measurement_at_a_time("campaign numba-x"):  # a replay measures: it waits its turn too
        with pytest.raises(InvalidArgument, match="another measurement is running on this host"):
            replay(original["path"], ROOT, "selftest", results_dir=tmp_path, quick=True)
    report = replay(original["path"], ROOT, "selftest", results_dir=tmp_path, quick=True)
    assert report["asv_exit"] == 0 and report["differences"] == []
    listed = json.loads((tmp_path / "benchmarks.json").read_text())
    assert listed["old.Gone.time_it"] == other and any(k.startswith("throughput.") for k in listed)
    (again,) = load_inventories(tmp_path)
    assert {k: v.get("sha256") for k, v in file_records(again).items() if k != "accelpi"} == {
        k: v.get("sha256") for k, v in files.items() if k != "accelpi"
    }
    assert any(name.startswith("numba-0.68.1-") for name in report["wheels"])


@pytest.mark.slow
@pytest.mark.network
def test_an_interrupted_campaign_publishes_nothing(swept, tmp_path, monkeypatch):
    from accelpi.releases.campaign import run_campaign
    from accelpi.releases.plan import plan_campaigns

    _, _, home = swept
    monkeypatch.setenv("HOME", str(home))
    (plan,), _ = plan_campaigns("numba", ["0.67.0", "0.68.1"], switches={})
    for one in plan.plans:
        one.bench = [r"\.Throughput\.time_estimate\('numba:fused', 65536\)"]
    calls = []

    def calibrate():  # Ctrl-C after the first pass
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return {"python_loop": 1.0, "sha256": 1.0, "memcopy": 1.0}

    stages = ROOT / ".asv" / "campaigns"
    before = set(stages.iterdir()) if stages.is_dir() else set()
    with pytest.raises(KeyboardInterrupt):
        run_campaign(plan, ROOT, "selftest", tmp_path, quick=True, calibrate=calibrate)
    assert list(tmp_path.iterdir()) == []  # no result, no inventory, no record
    assert set(stages.iterdir()) - before == set()  # and no stage folder left behind
    from accelpi.releases.campaign import one_measurement_at_a_time

    with one_measurement_at_a_time("the next campaign"):  # the lock was let go
        pass


@pytest.mark.network
def test_a_pin_joins_the_resolution():
    plan = plan_sweep("numba", ["0.68.1"], switches={}, constraints=("numpy==2.3.5",))
    (entry,) = plan.include()
    assert entry["req"]["numpy"] == "2.3.5" and entry["req"]["numba"] == "0.68.1"
    # a pin on a dependency's dependency is installed as pinned, not only resolved with: mkl
    # 2026.2.1 left mkl-umath unable to load libmkl_intel_lp64.so.2 while --pin mkl==2026.2.0
    # went unheard (asv installed the newest mkl)
    plan = plan_sweep("mkl-umath", ["0.3.0"], switches={}, constraints=("mkl==2026.2.0",))
    (entry,) = plan.include()
    assert entry["req"]["mkl"] == "2026.2.0" and entry["req"]["mkl-umath"] == "0.3.0"


def test_a_release_that_installs_but_does_not_run_says_why(tmp_path):
    from accelpi.store.refusals import cannot_run

    machine = tmp_path / "box"
    machine.mkdir()
    for release, outcome in (
        ("1.2.8", "Intel oneMKL FATAL ERROR: Cannot load libmkl_core.so.2."),
        ("1.5.0", "ok"),
    ):
        record = {
            "swept": "mkl-random",
            "env_name": f"virtualenv-py3.11-mkl-random{release}",
            "environment": {"libraries": {"mkl_random": {"distribution": "mkl-random", "version": release}}},
            "first_use": {"numpy:mkl": outcome},
        }
        (machine / f"00000000-{record['env_name']}.versions").write_text(json.dumps(record))
    assert cannot_run(tmp_path) == {
        ("mkl-random", "1.2.8"): {"numpy:mkl": "Intel oneMKL FATAL ERROR: Cannot load libmkl_core.so.2."}
    }


def test_a_backend_failing_on_import_says_the_whole_error_not_its_last_line(tmp_path):
    """tensorflow-cpu 2.14.0 with NumPy 2: the message ends on an indented ``() -> handle``."""
    from accelpi.store.refusals import cannot_run

    machine = tmp_path / "box"
    machine.mkdir()
    why = (
        "backend 'tensorflow:eager': import failed: TypeError: Unable to convert function return "
        "value to a Python type! The signature was\n\t() -> handle"
    )
    record = {
        "swept": "tensorflow-cpu",
        "env_name": "virtualenv-py3.11-tensorflow-cpu2.14.0",
        "environment": {"libraries": {"tensorflow": {"distribution": "tensorflow-cpu", "version": "2.14.0"}}},
        "backends": [{"name": "tensorflow:eager", "available": False, "reason": why}],
        "first_use": {"tensorflow:eager": "() -> handle", "tensorflow:graph": "() -> handle"},
    }
    (machine / f"00000000-{record['env_name']}.versions").write_text(json.dumps(record))
    failed = cannot_run(tmp_path)[("tensorflow-cpu", "2.14.0")]
    assert failed["tensorflow:eager"] == " ".join(why.split())
    assert failed["tensorflow:graph"] == "() -> handle"  # nothing fuller recorded


def test_a_build_killed_on_import_names_its_release_and_signal(tmp_path):
    """intel-tensorflow-avx512 on a host without AVX-512: every process importing it dies of
    SIGILL, the inventory could not run, and the sweep recorded only ``exit status -4``."""
    from accelpi.store.refusals import cannot_run, exit_status

    killed = subprocess.run([sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGILL)"])
    assert killed.returncode == -4
    assert exit_status(killed.returncode) == "killed by SIGILL (Illegal instruction)"
    assert exit_status(3) == "exit status 3"
    machine = tmp_path / "box"
    machine.mkdir()
    record = {
        "swept": "intel-tensorflow-avx512",
        "env_name": "virtualenv-py3.11-intel-tensorflow-avx5122.12.0",
        "requested": {"intel-tensorflow-avx512": "2.12.0", "numpy": "1.23.5"},
        "environment": {"error": ""},
        "backends": {"error": ""},
        "first_use": {"tensorflow:eager": "exit status -4", "tensorflow:graph": "exit status -4"},
    }
    (machine / f"00000000-{record['env_name']}.versions").write_text(json.dumps(record))
    assert cannot_run(tmp_path) == {
        ("intel-tensorflow-avx512", "2.12.0"): {
            "tensorflow:eager": "killed by SIGILL (Illegal instruction)",
            "tensorflow:graph": "killed by SIGILL (Illegal instruction)",
        }
    }


def test_the_first_use_error_is_the_whole_last_exception_of_a_real_process():
    from accelpi.releases.record import last_error

    code = "raise TypeError('Unable to convert function return value! The signature was\\n\\t() -> handle')"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 1 and "Traceback" in done.stderr
    assert last_error(done.stderr) == (
        "TypeError: Unable to convert function return value! The signature was () -> handle"
    )
    assert last_error("") == ""
