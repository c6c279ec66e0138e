"""A step is a release's doing only when both sides were measured together, in one campaign."""

from __future__ import annotations

import json

import pytest

from accelpi.cli import main
from accelpi.reports.report import findings, release_report
from accelpi.reports.versions import release_steps
from accelpi.site.charts import spec

from ..asv_files import write_release_results

pytest.importorskip("asv", reason="asv is not installed (pip install 'accelpi[bench]')")

EARLY = {"campaign": "numba-20261110T000000Z", "first_commit": 0, "day": 10}
LATE = {"campaign": "numba-20261112T000000Z", "first_commit": 5, "day": 12}


def _two_campaigns(results):
    # the host ran twice as slow on the 12th: every release of that campaign is 2x the other's
    write_release_results(results, {"0.60.0": 0.010, "0.61.2": 0.010}, **EARLY)
    write_release_results(results, {"0.62.1": 0.020, "0.63.1": 0.020}, **LATE)


def test_a_step_across_two_campaigns_is_never_flagged_counted_or_drawn(tmp_path, capsys):
    _two_campaigns(tmp_path)
    report = release_report(tmp_path, "numba")
    assert report["flagged"] == [] and report["improved"] == [] and findings(report) == {}
    steps = [(c["before"], c["after"]) for c in report["libraries"]["numba"]["changes"]]
    assert sorted(steps) == [("0.60.0", "0.61.2"), ("0.62.1", "0.63.1")]  # never 0.61.2 -> 0.62.1
    assert {c["campaign"] for c in report["libraries"]["numba"]["changes"]} == {
        EARLY["campaign"],
        LATE["campaign"],
    }
    # each campaign is named with its commit and dates, so a reader sees why the line breaks
    campaigns = report["libraries"]["numba"]["campaigns"]
    assert [(c["campaign"], c["commit"][-1], c["started"][:10]) for c in campaigns] == [
        (EARLY["campaign"], "0", "2026-11-10"),
        (LATE["campaign"], "5", "2026-11-12"),
    ]
    assert campaigns[0]["releases"] == ["0.60.0", "0.61.2"]
    # drawn: one line per campaign (Vega-Lite's detail channel), each point tells its campaign
    series = report["libraries"]["numba"]["series"]
    lines = [
        {
            "backend": "numba:fused",
            "variant": "",
            "values": s["values"],
            "quartiles": s["quartiles"],
            "context": s["context"],
        }
        for s in series
    ]
    chart = spec(
        "numba",
        series[0]["benchmark"],
        "33554432",
        "seconds",
        lines,
        ["0.60.0", "0.61.2", "0.62.1", "0.63.1"],
    )
    (line_layer,) = [
        layer for layer in chart["layer"] if (layer["mark"].get("type") or layer["mark"]) == "line"
    ]
    assert line_layer["encoding"]["detail"]["field"] == "campaign"
    rows = chart["datasets"][chart["data"]["name"]] if "datasets" in chart else chart["data"]["values"]
    by_release = {r["release"]: r["campaign"] for r in rows}
    assert by_release["0.61.2"] != by_release["0.62.1"]
    assert {r["measured"] for r in rows} == {"2026-11-10", "2026-11-12"}
    # the command line: nothing flagged, exit 0
    assert main(["versions", "--library", "numba", "--results", str(tmp_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["flagged"] == []


def test_the_same_step_inside_one_campaign_is_flagged(tmp_path):
    write_release_results(tmp_path, {"0.61.2": 0.010, "0.62.1": 0.020}, **EARLY)
    (step,) = release_report(tmp_path, "numba")["flagged"]
    assert (step["before"], step["after"], step["campaign"]) == ("0.61.2", "0.62.1", EARLY["campaign"])
    assert step["measured"].startswith("2026-11-10")


def test_results_measured_outside_any_campaign_are_compared_with_nothing(tmp_path):
    # how sweeps were recorded before campaigns: one release per asv run, days apart
    write_release_results(tmp_path, {"0.60.0": 0.010, "0.61.2": 0.020, "0.62.1": 0.010}, campaign=None)
    series, changes = release_steps(tmp_path, "numba")
    assert len(series) == 3 and changes == []
    assert release_report(tmp_path, "numba")["flagged"] == []
