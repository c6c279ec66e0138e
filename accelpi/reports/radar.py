"""The release radar's entries: one per new release a radar found, with its verdict.

A radar run (:mod:`accelpi.releases.radar`) keeps, per release it found, only what the
results cannot tell: when the index got it, when the radar saw it, its predecessor, and
whether it could not be installed here (its *sighting*, in ``radar.sightings`` beside the results).
Everything else is read from the campaigns each time, through the verdict's one door
(:func:`accelpi.reports.versions.release_steps`): an entry never disappears, and a later
campaign of the same pair (a confirmation) adds to it.

An entry's verdict is over the library's own rows (reference rows, which the library does not
run, are the campaign's controls, not its verdict):

``slower``
    at least one step decided slower (``confirmation`` says whether a second campaign agreed:
    ``provisional``, ``confirmed``); only a confirmed one is an **alarm**;
``faster``
    none slower, at least one faster;
``disputed``
    none slower or faster in every campaign alike: two campaigns decided a row differently;
``no change``
    every tested row the same within the factor;
``undecided``
    no row moved, and not every row could be told the same (the runner's noise);
``not measured``
    found, its campaign not finished (or interrupted: the next run measures it);
``cannot install``
    pip cannot install it for this Python here (``reason``), recorded once.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import InvalidArgument
from . import DEFAULT_FACTOR
from .verdicts import magnitude_of

__all__ = ["VERDICTS", "entries", "issue_text", "latency_text", "parse_time", "verdict_words"]

#: Every verdict an entry can have, worst first.
VERDICTS = ("slower", "disputed", "faster", "undecided", "no change", "not measured", "cannot install")

#: The rows an entry lists as having moved (the largest first), at most.
ROWS_LISTED = 12


def parse_time(text: str | None) -> datetime | None:
    """A time as the radar records it (``2026-12-06T13:05:00Z``); ``None`` for none."""
    if not text:
        return None
    return datetime.fromisoformat(str(text).replace("Z", "+00:00"))


def _row(c: Any) -> dict[str, Any]:
    return {
        "benchmark": c.benchmark,
        "params": c.params,
        "axes": c.axes,
        "outcome": c.outcome,
        "ratio": c.ratio,
        "low": c.low,
        "high": c.high,
        "confirmation": c.confirmation,
        "campaign": c.campaign,
        "test": c.test,
        # the other campaigns (another day, another host) that decided the same
        "agreed": [f"{o['campaign']} ({o['machine']})" for o in c.elsewhere if o["outcome"] == c.outcome],
    }


def _noise(campaigns: dict[str, dict[str, Any]], ids: list[str], steps: list[Any]) -> dict[str, Any]:
    """The runner's own noise in this entry's campaigns: how far the host's calibration moved
    (start to end, and at most), and how far the controls moved the same rows."""
    calibration = [campaigns[i].get("calibration") or {} for i in ids if i in campaigns]
    floors = [c.floor for c in steps if c.floor is not None]
    changes = [c["change"] for c in calibration if isinstance(c.get("change"), int | float)]
    largest = [c["largest_change"] for c in calibration if isinstance(c.get("largest_change"), int | float)]
    return {
        "host_change": max(changes, key=magnitude_of) if changes else None,
        "host_largest_change": max(largest) if largest else None,
        "controls_moved": max(floors) if floors else None,
    }


def _summary(steps: list[Any]) -> tuple[str, str]:
    """(verdict, confirmation) over the library's own rows of one release step."""
    own = [c for c in steps if not c.reference]
    slower = [c for c in own if c.flagged]
    if slower:
        return "slower", "confirmed" if any(c.confirmation == "confirmed" for c in slower) else "provisional"
    if any(c.confirmation == "disputed" for c in own):
        return "disputed", "disputed"
    faster = [c for c in own if c.improved]
    if faster:
        return "faster", "confirmed" if any(c.confirmation == "confirmed" for c in faster) else "provisional"
    tested = [c for c in own if c.outcome not in ("untested", "")]
    if tested and all(c.outcome == "same" for c in tested):
        return "no change", ""
    return "undecided", ""


