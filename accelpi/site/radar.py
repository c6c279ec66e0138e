"""``radar.html`` and ``radar.xml``: the release radar's entries, newest upload first.

One entry per new release a radar found (:mod:`accelpi.reports.radar`): the library, the
release, when the index got it, the verdict in words, the rows that moved, how long from upload
to verdict, and links to the release's page and its campaigns. The Atom feed carries the same
entries (feedgen writes it), so that a feed reader tells its user when a release was measured;
an entry keeps its id whatever later campaigns add, and its ``updated`` moves with them.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from ..reports.radar import latency_text, parse_time, verdict_words
from ..store.files import write_atomically
from .pages import code, link, marked, page, section, slug

__all__ = ["FEED_ID", "LATEST", "radar_feed", "radar_page", "radar_rows"]

#: The feed's id: a tag URI (RFC 4151), stable wherever the site is published.
FEED_ID = "tag:accelpi.github.io,2026:radar"

#: Entries in the front page's "latest releases" box.
LATEST = 5

HEADERS = ["library", "release", "against", "uploaded", "verdict", "moved", "upload to verdict", "campaigns"]


def _verdict_cell(entry: dict[str, Any]) -> Any:
    words = verdict_words(entry)
    if entry["verdict"] == "slower":
        return marked(words, "bad")
    if entry["verdict"] == "faster":
        return marked(words, "good")
    return words


def _moved(entry: dict[str, Any]) -> str:
    rows = entry.get("moved") or []
    shown = ", ".join(
        f"{r['benchmark'].rsplit('.', 2)[-2]}({r['params']}) {r['ratio']:.2f}x" for r in rows[:3]
    )
    more = entry.get("moved_count", 0) - min(len(rows), 3)
    return (shown + (f" and {more} more" if more > 0 else "")) or "-"


def _page_of(entry: dict[str, Any], libraries: set[str]) -> Any:
    name = f"{slug(entry['library'])}.html"
    return link(entry["release"], name) if entry["library"] in libraries else entry["release"]


def radar_rows(found: list[dict[str, Any]], libraries: set[str] = frozenset()) -> list[list[Any]]:
    """The table's rows, one per entry; ``libraries``: those with a release page (``LIBRARY.html``)."""
    return [
        [
            e["library"],
            _page_of(e, libraries),
            e.get("predecessor") or "-",
            (e.get("uploaded") or "not told by the index").replace("T", " ").removesuffix("Z"),
            _verdict_cell(e),
            _moved(e),
            latency_text(e),
            ", ".join(e.get("campaigns") or []) or "-",
        ]
        for e in found
    ]


def radar_page(found: list[dict[str, Any]], out: Path, libraries: set[str] = frozenset()) -> str:
    """Write ``radar.html``; returns its name."""
    body = [
        section(
            None,
            [
                "Each new release of a tracked library that the radar found on the package index, measured "
                "on this project's machine against the release before it in one focused campaign (",
                code("accelpi radar"),
                "). A slower verdict is provisional until a second campaign agrees; only a confirmed one "
                "raises the alarm. Subscribe: ",
                link("radar.xml", "radar.xml"),
                " (Atom).",
            ],
            headers=HEADERS,
            rows=radar_rows(found, libraries),
            empty="No new release found yet: accelpi radar runs on a schedule (docs/radar.md).",
        )
    ]
    for e in found:
        if e.get("noise") and e.get("moved"):
            body.append(
                section(
                    f"{e['library']} {e['release']} against {e.get('predecessor')}",
                    _noise_text(e),
                    headers=[
                        "benchmark",
                        "parameters",
                        "environment",
                        "outcome",
                        "ratio [interval]",
                        "confirmation",
                    ],
                    rows=[
                        [
                            code(r["benchmark"]),
                            r["params"],
                            r["axes"] or "-",
                            r["outcome"],
                            f"{r['ratio']:.2f}x"
                            + (f" [{r['low']:.2f}, {r['high']:.2f}]" if r["low"] is not None else ""),
                            (r["confirmation"] or "-")
                            + (f" by {', '.join(r['agreed'])}" if r["confirmation"] == "confirmed" else ""),
                        ]
                        for r in e["moved"]
                    ],
                    id=f"{slug(e['library'])}-{slug(e['release'])}",
                )
            )
    write_atomically(out / "radar.html", page("The release radar", body))
    return "radar.html"


def _noise_text(e: dict[str, Any]) -> str:
    noise = e["noise"]
    host = noise.get("host_change")
    floor = noise.get("controls_moved")
    return (
        f"Measured on {e['machine']} in {', '.join(e['campaigns'])}. The runner's own noise: host speed "
        + (f"{host:.2f}x from start to end" if host else "not recorded")
        + "; the campaign's controls moved the same rows by up to "
        + (f"{floor:.2f}x" if floor else "nothing measurable")
        + "."
    )


def _updated(e: dict[str, Any]) -> datetime:
    return parse_time(e.get("latest_verdict") or e.get("found") or "2026-01-01T00:00:00Z")


def radar_feed(found: list[dict[str, Any]], out: Path, site_url: str = "") -> str:
    """Write ``radar.xml``, an Atom feed of the entries; returns its name. ``site_url``: where
    the site is published (the entries' links are made absolute), else links stay relative."""
    from feedgen.feed import FeedGenerator

    base = site_url.rstrip("/") + "/" if site_url else ""
    feed = FeedGenerator()
    feed.id(FEED_ID)
    feed.title("accelpi release radar")
    feed.subtitle(
        "New releases of NumPy, Numba, PyTorch, TensorFlow, JAX, Dask... measured against their predecessors"
    )
    feed.link(href=f"{base}radar.html", rel="alternate")
    feed.language("en")
    feed.author({"name": "accelpi"})
    feed.updated(max((_updated(e) for e in found), default=parse_time("2026-01-01T00:00:00Z")))
    for e in reversed(found):  # feedgen lists the last added first
        item = feed.add_entry()
        item.id(f"{FEED_ID}/{slug(e.get('machine') or 'any')}/{slug(e['library'])}/{e['release']}")
        item.title(f"{e['library']} {e['release']}: {verdict_words(e)}")
        anchor = f"#{slug(e['library'])}-{slug(e['release'])}" if e.get("moved") else ""  # its rows
        item.link(href=f"{base}radar.html{anchor}")
        item.updated(_updated(e))
        if e.get("uploaded"):
            item.published(parse_time(e["uploaded"]))
        item.summary(
            f"{e['library']} {e['release']} against {e.get('predecessor') or 'nothing'}, "
            f"on {e.get('machine')}: "
            f"{verdict_words(e)}. Moved: {_moved(e)}. Upload to verdict: {latency_text(e)}."
        )
    write_atomically(out / "radar.xml", feed.atom_str(pretty=True).decode())
    return "radar.xml"
