"""What else differs between the two environments of a release step, from their inventories.

A step of numba 0.61.2 to 0.62.1 may also move NumPy (each release resolved with what it needs)
or llvmlite; a step of another project's dependency, anything. :func:`also_differs` says what
(``numpy 2.2.6 → 2.3.5``), so that a reader knows whether "only pandas differs"; nothing is
claimed where an inventory is missing.
"""

from __future__ import annotations

import functools
from pathlib import Path

from ..libraries import canonical
from ..store.series import Series

__all__ = ["ALSO_SHOWN", "also_differs", "environments"]


def environments(results_dir: str | Path) -> dict[tuple[str, str], dict[str, str]]:
    """``(campaign, environment) -> {distribution: version}`` of every distribution its inventory
    lists (its files where recorded, else its key distributions). Read once per state of the
    folder's inventories (a report asks for each library)."""
    from ..store.records import INVENTORY_SUFFIX

    files = sorted(Path(results_dir).glob(f"**/*{INVENTORY_SUFFIX}"))
    return _environments(
        str(results_dir), tuple((str(f), f.stat().st_mtime_ns) for f in files if f.is_file())
    )


@functools.lru_cache(maxsize=4)
def _environments(
    results_dir: str, _state: tuple[tuple[str, int], ...]
) -> dict[tuple[str, str], dict[str, str]]:
    from ..store.records import file_records, load_inventories

    found = {}
    for r in load_inventories(results_dir):
        files = file_records(r) or {}
        versions = {canonical(k): str(v.get("version")) for k, v in files.items()} or dict(r["installed"])
        found[(str(r.get("campaign") or ""), str(r["env_name"]))] = versions
    return found


def also_differs(installed: dict[tuple[str, str], dict[str, str]], s: Series, before: str, after: str) -> str:
    """What else differs between the environments of a step, besides the release itself:
    ``numpy 2.2.6 → 2.3.5; llvmlite 0.44.0 → 0.45.1`` (``""``: nothing else, or not recorded)."""
    a = installed.get((s.campaign, str(s.points[before].get("env") or "")))
    b = installed.get((s.campaign, str(s.points[after].get("env") or "")))
    if not a or not b:
        return ""
    moved = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k) and k != canonical(s.distribution))
    said = "; ".join(f"{k} {a.get(k, 'absent')} → {b.get(k, 'absent')}" for k in moved[:ALSO_SHOWN])
    more = len(moved) - ALSO_SHOWN
    return said + (f"; and {more} more (accelpi inventory)" if more > 0 else "")


#: Other distributions a step names before "and N more" (a TensorFlow step moves dozens).
ALSO_SHOWN = 6
