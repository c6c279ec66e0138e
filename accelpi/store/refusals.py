"""Releases that cannot be installed here, or install but whose backends cannot run.

A sweep leaves such releases out and says why; the site and the reports show them. The
releases pip refuses are kept in :data:`CANNOT_INSTALL` beside the results; those that
install but fail their first use are read from the inventories (``first_use``).
"""

from __future__ import annotations

import re
from pathlib import Path

from ..libraries import canonical
from .files import read_text, write_atomically
from .records import load_inventories

__all__ = ["CANNOT_INSTALL", "cannot_install", "cannot_run", "exit_status", "record_cannot_install"]

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
    found: dict[tuple[str, str, str], str] = {}
    if path.exists():
        try:
            text = read_text(path, errors="replace")
        except (OSError, ValueError):  # not a file this folder should hold: nothing recorded
            return found
        for line in text.splitlines():
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
            name: _signal(" ".join((at_import.get(name) or why).split()))
            for name, why in (record.get("first_use") or {}).items()
            if isinstance(why, str) and why != "ok"
        }
        if swept and failed:
            # a build that cannot even be imported leaves no installed versions: the release
            # the sweep asked for then names it
            asked = (record.get("requested") or {}).get(swept)
            release = record["installed"].get(canonical(swept)) or (asked if isinstance(asked, str) else "?")
            found.setdefault((swept, release), {}).update(failed)
    return found


def _signal(why: str) -> str:
    """``exit status -4`` (what sweeps before 2026-11-30 recorded) in the words the sweep
    now records: ``killed by SIGILL (Illegal instruction)``."""
    match = re.fullmatch(r"exit status (-\d+)", why)
    return exit_status(int(match.group(1))) if match else why


def exit_status(code: int) -> str:
    """A failed process's exit status in words: ``exit status 3``, or for a process a signal
    killed (a negative status), which signal and what it means (``killed by SIGILL (Illegal
    instruction)``: a build for a CPU feature this host lacks)."""
    import signal

    if code < 0:
        try:
            number = signal.Signals(-code)
        except ValueError:
            return f"killed by signal {-code}"
        return f"killed by {number.name} ({signal.strsignal(number) or 'no description'})"
    return f"exit status {code}"
