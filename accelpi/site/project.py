"""Another project's release pages: ``accelpi site --project DIR --results R --html OUT``.

The same pages as accelpi's own release pages (one chart per benchmark against the
release, a line per campaign, the significant steps with the test that decided them),
drawn from the campaigns of another project's suite; no asv pages (the results are one
commit's, measured in many environments), and a front page of their own: which project,
which commit, which libraries, the largest steps.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import InvalidArgument
from ..reports import DEFAULT_FACTOR
from ..reports.inventory import drift
from ..reports.report import findings, release_report
from ..reports.verdicts import magnitude
from ..store.files import write_atomically
from ..store.records import load_inventories
from ..store.refusals import cannot_install, cannot_run
from .front import inventory_page
from .library import LIBRARY_HEADERS, library_pages
from .markdown import findings_markdown
from .pages import (
    MISSING_SCRIPTS,
    code,
    findings_page,
    link,
    navigation,
    page,
    section,
    write_assets,
)
from .steps import STEP_HEADERS, step_rows

__all__ = ["build_project_site"]

_NAV = {
    "asv": False,
    "links": [
        link("release pages", "index.html"),
        link("what changed, release by release", "changes.html"),
        link("what was installed", "inventory.html"),
    ],
}


#: The file this command leaves in the folder it writes: only a folder holding it (or a new or
#: empty one) is written again, never one that merely has an ``index.html`` of someone else's.
MARKER = ".accelpi-project-site"


def _check_folder(project: Any, site: Path) -> None:
    """A new or empty folder, or one this command wrote before (its :data:`MARKER`); never the
    project."""
    target, top = site.resolve(), project.repo.resolve()
    if target == top or top in target.parents or target in top.parents:
        raise InvalidArgument(f"--html {site}: inside the project's repository ({top}) or above it")
    if target.exists() and not target.is_dir():
        raise InvalidArgument(f"--html {site}: not a folder")
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).is_file():
        raise InvalidArgument(
            f"--html {site}: not empty and not a site this command wrote (no {MARKER} in it): its files "
            "would be replaced; choose a new folder"
        )


def build_project_site(
    project: Any,
    results: Path,
    html: Path,
    factor: float = DEFAULT_FACTOR,
    findings_md: Path | None = None,
    skipped: list[dict[str, str]] | None = None,
) -> Path:
    """Write the release pages of ``project``'s campaigns in ``results`` into ``html``."""
    results, site = Path(results), Path(html)
    if not (results / "benchmarks.json").exists():
        raise InvalidArgument(f"no campaign results in {results} (benchmarks.json is missing)")
    _check_folder(project, site)
    site.mkdir(parents=True, exist_ok=True)
    write_atomically(site / MARKER, f"written by accelpi site --project {project.root.name}\n")
    missing = write_assets(site)
    report = release_report(results, None, factor, project.repo)
    report["cannot_install"] = cannot_install(results)
    report["cannot_run"] = cannot_run(results)
    if skipped is not None:
        skipped += report["skipped"]
    command = f"accelpi site --project {project.root.name}"
    with navigation(_NAV):
        rows = library_pages(report, site, note="", suite=project.name)
        changes = findings_page(report, site, command)
        records = load_inventories(results, skipped)
        inventory_page(records, drift(records), site)
        largest = sorted((c for cs in findings(report).values() for c in cs), key=lambda c: -magnitude(c))
        body = [
            section(
                None,
                [
                    f"{project.name}'s own asv benchmarks, measured by accelpi across releases of the "
                    "libraries it depends on: one asv environment per release, every release of a campaign "
                    "measured on one commit of the project, on one host, in passes alternating over them (",
                    code("accelpi sweep --project"),
                    "). A step is taken only inside one campaign.",
                ],
            ),
            section(
                "Libraries",
                headers=LIBRARY_HEADERS,
                rows=rows,
                empty="No campaign results yet.",
            ),
            section(
                f"The largest release steps (factor {factor}, significant)",
                [link("every step, per library", changes), "."],
                headers=["direction", "library", *STEP_HEADERS],
                rows=[[c["direction"], *step_rows([c], library=True)[0]] for c in largest[:10]],
            ),
        ]
        write_atomically(
            site / "index.html", page(f"{project.name}: its benchmarks across library releases", body)
        )
    if findings_md:
        generated = (
            f"Generated by `{command} --results RESULTS --findings FILE` from the campaign results of "
            f"{project.name}'s asv suite; do not edit by hand."
        )
        write_atomically(
            Path(findings_md), findings_markdown(report, generated, f"{project.name}'s benchmarks")
        )
    if missing:
        import sys

        print(f"accelpi site: charts need {', '.join(missing)}: {MISSING_SCRIPTS}", file=sys.stderr)
    return site
