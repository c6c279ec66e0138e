"""accelpi's pages by name: each one's file and entry in the navigation bar, and what every
page is written from (:class:`SiteData`).

The writers live with their pages (:mod:`~accelpi.site.contents` lists them by these keys); this
module imports none of them, so that any page can link another by key (:func:`file_of`) and the
frame can draw the navigation bar (:data:`NAV`) without a circle of imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["NAV", "PAGE_FILES", "SiteData", "file_of"]


@dataclass
class SiteData:
    """What accelpi's pages are written from, read once by ``build_site``: the project's
    ``root``, the release ``report`` (with what cannot install or run), the ``replication``
    report, the inventory ``records`` and their ``problems``, the radar's entries (``radar``)
    and ``site_url``, the gate's ``runs``; ``libraries`` is filled by the library pages (the
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


#: Each page with a file of its own: key -> (file, its entry in the navigation bar), in the
#: bar's order.
PAGE_FILES: dict[str, tuple[str, str]] = {
    "front": ("index.html", "accelpi: which accelerator, which release"),
    "changes": ("changes.html", "what changed, release by release"),
    "radar": ("radar.html", "the release radar"),
    "builds": ("builds.html", "Intel builds"),
    "replication": ("replication.html", "the 2018 talk today"),
    "inventory": ("inventory.html", "what was installed"),
    "gate": ("gate.html", "the pull-request gate"),
}

#: The navigation bar of accelpi's pages: each page's entry, then asv's own pages.
NAV: dict[str, Any] = {
    "asv": True,
    "links": [
        *({"text": text, "href": file} for file, text in PAGE_FILES.values()),
        {"text": "asv: every benchmark over commits", "href": "../index.html"},
    ],
}


def file_of(key: str) -> str:
    """The file of the page ``key`` (``"changes"`` -> ``changes.html``), for a link to it."""
    return PAGE_FILES[key][0]
