"""The HTML and Markdown of the release pages: one page frame, tables, and the rows of
significant release steps that the library pages, the "what changed" page and
docs/what-changed.md share."""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path
from typing import Any

from ..libraries import sweep_targets
from .inventory import write_atomically
from .report import findings
from .versions import format_value

__all__ = [
    "CHART_SCRIPTS",
    "CODE_NOTE",
    "STEP_HEADERS",
    "build_cells",
    "build_summary",
    "builds_markdown",
    "builds_page",
    "findings_markdown",
    "findings_page",
    "page",
    "slug",
    "step_rows",
    "steps_section",
    "table",
    "write_assets",
]


@cache
def _templates() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("accelpi.releases", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def page(
    title: str,
    body: str,
    charts: list[dict[str, Any]] | None = None,
    after: str = "",
    charts_heading: str | None = "Charts",
    charts_first: bool = False,
) -> str:
    """A page of the site from ``templates/page.html``: ``body`` and ``after`` are HTML built
    by :func:`table` and its kind (escaped there); ``charts`` are ``{"id", "spec",
    "caption", "description"}`` drawn by vega-embed between the two (``charts_first``:
    before ``body``), under ``charts_heading``."""
    template = _templates().get_template("page.html")
    return template.render(
        title=title,
        body=body,
        charts=charts or [],
        after=after,
        charts_heading=charts_heading,
        charts_first=charts_first,
    )


#: The scripts the charts need, vendored from npm packages (``make tools``) into the site.
CHART_SCRIPTS = {
    "vega.min.js": "vega/build/vega.min.js",
    "vega-lite.min.js": "vega-lite/build/vega-lite.min.js",
    "vega-embed.min.js": "vega-embed/build/vega-embed.min.js",
}


def write_assets(out: Path, node_modules: Path) -> list[str]:
    """The stylesheet, and the chart scripts copied from ``node_modules`` into ``out/vendor``;
    returns the scripts that are missing (their package is not installed)."""
    import shutil
    from importlib import resources

    write_atomically(
        out / "style.css", resources.files(__package__).joinpath("templates/style.css").read_text()
    )
    missing = []
    for name, source in CHART_SCRIPTS.items():
        if (node_modules / source).is_file():
            (out / "vendor").mkdir(parents=True, exist_ok=True)
            shutil.copyfile(node_modules / source, out / "vendor" / name)
        else:
            missing.append(source)
    return missing


def table(headers: list[str], rows: list[list[str]], raw: bool = False) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    cell = (lambda c: c) if raw else (lambda c: html.escape(str(c)))
    body = "".join("<tr>" + "".join(f"<td>{cell(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<div class="table"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:120]


def step_rows(changes: list[dict[str, Any]], library: bool = False) -> list[list[str]]:
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
            (c.get("code") or {}).get("text", ""),
        ]
        for c in changes
    ]


STEP_HEADERS = [
    "benchmark",
    "parameters",
    "environment",
    "releases",
    "values",
    "ratio",
    "how sure",
    "accelpi code",
]

#: What the "accelpi code" column means (pages and docs/what-changed.md say it).
CODE_NOTE = (
    'Each release is measured on the accelpi commit its sweep ran at. The column "accelpi code" '
    "says whether the code that benchmark runs (the backend's module, the estimator, the "
    "benchmark's file) differs between the two releases' commits: a step is the release's "
    'doing only where it is "one commit" or "code unchanged".'
)


def steps_section(title: str, changes: list[dict[str, Any]], library: bool = False) -> str:
    headers = (["library"] if library else []) + STEP_HEADERS
    rows = step_rows(changes, library)
    return f"<h2>{html.escape(title)}</h2>" + (table(headers, rows) if rows else "<p>None.</p>")


def findings_page(report: dict[str, Any], out: Path) -> str:
    parts = [
        "<p>Generated from the committed sweeps by <code>make publish</code>: every release step that "
        f"changed a benchmark by more than {report['factor']}x with asv's significance test agreeing, "
        "slower and faster, largest first. The same rows as <code>accelpi versions --json</code> "
        "(<code>flagged</code> and <code>improved</code>).</p>",
        f"<p>{html.escape(CODE_NOTE)}</p>",
    ]
    for library, rows in findings(report).items():
        parts.append(
            f'<h2><a href="{slug(library)}.html">{html.escape(library)}</a></h2>'
            + table(["direction", *STEP_HEADERS], [[c["direction"], *step_rows([c])[0]] for c in rows])
        )
    if len(parts) == 2:
        parts.append("<p>No significant change between any two swept releases.</p>")
    write_atomically(out / "changes.html", page("What changed, release by release", "".join(parts)))
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
        "",
        CODE_NOTE,
    ]
    for library, rows in findings(report).items():
        lines += ["", f"## {library}", "", "| direction | " + " | ".join(STEP_HEADERS) + " |"]
        lines.append("|" + "---|" * (len(STEP_HEADERS) + 1))
        for c in rows:
            cells = [c["direction"], *step_rows([c])[0]]
            lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    if not findings(report):
        lines += ["", "No significant change between any two swept releases."]
    return "\n".join(lines) + "\n"


