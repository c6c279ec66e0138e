"""The release radar's record: the new releases a radar found (its *sightings*).

One file per results folder, :data:`RADAR_FILE`, beside the campaigns it caused: per release,
only what the results cannot tell (the library, the release, its predecessor on the index, the
machine, when it was uploaded and first seen, whether it installs and why not). Written by
:mod:`accelpi.releases.radar`; read by :mod:`accelpi.reports.radar` and the site.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import InvalidArgument
from .files import read_text, write_atomically

__all__ = ["RADAR_FILE", "SIGHTING_FIELDS", "load_sightings", "save_sightings", "sighting_key"]

#: The radar's sightings, in the results folder: JSON, but not named ``.json`` (asv and the
#: store read every ``.json`` file of a results folder as a result).
RADAR_FILE = "radar.sightings"

#: The fields of a sighting, each written by the radar.
SIGHTING_FIELDS = ("library", "release", "predecessor", "machine", "uploaded", "found", "status", "reason")


def load_sightings(results: Path) -> list[dict[str, Any]]:
    """The sightings of ``results`` (none yet: an empty list). A file that is not the radar's
    raises :class:`InvalidArgument` naming it: a radar never overwrites what it cannot read."""
    path = Path(results) / RADAR_FILE
    if not path.exists():
        return []
    try:
        data = json.loads(read_text(path))
        sightings = data["sightings"]
        if not isinstance(sightings, list) or not all(
            isinstance(s, dict) and isinstance(s.get("library"), str) and isinstance(s.get("release"), str)
            for s in sightings
        ):
            raise ValueError("sightings must be a list of objects with a library and a release")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InvalidArgument(
            f"{path} is not the radar's record ({exc}); move it away to start anew"
        ) from None
    return sightings


def save_sightings(results: Path, sightings: list[dict[str, Any]]) -> None:
    """Write the sightings (atomically: an interrupted write leaves the old file)."""
    Path(results).mkdir(parents=True, exist_ok=True)
    kept = [{k: s.get(k) for k in SIGHTING_FIELDS} for s in sightings]
    kept.sort(key=lambda s: (s["library"], s["machine"] or "", s["found"] or "", s["release"]))
    write_atomically(Path(results) / RADAR_FILE, json.dumps({"sightings": kept}, indent=1) + "\n")


def sighting_key(sighting: dict[str, Any]) -> tuple[str, str, str]:
    return sighting["library"], sighting["release"], sighting.get("machine") or ""
