"""The published website: ``asv publish`` into ``html/``, plus our pages in ``html/accelpi/``.

asv's pages plot each benchmark against the project's commits. Ours put a *library's
release* on the x-axis (one line per backend, one chart per benchmark and parameters),
list the releases flagged as slower (``accelpi versions``), and show what each asv
environment really had installed (``accelpi inventory``). A link to them is added to
asv's navigation bar. The pages are Jinja2 templates (``templates/``); the charts are
Vega-Lite specifications (:mod:`accelpi.site.charts`) drawn by vega-embed, vendored
into the site with the other scripts, so the site works offline; they scale down to a
phone's width.
"""

from __future__ import annotations

import html
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from packaging.version import Version

from ..errors import InvalidArgument
from ..libraries import by_distribution, sweep_target
from ..reports import DEFAULT_FACTOR
from ..reports.inventory import KEY_DISTRIBUTIONS, drift, version_and_build
from ..reports.replicate import replication_report
from ..reports.report import findings, release_report
from ..reports.verdicts import magnitude
from ..store import COMMIT_RESULTS, SWEEP_RESULTS, asvcompat
from ..store.files import write_atomically
from ..store.records import load_inventories
from ..store.refusals import cannot_install, cannot_run
from . import charts
from .asvpages import adapt
from .pages import (
    BUILD_HEADERS,
    CODE_NOTE,
    STEP_HEADERS,
    build_cells,
    build_summary,
    builds_markdown,
    builds_page,
    findings_markdown,
    findings_page,
    page,
    replication_markdown,
    replication_page,
    slug,
    step_rows,
    steps_section,
    table,
    write_assets,
)

__all__ = ["build_site"]

OUR_DIR = "accelpi"

#: Release steps the front page lists (the largest); the "what changed" page has them all.
FRONT_STEPS = 8

#: Charts of a library page, most telling first.
CHART_ORDER = ("Throughput", "ThreadScaling", "LaunchOverhead", "FirstCall", "PeakMemory", "Accuracy")


def _chart_order(item: tuple[tuple[str, str], Any]) -> tuple[int, str, int]:
    (benchmark, rest), _ = item
    cls = benchmark.split(".")[1] if benchmark.count(".") >= 2 else benchmark
    rank = CHART_ORDER.index(cls) if cls in CHART_ORDER else len(CHART_ORDER)
    return rank, benchmark, int(rest) if rest.isdigit() else 0


def _library_page(library: str, data: dict[str, Any], report: dict[str, Any], out: Path) -> str:
    series = data["series"]
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    units: dict[tuple[str, str], str] = {}
    several_builds = len({s["axes"].split(" [")[0] for s in series}) > 1
    for s in series:
        first, _, rest = s["params"].partition(", ")
        switch = s["axes"].split("[", 1)[1].rstrip("]") if "[" in s["axes"] else ""
        build = s["axes"].split(" [")[0] if several_builds else ""
        variant = ", ".join(part for part in (build, switch) if part)
        grouped[(s["benchmark"], rest)].append(
            {
                "backend": first.strip("'"),
                "variant": variant,
                "values": s["values"],
                "spread": s["spread"],
                "context": s.get("context") or {},
            }
        )
        units[(s["benchmark"], rest)] = s["unit"]
    releases = sorted({v for s in series for v in s["values"]}, key=Version)
    figures = []
    for number, ((benchmark, rest), lines) in enumerate(sorted(grouped.items(), key=_chart_order)):
        title, subtitle = charts.title_of(benchmark, rest)
        figures.append(
            {
                "id": f"chart-{number}",
                "spec": charts.spec(library, benchmark, rest, units[(benchmark, rest)], lines, releases),
                "caption": f"{subtitle}: one colour per backend on every chart, dashes for a switch or a "
                "build; bars: the 25th to 75th percentile; hover a point for its values",
                "description": f"{title} against the {library} release",
            }
        )
    lib = sweep_target(library)
    notes = f"<p>{html.escape(lib.note)}</p>" if lib.note else ""
    refused = [
        [version, python, why]
        for (name, version, python), why in report.get("cannot_install", {}).items()
        if name == library
    ]
    if refused:
        notes += "<h2>Releases that cannot be installed here</h2>" + table(
            ["release", "Python", "pip's reason"], refused
        )
    failing = [
        [release, backend, why]
        for (name, release), failed in sorted(report.get("cannot_run", {}).items())
        if name == library
        for backend, why in sorted(failed.items())
    ]
    if failing:
        notes += (
            "<h2>Releases that install but whose backends do not run here</h2>"
            "<p>The sweep ran each backend once inside the release's environment; these failed.</p>"
            + table(["release", "backend", "the error"], failing)
        )
    mine = [c for c in report["flagged"] if c["library"] == library]
    better = [c for c in report["improved"] if c["library"] == library]
    body = (
        f"<p>Each chart puts the {html.escape(library)} release on the x-axis (one asv environment per "
        "release). Lower is better for times and memory. The tables under the charts list the steps "
        f"that pass {report['factor']}x with asv's significance test agreeing.</p>"
    )
    after = (  # the charts first: the tables are long
        f"<p>{html.escape(CODE_NOTE)}</p>"
        + steps_section("Release steps significantly slower", mine)
        + steps_section("Release steps significantly faster", better)
        + notes
    )
    write_atomically(out / f"{slug(library)}.html", page(f"{library} across releases", body, figures, after))
    return f"{slug(library)}.html"


