"""The HTML and Markdown of the release pages: one page frame, tables, and the rows of
significant release steps that the library pages, the "what changed" page and
docs/what-changed.md share."""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from ..libraries import switch_label
from ..reports.report import findings
from ..store.files import write_atomically
from .sitemap import NAV
from .steps import STEP_HEADERS, step_rows

__all__ = [
    "CAMPAIGN_NOTE",
    "CHART_SCRIPTS",
    "MISSING_SCRIPTS",
    "build_cells",
    "builds_page",
    "code",
    "findings_page",
    "link",
    "marked",
    "navigation",
    "page",
    "section",
    "slug",
    "steps_section",
    "write_assets",
]


@cache
def _templates() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("accelpi.site", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


#: The navigation bar of accelpi's own site (asv's pages one folder up).
_NAV: contextvars.ContextVar[dict[str, Any]] = contextvars.ContextVar("nav", default=NAV)


@contextlib.contextmanager
def navigation(nav: dict[str, Any]) -> Iterator[None]:
    """Write the pages inside this block with ``nav`` as their navigation bar."""
    token = _NAV.set(nav)
    try:
        yield
    finally:
        _NAV.reset(token)


def page(
    title: str,
    body: list[dict[str, Any]],
    charts: list[dict[str, Any]] | None = None,
    after: list[dict[str, Any]] | None = None,
    charts_heading: str | None = "Charts",
    charts_first: bool = False,
) -> str:
    """A page of the site from ``templates/page.html``: ``body`` and ``after`` are sections
    (:func:`section`), ``charts`` are ``{"id", "spec", "caption", "description"}`` drawn by
    vega-embed between the two (``charts_first``: before ``body``), under ``charts_heading``.
    The template writes all the HTML, escaped."""
    template = _templates().get_template("page.html")
    charts = charts or []
    toc = _contents(
        [
            *body,
            *([section(charts_heading, id="charts")] if charts and charts_heading else []),
            *(after or []),
        ]
    )
    return template.render(
        title=title,
        body=body,
        charts=charts,
        charts_shown=CHARTS_SHOWN,
        after=after or [],
        charts_heading=charts_heading,
        charts_first=charts_first,
        nav=_NAV.get(),
        toc=toc,
    )


#: Charts drawn at once on a page; the others fold under "N more charts" (a phone's page
#: was 29,000 px tall).
CHARTS_SHOWN = 3

#: A table longer than this shows its first :data:`ROWS_SHOWN` rows; the rest fold under
#: "N more rows" (on a phone every row is a card, up to 300 px tall).
LONG_TABLE = 8
ROWS_SHOWN = 5

#: A table of this many columns or more (a release step's: 10) longer than
#: ``WIDE_ROWS_SHOWN + 2`` rows shows :data:`WIDE_ROWS_SHOWN`.
WIDE_TABLE = 8
WIDE_ROWS_SHOWN = 3


def _contents(sections: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The page's table of contents: each section with a heading (its words, or a link's), given
    an ``id`` (from its heading) where it has none; drawn at the top when a page has four or more."""
    toc, seen = [], set()
    for s in sections:
        heading = s.get("heading")
        text = heading.get("text") if isinstance(heading, dict) else heading
        if not text:
            continue
        ident = s.get("id") or slug(text).lower() or "section"
        while ident in seen:
            ident += "-2"
        seen.add(ident)
        s["id"] = ident
        toc.append({"id": ident, "text": text})
    return toc


def section(
    heading: str | dict[str, Any] | None = None,
    *paragraphs: str | list[Any],
    headers: list[str] | None = None,
    rows: list[list[Any]] | None = None,
    empty: str | None = None,
    id: str | None = None,
) -> dict[str, Any]:
    """One section of a page: a heading (a text, or a :func:`link`), paragraphs (a text, or a
    list of texts and runs), a table (``headers`` and ``rows``; with no rows, ``empty`` or
    "None." instead), as the template draws it."""
    rows = rows or []
    wide = headers is not None and len(headers) >= WIDE_TABLE  # a card of 8 lines or more: fewer
    longest, folded = (WIDE_ROWS_SHOWN + 2, WIDE_ROWS_SHOWN) if wide else (LONG_TABLE, ROWS_SHOWN)
    shown = len(rows) if len(rows) <= longest else folded
    table = {"headers": headers, "rows": rows, "shown": shown} if headers is not None else None
    return {"heading": heading, "id": id, "paragraphs": list(paragraphs), "table": table, "empty": empty}


def link(text: Any, href: str) -> dict[str, Any]:
    return {"text": str(text), "href": href}


def code(text: str) -> dict[str, Any]:
    return {"text": text, "code": True}


def marked(text: Any, kind: str) -> dict[str, Any]:
    """A text in a class of the stylesheet (``bad``, ``good``, ``rate``)."""
    return {"text": str(text), "class": kind}


#: The scripts the charts need, shipped in the package (``accelpi/site/vendor``, its README
#: names their npm packages, versions and licences) and copied into every site.
CHART_SCRIPTS = ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js")

#: What to do when the package lacks them (an installation that left its data out).
MISSING_SCRIPTS = "this installation of accelpi lacks its accelpi/site/vendor folder: install accelpi again"


def write_assets(out: Path) -> list[str]:
    """The stylesheet, and the chart scripts copied from the package into ``out/vendor``;
    returns the scripts that are missing (an installation without the package's data)."""
    from importlib import resources

    here = resources.files(__package__)
    write_atomically(out / "style.css", here.joinpath("templates/style.css").read_text())
    missing = []
    for name in CHART_SCRIPTS:
        source = here.joinpath("vendor", name)
        if source.is_file():
            (out / "vendor").mkdir(parents=True, exist_ok=True)
            (out / "vendor" / name).write_bytes(source.read_bytes())
        else:
            missing.append(name)
    return missing


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:120]


#: Under a library's steps when some are references (pages and docs/what-changed.md say it).
REFERENCE_NOTE = (
    "A row whose parameters say (reference) is a backend this library does not run (a baseline, "
    "the stock twin of a build, the standard library's thread pool beside Dask), measured in the "
    "same environments: how far that benchmark moved between them without the library's doing. "
    "Read the library's own steps of the same benchmark and size against it."
)


#: What every step means (pages and docs/what-changed.md say it).
CAMPAIGN_NOTE = (
    "Each step compares two releases measured in one campaign: one commit of the benchmark "
    "suite, one host, every release in its own environment, run in passes whose order alternates, "
    "the host's speed calibrated before and after. Releases of two campaigns (other days, commits or "
    "hosts) are never compared: their charts break. The campaign column names it."
)


def steps_section(title: str, changes: list[dict[str, Any]], library: bool = False) -> dict[str, Any]:
    headers = (["library"] if library else []) + STEP_HEADERS
    return section(title, headers=headers, rows=step_rows(changes, library))


def findings_page(report: dict[str, Any], out: Path, command: str = "make publish") -> str:
    body = [
        section(
            None,
            [
                "Generated from the campaigns' results by ",
                code(command),
                f": every release step that changed a benchmark by more than {report['factor']}x, its "
                "interval (over the benchmark processes of each side) excluding no change, slower and "
                "faster, largest first, each with whether a second campaign confirmed it. The same rows as ",
                code("accelpi versions --json"),
                " (",
                code("flagged"),
                " and ",
                code("improved"),
                ").",
            ],
            CAMPAIGN_NOTE,
        )
    ]
    for library, rows in findings(report).items():
        body.append(
            section(
                link(library, f"{slug(library)}.html"),
                *([REFERENCE_NOTE] if any(c.get("reference") for c in rows) else []),
                headers=["direction", *STEP_HEADERS],
                rows=[[c["direction"], *step_rows([c])[0]] for c in rows],
            )
        )
    if len(body) == 1:
        body.append(section(None, "No significant change between any two swept releases."))
    write_atomically(out / "changes.html", page("What changed, release by release", body))
    return "changes.html"


def replication_page(report: dict[str, Any], out: Path) -> str:
    """The replication report as a page of the site, each row linked to what it reads."""
    rows = []
    for r in report["rows"]:
        links = [
            link(target.split("/")[-1], target if target.endswith(".html") else "../index.html#" + target)
            for target in r["links"]
        ]
        today = {"lines": [f"{k}: {v}" for k, v in r["today"].items()] or ["-"]}
        verdict = {"text": r["verdict"], "strong": True, "small": r["rule"]}
        rows.append([r["claim"], r["figure_2018"], today, verdict, {"lines": links or ["-"]}])
    body = [
        section(
            None,
            [
                "PyCon JP 2018's comparison of on-the-fly accelerators made eight claims on 2018 hardware "
                "and releases. Each row puts one beside what the committed results say today, recomputed "
                "from the result files by ",
                code("make publish"),
                " (",
                code("accelpi replicate"),
                " prints the same).",
            ],
            headers=["the talk's claim", "2018", "today, per machine", "verdict (rule)", "measured by"],
            rows=rows,
        )
    ]
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


def builds_note(summary: list[dict[str, Any]]) -> str:
    """What the Intel-builds table compares: the builds and twins its rows hold (none it lacks)."""
    from .. import registry

    pairs = dict.fromkeys((r["build"], r["reference"]) for r in summary)
    twins = {s.name for s in map(registry.spec, registry.names()) if s.twin}
    builds = [f"{b} against {ref}" for b, ref in pairs if b not in twins]
    paths = [f"{b} against {ref}" for b, ref in pairs if b in twins]
    parts = [
        *([f"as its stock build and as an Intel build ({'; '.join(builds)}, each in its own environment)"]
          if builds else []),
        *([f"as an Intel code path against its stock twin in one environment ({', '.join(paths)})"]
          if paths else []),
    ]  # fmt: skip
    return (
        "Each row: one release of a library measured "
        + (", or ".join(parts) or "as two builds")
        + ". Ratio = Intel / stock for the time of 2**25 samples (Throughput), the geometric mean "
        "over the library's backends; below 1 the Intel build is faster. 'faster' and 'slower' count "
        "the backends where the verdict's test agrees and the ratio passes the factor. Both builds "
        "of a row were measured in one campaign (the campaign column): one commit, one host. Stock "
        "TensorFlow runs with oneDNN on by default (since 2.9 on Linux x86): those rows come first and "
        "answer the question; the rows with oneDNN off follow, for comparison."
    )


BUILD_HEADERS = [
    *("library", "Intel", "stock", "release", "switches", "ratio", "faster", "slower", "campaign")
]


def build_cells(r: dict[str, Any]) -> list[str]:
    return [
        r["library"],
        r["build"],
        r["reference"],
        r["release"],
        switch_label(r["shared"]) or "-",
        f"{r['ratio']:.2f}x",
        f"{r['faster']} of {r['backends']}",
        f"{r['slower']} of {r['backends']}",
        r["campaign"],
    ]


def builds_page(report: dict[str, Any], out: Path) -> str:
    """``builds.html``: does an Intel build buy anything (the answer first, per library), then
    library by library and release by release."""
    from ..reports.builds import build_summary, builds_answer

    summary = build_summary(report)
    body = [
        section(
            "Does an Intel build make this workload faster?",
            *(builds_answer(summary) or ["Not measured yet."]),
        ),
        section(
            None,
            builds_note(summary),
            TALK_MKL,
            headers=BUILD_HEADERS,
            rows=[build_cells(r) for r in summary],
            empty="No release swept as two builds yet.",
        ),
    ]
    write_atomically(out / "builds.html", page("What an Intel build buys you", body))
    return "builds.html"