def replication_markdown(report: dict[str, Any]) -> str:
    """The replication report as Markdown (docs/replication.md), from the same rows as the page."""
    machines = ", ".join(
        f"{k} ({v['cores']} cores, commit {v['commit'][:8]})" for k, v in report["machines"].items()
    )
    lines = [
        "# The 2018 talk, re-measured",
        "",
        "Generated by `make publish` from the committed results (`results/`, `sweeps/`);",
        "do not edit by hand.",
        f"Machines: {machines or 'none'}. Each verdict follows the rule written beside it.",
        "",
        "| the talk's claim | its 2018 figure | today | verdict | rule |",
        "|---|---|---|---|---|",
    ]
    for r in report["rows"]:
        today = "; ".join(f"{k}: {v}" for k, v in r["today"].items()) or "-"
        cells = [r["claim"], r["figure_2018"], today, r["verdict"], r["rule"]]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def replication_page(report: dict[str, Any], out: Path) -> str:
    """The replication report as a page of the site, each row linked to what it reads."""
    rows = []
    for r in report["rows"]:
        links = " ".join(
            f'<a href="{html.escape(link if link.endswith(".html") else "../index.html#" + link)}">'
            f"{html.escape(link.split('/')[-1])}</a>"
            for link in r["links"]
        )
        today = "<br>".join(f"{html.escape(k)}: {html.escape(v)}" for k, v in r["today"].items()) or "-"
        rows.append(
            [html.escape(r["claim"]), html.escape(r["figure_2018"]), today,
             f"<b>{html.escape(r['verdict'])}</b><br><small>{html.escape(r['rule'])}</small>", links]
        )  # fmt: skip
    body = (
        "<p>PyCon JP 2018's comparison of on-the-fly accelerators made eight claims on 2018 hardware and "
        "releases. Each row puts one beside what the committed results say today, recomputed from the "
        "result files by <code>make publish</code> (<code>accelpi replicate</code> prints the same).</p>"
        + table(
            ["the talk's claim", "2018", "today, per machine", "verdict (rule)", "measured by"],
            rows,
            raw=True,
        )
    )
    from . import charts

    figures = [
        {
            "id": f"replication-{number}",
            "spec": charts.series_spec(title, lines, "release"),
            "caption": title,
            "description": title,
        }
        for number, (title, lines) in enumerate(
            item for r in report["rows"] for item in (r.get("series") or {}).items()
        )
    ]
    write_atomically(out / "replication.html", page("The 2018 talk, re-measured", body, figures))
    return "replication.html"


# -- one release, several builds ------------------------------------------------------

#: The talk's figure for the "MKL build" question, placed beside ours.
TALK_MKL = (
    "The 2018 talk measured TensorFlow's MKL build (from conda) about 20 % faster than the stock "
    "build on this workload: a ratio of about 0.83."
)


