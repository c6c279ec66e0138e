"""The release radar: a new release of a tracked library, measured against its predecessor.

``accelpi radar`` asks the package index, through pip (a user's index configuration holds),
which final releases of each sweepable library (or, with ``--project``, of a dependency of
another project's suite) exist for this Python, and finds those newer than the newest release
already measured on this machine in a campaign (PEP 440 order; pre-releases only with
``pre``). For them it plans one focused campaign: the new releases, each one's predecessor on
the index, and the newest release measured here, so that the new point joins this machine's
history inside one campaign; with the verdict's own controls (the control copy, the reference
rows). Where nothing is measured here yet, the newest release is new and its predecessor is
its baseline.

What it keeps of each new release (its **sighting**, in :data:`RADAR_FILE` beside the
results): the release, its predecessor, when it was uploaded (:mod:`.uploads`), when the radar
first saw it, and whether it can be installed here. A release that cannot is recorded once
with pip's reason (the results' ``cannot-install.tsv``) and not tried again unless ``retry``.
The verdicts are read from the campaigns (:mod:`accelpi.reports.radar`), never stored twice.

Nothing is measured twice: a release already measured in a campaign here is not new. A run
interrupted at any point leaves no half-measured campaign (campaigns publish only when every
pass finished) and a sighting still "new": the next run measures it. An entry whose verdict is
slower but provisional is measured again, the same pair alone, by the next run (or at once
with ``confirm``); only when the second campaign agrees is it confirmed, and an alarm.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import InvalidArgument
from ..store.radar import RADAR_FILE, load_sightings, save_sightings, sighting_key
from . import pip
from .uploads import iso, upload_times

__all__ = ["RADAR_FILE", "RadarPlan", "load_sightings", "plan_radar", "save_sightings"]


@dataclass
class RadarPlan:
    """What the radar will do for one library on this machine."""

    library: str
    machine: str
    newest_measured: str | None  # the newest release measured here in a campaign
    new: list[str]  # newer than that (the newest on the index, where nothing is measured here)
    predecessor: dict[str, str | None]  # new release -> the release before it on the index
    uploaded: dict[str, str | None] = field(default_factory=dict)  # new release -> ISO time, or None
    refused: dict[str, str] = field(default_factory=dict)  # new releases recorded as not installable
    confirm: list[tuple[str, str]] = field(default_factory=list)  # provisional slower pairs, again
    cost: dict[str, float] = field(default_factory=dict)  # "A B C" (a campaign's releases) -> seconds

    def releases(self) -> list[str]:
        """The focused campaign's releases, oldest first: the new ones that can be tried,
        their predecessors, and the newest measured here."""
        from packaging.version import Version

        chosen = {v for v in self.new if v not in self.refused}
        if not chosen:
            return []
        chosen |= {p for v in chosen if (p := self.predecessor.get(v))}
        if self.newest_measured:
            chosen.add(self.newest_measured)
        return sorted(chosen, key=Version)

    def to_dict(self) -> dict[str, Any]:
        return {
            "library": self.library,
            "machine": self.machine,
            "newest_measured": self.newest_measured,
            "new": self.new,
            "predecessor": self.predecessor,
            "uploaded": self.uploaded,
            "cannot_install": self.refused,
            "campaign": self.releases(),
            "confirm": [list(pair) for pair in self.confirm],
            "estimated_seconds": self.cost,
        }


def plan_radar(
    library: str,
    results: Path,
    machine: str,
    pre: bool = False,
    retry: bool = False,
    python: str = "",
    now: datetime | None = None,
    listing: Callable[..., list[str]] = pip.index_listing,
) -> RadarPlan:
    """What is new for ``library`` on the index against what ``machine`` measured in
    ``results``, and which provisional slower steps are to be measured again. ``listing``:
    ``listing(distribution, before=None, pre=False)``, the releases the index lists (before an
    upload time), :func:`accelpi.releases.pip.index_listing` by default."""
    from packaging.version import InvalidVersion, Version

    from ..reports.radar import entries
    from ..store.refusals import cannot_install
    from .campaign import history

    on_index = []
    for text in listing(library, pre=pre):
        try:
            version = Version(text)
        except InvalidVersion:
            continue
        if pre or not (version.is_prerelease or version.is_devrelease):
            on_index.append(str(version))
    on_index.sort(key=Version, reverse=True)
    if not on_index:
        raise InvalidArgument(
            f"the package index lists no {'' if pre else 'final '}release of {library} here"
        )
    measured = history(results, machine, library)
    newest = measured[-1] if measured else None
    if newest is None:
        new = on_index[:1]
    else:
        new = [v for v in on_index if Version(v) > Version(newest)]
    predecessor = {v: (on_index[i + 1] if i + 1 < len(on_index) else None) for i, v in enumerate(on_index)}
    refusals = cannot_install(results) if Path(results).is_dir() else {}
    refused = {
        v: why
        for (lib, v, py), why in refusals.items()
        if lib == library and v in new and (not python or py == python)
    }
    plan = RadarPlan(
        library,
        machine,
        newest,
        sorted(new, key=Version),
        {v: predecessor[v] for v in new},
        refused={} if retry else refused,
    )
    if new:
        times = upload_times(
            library,
            plan.new,
            now=now,
            pre=pre,
            listed=lambda before: set(listing(library, before=before, pre=pre)),
        )
        plan.uploaded = {v: iso(t) if t else None for v, t in times.items()}
    sightings = [
        s for s in load_sightings(results) if s["library"] == library and s.get("machine") == machine
    ]
    for entry in entries(Path(results), sightings):
        if (
            entry["verdict"] == "slower"
            and entry["confirmation"] == "provisional"
            and entry.get("predecessor")
        ):
            plan.confirm.append((entry["predecessor"], entry["release"]))
    return plan


def record_found(results: Path, plan: RadarPlan, now: datetime | None = None) -> list[dict[str, Any]]:
    """Add a sighting for each new release of ``plan`` not seen before (those recorded as not
    installable say so, with pip's reason); returns every sighting of ``results``."""
    sightings = load_sightings(results)
    seen = {sighting_key(s) for s in sightings}
    when = iso(now or datetime.now(UTC))
    for release in plan.new:
        sighting = {
            "library": plan.library,
            "release": release,
            "predecessor": plan.predecessor.get(release),
            "machine": plan.machine,
            "uploaded": plan.uploaded.get(release),
            "found": when,
            "status": "cannot install" if release in plan.refused else "new",
            "reason": plan.refused.get(release, ""),
        }
        if sighting_key(sighting) not in seen:
            sightings.append(sighting)
    save_sightings(results, sightings)
    return sightings


def record_outcome(results: Path, plan: RadarPlan, skipped: dict[str, str]) -> None:
    """After the campaign: the new releases measured, or refused by pip (``skipped``)."""
    sightings = load_sightings(results)
    for s in sightings:
        if s["library"] == plan.library and s.get("machine") == plan.machine and s["release"] in plan.new:
            if s["release"] in skipped:
                s["status"], s["reason"] = "cannot install", " ".join(skipped[s["release"]].split())
            elif s["release"] not in plan.refused:
                s["status"], s["reason"] = "measured", ""
    save_sightings(results, sightings)