def _ranking(root: Path, figures: list[dict[str, Any]] | None = None) -> str:
    """Which backend is fastest here: each machine's newest run, ranked (``accelpi summary``);
    a bar chart per machine is added to ``figures``."""
    from ..reports.summary import run_summary, where

    results = root / COMMIT_RESULTS
    machines = (
        sorted(p.name for p in results.iterdir() if (p / "machine.json").exists()) if results.is_dir() else []
    )
    parts = []
    for machine in machines:
        try:
            summary = run_summary(results, machine=machine)
        except InvalidArgument:
            continue
        rows = []
        bench = "GpuThroughput" if summary["device"] == "cuda" else "Throughput"
        for r in summary["rows"]:
            spread = "-" if r["spread"] is None else f"±{r['spread']:.0%}"
            star = "" if r["n"] == summary["n"] else "*"
            rows.append(
                [
                    f'<a href="../index.html#throughput.{bench}.time_estimate">'
                    f"{html.escape(r['backend'])}</a>",
                    f'<span class="rate">{r["samples_per_second"] / 1e6:,.1f}</span>{star}',
                    spread,
                    f"{r['speedup_vs_python']:,.1f}x" if "speedup_vs_python" in r else "-",
                    f"{r['speedup_vs_numpy']:.2f}x" if "speedup_vs_numpy" in r else "-",
                    "-" if r["first_call_s"] is None else f"{r['first_call_s']:.2f} s",
                    "-" if r["worst_sigma"] is None else f"{r['worst_sigma']:.1f} σ",
                ]
            )
        if figures is not None:
            figures.append(
                {
                    "id": f"ranking-chart-{len(figures)}",
                    "spec": charts.ranking_spec(machine, summary["rows"], where(summary)),
                    "caption": f"Samples per second on {machine}: one colour per backend, as on every chart; "
                    "whiskers: the spread of asv's samples; hover a bar for its values",
                    "description": f"Which backend is fastest on {machine}",
                }
            )
        heading = f'<h2 id="ranking-{slug(machine)}">Which backend is fastest on {html.escape(machine)}</h2>'
        commit = html.escape(summary["commit"][:8])
        if summary["device"] == "cuda":  # GpuThroughput only: no Python, NumPy, first-call or accuracy runs
            parts.append(
                heading + f"<p>Commit {commit}, samples per second at {where(summary)} and the spread of "
                "asv's samples. First calls, and the GPU tests that check accuracy, are in docs/gpu.md.</p>"
                + table(["backend", "Msamples/s", "spread"], [row[:3] for row in rows], raw=True)
            )
            continue
        parts.append(
            heading + f"<p>Commit {commit}, samples per second at {where(summary)} (* plain Python at "
            "2**16), the spread of asv's samples, the speed-up against plain Python and NumPy, the cold "
            "first call (import and compile) and the worst error of five seeds.</p>"
            + table(
                ["backend", "Msamples/s", "spread", "vs python", "vs numpy", "first call", "worst"],
                rows,
                raw=True,
            )
        )
    return "".join(parts)


