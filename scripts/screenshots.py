"""Screenshots of the published site for reviewers: every page of ours (front, library, changes,
builds, replication, inventory, gate), at a desktop width (1400 px) and a phone's (412 px),
in headless Chromium (Debian's package).

    python scripts/screenshots.py [SITE_DIR]        # default: html/ (make publish first)

The PNGs go to SITE_DIR/screenshots/.
"""

from __future__ import annotations

import functools
import shutil
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTHS = {"desktop": 1400, "phone": 412}


def main() -> int:
    site = Path(sys.argv[1] if len(sys.argv) > 1 else "html").resolve()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("screenshots need Chromium: Debian's package (apt-get install chromium)", file=sys.stderr)
        return 2
    if not (site / "accelpi" / "index.html").exists():
        print(f"no published site in {site}: make publish (or accelpi site) first", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/accelpi"
    # every page of ours: the front page, each library's, and the others
    pages = {p.stem: p.name for p in sorted((site / "accelpi").glob("*.html"))}
    out = site / "screenshots"
    out.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=FLAGS)
        for name, path in pages.items():
            for label, width in WIDTHS.items():
                page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
                page.goto(f"{base}/{path}", wait_until="networkidle")
                # the charts draw after the page loads; a folded one only when its details open
                shown = "[...document.querySelectorAll('div.vega')].filter(h => !h.closest(FOLDED))"
                shown = shown.replace("FOLDED", "'details:not([open])'")
                holders = page.evaluate(f"{shown}.length")
                if holders:
                    drawn = f"{shown}.filter(h => h.querySelector('svg')).length"
                    page.wait_for_function(f"{drawn} === {holders}")
                target = out / f"{name}-{label}.png"
                page.screenshot(path=str(target), full_page=True)
                print(target)
        browser.close()
    httpd.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
