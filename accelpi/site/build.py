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

import subprocess
import sys
from pathlib import Path

from ..errors import InvalidArgument
from ..reports import DEFAULT_FACTOR
from ..reports.gate import load_runs
from ..reports.inventory import drift
from ..reports.radar import entries
from ..reports.replicate import replication_report
from ..reports.report import release_report
from ..store import COMMIT_RESULTS, SWEEP_RESULTS
from ..store.files import write_atomically
from ..store.radar import load_sightings
from ..store.records import load_inventories
from ..store.refusals import cannot_install, cannot_run
from .asvpages import adapt
from .contents import write_pages
from .markdown import builds_markdown, findings_markdown, replication_markdown
from .pages import MISSING_SCRIPTS, write_assets
from .sitemap import SiteData

__all__ = ["build_site"]

OUR_DIR = "accelpi"

#: Where the pull-request gate's recorded runs are gathered (``accelpi gate --record gate``).
GATE_RUNS = "gate"

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
    "projects",
    GATE_RUNS,
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


def _publish_asv(root: Path, site: Path, node_modules: Path) -> None:
    """asv's own pages (``asv publish``), adapted: a link to ours, its scripts from
    ``node_modules`` where they are (else from CDNs, said)."""
    done = subprocess.run(
        [sys.executable, "-m", "asv", "publish", "--html-dir", str(site)],
        cwd=root,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        lines = [line for line in (done.stderr or done.stdout).splitlines() if line.strip()]
        raise InvalidArgument(f"asv publish failed: {lines[-1] if lines else f'exit {done.returncode}'}")
    left = adapt(site, node_modules)
    if left:
        print(f"accelpi site: from CDNs (`make tools` vendors them): {', '.join(left)}", file=sys.stderr)


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
    gate: str | None = GATE_RUNS,
    site_url: str = "",
) -> Path:
    """Publish asv's site and write ours beside it; returns the site's folder.

    asv's pages come from ``asv.conf.json``'s results folder (the commit history); ours
    from the sweeps in ``sweeps``. ``node_modules`` holds the npm packages of asv's
    JavaScript libraries (default: ``.tools/node_modules``, from ``make tools``); without
    them asv's pages load the libraries from CDNs, as asv's own site does (our charts' scripts
    come with the package). ``findings_md``:
    also write the "what changed" summary there (``docs/what-changed.md``); ``replication_md``
    and ``builds_md``: the replication report and the Intel-builds table likewise. Unreadable
    results files are left out and named in ``skipped`` when a list is given. ``gate``: the
    folder of the pull-request gate's recorded runs (``accelpi gate --record``), drawn on
    ``gate.html`` (none there: the page says how to record one). The release radar's entries
    (``radar.sightings`` in ``sweeps``) make ``radar.html``, the Atom feed ``radar.xml`` (its links
    absolute under ``site_url`` when given) and the front page's latest releases.
    """
    root = Path(root)
    site = root / html_dir
    check_site_folder(root, site)
    if not (root / "asv.conf.json").exists():
        raise InvalidArgument(f"{root} has no asv.conf.json: run 'accelpi site' in the project's folder")
    if not (root / sweeps / "benchmarks.json").exists():
        raise InvalidArgument(f"no sweep results in {root / sweeps} (benchmarks.json is missing)")
    if publish:
        _publish_asv(root, site, node_modules or root / ".tools" / "node_modules")
    out = site / OUR_DIR
    out.mkdir(parents=True, exist_ok=True)
    for name in write_assets(out):  # none, unless the installation lost the package's data
        print(f"accelpi site: charts need {name}: {MISSING_SCRIPTS}", file=sys.stderr)
    report = release_report(root / sweeps, None, factor)
    report["cannot_install"] = cannot_install(root / sweeps)
    report["cannot_run"] = cannot_run(root / sweeps)
    unread: list[dict[str, str]] = []
    records = [
        r
        for folder in (COMMIT_RESULTS, sweeps)
        if (root / folder).is_dir()
        for r in load_inventories(root / folder, unread)
    ]
    data = SiteData(
        root,
        report,
        replication_report(root),
        records,
        drift(records),
        entries(root / sweeps, load_sightings(root / sweeps), factor),
        load_runs(root / gate, unread) if gate else [],
        site_url,
    )
    if skipped is not None:
        skipped += report["skipped"] + unread
    write_pages(data, out)
    for wanted, markdown in (
        (findings_md, lambda: findings_markdown(report)),
        (replication_md, lambda: replication_markdown(data.replication)),
        (builds_md, lambda: builds_markdown(report)),
    ):
        if wanted:
            write_atomically(root / wanted, markdown())
    return site
