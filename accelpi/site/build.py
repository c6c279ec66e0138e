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
from pathlib import Path
from typing import Any

from packaging.version import Version

from .. import registry
from ..errors import InvalidArgument
from ..libraries import by_distribution
from ..ranking import cells
from ..reports import DEFAULT_FACTOR
from ..reports.inventory import KEY_DISTRIBUTIONS, drift, version_and_build
from ..reports.machines import machines
from ..reports.replicate import replication_report
from ..reports.report import findings, release_report
from ..reports.verdicts import magnitude
from ..store import COMMIT_RESULTS, SWEEP_RESULTS, asvcompat
from ..store.files import write_atomically
from ..store.records import load_inventories
from ..store.refusals import cannot_install, cannot_run
from . import charts
from .asvpages import adapt
from .library import library_page
from .pages import (
    BUILD_HEADERS,
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
    table,
    write_assets,
)

__all__ = ["build_site"]

OUR_DIR = "accelpi"

#: The figures of a ranking row after the rate, in the order of the table's columns.
FIGURES = ("spread", "vs_python", "vs_numpy", "first_call", "sigma")

#: Release steps the front page lists (the largest); the "what changed" page has them all.
FRONT_STEPS = 8


def asv_graph(bench: str, machine: str, backend: str, n: int | None) -> str:
    """The address of asv's graph of one backend's throughput on one machine, selected in
    asv's page as its own links do (``#BENCHMARK?machine=M&p-backend='name'&p-n=N``)."""
    from urllib.parse import quote

    query = [("machine", machine), ("p-backend", repr(backend))]
    if bench == "Throughput" and n:
        query.append(("p-n", str(n)))
    text = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in query)
    return f"../index.html#throughput.{bench}.time_estimate?{text}"


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
            shown = cells(r)
            star = "" if r["n"] == summary["n"] else "*"
            rows.append(
                [
                    f'<a href="{html.escape(asv_graph(bench, machine, r["backend"], r["n"]))}">'
                    f"{html.escape(r['backend'])}</a>",
                    f'<span class="rate">{shown["rate"]}</span>{star}',
                    *(
                        html.escape(shown[k])
                        for k in ("spread", "vs_python", "vs_numpy", "first_call", "sigma")
                    ),
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


def _glossary() -> str:
    """What each backend is, from the registry: natural code or a hand-tuned kernel."""
    rows = [
        [
            spec.name,
            spec.library,
            spec.summary,
            "hand-tuned: this workload's ceiling" if spec.tuned else "as a user writes it",
        ]
        for spec in map(registry.spec, registry.names())
    ]
    return (
        "<h2>What the backends are</h2><p>A backend is one way to run the workload. Most are written as "
        "a user of the library would write them; the hand-tuned kernels show how fast the workload can "
        "be, not how fast the library usually is (numba:fused's speed-up is not Numba's).</p>"
        + table(["backend", "library", "what it is", "kind"], rows)
    )


def _default_pins(root: Path) -> list[list[str]]:
    """The default asv environment's pins (asv.conf.json) with the library table's reason."""
    requested = asvcompat.load_json(root / "asv.conf.json", js_comments=True)["matrix"]["req"]
    rows = []
    for name, version in requested.items():
        lib = by_distribution(name)
        if version:
            rows.append([name, (lib.pin if lib and lib.pin else version)])
    return rows


#: Folders of the project a site is never written into: ``asv publish`` empties its folder first.
PROJECT_FOLDERS = (
    COMMIT_RESULTS,
    SWEEP_RESULTS,
    "experiments",
    "docs",
    "benchmarks",
    "accelpi",
    "tests",
    "scripts",
)


def check_site_folder(root: Path, site: Path) -> None:
    """Refuse, before anything is written, a folder the site would destroy: ``asv publish``
    empties the folder it writes to. Accepted: a new or empty folder, or a site built before
    (asv's ``index.json`` beside its ``index.html``, or accelpi's pages); never the project,
    a folder above it, or one of its data and source folders."""
    target, top = site.resolve(), root.resolve()
    if target == top or target in top.parents:
        raise InvalidArgument(
            f"--html {site}: the project itself (or a folder above it); choose a folder of its own"
        )
    for name in (*PROJECT_FOLDERS, ".git", ".asv", ".venv"):
        guarded = (top / name).resolve()
        if target == guarded or guarded in target.parents:
            raise InvalidArgument(
                f"--html {site}: inside the project's {name}/ folder, which the site would empty; "
                "choose another folder (the default is html/)"
            )
    if not target.exists():
        return
    if not target.is_dir():
        raise InvalidArgument(f"--html {site}: not a folder")
    previous = (target / OUR_DIR / "index.html").is_file() or (
        (target / "index.json").is_file() and (target / "index.html").is_file()
    )
    if any(target.iterdir()) and not previous:
        shown = ", ".join(sorted(p.name for p in target.iterdir())[:5])
        raise InvalidArgument(
            f"--html {site}: not empty and not a site built before (it holds {shown}); asv would "
            "delete what it holds: choose a new or empty folder"
        )


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
    check_site_folder(root, site)
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
        page_name = library_page(library, data, report, out)
        versions = sorted({v for s in data["series"] for v in s["values"]}, key=Version)
        slower = sum(c["library"] == library for c in report["flagged"])
        faster = sum(c["library"] == library for c in report["improved"])
        sections.append(
            [
                f'<a href="{page_name}">{html.escape(library)}</a>',
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
    hosts = [
        [m["machine"], m["cpu"], m["cores"], m["memory"], m["history"], m["release_campaigns"]]
        for m in machines(root)
    ]
    body = (
        _ranking(root, figures)
        + _glossary()
        + "<h2>The machines</h2><p>Every result names the host it was measured on: asv's machine, named "
        "after the host's fingerprint (CPU model and flags, cores, memory, kernel). Results of two "
        "machines are never compared.</p>"
        + table(["machine", "CPU", "cores", "memory", "commit history", "release campaigns"], hosts)
        + "<p>asv plots benchmarks against accelpi's commits; these pages plot them against the releases of "
        "the libraries accelpi accelerates with (campaigns of <code>accelpi sweep</code>).</p>"
        "<h2>Library releases</h2>"
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
    front = page(
        "accelpi: which accelerator is fastest here, and did a release change it?",
        body,
        figures,
        charts_heading=None,
        charts_first=True,
    )
    write_atomically(out / "index.html", front)
    return site
