"""Release charts: one colour per backend everywhere, human units and titles, spread, tooltips."""

from __future__ import annotations

import json

import pytest

from accelpi import registry
from accelpi.site.charts import COLOURS, PANEL_SPAN, colour_of, human_unit, panels, spec, title_of

pytest.importorskip("altair", reason="altair is not installed (pip install 'accelpi[plot]')")


def line(backend: str, values: dict[str, float], variant: str = "") -> dict:
    return {
        "backend": backend,
        "variant": variant,
        "values": values,
        "quartiles": {r: [v * 0.9, v * 1.1] for r, v in values.items()},
    }


def layers(chart: dict) -> list[dict]:
    return chart.get("layer", [chart])


def test_every_cpu_backend_has_its_own_colour():
    cpu = [name for name in registry.names() if "cpu" in registry.spec(name).devices]
    assert len({colour_of(name) for name in cpu}) == len(cpu) <= len(COLOURS)
    assert colour_of("numba:fused") == colour_of("numba:fused")


def test_a_backend_keeps_its_colour_from_chart_to_chart():
    releases = ["0.60.0", "0.68.1"]
    one = spec("numba", "throughput.Throughput.time_estimate", "33554432", "seconds",
               [line("numba:fused", {"0.60.0": 0.01, "0.68.1": 0.012}), line("numpy", {"0.60.0": 0.2})],
               releases)  # fmt: skip
    lines = [line("numba:parallel", {"0.60.0": 0.05}), line("numba:fused", {"0.68.1": 0.04})]
    two = spec("numba", "scaling.ThreadScaling.time_estimate", "2", "seconds", lines, releases)
    for chart in (one, two):
        scale = chart["layer"][1]["encoding"]["color"]["scale"]
        assert dict(zip(scale["domain"], scale["range"], strict=True))["numba:fused"] == colour_of(
            "numba:fused"
        )


def test_values_are_in_human_units_with_words_for_titles_and_a_spread_and_tooltip():
    lines = [line("numpy", {"2.3.5": 0.185, "2.4.6": 0.190}, "TF_ENABLE_ONEDNN_OPTS=1")]
    chart = spec(
        "numpy", "throughput.Throughput.time_estimate", "33554432", "seconds", lines, ["2.3.5", "2.4.6"]
    )
    assert chart["title"]["text"] == "Time for 2**25 samples"
    assert chart["title"]["subtitle"] == "Throughput.time_estimate (33554432)"
    data = (
        chart["datasets"][next(iter(chart["datasets"]))] if "datasets" in chart else chart["data"]["values"]
    )
    assert {round(r["value"]) for r in data} == {185, 190}  # milliseconds, not 1.85×10⁻¹ s
    bars, lines_, points = chart["layer"]
    assert bars["mark"]["type"] == "errorbar" and bars["encoding"]["y2"]["field"] == "high"
    assert points["encoding"]["y"]["axis"]["title"] == "ms"
    # the switch's legend comes from a line without points: Vega-Lite then draws each entry as a
    # stroke in its dash (a line with points is drawn as its point, one dot for every switch)
    assert lines_["mark"]["type"] == "line" and "point" not in lines_["mark"]
    assert lines_["encoding"]["strokeDash"]["field"] == "variant"
    assert lines_["encoding"]["strokeDash"]["legend"]["columns"] == 1  # fits a phone
    assert "strokeDash" not in points["encoding"]
    tips = [t.get("title", t["field"]) for t in points["encoding"]["tooltip"]]
    assert tips[:2] == ["release", "backend"] and "25th percentile" in tips
    assert chart["config"]["legend"]["labelFontSize"] >= 10
    assert json.dumps(chart)  # plain data: embedded in the page as JSON


def test_units_and_titles():
    assert human_unit("seconds", [0.0004, 0.0005]) == ("µs", 1e6)
    assert human_unit("seconds", [2.5]) == ("s", 1.0)
    assert human_unit("bytes", [3e8]) == ("MiB", 1 / 2**20)
    assert title_of("scaling.ThreadScaling.time_estimate", "1")[0].startswith("Time on 1 thread ")
    assert (
        title_of("accuracy.Accuracy.track_error_in_sigmas", "")[0]
        == "Error of one estimate, in standard errors"
    )


