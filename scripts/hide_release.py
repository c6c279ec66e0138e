"""A copy of a results folder without one release: how the release radar is shown on real releases.

The radar finds what is newer on the package index than the newest release measured here. To
show it on a release that is already measured (and on its real upload time), hide that release
in a copy of the results, then run the radar on the copy::

    python scripts/hide_release.py sweeps numba 0.68.1 ../hidden/sweeps
    accelpi radar --library numba --results ../hidden/sweeps
    python scripts/hide_release.py projects/xarray/radar pandas 3.1.1 ../hidden/xarray
    accelpi radar --project ../xarray/asv_bench --library pandas --results ../hidden/xarray

Every environment of the release (its asv result file and inventory, the control copy
included) is left out of the copy, on every machine or on ``--machine``; each campaign that
measured it keeps its other releases, and its record loses the release's environments,
processes, place in each pass's order, control and share of the campaign's seconds (a
campaign left with no environment is left out whole); the radar's sightings of the release are
dropped. The original folder is only read.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def hide_release(results: Path, library: str, release: str, out: Path, machine: str = "") -> list[str]:
    """Copy ``results`` to ``out`` without ``library``'s ``release``; return the files left out."""
    from packaging.utils import canonicalize_name

    from accelpi.store.campaigns import read_campaign, write_campaign
    from accelpi.store.radar import load_sightings, save_sightings
    from accelpi.store.records import load_inventories

    if out.exists():
        raise SystemExit(f"hide_release: {out} exists; give a folder that does not")
    name = canonicalize_name(library)
    shutil.copytree(results, out, symlinks=True)
    hidden: list[str] = []
    touched: dict[Path, set[str]] = {}
    for record in load_inventories(out):
        if canonicalize_name(str(record.get("swept") or "")) != name or (
            machine and record["machine"] != machine
        ):
            continue
        if record["installed"].get(name) != release:
            continue
        inventory = Path(record["path"])
        for path in (inventory, inventory.with_suffix(".json")):
            if path.exists():
                path.unlink()
                hidden.append(str(path.relative_to(out)))
        touched.setdefault(inventory.parent, set()).add(str(record.get("env_name") or ""))
    if not hidden:
        raise SystemExit(f"hide_release: no environment of {library} {release} in {results}")
    for folder, environments in touched.items():
        still = any(
            r["installed"].get(name) == release
            for r in load_inventories(folder)
            if canonicalize_name(str(r.get("swept") or "")) == name
        )
        for path in folder.glob("*.campaign"):
            _trim(path, environments, "" if still else release, read_campaign, write_campaign)
        if not any(folder.glob("*.versions")):
            shutil.rmtree(folder)
            hidden.append(str(folder.relative_to(out)) + "/")
    sightings = load_sightings(out)
    kept = [s for s in sightings if not (canonicalize_name(s["library"]) == name and s["release"] == release)]
    if len(kept) != len(sightings):
        save_sightings(out, kept)
        hidden.append("radar.sightings: the sightings of the release")
    return hidden


def _trim(path: Path, environments: set[str], release: str, read: Any, write: Any) -> None:
    """A campaign record without ``environments``, and without ``release`` (``""``: it keeps
    the release, measured in another of its environments)."""
    record = read(path)
    before = record.get("environments") or []
    record["environments"] = [e for e in before if e not in environments]
    if before and isinstance(record.get("seconds"), int | float):  # what the rest took, for costs
        record["seconds"] *= len(record["environments"]) / len(before)
    record["processes"] = {e: v for e, v in (record.get("processes") or {}).items() if e not in environments}
    if release:
        record["releases"] = [r for r in record.get("releases") or [] if r != release]
        record["added"] = {
            k: v for k, v in (record.get("added") or {}).items() if not k.endswith(f" {release}")
        }
    for entry in record.get("pass_log") or []:
        for round_ in entry.get("rounds") or []:
            order, at = round_.get("order") or [], round_.get("at") or []
            pairs = [(e, t) for e, t in zip(order, at, strict=False) if e not in environments]
            round_["order"] = [e for e, _ in pairs]
            round_["at"] = [t for _, t in pairs]
    write(path.parent, record)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", type=Path, help="a results folder (sweeps/, projects/NAME/radar)")
    parser.add_argument("library")
    parser.add_argument("release")
    parser.add_argument("out", type=Path, help="the copy, a folder that does not exist yet")
    parser.add_argument("--machine", default="", help="hide it on this machine only")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    for line in hide_release(args.results, args.library, args.release, args.out, args.machine):
        print(f"left out {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