def builds_note() -> str:
    """What the Intel-builds table compares, from the library table and the registry."""
    from .. import registry
    from ..libraries import multi_build

    builds = [
        f"{' and '.join(others)} against {reference}, each in its own environment"
        for reference, *others in (
            tuple(b for b in family if b in sweep_targets()) for family in multi_build().values()
        )
    ]
    twins = [f"{s.name} against {s.twin}" for s in map(registry.spec, registry.names()) if s.twin]
    return (
        "Each row: one release of a library measured as its stock build and as an Intel build ("
        + "; ".join(builds)
        + "), or as an Intel code path against its stock twin in one environment ("
        + ", ".join(twins)
        + "). Ratio = Intel / stock for the time of 2**25 samples (Throughput), the geometric mean "
        "over the library's backends; below 1 the Intel build is faster. 'faster' and 'slower' count "
        "the backends where asv's significance test agrees and the ratio passes the factor."
    )


def _largest_n(params: str) -> int:
    last = params.rsplit(",", 1)[-1].strip()
    return int(last) if last.isdigit() else -1


def build_summary(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Per library, build, release and switches: the Intel / stock ratio of the Throughput
    benchmark at its largest size (geometric mean over backends) and how many backends
    were significantly faster or slower, from the report's ``builds`` rows."""
    import math

    groups: dict[tuple[str, str, str, str, str], list[dict[str, Any]]] = {}
    for family, rows in report["builds"].items():
        chosen = [d for d in rows if d["benchmark"].endswith("Throughput.time_estimate") and d["ratio"] > 0]
        largest = max((_largest_n(d["params"]) for d in chosen), default=-1)
        for d in chosen:
            if _largest_n(d["params"]) == largest:
                groups.setdefault(
                    (family, d["other"], d["reference"], d["release"], d["context"]), []
                ).append(d)
    factor = report["factor"]
    summary = []
    for (family, other, reference, release, context), rows in groups.items():
        summary.append(
            {
                "library": family,
                "build": other,
                "reference": reference,
                "release": release,
                "context": context,
                "ratio": math.exp(sum(math.log(d["ratio"]) for d in rows) / len(rows)),
                "backends": len(rows),
                "faster": sum(d["significant"] and d["ratio"] < 1 / factor for d in rows),
                "slower": sum(d["significant"] and d["ratio"] > factor for d in rows),
            }
        )
    from packaging.version import Version

    return sorted(summary, key=lambda r: (r["library"], r["build"], Version(r["release"]), r["context"]))


BUILD_HEADERS = ["library", "Intel", "stock", "release", "switches", "ratio", "faster", "slower"]


def build_cells(r: dict[str, Any]) -> list[str]:
    return [
        r["library"],
        r["build"],
        r["reference"],
        r["release"],
        r["context"],
        f"{r['ratio']:.2f}x",
        f"{r['faster']} of {r['backends']}",
        f"{r['slower']} of {r['backends']}",
    ]


def builds_page(report: dict[str, Any], out: Path) -> str:
    """``builds.html``: what an Intel build buys, library by library and release by release."""
    rows = [build_cells(r) for r in build_summary(report)]
    body = f"<p>{html.escape(builds_note())}</p><p>{html.escape(TALK_MKL)}</p>" + (
        table(BUILD_HEADERS, rows) if rows else "<p>No release swept as two builds yet.</p>"
    )
    write_atomically(out / "builds.html", page("What an Intel build buys you", body))
    return "builds.html"


def builds_markdown(report: dict[str, Any]) -> str:
    """The same table as Markdown (docs/intel-builds.md)."""
    lines = [
        "# What an Intel build buys you, release by release",
        "",
        "Generated by `make publish` from the committed sweeps (`sweeps/`); do not edit by hand.",
        f"{builds_note()} Factor: {report['factor']}x.",
        "",
        TALK_MKL,
        "",
        "| " + " | ".join(BUILD_HEADERS) + " |",
        "|" + "---|" * len(BUILD_HEADERS),
    ]
    rows = build_summary(report)
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in build_cells(r)) + " |" for r in rows]
    if not rows:
        lines += ["", "No release swept as two builds yet."]
    return "\n".join(lines) + "\n"