def test_accuracy_points_stand_side_by_side():
    chart = spec("jax", "accuracy.Accuracy.track_error_in_sigmas", "", "σ",
                 [line("jax", {"0.4.30": 0.5}), line("numpy", {"0.4.30": 0.5})], ["0.4.30"])  # fmt: skip
    (points,) = layers(chart)
    assert points["encoding"]["xOffset"]["field"] == "backend"


def test_a_switch_is_named_in_words_and_only_charts_with_one_have_its_legend():
    releases = ["2.20.0", "2.21.0"]
    bench, n = "throughput.Throughput.time_estimate", "33554432"
    switched = [
        line("tensorflow:graph", {"2.20.0": 0.1, "2.21.0": 0.11}, "TF_ENABLE_ONEDNN_OPTS=1"),
        line("tensorflow:graph", {"2.20.0": 0.2, "2.21.0": 0.21}, "TF_ENABLE_ONEDNN_OPTS=0"),
    ]
    text = json.dumps(spec("tensorflow-cpu", bench, n, "seconds", switched, releases))
    assert "oneDNN on (the default)" in text and "TF_ENABLE_ONEDNN_OPTS" not in text
    assert "switch or build" in text
    plain = json.dumps(spec("numba", bench, n, "seconds", [line("numba", {"2.20.0": 0.1})], releases))
    assert "switch or build" not in plain


def test_a_point_says_its_step_from_the_release_before_and_the_machine_it_came_from():
    from accelpi.site.library import step_words

    change = {
        "ratio": 1.15,
        "low": 1.1,
        "high": 1.2,
        "before": "0.67.0",
        "outcome": "slower",
        "confirmation": "confirmed",
    }
    assert step_words(change) == "1.15x [1.10, 1.20] after 0.67.0: slower (confirmed)"
    assert step_words({**change, "outcome": "same", "confirmation": ""}).endswith("after 0.67.0: no change")
    assert step_words(None) == "the first release of its campaign"
    drawn = {
        **line("numba", {"0.67.0": 0.15, "0.68.0": 0.17}),
        "machine": "amd-epyc-2c-82ccf83e",
        "steps": {"0.67.0": step_words(None), "0.68.0": step_words(change)},
    }
    chart = spec(
        "numba", "throughput.Throughput.time_estimate", "33554432", "seconds", [drawn], ["0.67.0", "0.68.0"]
    )
    data = (
        chart["datasets"][next(iter(chart["datasets"]))] if "datasets" in chart else chart["data"]["values"]
    )
    by_release = {r["release"]: r for r in data}
    assert (
        by_release["0.68.0"]["step"].startswith("1.15x")
        and by_release["0.68.0"]["machine"] == "amd-epyc-2c-82ccf83e"
    )
    tips = [t.get("title", t["field"]) for t in layers(chart)[-1]["encoding"]["tooltip"]]
    assert "step" in tips and "machine" in tips


def test_every_linear_axis_starts_at_zero():
    chart = spec("numba", "throughput.Throughput.time_estimate", "33554432", "seconds",
                 [line("numba", {"0.67.0": 0.15, "0.68.0": 0.17})], ["0.67.0", "0.68.0"])  # fmt: skip
    for layer in layers(chart):
        scale = layer["encoding"]["y"].get("scale", {})
        assert scale.get("zero") is True and scale.get("type") != "log", scale


