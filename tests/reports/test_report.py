"""The release report: only sweeps make release series, both directions, A/A between twins,
one default factor everywhere, and a summary that is exactly ``accelpi versions --json``."""

from __future__ import annotations

import html
import inspect
import itertools
import json
import re
import subprocess
import sys

import pytest

from accelpi.reports import DEFAULT_FACTOR
from accelpi.reports.builds import switch_differences
from accelpi.reports.report import findings, release_report
from accelpi.reports.versions import release_steps
from accelpi.store import COMMIT_RESULTS, SWEEP_RESULTS
from accelpi.store.records import load_inventories

from ..asv_files import CAMPAIGN, write_release_results
from ..helpers import ROOT, committed_report

pytest.importorskip("asv", reason="asv is not installed (pip install 'accelpi[bench]')")


def test_the_default_environment_never_makes_a_release_series(tmp_path):
    # The default environment pins torch 2.13.0: its runs over accelpi's commits once
    # became a "torch sweep" whose releases were two commits.
    write_release_results(tmp_path, {"2.13.0": 0.010}, dist="torch", import_name="torch", swept=None)
    write_release_results(
        tmp_path, {"2.13.0+cpu": 0.0138}, dist="torch", import_name="torch", swept=None, first_commit=1
    )
    series, changes = release_steps(tmp_path, "torch")
    assert series == [] and changes == []


def test_another_librarys_sweep_is_not_this_librarys_history(tmp_path):
    write_release_results(
        tmp_path, {"2.3.5": 0.010, "2.4.6": 0.020}, dist="numpy", import_name="numpy", swept="numba"
    )
    assert release_steps(tmp_path, "numpy") == ([], [])


def test_both_directions_are_reported_with_how_sure(tmp_path):
    write_release_results(tmp_path, {"0.66.0": 0.010, "0.67.0": 0.016, "0.68.1": 0.010})
    report = release_report(tmp_path, "numba", 1.1)
    (slower,) = report["flagged"]
    (faster,) = report["improved"]
    assert (slower["before"], slower["after"], slower["direction"]) == ("0.66.0", "0.67.0", "slower")
    assert (faster["before"], faster["after"], faster["direction"]) == ("0.67.0", "0.68.1", "faster")
    assert faster["ratio"] == pytest.approx(0.010 / 0.016)
    assert slower["samples_before"] == slower["samples_after"] == 10
    assert [c["direction"] for c in findings(report)["numba"]] == ["slower", "faster"]


def test_twin_environments_of_one_release_are_compared(tmp_path):
    for value, twin in ((0.0100, "a"), (0.0101, "b")):
        write_release_results(tmp_path, {"0.68.1": value}, env_vars={"ACCELPI_AA": twin}, spread=0.05)
    write_release_results(
        tmp_path, {"0.68.1": 0.0150}, env_vars={"ACCELPI_AA": "c"}, first_commit=2
    )  # a real difference
    rows = switch_differences(tmp_path, "numba", "ACCELPI_AA", 1.1)
    assert {(r.reference, r.other) for r in rows} == {
        ("ACCELPI_AA=a", "ACCELPI_AA=b"),
        ("ACCELPI_AA=a", "ACCELPI_AA=c"),
    }
    verdicts = {r.other: r.significant for r in rows}
    assert verdicts == {"ACCELPI_AA=b": False, "ACCELPI_AA=c": True}
    with pytest.raises(Exception, match="fewer than two values"):
        switch_differences(tmp_path, "numba", "TF_ENABLE_ONEDNN_OPTS")


# -- the committed results ---------------------------------------------------------------


def test_commit_history_and_sweeps_are_kept_apart():
    history = load_inventories(ROOT / COMMIT_RESULTS)
    sweeps = load_inventories(ROOT / SWEEP_RESULTS)
    assert history and sweeps
    assert all(r.get("swept") is None for r in history), "a sweep's result is in the commit history"
    assert all(r.get("swept") for r in sweeps), "a result without a swept library is in sweeps/"
    for library in ("numba", "numpy", "torch", "tensorflow-cpu", "dask"):
        assert release_steps(ROOT / COMMIT_RESULTS, library) == ([], []), library


def test_no_release_series_mixes_commits():
    from accelpi.libraries import canonical
    from accelpi.store.series import collect

    report = committed_report()
    swept_by = {
        ((r.get("commit") or "")[:8], r["env_name"]): r.get("swept")
        for r in load_inventories(ROOT / SWEEP_RESULTS)
    }
    for library in report["libraries"]:
        for s in collect(ROOT / SWEEP_RESULTS, library):
            for release, point in s.points.items():
                swept = swept_by.get((point["commit"][:8], point["env"]))
                assert swept and canonical(swept) == canonical(s.distribution), (
                    library,
                    release,
                    point["env"],
                )


def _versions_json(*args: str) -> dict:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "accelpi",
            "versions",
            "--results",
            str(ROOT / SWEEP_RESULTS),
            "--json",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def _row_key(cells: list[str]) -> tuple[str, ...]:
    return tuple(html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells)


def test_the_summary_page_is_exactly_versions_json(tmp_path):
    from accelpi.site.build import build_site
    from accelpi.site.steps import step_rows

    site = build_site(ROOT, html_dir=str(tmp_path / "html"), publish=False)
    page = (site / "accelpi" / "changes.html").read_text()
    shown = [
        _row_key(re.findall(r"<td[^>]*>(.*?)</td>", row))
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page)
        if "<td" in row
    ]
    report = _versions_json()
    expected = [
        _row_key([c["direction"], *step_rows([c])[0]]) for rows in findings(report).values() for c in rows
    ]
    assert sorted(shown) == sorted(expected)
    assert len(shown) == len(report["flagged"]) + len(report["improved"])


