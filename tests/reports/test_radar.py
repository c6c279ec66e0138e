"""The release radar: what is new, when it was uploaded, its entry, page, feed and issue."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from accelpi import InvalidArgument
from accelpi.releases import radar
from accelpi.releases.uploads import EARLIEST, PRECISION, iso, upload_times
from accelpi.reports.radar import entries, issue_text, latency_text, verdict_words

from ..asv_files import write_release_results as _write_results

NOW = datetime(2026, 11, 9, 20, 0, tzinfo=UTC)  # the campaigns below end on November 10 and 11

#: An index as pip answers it: each release with the moment its first file here was uploaded
#: (``None``: a folder of wheels that tells no time, listed whatever time is asked).
UPLOADS = {
    "0.66.0": datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
    "0.67.0": datetime(2026, 7, 14, 17, 2, 41, tzinfo=UTC),
    "0.68.1": NOW - timedelta(hours=5, minutes=13, seconds=20),
    "0.69.0rc1": NOW - timedelta(hours=1),
    "0.65.0": None,
}


def _listing(distribution: str, before: str | None = None, pre: bool = False) -> list[str]:
    """Answers as ``pip index versions --json [--uploaded-prior-to]`` does, and counts them."""
    _listing.asked = getattr(_listing, "asked", 0) + 1
    moment = datetime.fromisoformat(before.replace("Z", "+00:00")) if before else None
    return [
        release
        for release, uploaded in UPLOADS.items()
        if (pre or "rc" not in release) and (uploaded is None or moment is None or uploaded < moment)
    ]


def _listed(before: str | None) -> set[str]:
    return set(_listing("numba", before, pre=True))


def test_an_upload_time_is_found_to_the_minute_and_an_index_without_times_says_so():
    _listing.asked = 0
    found = upload_times("numba", ["0.68.1", "0.67.0", "0.65.0"], now=NOW, listed=_listed)
    # doubling back, then halving: tens of questions, not one a minute
    assert _listing.asked < 60
    for release in ("0.68.1", "0.67.0"):
        assert UPLOADS[release] < found[release] <= UPLOADS[release] + PRECISION
    assert found["0.65.0"] is None  # listed even before EARLIEST: the index gives no time
    # the end of the whole minute it became installable in, whenever the radar asks
    assert found["0.67.0"] == datetime(2026, 7, 14, 17, 3, tzinfo=UTC)
    for later in (timedelta(seconds=37), timedelta(hours=3, minutes=17, seconds=12)):
        assert upload_times("numba", ["0.68.1", "0.67.0"], now=NOW + later, listed=_listed) == {
            release: found[release] for release in ("0.68.1", "0.67.0")
        }
    assert iso(EARLIEST) == "2000-01-01T00:00:00Z"


def test_what_is_new_is_newer_than_the_newest_release_measured_here(tmp_path):
    _write_results(tmp_path, {"0.66.0": 0.010, "0.67.0": 0.011}, machine="box")
    plan = radar.plan_radar("numba", tmp_path, "box", now=NOW, listing=_listing)
    assert plan.newest_measured == "0.67.0" and plan.new == ["0.68.1"]  # no pre-release without pre
    assert plan.predecessor == {"0.68.1": "0.67.0"} and plan.releases() == ["0.67.0", "0.68.1"]
    uploaded = datetime.fromisoformat(plan.uploaded["0.68.1"].replace("Z", "+00:00"))
    assert UPLOADS["0.68.1"] < uploaded <= UPLOADS["0.68.1"] + PRECISION
    with_pre = radar.plan_radar("numba", tmp_path, "box", pre=True, now=NOW, listing=_listing)
    assert with_pre.new == ["0.68.1", "0.69.0rc1"] and with_pre.releases() == [
        "0.67.0",
        "0.68.1",
        "0.69.0rc1",
    ]
    # another machine measured nothing: its newest release, against the one before it
    elsewhere = radar.plan_radar("numba", tmp_path, "other", now=NOW, listing=_listing)
    assert elsewhere.newest_measured is None and elsewhere.releases() == ["0.67.0", "0.68.1"]


def test_a_release_that_cannot_install_is_recorded_once_and_not_tried_again_unless_retry(tmp_path):
    from accelpi.store.refusals import record_cannot_install

    _write_results(tmp_path, {"0.66.0": 0.010, "0.67.0": 0.011}, machine="box")
    record_cannot_install("numba", "3.11", {"0.68.1": "no wheel for this Python"}, tmp_path)
    plan = radar.plan_radar("numba", tmp_path, "box", python="3.11", now=NOW, listing=_listing)
    assert plan.refused == {"0.68.1": "no wheel for this Python"} and plan.releases() == []
    radar.record_found(tmp_path, plan, now=NOW)
    radar.record_found(tmp_path, plan, now=NOW + timedelta(hours=1))  # seen again: not twice
    (entry,) = entries(tmp_path, radar.load_sightings(tmp_path))
    assert entry["verdict"] == "cannot install" and entry["found"] == iso(NOW)
    assert verdict_words(entry) == "cannot install: no wheel for this Python"
    again = radar.plan_radar("numba", tmp_path, "box", python="3.11", retry=True, now=NOW, listing=_listing)
    assert again.refused == {} and again.releases() == ["0.67.0", "0.68.1"]


def test_an_entry_reads_its_verdict_from_the_campaigns_and_a_second_campaign_confirms_it(tmp_path):
    _write_results(
        tmp_path, {"0.66.0": 0.010, "0.67.0": 0.011}, machine="box", campaign="numba-20261101T000000Z"
    )
    plan = radar.plan_radar("numba", tmp_path, "box", now=NOW, listing=_listing)
    radar.record_found(tmp_path, plan, now=NOW)
    (waiting,) = entries(tmp_path, radar.load_sightings(tmp_path))
    assert waiting["verdict"] == "not measured"  # found; its campaign has not published
    # the radar's campaign: 0.67.0 and 0.68.1 together, 0.68.1 twice as slow
    _write_results(
        tmp_path, {"0.67.0": 0.011, "0.68.1": 0.022}, machine="box", campaign="numba-20261110T000000Z"
    )
    radar.record_outcome(tmp_path, plan, skipped={})
    (entry,) = entries(tmp_path, radar.load_sightings(tmp_path))
    assert entry["verdict"] == "slower" and entry["confirmation"] == "provisional" and not entry["alarm"]
    assert entry["campaigns"] == ["numba-20261110T000000Z"] and entry["moved_count"] == 1
    assert [(r["params"], r["outcome"]) for r in entry["rows"]] == [("'numba:fused', 33554432", "slower")]
    assert entry["worst"]["ratio"] == pytest.approx(2.0) and entry["worst"]["low"] > 1
    # uploaded 5 h 13 min before NOW, its campaign ended at 01:00 the next day: 10 h 13-14 min
    assert latency_text(entry) in ("10 h 13 min", "10 h 14 min")
    assert entry["noise"]["controls_moved"] is None
    # the next run measures the pair again before anyone is told
    nothing_new = radar.plan_radar("numba", tmp_path, "box", now=NOW, listing=_listing)
    assert nothing_new.new == [] and nothing_new.confirm == [("0.67.0", "0.68.1")]
    _write_results(
        tmp_path, {"0.67.0": 0.011, "0.68.1": 0.023}, machine="box", campaign="numba-20261111T000000Z", day=11
    )
    (entry,) = entries(tmp_path, radar.load_sightings(tmp_path))
    assert entry["confirmation"] == "confirmed" and entry["alarm"]
    assert entry["campaigns"] == ["numba-20261110T000000Z", "numba-20261111T000000Z"]
    issue = issue_text(entry)
    assert issue["title"] == "numba 0.68.1 is slower than 0.67.0: up to 2.09x (box)"
    assert "accelpi sweep numba 0.67.0 0.68.1 --alone" in issue["body"] and "| confirmed |" in issue["body"]
    assert radar.plan_radar("numba", tmp_path, "box", now=NOW, listing=_listing).confirm == []


def test_the_radars_record_is_refused_when_it_is_not_the_radars(tmp_path):
    (tmp_path / radar.RADAR_FILE).write_text('{"sightings": [{"library": 3}]}')
    with pytest.raises(InvalidArgument, match="is not the radar's record"):
        radar.load_sightings(tmp_path)
    (tmp_path / radar.RADAR_FILE).write_text("not json")
    with pytest.raises(InvalidArgument, match="move it away"):
        radar.record_found(tmp_path, radar.RadarPlan("numba", "box", None, ["1.0"], {"1.0": None}))
    assert (tmp_path / radar.RADAR_FILE).read_text() == "not json"  # never overwritten


def _site(tmp_path: Path) -> tuple[list[dict], Path]:
    from accelpi.site.radar import radar_feed, radar_page

    _write_results(
        tmp_path, {"0.67.0": 0.011, "0.68.1": 0.022}, machine="box", campaign="numba-20261110T000000Z"
    )
    sightings = [
        {
            "library": "numba",
            "release": "0.68.1",
            "predecessor": "0.67.0",
            "machine": "box",
            "uploaded": "2026-11-09T20:00:00Z",
            "found": "2026-11-09T21:00:00Z",
            "status": "measured",
            "reason": "",
        },
        {
            "library": "torch",
            "release": "2.14.0",
            "predecessor": "2.13.0",
            "machine": "box",
            "uploaded": None,
            "found": "2026-11-09T21:00:00Z",
            "status": "cannot install",
            "reason": "<no wheel>",
        },
    ]
    radar.save_sightings(tmp_path, sightings)
    found = entries(tmp_path, radar.load_sightings(tmp_path))
    out = tmp_path / "site"
    out.mkdir()
    assert radar_page(found, out, {"numba"}) == "radar.html"
    assert radar_feed(found, out, "https://example.org/accelpi/") == "radar.xml"
    return found, out


def test_the_radar_page_lists_every_entry_newest_upload_first(tmp_path):
    found, out = _site(tmp_path)
    assert [e["release"] for e in found] == ["0.68.1", "2.14.0"]  # an unknown upload time last
    html = (out / "radar.html").read_text()
    assert html.index("0.68.1") < html.index("2.14.0")
    assert 'href="numba.html"' in html and "slower (provisional): 1 row(s), largest 2.00x" in html
    assert "&lt;no wheel&gt;" in html and "<no wheel>" not in html  # escaped
    assert 'id="numba-0-68-1"' in html  # the feed's links land on the entry's rows


def test_the_feed_is_atom_that_a_feed_parser_accepts(tmp_path):
    import feedparser  # a test dependency: the feed must pass a parser that real readers use

    _, out = _site(tmp_path)
    feed = feedparser.parse((out / "radar.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10" and feed.feed.title == "accelpi release radar"
    titles = [e.title for e in feed.entries]
    assert titles == [
        "numba 0.68.1: slower (provisional): 1 row(s), largest 2.00x",
        "torch 2.14.0: cannot install: <no wheel>",
    ]
    first = feed.entries[0]
    assert first.link == "https://example.org/accelpi/radar.html#numba-0-68-1"
    assert first.id.endswith("/box/numba/0.68.1") and first.published.startswith("2026-11-09T20:00:00")


def test_radar_report_on_the_command_line(tmp_path):
    _site(tmp_path)
    command = [sys.executable, "-m", "accelpi", "radar", "--report", "--results", str(tmp_path)]
    done = subprocess.run([*command, "--json"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr  # provisional: no alarm
    data = json.loads(done.stdout)
    assert data["alarms"] == 0 and [e["verdict"] for e in data["entries"]] == ["slower", "cannot install"]
    wide = {**os.environ, "COLUMNS": "200"}
    table = subprocess.run(command, capture_output=True, text=True, timeout=120, env=wide)
    assert table.returncode == 0 and "slower (provisional)" in " ".join(table.stdout.split())
    issues = subprocess.run([*command, "--issues"], capture_output=True, text=True, timeout=120)
    assert json.loads(issues.stdout) == []
    bad = subprocess.run([*command, "--library", "numbaa"], capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and "did you mean 'numba'" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.network
def test_the_radar_plans_from_the_real_index_with_upload_times(tmp_path):
    """Nothing measured here: the newest numba on the index is new, its predecessor its baseline,
    its upload time found through pip (or said to be unknown where the index tells none)."""
    command = [sys.executable, "-m", "accelpi", "radar", "--library", "numba", "--plan", "--json"]
    done = subprocess.run([*command, "--results", str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    (plan,) = json.loads(done.stdout)["plans"]
    (new,) = plan["new"]
    assert plan["newest_measured"] is None and plan["campaign"] == [plan["predecessor"][new], new]
    uploaded = plan["uploaded"][new]
    if uploaded is not None:  # listed only after that minute, and before now
        moment = datetime.fromisoformat(uploaded.replace("Z", "+00:00"))
        assert EARLIEST < moment <= datetime.now(UTC)
        from accelpi.releases.pip import index_listing

        assert new in index_listing("numba", before=uploaded)
        assert new not in index_listing("numba", before=iso(moment - 2 * PRECISION))
    assert plan["estimated_seconds"][" ".join(plan["campaign"])] > 0
    assert not (tmp_path / radar.RADAR_FILE).exists()  # a plan records nothing