def test_lines_far_apart_are_small_multiples_each_on_an_axis_from_zero():
    """xarray's flagged 1.14x step was two pixels on a log axis where its chart's lines spanned
    30x: backends more than PANEL_SPAN apart get charts of their own, each linear from 0."""
    slow = line("python", {"3.0.0": 2.0, "3.1.0": 2.28})  # the 1.14x step
    fast = [line("numba", {"3.0.0": 0.020, "3.1.0": 0.021}), line("numba:parallel", {"3.0.0": 0.012})]
    fast_off = line("numba", {"3.0.0": 0.3}, variant="NUMBA_OPT=0")  # a variant far from its backend
    groups = panels([slow, *fast, fast_off], "seconds")
    assert [sorted({x["backend"] for x in g}) for g in groups] == [["numba", "numba:parallel"], ["python"]]
    assert fast_off in groups[0]  # a backend's lines share its chart, whatever their values
    for group in groups:
        chart = spec("pandas", "bench.Unstack.time_unstack", "", "seconds", group, ["3.0.0", "3.1.0"],
                     part="1 of 2")  # fmt: skip
        for layer in layers(chart):
            assert layer["encoding"]["y"]["scale"] == {"zero": True}, layer["encoding"]["y"]
        assert chart["title"]["text"].endswith(" (1 of 2)")
    # within the span, one chart; accuracy (around 0 in standard errors) is never split
    near = [line("numba", {"1": 0.1}), line("numpy", {"1": 0.1 * PANEL_SPAN})]
    assert panels(near, "seconds") == [near]
    assert len(panels([slow, *fast], "σ")) == 1
    # one backend that itself moved 30x across releases keeps the log axis: its drop is the story
    (alone,) = panels([line("torch", {"2.4.1": 0.0318, "2.7.1": 0.001})], "seconds")
    drawn = spec("torch", "throughput.Throughput.time_estimate", "65536", "seconds", alone,
                 ["2.4.1", "2.7.1"])  # fmt: skip
    assert layers(drawn)[-1]["encoding"]["y"]["scale"] == {"type": "log"}


def test_a_library_page_draws_far_apart_backends_as_small_multiples(tmp_path):
    from accelpi.site.library import _figures

    def series(backend: str, values: dict[str, float]) -> dict:
        return {"benchmark": "throughput.Throughput.time_estimate", "params": f"'{backend}', 33554432",
                "axes": "numba", "campaign": "c", "values": values, "quartiles": {}, "unit": "seconds",
                "machine": "amd-epyc-2c-82ccf83e"}  # fmt: skip

    data = {
        "series": [series("python", {"0.67.0": 9.0, "0.68.0": 9.1}), series("numba", {"0.67.0": 0.15})],
        "changes": [],
    }
    figures = _figures("numba", data, "accelpi")
    assert [f["id"] for f in figures] == ["chart-0-1", "chart-0-2"]
    assert "drawn as 2 charts, the backends more than 3x apart" in figures[0]["caption"]
    assert figures[1]["description"].endswith("(python)")


def test_numba_fused_thread_scaling_is_titled_with_its_own_sample_count():
    """numba:fused's thread scaling times 2**28 samples, the others 2**25: drawn together its
    longer time read as the slowest backend, so it has a chart of its own, titled so."""
    assert title_of("scaling.ThreadScaling.time_estimate", "1", ["numba:fused"])[0] == (
        "Time on 1 thread (2**28 samples)"
    )
    assert title_of("scaling.ThreadScaling.time_estimate", "2", ["numba", "numba:parallel"])[0] == (
        "Time on 2 threads (2**25 samples)"
    )


def test_a_chart_of_several_campaigns_draws_the_newest_and_offers_the_others():
    def fed(campaign: str, ended: str) -> dict:
        return {
            **line("numba", {"0.67.0": 0.15, "0.68.0": 0.17}),
            "context": {"campaign": campaign, "ended": ended},
        }

    chart = spec("numba", "throughput.Throughput.time_estimate", "33554432", "seconds",
                 [fed("numba-20261130T054432Z", "2026-11-30T06:00:00Z"),
                  fed("numba-20261206T181843Z", "2026-12-06T18:40:00Z")], ["0.67.0", "0.68.0"])  # fmt: skip
    (pick,) = chart["params"]
    assert pick["value"] == "numba-20261206T181843Z"  # the newest
    assert pick["bind"]["options"] == ["numba-20261206T181843Z", "numba-20261130T054432Z", "every campaign"]
    assert "datum.campaign == campaign_pick" in chart["transform"][0]["filter"]
    one = spec("numba", "throughput.Throughput.time_estimate", "33554432", "seconds",
               [fed("numba-20261206T181843Z", "2026-12-06T18:40:00Z")], ["0.67.0", "0.68.0"])  # fmt: skip
    assert "params" not in one  # one campaign: no menu