def _default_pins(root: Path) -> list[list[str]]:
    """The default asv environment's pins (asv.conf.json) with the library table's reason."""
    requested = asvcompat.load_json(root / "asv.conf.json", js_comments=True)["matrix"]["req"]
    rows = []
    for name, version in requested.items():
        lib = by_distribution(name)
        if version:
            rows.append([name, (lib.pin if lib and lib.pin else version)])
    return rows


def build_site(
    root: Path,
    sweeps: str = SWEEP_RESULTS,
    html_dir: str = "html",
    publish: bool = True,
    factor: float = DEFAULT_FACTOR,
    node_modules: Path | None = None,
    findings_md: str | None = None,
    replication_md: str | None = None,
    builds_md: str | None = None,
    skipped: list[dict[str, str]] | None = None,
) -> Path:
    """Publish asv's site and write ours beside it; returns the site's folder.

    asv's pages come from ``asv.conf.json``'s results folder (the commit history); ours
    from the sweeps in ``sweeps``. ``node_modules`` holds the npm packages of asv's
    JavaScript libraries (default: ``.tools/node_modules``, from ``make tools``); without
    them the pages load the libraries from CDNs, as asv's own site does. ``findings_md``:
    also write the "what changed" summary there (``docs/what-changed.md``); ``replication_md``
    and ``builds_md``: the replication report and the Intel-builds table likewise. Unreadable
    results files are left out and named in ``skipped`` when a list is given.
    """
    root = Path(root)
    site = root / html_dir
    if not (root / "asv.conf.json").exists():
        raise InvalidArgument(f"{root} has no asv.conf.json: run 'accelpi site' in the project's folder")
    if not (root / sweeps / "benchmarks.json").exists():
        raise InvalidArgument(f"no sweep results in {root / sweeps} (benchmarks.json is missing)")
    if publish:
        done = subprocess.run(
            [sys.executable, "-m", "asv", "publish", "--html-dir", str(site)],
            cwd=root,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            lines = [line for line in (done.stderr or done.stdout).splitlines() if line.strip()]
            raise InvalidArgument(f"asv publish failed: {lines[-1] if lines else f'exit {done.returncode}'}")
        left = adapt(site, node_modules or root / ".tools" / "node_modules")
        if left:
            print(f"accelpi site: from CDNs (`make tools` vendors them): {', '.join(left)}", file=sys.stderr)
    out = site / OUR_DIR
    out.mkdir(parents=True, exist_ok=True)
    missing = write_assets(out, node_modules or root / ".tools" / "node_modules")
    if missing:
        print(f"accelpi site: charts need {', '.join(missing)} (`make tools` installs them)", file=sys.stderr)
    report = release_report(root / sweeps, None, factor)
    report["cannot_install"] = cannot_install(root / sweeps)
    report["cannot_run"] = cannot_run(root / sweeps)
    if skipped is not None:
        skipped += report["skipped"]
    sections = []
    for library, data in report["libraries"].items():
        library_page = _library_page(library, data, report, out)
        versions = sorted({v for s in data["series"] for v in s["values"]}, key=Version)
        slower = sum(c["library"] == library for c in report["flagged"])
        faster = sum(c["library"] == library for c in report["improved"])
        sections.append(
            [
                f'<a href="{library_page}">{html.escape(library)}</a>',
                html.escape(", ".join(versions)),
                str(len(data["series"])),
                f'<span class="bad">{slower}</span>' if slower else "0",
                f'<span class="good">{faster}</span>' if faster else "0",
            ]
        )
    changes_page = findings_page(report, out)
    if findings_md:
        write_atomically(root / findings_md, findings_markdown(report))
    replication = replication_report(root)
    replication_file = replication_page(replication, out)
    if replication_md:
        write_atomically(root / replication_md, replication_markdown(replication))
    builds_file = builds_page(report, out)
    if builds_md:
        write_atomically(root / builds_md, builds_markdown(report))
    build_rows = [[html.escape(c) for c in build_cells(r)] for r in build_summary(report)]
    unread: list[dict[str, str]] = []
    records = [
        r
        for folder in (COMMIT_RESULTS, sweeps)
        if (root / folder).is_dir()
        for r in load_inventories(root / folder, unread)
    ]
    if skipped is not None:
        skipped += unread
    problems = drift(records)
    shown = [d for d in KEY_DISTRIBUTIONS if any(d in r["installed"] for r in records)]
    inventory_rows = [
        [
            r["machine"],
            r["env_name"],
            ", ".join(f"{k}={v}" for k, v in sorted(r["env_vars"].items())),
            (r.get("commit") or "")[:8],
            *[version_and_build(r, d) for d in shown],
        ]
        for r in records
    ]
    problem_rows = [
        [
            p["kind"],
            p["machine"],
            p["environment"],
            p["package"],
            f"{p.get('requested', p.get('before'))} → {p.get('installed', p.get('after'))}",
        ]
        for p in problems
    ]
    inventory_body = (
        "<p>What pip really installed in every asv environment that produced results (the version, "
        "and the platform or build tag of the wheel it came from; <code>accelpi inventory --json</code> "
        "has each wheel's file name and sha256).</p><h2>Pins that did not hold, and drift</h2>"
        + (
            table(["kind", "machine", "environment", "package", "change"], problem_rows)
            if problem_rows
            else "<p>None.</p>"
        )
        + "<h2>Installed versions per environment</h2>"
        + (
            table(["machine", "environment", "switches", "commit", *shown], inventory_rows)
            if inventory_rows
            else "<p>No inventory recorded yet.</p>"
        )
    )
    write_atomically(out / "inventory.html", page("What each environment installed", inventory_body))
    largest = sorted((c for rows in findings(report).values() for c in rows), key=lambda c: -magnitude(c))
    status = (
        f'<span class="bad">{len(problems)} pin(s) that did not hold or drifted</span>'
        if problems
        else "every pin held, no drift"
    )
    figures: list[dict[str, Any]] = []
    body = (
        _ranking(root, figures)
        + "<p>asv plots benchmarks against accelpi's commits; these pages plot them against the releases of "
        "the libraries accelpi accelerates with (sweeps made with <code>accelpi sweep</code>).</p>"
        "<h2>Swept libraries</h2>"
        + (
            table(["library", "releases", "series", "slower", "faster"], sections, raw=True)
            if sections
            else "<p>No sweep results yet.</p>"
        )
        + f"<h2>The largest release steps (factor {factor}, significant)</h2>"
        + f"<p>The {min(len(largest), FRONT_STEPS)} largest of {len(largest)}, either direction; every one, "
        f'per library: <a href="{changes_page}">what changed, release by release</a>. The 2018 talk\'s '
        f'claims, re-measured: <a href="{replication_file}">what still holds</a>.</p>'
        + table(
            ["direction", "library", *STEP_HEADERS],
            [[c["direction"], *step_rows([c], library=True)[0]] for c in largest[:FRONT_STEPS]],
        )
        + "<h2>One release, two builds</h2>"
        + f'<p>Intel builds against stock builds, release by release: <a href="{builds_file}">what an Intel '
        "build buys you</a> (ratio Intel / stock of 2**25 samples, geometric mean over the backends).</p>"
        + (table(BUILD_HEADERS, build_rows) if build_rows else "<p>No release swept as two builds yet.</p>")
        + "<h2>The default environment</h2><p>asv's pages measure accelpi's commits in one environment "
        "holding every CPU library at its latest release, except these pins:</p>"
        + table(["distribution", "pinned to, and why"], _default_pins(root))
        + f"<p>Installed versions: {len(records)} environment(s) recorded, {status} "
        f'(<a href="inventory.html">what each environment installed</a>).</p>'
    )
    front = page("accelpi: library releases", body, figures, charts_heading=None, charts_first=True)
    write_atomically(out / "index.html", front)
    return site
