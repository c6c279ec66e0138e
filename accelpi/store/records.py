"""Inventories: what each asv environment really installed, stored beside its result.

asv names an environment after what it *asked* pip for (``numba0.60.0``, or just
``numba`` for "latest"), never after what pip installed, and re-running a commit in the
same environment overwrites its result. The measuring tools store ``accelpi info --json``
run inside each environment next to its result file (``*.versions``, see
:mod:`accelpi.releases.record`); this module reads those records back, checked for shape.

A record's ``distributions`` (since 2026-11-27) holds each distribution's exact files:
the wheel's file name and its sha256, where it came from, and a digest of the installed
files (:mod:`accelpi.releases.provenance`); :data:`FIELDS` are what drift compares.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..libraries import canonical
from .files import read_text
from .schemas import check

__all__ = [
    "FIELDS",
    "INVENTORY_SUFFIX",
    "PROJECT",
    "file_records",
    "installed_versions",
    "load_inventories",
    "machine_of",
    "project_of",
    "read_record",
    "wheel_label",
    "wheel_tags",
]

#: Suffix of an inventory beside asv's result file (asv reads every ``*.json`` under
#: ``results/`` as a result, so an inventory must not end in ``.json``).
INVENTORY_SUFFIX = ".versions"

#: The project itself is rebuilt from each commit: its files change with the code, not by drift.
PROJECT = "accelpi"


def project_of(record: dict[str, Any]) -> str:
    """The distribution rebuilt from each commit in a record's environment: accelpi, or
    the other project whose suite was measured."""
    return canonical(str(record.get("project") or PROJECT))


#: What drift compares, distribution by distribution.
FIELDS = ("version", "wheel", "sha256", "content_sha256")


def installed_versions(record: Any) -> dict[str, str]:
    """``{distribution: version}`` from an inventory record (``accelpi info --json``);
    whatever is not of that shape is ignored."""
    environment = record.get("environment") if isinstance(record, dict) else None
    libraries = environment.get("libraries") if isinstance(environment, dict) else None
    if not isinstance(libraries, dict):
        return {}
    return {
        canonical(entry["distribution"]): str(entry["version"])
        for entry in libraries.values()
        if isinstance(entry, dict)
        and isinstance(entry.get("distribution"), str)
        and isinstance(entry.get("version"), str | int | float)
    }


def read_record(path: Path) -> dict[str, Any]:
    """One inventory record, checked for shape; raises ``ValueError`` saying what is wrong."""
    try:
        record = json.loads(read_text(path))
    except UnicodeDecodeError:
        raise ValueError("not text (binary data)") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg} at line {exc.lineno})") from None
    except RecursionError:
        raise ValueError("nested too deeply to be a record") from None
    if not isinstance(record, dict):
        raise ValueError(f"a JSON {type(record).__name__}, not an inventory record (an object)")
    check(record, "inventory")
    return record


def machine_of(folder: Path, results_dir: Path) -> str:
    """The asv machine a results folder belongs to: the first folder at or above ``folder``,
    up to ``results_dir``, holding a ``machine.json`` (a campaign's folder lies inside its
    machine's), named as that file names it; else the folder below ``results_dir``."""
    top = Path(results_dir)
    for candidate in (folder, *folder.parents):
        if candidate == top.parent:
            break
        try:
            name = json.loads(read_text(candidate / "machine.json")).get("machine")
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(name, str):
            return name
    relative = folder.relative_to(top) if folder.is_relative_to(top) else folder
    return relative.parts[0] if relative.parts else folder.name


def load_inventories(
    results_dir: str | Path, skipped: list[dict[str, str]] | None = None
) -> list[dict[str, Any]]:
    """Every ``*.versions`` record under ``results_dir`` (campaign folders included), with
    ``machine``, ``file`` and ``installed`` added.

    A file that is empty, truncated, binary or of another shape is left out, and named in
    ``skipped`` (``{"file", "why"}``) when a list is given: one bad file never takes the
    report down.
    """
    records = []
    machines: dict[Path, str] = {}
    for path in sorted(Path(results_dir).glob(f"**/*{INVENTORY_SUFFIX}")):
        try:
            record = read_record(path)
        except (OSError, ValueError) as exc:
            if skipped is not None:
                skipped.append({"file": str(path), "why": str(exc)})
            continue
        if path.parent not in machines:
            machines[path.parent] = machine_of(path.parent, Path(results_dir))
        record["machine"] = machines[path.parent]
        record["path"] = str(path)
        record["file"] = path.name
        record["installed"] = installed_versions(record)
        record.setdefault("requested", {})
        record.setdefault("env_vars", {})
        records.append(record)
    return records


def file_records(record: dict[str, Any]) -> dict[str, dict[str, Any]] | None:
    """``{distribution: entry}`` of the exact files (see :mod:`accelpi.releases.provenance`),
    or ``None`` for a record written before inventories carried them (or whose recording
    failed)."""
    found = record.get("distributions")
    if not isinstance(found, dict) or "error" in found:
        return None
    return {k: v for k, v in found.items() if isinstance(v, dict)}


def wheel_tags(filename: str) -> tuple[set[str], str | None]:
    """The tags a wheel's file name stands for, and its build tag."""
    from packaging.utils import parse_wheel_filename

    _, _, build, tags = parse_wheel_filename(filename)
    return {str(t) for t in tags}, (f"{build[0]}{build[1]}" if build else None)


def wheel_label(entry: dict[str, Any]) -> str:
    """A short build label for tables: the platform part of the wheel's tags
    (``manylinux_2_28_x86_64``, ``any``) and its build tag, or the origin."""
    if entry.get("origin") not in {"index", "local file", "url"} or not entry.get("wheel"):
        return str(entry.get("origin", "?"))
    from packaging.utils import InvalidWheelFilename

    try:
        tags, build = wheel_tags(str(entry["wheel"]))
    except InvalidWheelFilename:  # a record from elsewhere: said, not a traceback
        return "not a wheel's file name"
    platforms = sorted({t.rsplit("-", 1)[-1] for t in tags}, key=len)
    label = platforms[0] if platforms else "?"
    return f"{label} build {build}" if build else label
