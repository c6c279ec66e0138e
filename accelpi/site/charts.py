"""Release charts as Vega-Lite specifications, written with Altair.

One chart per benchmark (and parameters besides the backend) of a library's release page:
the release on the x-axis, one line per backend, in **the same colour on every chart of
the site** (the colour is the backend's place in the registry), a switch or a build (oneDNN
on/off, intel-tensorflow) drawn as the line's dash; values in human units (ms, µs, MiB),
titles that say what was measured ("time for 2**25 samples"), the interquartile range
asv stored drawn as an error bar, the legend below the plot, and a tooltip on every point
(release, backend, value, spread). Accuracy charts offset the backends' points side by
side, so that equal values do not hide each other.

The pages embed the specifications and draw them with vega-embed, vendored into the site
(offline, no third-party request); :func:`spec` is plain data, tested without a browser.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from .. import registry
from ..libraries import switch_label

__all__ = [
    "COLOURS",
    "PANEL_SPAN",
    "colour_of",
    "human_unit",
    "panels",
    "ranking_spec",
    "series_spec",
    "spec",
    "title_of",
]

#: 24 colours, each at least 3:1 against white (WCAG's contrast for graphics), twelve hues at
#: two lightness levels, in an order that keeps neighbours of the registry (one library's
#: variants) on far-apart hues. The registry's 22 backends each get their own.
COLOURS = (
    "#4770eb", "#d37517", "#12a512", "#eb4747", "#8b47eb", "#a58d12",
    "#1898d8", "#eb47b4", "#12a189", "#cf47eb", "#59a112", "#6b6b6b",
    "#2551d4", "#864f18", "#136c13", "#b62020", "#762fda", "#6c5d13",
    "#186186", "#a91e7b", "#12685a", "#991fb2", "#3d6812", "#262626",
)  # fmt: skip


def colour_of(backend: str) -> str:
    """The backend's colour on every chart: fixed by its place in the registry."""
    names = registry.names()
    index = names.index(backend) if backend in names else len(names) + sum(map(ord, backend))
    return COLOURS[index % len(COLOURS)]


