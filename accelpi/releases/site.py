"""The published website: ``asv publish`` into ``html/``, plus our pages in ``html/accelpi/``.

asv's pages plot each benchmark against the project's commits. Ours put a *library's
release* on the x-axis (one line per backend, one chart per benchmark and parameters),
list the releases flagged as slower (``accelpi versions``), and show what each asv
environment really had installed (``accelpi inventory``). A link to them is added to
asv's navigation bar. The pages are static HTML with SVG charts (matplotlib), no script,
and scale down to a phone's width.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from packaging.version import Version

from ..errors import InvalidArgument
from . import COMMIT_RESULTS, DEFAULT_FACTOR, SWEEP_RESULTS
from .inventory import KEY_DISTRIBUTIONS, drift, load_inventories
from .report import findings, release_report
from .versions import BUILD_FAMILIES, format_value

__all__ = ["build_site"]

OUR_DIR = "accelpi"

#: asv's index.html loads these from CDNs. The site vendors them from the npm packages that
#: `make tools` installs (into .tools/node_modules), so that it works offline and with no
#: third-party requests: CDN address (tail) -> file under node_modules.
VENDOR = {
    "code.jquery.com/jquery-3.3.1.min.js": "jquery/dist/jquery.min.js",
    "flot/0.8.3/jquery.flot.min.js": "flot/jquery.flot.js",
    "flot/0.8.3/jquery.flot.time.min.js": "flot/jquery.flot.time.js",
    "flot/0.8.3/jquery.flot.selection.min.js": "flot/jquery.flot.selection.js",
    "flot/0.8.3/jquery.flot.categories.min.js": "flot/jquery.flot.categories.js",
    "flot-orderbars@1.0.0/js/jquery.flot.orderBars.js": "flot-orderbars/js/jquery.flot.orderBars.js",
    "stupidtable/1.0.1/stupidtable.min.js": "stupid-table-plugin/stupidtable.min.js",
    "blueimp-md5/2.19.0/js/md5.min.js": "blueimp-md5/js/md5.min.js",
    "bootstrap@3.1.1/dist/js/bootstrap.min.js": "bootstrap/dist/js/bootstrap.min.js",
    "bootstrap@3.1.1/dist/css/bootstrap.min.css": "bootstrap/dist/css/bootstrap.min.css",
}
VENDOR_DIRS = ("bootstrap/dist/fonts",)  # referenced by bootstrap.min.css
_TAG = re.compile(r"<(script|link)\b[^>]*?\b(?:src|href)=\"(https://[^\"]+)\"[^>]*>")
NAV_MARKER = '<li id="nav-li-regressions">'
NAV_LINK = '<li id="nav-li-accelpi"><a href="accelpi/index.html">Library releases</a></li>'

CSS = """
body { font-family: system-ui, sans-serif; margin: 0 auto; padding: 0 1em 2em; max-width: 70em; }
p { line-height: 1.4; }
nav { padding: .6em 0; border-bottom: 1px solid #ccc; margin-bottom: 1em; }
nav a { margin-right: 1em; }
figure { margin: 1em 0; }
figure img { width: 100%; max-width: 46em; height: auto; border: 1px solid #eee; }
figcaption { font-size: .9em; color: #444; }
.table { overflow-x: auto; }
table { border-collapse: collapse; font-size: .9em; }
th, td { border: 1px solid #ddd; padding: .25em .5em; text-align: left; white-space: nowrap; }
th { background: #f4f4f4; }
.bad { color: #b00; font-weight: bold; }
.good { color: #070; font-weight: bold; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 30em), 1fr)); gap: 1em; }
"""


def _page(title: str, body: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<link rel="icon" href="../swallow.ico">
<style>{CSS}</style>
</head>
<body>
<nav><a href="../index.html">asv: benchmarks over commits</a>
<a href="index.html">accelpi: library releases</a></nav>
<h1>{html.escape(title)}</h1>
{body}
</body>
</html>
"""


def _table(headers: list[str], rows: list[list[str]], raw: bool = False) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    cell = (lambda c: c) if raw else (lambda c: html.escape(str(c)))
    body = "".join("<tr>" + "".join(f"<td>{cell(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<div class="table"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:120]


def _chart(title: str, lines: dict[str, dict[str, float]], unit: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from packaging.version import Version

    versions = sorted({v for points in lines.values() for v in points}, key=Version)
    fig, ax = plt.subplots(figsize=(6.4, 3.8), layout="constrained")
    for label, points in sorted(lines.items()):
        xs = [versions.index(v) for v in versions if v in points]
        ax.plot(xs, [points[v] for v in versions if v in points], marker="o", label=label)
    ax.set_xticks(range(len(versions)), versions, rotation=30 if len(versions) > 5 else 0)
    if unit in ("seconds", "bytes") and all(v > 0 for p in lines.values() for v in p.values()):
        ax.set_yscale("log")
    ax.set(xlabel="release", ylabel=unit or "value", title=title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    fig.savefig(path, format="svg")
    plt.close(fig)


#: Charts of a library page, most telling first.
CHART_ORDER = ("Throughput", "ThreadScaling", "LaunchOverhead", "FirstCall", "PeakMemory", "Accuracy")


def _chart_order(item: tuple[tuple[str, str], Any]) -> tuple[int, str, int]:
    (benchmark, rest), _ = item
    cls = benchmark.split(".")[1] if benchmark.count(".") >= 2 else benchmark
    rank = CHART_ORDER.index(cls) if cls in CHART_ORDER else len(CHART_ORDER)
    return rank, benchmark, int(rest) if rest.isdigit() else 0


def _step_rows(changes: list[dict[str, Any]], library: bool = False) -> list[list[str]]:
    """Significant release steps as table rows: what, where, the two releases, values, ratio,
    and how sure (asv's test on how many samples)."""
    return [
        [
            *([c["library"]] if library else []),
            c["benchmark"].split(".", 1)[-1],
            c["params"],
            c["axes"],
            f"{c['before']} → {c['after']}",
            f"{format_value(c['value_before'], c['unit'])} → {format_value(c['value_after'], c['unit'])}",
            f"{c['ratio']:.2f}x",
            c["test"],
        ]
        for c in changes
    ]


STEP_HEADERS = ["benchmark", "parameters", "environment", "releases", "values", "ratio", "how sure"]


def _steps_section(title: str, changes: list[dict[str, Any]], library: bool = False) -> str:
    headers = (["library"] if library else []) + STEP_HEADERS
    rows = _step_rows(changes, library)
    return f"<h2>{html.escape(title)}</h2>" + (_table(headers, rows) if rows else "<p>None.</p>")


def _library_page(library: str, data: dict[str, Any], report: dict[str, Any], out: Path) -> str:
    series = data["series"]
    charts: dict[tuple[str, str], dict[str, dict[str, float]]] = defaultdict(dict)
    units: dict[tuple[str, str], str] = {}
    several_builds = len({s["axes"].split(" [")[0] for s in series}) > 1
    for s in series:
        first, _, rest = s["params"].partition(", ")
        key = (s["benchmark"], rest)
        label = first.strip("'") + (f" [{s['axes'].split('[', 1)[1]}" if "[" in s["axes"] else "")
        if several_builds:
            label += f" ({s['axes'].split(' [')[0]})"
        charts[key][label] = s["values"]
        units[key] = s["unit"]
    figures = []
    for (benchmark, rest), lines in sorted(charts.items(), key=_chart_order):
        title = benchmark.split(".", 1)[-1] + (f" ({rest})" if rest else "")
        name = f"{_slug(library)}-{_slug(title)}.svg"
        _chart(title, lines, units[(benchmark, rest)], out / name)
        figures.append(
            f'<figure><img src="{name}" alt="{html.escape(title)} against the {library} release">'
            f"<figcaption>{html.escape(title)}: one line per backend; x-axis: {library} release"
            f"</figcaption></figure>"
        )
    mine = [c for c in report["flagged"] if c["library"] == library]
    better = [c for c in report["improved"] if c["library"] == library]
    body = (
        f"<p>Each chart puts the {html.escape(library)} release on the x-axis (benchmarks run on one commit "
        "of accelpi, one asv environment per release). Lower is better for times and memory. A step "
        f"counts when it passes {report['factor']}x and asv's significance test agrees.</p>"
        + _steps_section("Release steps significantly slower", mine)
        + _steps_section("Release steps significantly faster", better)
        + f'<h2>Charts</h2><div class="charts">{"".join(figures)}</div>'
    )
    (out / f"{_slug(library)}.html").write_text(_page(f"{library} across releases", body))
    return f"{_slug(library)}.html"


def _findings_page(report: dict[str, Any], out: Path) -> str:
    parts = [
        "<p>Generated from the committed sweeps by <code>make publish</code>: every release step that "
        f"changed a benchmark by more than {report['factor']}x with asv's significance test agreeing, "
        "slower and faster, largest first. The same rows as <code>accelpi versions --json</code> "
        "(<code>flagged</code> and <code>improved</code>).</p>"
    ]
    for library, rows in findings(report).items():
        parts.append(
            f'<h2><a href="{_slug(library)}.html">{html.escape(library)}</a></h2>'
            + _table(["direction", *STEP_HEADERS], [[c["direction"], *_step_rows([c])[0]] for c in rows])
        )
    if len(parts) == 1:
        parts.append("<p>No significant change between any two swept releases.</p>")
    (out / "changes.html").write_text(_page("What changed, release by release", "".join(parts)))
    return "changes.html"


def findings_markdown(report: dict[str, Any]) -> str:
    """The "what changed" summary as Markdown (docs/what-changed.md), from the same rows."""
    lines = [
        "# What changed, release by release",
        "",
        "Generated by `make publish` from the committed sweeps (`sweeps/`); do not edit by hand.",
        f"Each row: a step between two consecutive releases that changed a benchmark by more than "
        f"{report['factor']}x, with asv's significance test agreeing (the rows `flagged` and `improved` of "
        "`accelpi versions --json`), largest first.",
    ]
    for library, rows in findings(report).items():
        lines += ["", f"## {library}", "", "| direction | " + " | ".join(STEP_HEADERS) + " |"]
        lines.append("|" + "---|" * (len(STEP_HEADERS) + 1))
        for c in rows:
            cells = [c["direction"], *_step_rows([c])[0]]
            lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    if not findings(report):
        lines += ["", "No significant change between any two swept releases."]
    return "\n".join(lines) + "\n"


def vendor_assets(site: Path, node_modules: Path) -> list[str]:
    """Copy asv's CDN libraries into ``site/vendor`` and point its pages at them.

    Returns the CDN addresses left as they were (their package is not installed).
    """
    missing = []

    def local(match: re.Match) -> str:
        tag, url = match.group(0), match.group(2)
        target = next((path for tail, path in VENDOR.items() if url.endswith(tail)), None)
        if target is None or not (node_modules / target).exists():
            missing.append(url)
            return tag
        destination = site / "vendor" / target
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(node_modules / target, destination)
        tag = tag.replace(url, f"vendor/{target}")
        return re.sub(r'\s(?:integrity|crossorigin|referrerpolicy)="[^"]*"', "", tag)

    for page in site.glob("*.html"):
        page.write_text(_TAG.sub(local, page.read_text()))
    for folder in VENDOR_DIRS:
        if (node_modules / folder).exists():
            shutil.copytree(node_modules / folder, site / "vendor" / folder, dirs_exist_ok=True)
    return sorted(set(missing))


def build_site(
    root: Path,
    sweeps: str = SWEEP_RESULTS,
    html_dir: str = "html",
    publish: bool = True,
    factor: float = DEFAULT_FACTOR,
    node_modules: Path | None = None,
    findings_md: str | None = None,
    skipped: list[dict[str, str]] | None = None,
) -> Path:
    """Publish asv's site and write ours beside it; returns the site's folder.

    asv's pages come from ``asv.conf.json``'s results folder (the commit history); ours
    from the sweeps in ``sweeps``. ``node_modules`` holds the npm packages of asv's
    JavaScript libraries (default: ``.tools/node_modules``, from ``make tools``); without
    them the pages load the libraries from CDNs, as asv's own site does. ``findings_md``:
    also write the "what changed" summary there (``docs/what-changed.md``). Unreadable
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
        left = vendor_assets(site, node_modules or root / ".tools" / "node_modules")
        if left:
            print(f"accelpi site: from CDNs (`make tools` vendors them): {', '.join(left)}", file=sys.stderr)
    out = site / OUR_DIR
    out.mkdir(parents=True, exist_ok=True)
    report = release_report(root / sweeps, None, factor)
    if skipped is not None:
        skipped += report["skipped"]
    sections = []
    for library, data in report["libraries"].items():
        page = _library_page(library, data, report, out)
        versions = sorted({v for s in data["series"] for v in s["values"]}, key=Version)
        slower = sum(c["library"] == library for c in report["flagged"])
        faster = sum(c["library"] == library for c in report["improved"])
        sections.append(
            [
                f'<a href="{page}">{html.escape(library)}</a>',
                html.escape(", ".join(versions)),
                str(len(data["series"])),
                f'<span class="bad">{slower}</span>' if slower else "0",
                f'<span class="good">{faster}</span>' if faster else "0",
            ]
        )
    changes_page = _findings_page(report, out)
    if findings_md:
        (root / findings_md).write_text(findings_markdown(report))
    build_rows = [
        [
            d["benchmark"].split(".", 1)[-1],
            d["params"],
            d["context"],
            d["release"],
            f"{d['reference']} {format_value(d['value_reference'], d['unit'])}",
            f"{d['other']} {format_value(d['value_other'], d['unit'])}",
            f"{d['ratio']:.2f}x" + (" (significant)" if d["significant"] else ""),
        ]
        for rows in report["builds"].values()
        for d in rows
        if d["lower_is_better"]
    ]
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
            *[r["installed"].get(d, "") for d in shown],
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
    body = (
        "<p>asv plots benchmarks against accelpi's commits; these pages plot them against the releases of "
        "the libraries accelpi accelerates with (sweeps made with <code>accelpi sweep</code>).</p>"
        "<h2>Swept libraries</h2>"
        + (
            _table(["library", "releases", "series", "slower", "faster"], sections, raw=True)
            if sections
            else "<p>No sweep results yet.</p>"
        )
        + f'<p>The significant changes of every library, both directions: <a href="{changes_page}">'
        "what changed, release by release</a>.</p>"
        + _steps_section(f"Release steps significantly slower (factor {factor})", report["flagged"], True)
        + _steps_section(f"Release steps significantly faster (factor {factor})", report["improved"], True)
        + "<h2>One release, two builds</h2>"
        + (
            "<p>The same release as its reference build and as another build ("
            + "; ".join(
                f"{html.escape(', '.join(others))} against <code>{html.escape(reference)}</code>"
                for reference, *others in BUILD_FAMILIES.values()
            )
            + "); ratio = build / reference, below 1 is faster.</p>"
            + _table(
                ["benchmark", "parameters", "switches", "release", "reference", "build", "ratio"], build_rows
            )
            if build_rows
            else "<p>No release swept as two builds yet.</p>"
        )
        + "<h2>Installed versions per environment</h2>"
        + (
            _table(["machine", "environment", "switches", "commit", *shown], inventory_rows)
            if inventory_rows
            else "<p>No inventory recorded yet.</p>"
        )
        + "<h2>Pins that did not hold, and drift</h2>"
        + (
            _table(["kind", "machine", "environment", "package", "change"], problem_rows)
            if problem_rows
            else "<p>None.</p>"
        )
    )
    (out / "index.html").write_text(_page("accelpi: library releases", body))
    index = site / "index.html"
    if index.exists():
        text = index.read_text()
        if NAV_LINK not in text:
            text = text.replace(NAV_MARKER, NAV_LINK + "\n\t" + NAV_MARKER, 1)
            index.write_text(text)
    return site
