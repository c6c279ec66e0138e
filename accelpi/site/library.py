"""A library's release page: one chart per benchmark against the release, its significant
steps, its campaigns, and the releases that cannot install or run here."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from packaging.version import Version

from ..libraries import sweep_target
from ..reports.verdicts import unsteady
from ..store.files import write_atomically
from . import charts
from .pages import CAMPAIGN_NOTE, REFERENCE_NOTE, link, marked, page, section, slug, steps_section

__all__ = ["campaigns_section", "library_page"]


#: Charts of a library page, most telling first.
CHART_ORDER = ("Throughput", "ThreadScaling", "LaunchOverhead", "FirstCall", "PeakMemory", "Accuracy")


def _chart_order(item: tuple[tuple[str, str, str], Any]) -> tuple[int, str, str, int]:
    (benchmark, rest, alone), _ = item
    cls = benchmark.split(".")[1] if benchmark.count(".") >= 2 else benchmark
    rank = CHART_ORDER.index(cls) if cls in CHART_ORDER else len(CHART_ORDER)
    return rank, benchmark, alone, int(rest) if rest.isdigit() else 0


#: The columns of :func:`library_pages`' rows.
LIBRARY_HEADERS = ["library", "newest release step that moved", "releases", "campaigns", "slower", "faster"]


def library_pages(
    report: dict[str, Any], out: Path, note: str | None = None, suite: str = "accelpi"
) -> list[list[Any]]:
    """Write every library's page of ``report`` (measured by ``suite``'s benchmarks); return a
    row per library for the table that lists them (:data:`LIBRARY_HEADERS`: a link to its page,
    the newest release step that moved, in words, its releases, its campaigns, and its steps
    slower and faster)."""
    from ..reports.versions import release_lines, release_sentence

    rows = []
    for library, data in report["libraries"].items():
        name = library_page(library, data, report, out, note=note, suite=suite)
        versions = sorted({v for s in data["series"] for v in s["values"]}, key=Version)
        slower = sum(c["library"] == library for c in report["flagged"])
        faster = sum(c["library"] == library for c in report["improved"])
        moved = release_lines(
            [c for c in report["flagged"] if c["library"] == library],
            [c for c in report["improved"] if c["library"] == library],
        )
        rows.append(
            [
                link(library, name),
                release_sentence(moved[0]).replace("; the rest unchanged or undecided", "")
                if moved
                else "none",
                ", ".join(versions),
                str(len(data.get("campaigns") or [])),
                marked(slower, "bad") if slower else "0",
                marked(faster, "good") if faster else "0",
            ]
        )
    return rows


def library_page(
    library: str,
    data: dict[str, Any],
    report: dict[str, Any],
    out: Path,
    note: str | None = None,
    suite: str = "accelpi",
) -> str:
    """``LIBRARY.html``; ``note``: what a reader should know first (default: the library
    table's note, for accelpi's own sweeps); ``suite``: whose benchmarks measured it (its
    commits, its parameters' names on the charts)."""
    series = data["series"]
    figures = _figures(library, data, suite)
    notes = _notes(library, report, note)
    mine = [c for c in report["flagged"] if c["library"] == library]
    better = [c for c in report["improved"] if c["library"] == library]
    unsure = [c for c in report.get("untested", []) if c["library"] == library]
    disputed = [c for c in report.get("disputed", []) if c["library"] == library]
    machines = sorted({s["machine"] for s in series})
    mixed = (
        [section(None, f"Measured on {len(machines)} machines ({', '.join(machines)}): each line is one "
                 "campaign on one machine (a point's tooltip names it); a step is only ever taken inside one "
                 "campaign, and the same release step may differ from one CPU to another.")]
        if len(machines) > 1 else []
    )  # fmt: skip
    body = [
        *mixed,
        *release_section(library, mine, better),
        section(
            None,
            f"Each chart puts the {library} release on the x-axis (one asv environment per release). Lower "
            "is better for times and memory. The tables under the charts list the steps beyond "
            f"{report['factor']}x whose interval (over the benchmark processes of each side) excludes no "
            "change; a step is provisional until a second campaign finds it again (confirmed).",
        ),
    ]
    after = [  # the charts first: the tables are long
        section(None, CAMPAIGN_NOTE),
        *campaigns_section(data.get("campaigns") or [], suite),
        *([section(None, REFERENCE_NOTE)] if any(c.get("reference") for c in (*mine, *better)) else []),
        steps_section("Release steps slower (memory: larger)", mine),
        steps_section("Release steps faster (memory: smaller)", better),
        *([steps_section("Disputed: campaigns that disagree", disputed)] if disputed else []),
        *(
            [steps_section("Beyond the factor on the ratio alone (one sample each: no test decides)", unsure)]
            if unsure
            else []
        ),
        *notes,
    ]
    write_atomically(out / f"{slug(library)}.html", page(f"{library} across releases", body, figures, after))
    return f"{slug(library)}.html"


def _figures(library: str, data: dict[str, Any], suite: str) -> list[dict[str, Any]]:
    """A library page's charts: one per benchmark and parameters, a line per backend, switch or
    build, and campaign, each point with its step from the release before."""
    series = data["series"]
    grouped: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    units: dict[tuple[str, str, str], str] = {}
    names: dict[tuple[str, str, str], list[str]] = {}
    several_builds = len({s["axes"].split(" [")[0] for s in series}) > 1
    steps = {(c["benchmark"], c["params"], c["axes"], c["campaign"], c["after"]): c for c in data["changes"]}
    for s in series:
        first, _, rest = s["params"].partition(", ")
        switch = s["axes"].split("[", 1)[1].rstrip("]") if "[" in s["axes"] else ""
        build = s["axes"].split(" [")[0] if several_builds else ""
        variant = ", ".join(part for part in (build, switch) if part)
        # numba:fused's thread scaling runs 8x the samples of the others: a chart of its own,
        # where beside them its longer time read as the slowest backend
        alone = (
            "numba:fused" if "ThreadScaling" in s["benchmark"] and first.strip("'") == "numba:fused" else ""
        )
        key = (s["benchmark"], rest, alone)
        grouped[key].append(
            {
                "backend": first.strip("'"),
                "variant": variant,
                "values": s["values"],
                "quartiles": s["quartiles"],
                "context": s.get("context") or {},
                "machine": s["machine"],
                "steps": {
                    v: step_words(steps.get((s["benchmark"], s["params"], s["axes"], s["campaign"], v)))
                    for v in s["values"]
                },
            }
        )
        units[key] = s["unit"]
        names[key] = s.get("param_names") or []
    releases = sorted({v for s in series for v in s["values"]}, key=Version)
    figures: list[dict[str, Any]] = []
    for number, ((benchmark, rest, alone), lines) in enumerate(sorted(grouped.items(), key=_chart_order)):
        legend, shown = _parameters(names[(benchmark, rest, alone)], rest, suite)
        unit = units[(benchmark, rest, alone)]
        groups = charts.panels(lines, unit)
        for index, group in enumerate(groups):
            backends = sorted({line["backend"] for line in group})
            part = f"{index + 1} of {len(groups)}" if len(groups) > 1 else ""
            title, subtitle = charts.title_of(benchmark, shown, (line["backend"] for line in group))
            figures.append(
                {
                    "id": f"chart-{number}" + (f"-{index + 1}" if len(groups) > 1 else ""),
                    "spec": charts.spec(
                        library, benchmark, shown, unit, group, releases, legend, suite, part
                    ),
                    "caption": _caption(subtitle, legend, group, len(groups)),
                    "description": f"{title} against the {library} release"
                    + (f" ({', '.join(backends)})" if len(groups) > 1 else ""),
                }
            )
    return figures


def _caption(subtitle: str, legend: str, lines: list[dict[str, Any]], parts: int) -> str:
    dashes = "dashes for a switch or a build; " if any(line["variant"] for line in lines) else ""
    apart = (
        f"drawn as {parts} charts, the {legend}s more than {charts.PANEL_SPAN:g}x apart on separate "
        "charts, each with its own axis from 0 (a step's height is its size); "
        if parts > 1
        else ""
    )
    return (
        f"{subtitle}: {apart}one colour per {legend} on every chart; {dashes}a line per campaign (of "
        "several, the newest is drawn: the menu under the chart picks another, or every one); bars: the "
        "25th to 75th percentile; hover a point for its values, the step from the release before and "
        f"its verdict, campaign, date and machine ({_machines(lines)})"
    )


def _machines(lines: list[dict[str, Any]]) -> str:
    found = sorted({line["machine"] for line in lines})
    return "measured on " + ", ".join(found) if found else "machine not recorded"


def step_words(change: dict[str, Any] | None) -> str:
    """A release step in a tooltip: ``1.15x [1.10, 1.20] after 0.67.0: slower (confirmed)``."""
    if change is None:
        return "the first release of its campaign"
    interval = (
        f" [{change['low']:.2f}, {change['high']:.2f}]" if change.get("low") and change.get("high") else ""
    )
    outcome = {"same": "no change", "": "no test"}.get(change.get("outcome", ""), change.get("outcome", ""))
    confirmation = f" ({change['confirmation']})" if change.get("confirmation") else ""
    return f"{change['ratio']:.2f}x{interval} after {change['before']}: {outcome}{confirmation}"


def _parameters(names: list[str], rest: str, suite: str) -> tuple[str, str]:
    """The legend's title (the first parameter's name, asv's ``param_names``) and the other
    parameters as a chart names them: accelpi's own as asv writes them (``65536``), another
    suite's with their names (``how='inner', sort=False``) where each value can be told apart."""
    legend = names[0] if names else "backend" if suite == "accelpi" else "series"
    values = rest.split(", ") if rest else []
    if suite == "accelpi" or len(values) != len(names) - 1:
        return legend, rest
    return legend, ", ".join(f"{name}={value}" for name, value in zip(names[1:], values, strict=True))


def _notes(library: str, report: dict[str, Any], note: str | None) -> list[dict[str, Any]]:
    """What a library page says under its tables: the note, the releases that cannot install,
    and those whose backends do not run."""
    note = sweep_target(library).note if note is None else note
    notes = [section(None, note)] if note else []
    refused = [
        [version, python, why]
        for (name, version, python), why in report.get("cannot_install", {}).items()
        if name == library
    ]
    if refused:
        notes.append(
            section(
                "Releases that cannot be installed here",
                headers=["release", "Python", "pip's reason"],
                rows=refused,
            )
        )
    failing = [
        [release, backend, why]
        for (name, release), failed in sorted(report.get("cannot_run", {}).items())
        if name == library
        for backend, why in sorted(failed.items())
    ]
    if failing:
        notes.append(
            section(
                "Releases that install but whose backends do not run here",
                "The sweep ran each backend once inside the release's environment; these failed.",
                headers=["release", "backend", "the error"],
                rows=failing,
            )
        )
    return notes


def release_section(
    library: str, slower: list[dict[str, Any]], faster: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The answer first: each release step that moved, newest first, one line each (as
    ``accelpi versions`` says it), and what to do about a confirmed slower one."""
    from ..reports.versions import release_lines, release_sentence, what_to_do

    lines = release_lines(slower, faster)
    if not lines:
        return [section("Release by release", f"No {library} release step moved beyond the factor.")]
    rows = [[line["after"], release_sentence(line).split(": ", 1)[1]] for line in lines]
    advice = what_to_do(library, slower)
    advice = (
        f"A confirmed slower step: {advice}."
        if advice
        else "No slower step is confirmed by a second campaign yet: a provisional one may be the host's."
    )
    return [section("Release by release", advice, headers=["release", "what moved"], rows=rows)]


def campaigns_section(campaigns: list[dict[str, Any]], suite: str = "accelpi") -> list[dict[str, Any]]:
    """The campaigns a library's results come from: when, where, at which commit, how steady
    the host was, and, from one to the next, whether the code changed (why a line breaks)."""
    if not campaigns:
        return []
    rows = []
    for c in campaigns:
        change = c.get("host_change")
        rows.append(
            [
                c["campaign"],
                f"{c['started'][:16].replace('T', ' ')} to {c['ended'][11:16]} UTC",
                c["commit"][:8],
                f"{c.get('cpu') or '?'} ({c.get('machine') or '?'})",
                ", ".join(c["releases"]),
                (f"{change:.2f}x" if isinstance(change, int | float) else "-")
                + (" (unsteady: it moved more within the campaign)" if unsteady(c) else ""),
                (c.get("code_since_previous") or {}).get("text", "-"),
            ]
        )
    return [
        section(
            "Campaigns",
            "Each line of a chart is one campaign's; steps are never taken between two.",
            headers=[
                "campaign",
                "measured",
                f"{suite} commit",
                "host",
                "releases",
                "host speed, end / start",
                "code since the previous",
            ],
            rows=rows,
        )
    ]