def _typical(values: Iterable[float]) -> float:
    """The middle of the positive finite ``values`` (the upper one of an even count), 0 for none."""
    finite = sorted(v for v in values if isinstance(v, int | float) and math.isfinite(v) and v > 0)
    return finite[len(finite) // 2] if finite else 0.0


def human_unit(unit: str, values: Iterable[float]) -> tuple[str, float]:
    """A unit people read (``ms``, ``µs``, ``MiB``) for these values, and the factor from asv's."""
    typical = _typical(values) or 1.0
    if unit == "seconds":
        for name, scale in (("s", 1.0), ("ms", 1e3), ("µs", 1e6)):
            if typical >= 1 / scale:
                return name, scale
        return "ns", 1e9
    if unit == "bytes":
        return "MiB", 1 / 2**20
    return unit or "value", 1.0


def _power(text: str) -> str:
    n = int(text) if text.isdigit() else 0
    return f"2**{n.bit_length() - 1}" if n > 1 and n & (n - 1) == 0 else text


def title_of(benchmark: str, rest: str, backends: Iterable[str] = ()) -> tuple[str, str]:
    """``(title, subtitle)``: what was measured in words, and asv's name of the benchmark;
    ``backends``: those drawn (numba:fused's thread scaling, 2**28 samples, is drawn alone)."""
    name = benchmark.split(".", 1)[-1]
    cls = name.split(".")[0]
    plural = "" if rest == "1" else "s"
    words = {
        "Throughput": f"Time for {_power(rest)} samples",
        "ThreadScaling": f"Time on {rest} thread{plural} "
        + ("(2**28 samples)" if set(backends) == {"numba:fused"} else "(2**25 samples)"),
        "FirstCall": "First call in a fresh process (import and compile)",
        "PeakMemory": "Peak memory of a process",
        "LaunchOverhead": f"Time for 2**24 samples as {rest} task{plural}",
    }.get(cls)
    if name.endswith("track_worst_error_in_sigmas"):
        words = "Worst error over five seeds, in standard errors"
    elif name.endswith("track_error_in_sigmas"):
        words = "Error of one estimate, in standard errors"
    elif name.endswith("peakmem_reference"):
        words = "Peak memory without the estimate (reference)"
    subtitle = name + (f" ({rest})" if rest else "")
    return words or subtitle, subtitle


#: The most a chart's lines may lie apart (the largest backend's typical value over the
#: smallest's): lines further apart are drawn as small multiples, a chart per group of
#: backends within this span, each with its own axis from 0. On one axis from 0 a line 3x
#: below the top still shows a 10 % step as 3 % of the chart's height; on the log axis these
#: charts once had (lines 30x and more apart), xarray's flagged 1.14x step was two pixels.
PANEL_SPAN = 3.0


def panels(lines: list[dict[str, Any]], unit: str) -> list[list[dict[str, Any]]]:
    """``lines`` (as :func:`spec` takes them) as the small multiples they are drawn in: one
    group when every backend's typical value lies within :data:`PANEL_SPAN` of the others',
    else groups of backends within it, fastest first; a backend's lines (switches, builds,
    campaigns) always share a chart. Accuracy (in standard errors, around 0) is never split."""

    if unit not in ("seconds", "bytes"):
        return [lines]
    backends: dict[str, list[dict[str, Any]]] = {}
    for line in lines:
        backends.setdefault(line["backend"], []).append(line)
    level = {b: _typical(v for line in ls for v in line["values"].values()) for b, ls in backends.items()}
    measured = sorted((b for b in backends if level[b] > 0), key=lambda b: (level[b], b))
    if not measured or level[measured[-1]] <= PANEL_SPAN * level[measured[0]]:
        return [lines]
    groups: list[list[str]] = []
    for backend in measured:
        if groups and level[backend] <= PANEL_SPAN * level[groups[-1][0]]:
            groups[-1].append(backend)
        else:
            groups.append([backend])
    groups[0] = [b for b in backends if level[b] <= 0] + groups[0]  # nothing measured: with the first
    return [[line for b in group for line in backends[b]] for group in groups]


def _rows(lines: list[dict[str, Any]], scale: float) -> list[dict[str, Any]]:
    """A chart's data: a row per line and release, in the chart's unit (``scale``)."""
    rows = []
    for line in lines:
        for release, value in line["values"].items():
            if value is None or not math.isfinite(value):
                continue
            quartiles = (line.get("quartiles") or {}).get(release)
            low, high = (
                (quartiles[0] * scale, quartiles[1] * scale) if quartiles else (value * scale, value * scale)
            )
            context = line.get("context") or {}
            rows.append(
                {
                    "release": release,
                    "backend": line["backend"],
                    "variant": switch_label(line.get("variant") or ""),
                    "value": value * scale,
                    "low": low,
                    "high": high,
                    "campaign": context.get("campaign") or "measured alone",
                    "commit": str(context.get("commit") or "")[:8],
                    "measured": str(context.get("ended") or "")[:10],
                    "step": (line.get("steps") or {}).get(release, ""),
                    "machine": line.get("machine", ""),
                }
            )
    return rows


def spec(
    library: str,
    benchmark: str,
    rest: str,
    unit: str,
    lines: list[dict[str, Any]],
    releases: list[str],
    legend: str = "backend",
    suite: str = "accelpi",
    part: str = "",
) -> dict[str, Any]:
    """The Vega-Lite specification of one chart.

    ``lines``: one entry per line: ``backend`` (the value of the benchmark's first parameter,
    ``legend`` its name), ``variant`` (switch or build, ``""`` for none), ``values`` (release ->
    value) and ``quartiles`` (release -> ``[q25, q75]`` or ``None``), in asv's unit, and
    ``context`` (its campaign's ``campaign``, ``commit`` of ``suite`` and ``ended``);
    ``releases`` in release order. Releases of two campaigns are never joined by a line: a
    line is one campaign's, and its points tell which (tooltip). ``part``: which of a
    benchmark's small multiples (:func:`panels`) this chart is (``2 of 3``), said in its title.
    """
    import altair as alt

    name, scale = human_unit(unit, (v for line in lines for v in line["values"].values()))
    rows = _rows(lines, scale)
    backends = {r["backend"] for r in rows}
    ordered = [b for b in registry.names() if b in backends] + sorted(backends - set(registry.names()))
    colour = alt.Color(
        "backend:N",
        scale=alt.Scale(domain=ordered, range=[colour_of(b) for b in ordered]),
        legend=alt.Legend(orient="bottom", columns=2, title=legend, labelLimit=170),
    )
    positive = [r["value"] for r in rows if r["value"] > 0]
    log = unit in ("seconds", "bytes") and positive and max(positive) / min(positive) > 30
    # a linear axis starts at 0 on every chart (a step's height is then its size); a log axis
    # only where one chart's lines still span more than 30x (backends further apart are drawn
    # as small multiples, :func:`panels`): one backend whose release moved it 30x
    y_scale = alt.Scale(type="log") if log else alt.Scale(zero=True)
    axis = alt.Axis(format=",.3~r", title=name)
    accuracy = unit == "σ"
    x = alt.X("release:O", sort=releases, title=f"{library} release", axis=alt.Axis(labelAngle=-40))
    tooltip = _tooltip(name, any(r["variant"] for r in rows), legend, suite)
    base = alt.Chart(alt.Data(values=rows)).encode(x=x, color=colour)
    variants = any(r["variant"] for r in rows)  # a legend of switches only where there are some
    if accuracy:  # flat lines would hide each other: points side by side within a release
        layer = base.mark_point(filled=True, size=50).encode(
            y=alt.Y("value:Q", axis=axis, scale=alt.Scale(zero=True)),
            xOffset=alt.XOffset("backend:N", sort=ordered),
            tooltip=tooltip,
            **(
                {
                    "shape": alt.Shape(
                        "variant:N", legend=alt.Legend(orient="top", title="switch or build", columns=1)
                    )
                }
                if variants
                else {}
            ),
        )
    else:
        layer = _line_layers(base, axis, y_scale, tooltip, variants)
    layer = _campaign_choice(layer, rows)
    title, subtitle = title_of(benchmark, rest, backends)
    title = f"{title} ({part})" if part else title  # short: a phone's width holds it
    chart = (
        layer.properties(
            title=alt.Title(title, subtitle=subtitle, anchor="start"),
            width="container",
            height=240,
            description=f"{title} against the {library} release, one line per backend",
        )
        .configure_axis(labelFontSize=11, titleFontSize=12)
        .configure_legend(labelFontSize=11, titleFontSize=11)
    )
    return chart.to_dict()


#: The campaign menu's entry that draws every campaign's lines at once.
EVERY_CAMPAIGN = "every campaign"


def _campaign_choice(layer: Any, rows: list[dict[str, Any]]) -> Any:
    """A chart fed by several campaigns draws the newest one's lines, with a menu under it to
    pick another, or every one (tensorflow-cpu's charts drew three campaigns times two oneDNN
    settings at once, one colour per backend); a chart of one campaign is left as it is."""
    import altair as alt

    ended = {r["campaign"]: r["measured"] for r in rows}
    if len(ended) < 2:
        return layer
    campaigns = sorted(ended, key=lambda c: (ended[c], c), reverse=True)
    pick = alt.param(
        name="campaign_pick",
        value=campaigns[0],
        bind=alt.binding_select(options=[*campaigns, EVERY_CAMPAIGN], name="campaign "),
    )
    return layer.add_params(pick).transform_filter(
        f"campaign_pick == '{EVERY_CAMPAIGN}' || datum.campaign == campaign_pick"
    )


def _line_layers(base: Any, axis: Any, y_scale: Any, tooltip: list[Any], variants: bool) -> Any:
    """Whiskers from the 25th to the 75th percentile, a line per campaign, and the points."""
    import altair as alt

    bars = base.mark_errorbar().encode(
        y=alt.Y("low:Q", axis=axis, scale=y_scale), y2="high:Q", detail="variant:N"
    )
    # one line per backend, variant and campaign: two campaigns are never joined
    dash = (
        {
            "strokeDash": alt.StrokeDash(
                "variant:N",
                # above the chart, one entry under the other: beside the backends' legend,
                # or side by side, the labels ran off a phone's width
                legend=alt.Legend(orient="top", title="switch or build (dashes)", labelLimit=400, columns=1),
            )
        }
        if variants
        else {}
    )
    y = alt.Y("value:Q", axis=axis, scale=y_scale)
    lines_ = base.mark_line().encode(y=y, detail="campaign:N", **dash)
    # the points apart from the lines: a line's legend then draws a stroke in its dash, where
    # a line with points would draw the point (the same for every switch)
    points = base.mark_point(size=40, filled=True, opacity=1).encode(y=y, tooltip=tooltip)
    return bars + lines_ + points


def _tooltip(name: str, variants: bool, legend: str, suite: str) -> list[Any]:
    """What hovering a point says: release, the first parameter's value, switch, the value and
    its quartiles, and where it was measured."""
    import altair as alt

    return [
        alt.Tooltip("release:N"),
        alt.Tooltip("backend:N", title=legend),
        *([alt.Tooltip("variant:N", title="switch/build")] if variants else []),
        alt.Tooltip("value:Q", title=name, format=",.4~r"),
        alt.Tooltip("low:Q", title="25th percentile", format=",.4~r"),
        alt.Tooltip("high:Q", title="75th percentile", format=",.4~r"),
        alt.Tooltip("step:N", title="step"),
        alt.Tooltip("campaign:N", title="campaign"),
        alt.Tooltip("commit:N", title=f"{suite} commit"),
        alt.Tooltip("measured:N", title="measured"),
        alt.Tooltip("machine:N", title="machine"),
    ]


def ranking_spec(machine: str, rows: list[dict[str, Any]], size: str = "2**25 samples") -> dict[str, Any]:
    """Which backend is fastest: a dot per backend, Msamples/s on a log scale, fastest on top,
    the spread of asv's samples as a whisker; ``rows`` are ``accelpi summary``'s."""
    import altair as alt

    data = []
    for r in rows:
        rate = r["samples_per_second"] / 1e6
        half = (r.get("spread") or 0.0) / 2  # the quartiles' range around the rate
        data.append(
            {
                "backend": r["backend"],
                "rate": rate,
                "low": rate / (1 + half),
                "high": rate * (1 + half),
                "vs_numpy": r.get("speedup_vs_numpy"),
            }
        )
    order = [d["backend"] for d in sorted(data, key=lambda d: -d["rate"])]
    y = alt.Y("backend:N", sort=order, title=None, axis=alt.Axis(labelLimit=220))
    colour = alt.Color(
        "backend:N", scale=alt.Scale(domain=order, range=[colour_of(b) for b in order]), legend=None
    )
    # Rates span three orders of magnitude: a log scale, with a dot per backend. A bar on a
    # log scale would start at an arbitrary left end, and its length would mean nothing.
    lowest = min((d["low"] for d in data if d["low"] > 0), default=1.0)
    highest = max((d["high"] for d in data), default=10.0)
    x_scale = alt.Scale(type="log", domain=[lowest / 1.5, highest * 1.5], nice=False)
    base = alt.Chart(alt.Data(values=data)).encode(y=y)
    bars = base.mark_point(filled=True, size=90, opacity=1).encode(
        x=alt.X(
            "rate:Q",
            scale=x_scale,
            title="Msamples/s (log scale; further right is faster)",
            # no label past the chart edge, none over another (a log axis over decades crowds them)
            axis=alt.Axis(format=",.3~r", labelBound=True, labelOverlap="greedy", labelSeparation=6),
        ),
        color=colour,
        tooltip=[
            alt.Tooltip("backend:N"),
            alt.Tooltip("rate:Q", title="Msamples/s", format=",.4~r"),
            alt.Tooltip("vs_numpy:Q", title="vs numpy", format=",.3~r"),
        ],
    )
    whiskers = base.mark_rule(color="#333").encode(x=alt.X("low:Q", scale=x_scale), x2="high:Q")
    chart = (
        (whiskers + bars)
        .properties(
            title=alt.Title(
                f"Which backend is fastest on {machine}", subtitle=f"{size} per call", anchor="start"
            ),
            width="container",
            height=alt.Step(18),
            description=f"Samples per second of every backend on {machine}, fastest first",
        )
        .configure_axis(labelFontSize=11, titleFontSize=12)
    )
    return chart.to_dict()


def series_spec(title: str, lines: dict[str, dict[str, float]], x_title: str) -> dict[str, Any]:
    """A small chart of named lines over releases (the replication page's ratios), its axis
    from zero, so that a ratio's height means what it says."""
    import altair as alt
    from packaging.version import InvalidVersion, Version

    def order(release: str) -> tuple[int, Any]:
        try:
            return 0, Version(release)
        except InvalidVersion:
            return 1, release

    releases = sorted({r for points in lines.values() for r in points}, key=order)
    data = [
        {"release": r, "line": name, "value": v} for name, points in lines.items() for r, v in points.items()
    ]
    chart = (
        alt.Chart(alt.Data(values=data))
        .mark_line(point=True)
        .encode(
            x=alt.X("release:O", sort=releases, title=x_title, axis=alt.Axis(labelAngle=-40)),
            y=alt.Y("value:Q", title=None, axis=alt.Axis(format=",.3~r"), scale=alt.Scale(zero=True)),
            color=alt.Color("line:N", legend=alt.Legend(orient="bottom", title=None)),
            tooltip=[alt.Tooltip("release:N"), alt.Tooltip("line:N"), alt.Tooltip("value:Q", format=",.4~r")],
        )
        .properties(title=alt.Title(title, anchor="start"), width="container", height=220, description=title)
        .configure_axis(labelFontSize=11, titleFontSize=12)
    )
    return chart.to_dict()
