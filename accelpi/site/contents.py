"""accelpi's own pages, one protocol: each says its file, its entry in the navigation bar, and
how it is written from what the site read once (:class:`SiteData`).

asv's ``OutputPublisher`` is the model: a new page is one entry of :data:`PAGES` (a writer in
the module of its kind), not another argument threaded through ``build_site`` and the front
page. The navigation bar (:data:`NAV`) and the front page's links come from the same list, so a
page cannot be written without a link to it, or linked without being written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["NAV", "PAGES", "SiteData", "SitePage", "file_of", "write_pages"]


@dataclass
class SiteData:
    """What accelpi's pages are written from, read once by ``build_site``: the project's
    ``root``, the release ``report`` (with what cannot install or run), the ``replication``
    report, the inventory ``records`` and their ``problems``, the radar's ``entries`` and
    ``site_url``, the gate's ``runs``; ``libraries`` is filled by the library pages (the
    front page's table of them)."""

    root: Path
    report: dict[str, Any]
    replication: dict[str, Any]
    records: list[dict[str, Any]]
    problems: list[dict[str, Any]]
    radar: list[dict[str, Any]]
    runs: list[dict[str, Any]]
    site_url: str = ""
    libraries: list[list[Any]] = field(default_factory=list)


@dataclass(frozen=True)
class SitePage:
    """One page: its ``file`` (``None`` for a family of pages, the libraries'), the words of its
    entry in the navigation bar (``None``: none), and ``write(data, out)``."""

    key: str
    file: str | None
    nav: str | None
    write: Callable[[SiteData, Path], None]


def _libraries(data: SiteData, out: Path) -> None:
    from .library import library_pages

    data.libraries = library_pages(data.report, out)


def _changes(data: SiteData, out: Path) -> None:
    from .pages import findings_page

    findings_page(data.report, out)


def _radar(data: SiteData, out: Path) -> None:
    from .radar import radar_feed, radar_page

    radar_page(data.radar, out, set(data.report["libraries"]))
    radar_feed(data.radar, out, data.site_url)


def _builds(data: SiteData, out: Path) -> None:
    from .pages import builds_page

    builds_page(data.report, out)


def _replication(data: SiteData, out: Path) -> None:
    from .pages import replication_page

    replication_page(data.replication, out)


def _inventory(data: SiteData, out: Path) -> None:
    from .front import inventory_page

    inventory_page(data.records, data.problems, out)


def _gate(data: SiteData, out: Path) -> None:
    from .gate import gate_page

    gate_page(data.runs, out)


def _front(data: SiteData, out: Path) -> None:
    from .front import front_page

    front_page(data, out)


#: Every page, in the order they are written (the front page last: it links the others and
#: lists the libraries) and, where they have one, of the navigation bar.
PAGES: tuple[SitePage, ...] = (
    SitePage("libraries", None, None, _libraries),
    SitePage("front", "index.html", "accelpi: which accelerator, which release", _front),
    SitePage("changes", "changes.html", "what changed, release by release", _changes),
    SitePage("radar", "radar.html", "the release radar", _radar),
    SitePage("builds", "builds.html", "Intel builds", _builds),
    SitePage("replication", "replication.html", "the 2018 talk today", _replication),
    SitePage("inventory", "inventory.html", "what was installed", _inventory),
    SitePage("gate", "gate.html", "the pull-request gate", _gate),
)

#: The navigation bar of accelpi's pages: each page's entry, then asv's own pages.
NAV: dict[str, Any] = {
    "asv": True,
    "links": [
        *({"text": p.nav, "href": p.file} for p in PAGES if p.nav and p.file),
        {"text": "asv: every benchmark over commits", "href": "../index.html"},
    ],
}


def file_of(key: str) -> str:
    """The file of the page ``key`` (``"changes"`` -> ``changes.html``), for a link to it."""
    found = next((p.file for p in PAGES if p.key == key), None)
    if found is None:
        raise KeyError(f"no page {key!r} with a file of its own")
    return found


def write_pages(data: SiteData, out: Path) -> None:
    """Write every page of :data:`PAGES` into ``out``, the front page last."""
    for p in sorted(PAGES, key=lambda p: p.key == "front"):
        p.write(data, out)
