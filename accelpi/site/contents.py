"""accelpi's own pages, one protocol: each page is a writer under its key, written from what the
site read once (:class:`~accelpi.site.sitemap.SiteData`); its file and navigation entry are in
:mod:`~accelpi.site.sitemap` under the same key.

asv's ``OutputPublisher`` is the model: a new page is one entry of :data:`PAGES` and one of
``PAGE_FILES``, not another argument threaded through ``build_site`` and the front page. A test
keeps the two lists the same, so a page cannot be written without a link to it, or linked
without being written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .front import front_page, inventory_page
from .gate import gate_page
from .library import library_pages
from .pages import builds_page, findings_page, replication_page
from .radar import radar_feed, radar_page
from .sitemap import SiteData

__all__ = ["PAGES", "SitePage", "write_pages"]


@dataclass(frozen=True)
class SitePage:
    """One page (or family of pages: the libraries') under its ``key``, and ``write(data, out)``
    (what it returns, a file name for some, is not used)."""

    key: str
    write: Callable[[SiteData, Path], object]


def _libraries(data: SiteData, out: Path) -> None:
    data.libraries = library_pages(data.report, out)


def _radar(data: SiteData, out: Path) -> None:
    radar_page(data.radar, out, set(data.report["libraries"]))
    radar_feed(data.radar, out, data.site_url)


#: Every page, in the order they are written: the libraries first (the front page lists them),
#: the front page last (it links the others).
PAGES: tuple[SitePage, ...] = (
    SitePage("libraries", _libraries),
    SitePage("changes", lambda data, out: findings_page(data.report, out)),
    SitePage("radar", _radar),
    SitePage("builds", lambda data, out: builds_page(data.report, out)),
    SitePage("replication", lambda data, out: replication_page(data.replication, out)),
    SitePage("inventory", lambda data, out: inventory_page(data.records, data.problems, out)),
    SitePage("gate", lambda data, out: gate_page(data.runs, out)),
    SitePage("front", front_page),
)


def write_pages(data: SiteData, out: Path) -> None:
    """Write every page of :data:`PAGES` into ``out``, in their order."""
    for page in PAGES:
        page.write(data, out)
