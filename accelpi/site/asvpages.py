"""The one adapter between asv's published pages and ours.

asv 0.6 publishes a fixed application: ``asv publish`` copies its ``index.html``, whose
navigation bar and whose ``<script>``/``<link>`` tags (jQuery, flot, bootstrap from CDNs)
no setting or plugin changes (asv's ``OutputPublisher`` plugins add views inside its
application, not a navigation link, and nothing replaces its CDN tags). With no extension
point for either, :func:`adapt` edits the published copy, after ``asv publish``:

1. one link to our pages, before the navigation bar's Regressions entry;
2. every CDN tag pointed at a copy vendored from the npm packages ``make tools`` installs
   (``.tools/node_modules``), so that the site works offline and asks no other host.

It is strict: when asv's page lacks the Regressions entry or loads a file from a CDN this
table does not know, it raises :class:`AsvTemplateChanged` naming what changed, so that an
asv upgrade fails the tests rather than publishing a site without the link or with CDN
requests. Running it twice changes nothing.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from ..errors import AccelpiError

__all__ = ["NAV_LINK", "VENDOR", "AsvTemplateChanged", "adapt"]

#: CDN address (its tail) -> the same file in an npm package under node_modules.
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


class AsvTemplateChanged(AccelpiError):
    """asv's published page no longer has what :func:`adapt` edits."""


def adapt(site: Path, node_modules: Path) -> list[str]:
    """Add the link to our pages and vendor asv's CDN files (see the module's text).

    Returns the CDN files left as they were because their npm package is not installed.
    """
    index = Path(site) / "index.html"
    if not index.is_file():
        raise AsvTemplateChanged(f"{index} is missing: run asv publish first")
    text = index.read_text()
    if NAV_LINK not in text:
        if NAV_MARKER not in text:
            raise AsvTemplateChanged(f"asv's index.html has no {NAV_MARKER!r} to put the link before")
        index.write_text(text.replace(NAV_MARKER, NAV_LINK + "\n\t" + NAV_MARKER, 1))
    missing: list[str] = []
    for page in Path(site).glob("*.html"):
        page.write_text(_TAG.sub(lambda match: _local(match, site, node_modules, missing), page.read_text()))
    for folder in VENDOR_DIRS:
        if (node_modules / folder).exists():
            shutil.copytree(node_modules / folder, site / "vendor" / folder, dirs_exist_ok=True)
    return sorted(set(missing))


def _local(match: re.Match, site: Path, node_modules: Path, missing: list[str]) -> str:
    tag, url = match.group(0), match.group(2)
    target = next((path for tail, path in VENDOR.items() if url.endswith(tail)), None)
    if target is None:
        raise AsvTemplateChanged(f"asv's pages load {url}, which accelpi does not vendor (asvpages.VENDOR)")
    if not (node_modules / target).exists():
        missing.append(url)
        return tag
    destination = site / "vendor" / target
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(node_modules / target, destination)
    tag = tag.replace(url, f"vendor/{target}")
    return re.sub(r'\s(?:integrity|crossorigin|referrerpolicy)="[^"]*"', "", tag)
