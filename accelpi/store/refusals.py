"""Releases that cannot be installed here, or install but whose backends cannot run.

A sweep leaves such releases out and says why; the site and the reports show them. The
releases pip refuses are kept in :data:`CANNOT_INSTALL` beside the results; those that
install but fail their first use are read from the inventories (``first_use``).
"""

from __future__ import annotations

from pathlib import Path

from ..libraries import canonical
from .files import write_atomically
from .records import load_inventories

__all__ = ["CANNOT_INSTALL", "cannot_install", "cannot_run", "record_cannot_install"]

#: Releases that cannot be installed here, with pip's reason: one line each, tab-separated
#: (library, release, Python, reason), beside the results (not ``.json``: asv reads those).
CANNOT_INSTALL = "cannot-install.tsv"


def record_cannot_install(
    library: str,
    python: str,
    skipped: dict[str, str],
    results_dir: Path,
    installable: list[str] = (),
) -> None:
    """Keep the releases of ``library`` a plan left out (``release -> pip's reason``), and
    forget those that install now (``installable``: a wheel appeared, a pin was lifted)."""
    path = results_dir / CANNOT_INSTALL
    known = cannot_install(results_dir)
    for version in installable:
        known.pop((library, version, python), None)
    for version, reason in skipped.items():
        known[(library, version, python)] = " ".join(reason.split())
    lines = [f"{lib}\t{version}\t{py}\t{why}" for (lib, version, py), why in sorted(known.items())]
    write_atomically(path, "".join(line + "\n" for line in lines))


def cannot_install(results_dir: Path) -> dict[tuple[str, str, str], str]:
    """``(library, release, python) -> reason`` of the releases recorded as not installable."""
    path = Path(results_dir) / CANNOT_INSTALL
    found = {}
    if path.exists():
        for line in path.read_text(errors="replace").splitlines():
            parts = line.split("\t")
            if len(parts) == 4:
                found[(parts[0], parts[1], parts[2])] = parts[3]
    return found


def cannot_run(results_dir: Path) -> dict[tuple[str, str], dict[str, str]]:
    """``(library, release) -> {backend: why}`` of swept releases that installed but whose
    backends failed their first use there (recorded by the sweep, ``first_use``).

    A backend that failed already on import says so in the inventory's backend list too, with
    the whole message (``first_use`` of older sweeps kept only its last line): that one is
    given then.
    """
    found: dict[tuple[str, str], dict[str, str]] = {}
    for record in load_inventories(results_dir) if Path(results_dir).is_dir() else []:
        swept = record.get("swept")
        at_import = {
            b["name"]: b["reason"]
            for b in record.get("backends") or []
            if isinstance(b, dict) and not b.get("available", True) and isinstance(b.get("reason"), str)
        }
        failed = {
            name: " ".join((at_import.get(name) or why).split())
            for name, why in (record.get("first_use") or {}).items()
            if isinstance(why, str) and why != "ok"
        }
        if swept and failed:
            release = record["installed"].get(canonical(swept), "?")
            found.setdefault((swept, release), {}).update(failed)
    return found