def test_the_committed_summary_is_up_to_date():
    from accelpi.site.markdown import findings_markdown

    committed = (ROOT / "docs" / "what-changed.md").read_text()
    assert committed == findings_markdown(committed_report()), (
        "docs/what-changed.md is stale: run make publish"
    )


def test_the_committed_intel_builds_page_is_up_to_date():
    from accelpi.site.markdown import builds_markdown

    committed = (ROOT / "docs" / "intel-builds.md").read_text()
    assert committed == builds_markdown(committed_report()), "docs/intel-builds.md is stale: run make publish"


def test_one_default_factor_everywhere():
    from accelpi.cli import build_parser
    from accelpi.releases.bisect import bisect_releases
    from accelpi.reports.builds import build_differences
    from accelpi.site.build import build_site

    parser = build_parser()
    for command in ("versions", "site", "bisect"):
        sub = parser._subparsers._group_actions[0].choices[command]  # argparse keeps them here
        assert sub.get_default("factor") == DEFAULT_FACTOR, command
    for function in (
        release_steps,
        build_differences,
        switch_differences,
        bisect_releases,
        build_site,
        release_report,
    ):
        assert inspect.signature(function).parameters["factor"].default == DEFAULT_FACTOR, function
    from asv import util

    conf = util.load_json(str(ROOT / "asv.conf.json"), js_comments=True)
    assert conf["regressions_thresholds"] == {".*": pytest.approx(DEFAULT_FACTOR - 1)}
    for workflow in ("sweep", "publish"):
        text = (ROOT / ".github" / "workflows" / f"{workflow}.yml").read_text()
        assert "--factor" not in text, f"{workflow}.yml overrides the default factor"
    docs = (ROOT / "docs" / "benchmarking.md").read_text()
    assert f"default factor of the release tools is {DEFAULT_FACTOR}" in docs


def test_a_campaign_break_says_whether_accelpis_code_changed_between_its_commits():
    from accelpi.reports.report import CodeHistory, code_paths

    def git(*args: str) -> list[str]:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.split()

    if git("rev-parse", "--is-shallow-repository") == ["true"]:
        pytest.skip("a shallow clone lacks the history this test reads")
    paths = code_paths("throughput.Throughput.time_estimate", "'numba:fused', 65536")
    assert {"accelpi/backends/numba_.py", "accelpi/core.py", "benchmarks/throughput.py"} <= set(paths)
    assert "accelpi/backends/torch_.py" not in paths and "accelpi/gate.py" not in paths
    # what a benchmark imports, at any depth: the launch-overhead lab and the tasks it runs
    # (a change there read "code unchanged" when only the backend's module was counted)
    launch = code_paths("overhead.LaunchOverhead.time_launch", "'dask:delayed', 100")
    assert {"accelpi/lab/overhead.py", "accelpi/tasks.py", "accelpi/backends/dask_.py"} <= set(launch)
    touched = git("log", "--format=%H", "--", "accelpi/backends/numba_.py")
    history = CodeHistory(ROOT)
    assert "accelpi/backends/numba_.py" in history.changed(touched[1], touched[0], paths)
    assert history.changed(touched[0], touched[0], paths) == []
    assert history.changed("0" * 40, touched[0], paths) is None
    commits = git("rev-list", "--max-count=60", "HEAD")
    quiet = next(
        (child, parent)
        for child, parent in itertools.pairwise(commits)
        if history.changed(parent, child, paths) == []
    )
    assert history.between(quiet[1], quiet[0], paths)["text"].endswith("code unchanged")
    changed = history.between(touched[1], touched[0], paths)
    assert "numba_.py" in changed["text"] and changed["commits"] == [touched[1], touched[0]]
    assert history.between(touched[0], touched[0], paths)["text"] == "the same commit"


def test_a_builds_code_path_is_compared_with_its_stock_twin(tmp_path):
    from accelpi.reports.builds import build_summary, twin_differences
    from accelpi.site.markdown import builds_markdown

    write_release_results(
        tmp_path,
        {"0.4.0": 0.010, "0.5.0": 0.012},
        dist="mkl-umath",
        import_name="mkl_umath",
        backends={"numpy": 1.0, "numpy:mkl-umath": 0.8},
    )
    rows = twin_differences(tmp_path, "mkl-umath")
    assert [(d.release, d.reference, d.other, d.params) for d in rows] == [
        ("0.4.0", "numpy", "numpy:mkl-umath", "33554432"),
        ("0.5.0", "numpy", "numpy:mkl-umath", "33554432"),
    ]
    assert all(d.ratio == pytest.approx(0.8) and d.significant for d in rows)
    report = release_report(tmp_path, "mkl-umath")
    (summary,) = [r for r in build_summary(report) if r["release"] == "0.5.0"]
    assert summary["ratio"] == pytest.approx(0.8) and summary["faster"] == 1 and summary["backends"] == 1
    text = builds_markdown(report)
    row = (
        "| mkl-umath | numpy:mkl-umath | numpy | 0.5.0 | mkl-umath | 0.80x | 1 of 1 | 0 of 1 | "
        + CAMPAIGN
        + " |"
    )
    assert row in text
    assert summary["campaign"] == CAMPAIGN  # twins in one environment: one campaign
    assert "about 20 % faster" in text
    # the answer first, in the configuration a user gets; only the builds the table holds are named
    assert "**mkl-umath: Yes: numpy:mkl-umath took 0.80x the stock build's time" in text
    assert "intel-tensorflow" not in text
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "accelpi",
            "versions",
            "--library",
            "mkl-umath",
            "--results",
            str(tmp_path),
            "--json",
        ],
        capture_output=True,
        text=True,
    )
    assert json.loads(done.stdout)["builds"]["mkl-umath"][0]["other"] == "numpy:mkl-umath"