def entries(
    results: Path, sightings: list[dict[str, Any]], factor: float = DEFAULT_FACTOR
) -> list[dict[str, Any]]:
    """Each sighting with its verdict read from the campaigns in ``results``, newest upload
    first (then newest found)."""
    from ..store.campaigns import load_campaigns
    from .report import _once
    from .versions import release_steps

    steps_of: dict[str, list[Any]] = {}
    campaigns = load_campaigns(results) if results.is_dir() else {}
    found = []
    for sighting in sightings:
        entry: dict[str, Any] = {**sighting, "factor": factor}
        library, release, before = sighting["library"], sighting["release"], sighting.get("predecessor")
        if sighting.get("status") == "cannot install":
            found.append({**entry, "verdict": "cannot install", "confirmation": "", "campaigns": []})
            continue
        if library not in steps_of:
            try:
                steps_of[library] = release_steps(results, library, factor)[1]
            except InvalidArgument:  # a library with no campaign here yet has no steps
                steps_of[library] = []
        # this machine's campaigns of the pair (their confirmation counts every machine's)
        mine = [
            c
            for c in steps_of[library]
            if c.machine == sighting["machine"] and c.before == before and c.after == release and c.campaign
        ]
        steps = _once(mine)
        ids = sorted({c.campaign for c in mine})
        if not steps:
            found.append({**entry, "verdict": "not measured", "confirmation": "", "campaigns": ids})
            continue
        verdict, confirmation = _summary(steps)
        moved = sorted(
            (c for c in steps if not c.reference and c.outcome in ("slower", "faster")),
            key=lambda c: -magnitude_of(c.ratio),
        )
        first = min(c.measured for c in mine if c.measured)
        uploaded = parse_time(sighting.get("uploaded"))
        counts: dict[str, int] = {}
        for c in steps:
            if not c.reference:
                counts[c.outcome] = counts.get(c.outcome, 0) + 1
        found.append(
            {
                **entry,
                "verdict": verdict,
                "confirmation": confirmation,
                "alarm": verdict == "slower" and confirmation == "confirmed",
                "campaigns": ids,
                "first_verdict": first,
                "latest_verdict": max(c.measured for c in mine if c.measured),
                "latency_seconds": (parse_time(first) - uploaded).total_seconds() if uploaded else None,
                "counts": counts,
                "moved": [_row(c) for c in moved[:ROWS_LISTED]],
                "rows": [_row(c) for c in steps if not c.reference],  # every verdict, benchmark by benchmark
                "moved_count": len(moved),
                "worst": _row(moved[0]) if moved else None,
                "noise": _noise(campaigns, ids, steps),
            }
        )
    return sorted(found, key=lambda e: (e.get("uploaded") or "", e.get("found") or ""), reverse=True)


def verdict_words(entry: dict[str, Any]) -> str:
    """``slower (confirmed): 3 rows, worst 1.31x`` and the like."""
    verdict = entry["verdict"]
    words = verdict + (
        f" ({entry['confirmation']})" if entry.get("confirmation") in ("provisional", "confirmed") else ""
    )
    worst = entry.get("worst")
    if worst and verdict in ("slower", "faster"):
        words += f": {entry['moved_count']} row(s), largest {worst['ratio']:.2f}x"
    if verdict == "cannot install":
        words += f": {entry.get('reason', '')}"
    return words


def latency_text(entry: dict[str, Any]) -> str:
    """From upload to first verdict, ``1 h 42 min``; ``-`` where either is not known."""
    seconds = entry.get("latency_seconds")
    if seconds is None:
        return "-"
    minutes = round(seconds / 60)
    if minutes >= 2 * 24 * 60:
        return f"{minutes / (24 * 60):.0f} days"
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


def issue_text(entry: dict[str, Any]) -> dict[str, str]:
    """The GitHub issue of a confirmed slower release: ``title`` (both releases and the worst
    ratio: the same pair always gives the same title, so that none is opened twice) and
    ``body`` (the rows, how sure, and the commands that reproduce it)."""
    library, release, before = entry["library"], entry["release"], entry.get("predecessor")
    worst = entry["worst"]
    title = f"{library} {release} is slower than {before}: up to {worst['ratio']:.2f}x ({entry['machine']})"
    rows = "\n".join(
        f"| `{r['benchmark']}({r['params']})` | {r['axes'] or '-'} | {r['outcome']} | {r['ratio']:.2f}x | "
        f"[{r['low']:.2f}, {r['high']:.2f}] | {r['confirmation']} |"
        for r in entry["moved"]
        if r["low"] is not None and r["high"] is not None
    )
    noise = entry.get("noise") or {}
    host = noise.get("host_change")
    floor = noise.get("controls_moved")
    agreed = sorted({a for r in entry["moved"] if r["confirmation"] == "confirmed" for a in r["agreed"]})
    body = "\n".join(
        [
            f"The release radar measured {library} {release} against {before} on `{entry['machine']}` in "
            f"{', '.join(entry['campaigns'])}; a second, independent campaign decided the same "
            f"({', '.join(agreed)}), so the step is confirmed.",
            "",
            (
                f"Uploaded {entry['uploaded']}; first verdict {entry.get('first_verdict')} "
                f"({latency_text(entry)} later)."
                if entry.get("uploaded")
                else f"Upload time not told by the index; first verdict {entry.get('first_verdict')}."
            ),
            "",
            "| benchmark | environment | outcome | ratio | interval (99 %) | confirmation |",
            "|---|---|---|---|---|---|",
            rows,
            "",
            "The runner's own noise in these campaigns: host speed "
            + (f"{host:.2f}x from start to end" if host else "not recorded")
            + ", controls moved "
            + (f"{floor:.2f}x" if floor else "nothing measurable")
            + " (a step no larger than the controls is never a finding).",
            "",
            "Reproduce:",
            "",
            "```",
            f"accelpi sweep {library} {before} {release} --alone",
            f"accelpi versions --library {library} --provisional",
            "accelpi sweep --replay RESULTS-FILE   # one environment as measured (its .versions file)",
            "```",
        ]
    )
    return {"title": title, "body": body}
