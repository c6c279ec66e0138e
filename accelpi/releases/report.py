"""The release report: one builder for what ``accelpi versions`` prints and the site shows.

:func:`release_report` is ``accelpi versions --json``; the text tables, the release pages
and the generated "what changed" summary are all drawn from it, so the command line and
the site can never disagree (a test compares them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import InvalidArgument
from ..libraries import sweep_targets
from . import DEFAULT_FACTOR
from .twins import compare_builds
from .versions import BUILD_FAMILIES, compare_versions

__all__ = ["findings", "release_report"]


def release_report(
    results_dir: str | Path, library: str | None = None, factor: float = DEFAULT_FACTOR
) -> dict[str, Any]:
    """Every swept library's series and release steps, the build comparisons, and the
    steps that changed significantly in either direction.

    Parameters
    ----------
    results_dir : path
        An asv results folder of sweeps (``sweeps/``).
    library : str, optional
        One sweepable library (``numba``), or a library with several builds
        (``tensorflow``); default: every one.
    factor : float
        A step counts when its ratio passes this factor and asv's test agrees.

    Returns
    -------
    dict
        ``factor``; ``libraries``: per library its ``series`` (values per release) and
        ``changes`` (every step between consecutive releases); ``builds``: per library
        with several builds, one release as each build against the reference build;
        ``flagged`` (steps significantly slower) and ``improved`` (significantly faster);
        ``skipped``: files that could not be read (``file``, ``why``), left out.
    """
    if library is not None and library not in sweep_targets() and library not in BUILD_FAMILIES:
        accepted = ", ".join([*sweep_targets(), *BUILD_FAMILIES])
        raise InvalidArgument(f"library={library!r} is not a swept library; accepted: {accepted}")
    libraries = [library] if library else list(sweep_targets())
    families = [f for f, dists in BUILD_FAMILIES.items() if library is None or library in (f, *dists)]
    skipped: list[dict[str, str]] = []
    builds = {}
    for family in families:
        rows = [d.to_dict() for d in compare_builds(results_dir, family, factor, skipped)]
        if rows:
            builds[family] = rows
    report: dict[str, Any] = {
        "factor": factor,
        "libraries": {},
        "builds": builds,
        "flagged": [],
        "improved": [],
    }
    for name in libraries:
        if name in BUILD_FAMILIES and name not in sweep_targets():
            continue  # a family's releases are reported build by build
        series, changes = compare_versions(results_dir, name, factor, skipped)
        series = [s for s in series if len(s.points) > 1]
        if not series:
            continue
        report["libraries"][name] = {
            "series": [
                {
                    "machine": s.machine,
                    "benchmark": s.benchmark,
                    "params": s.params,
                    "axes": s.axes,
                    "unit": s.unit,
                    "values": {v: p["value"] for v, p in s.points.items()},
                    "spread": {v: _spread(p) for v, p in s.points.items()},
                }
                for s in series
            ],
            "changes": [c.to_dict() for c in changes],
        }
        for c in changes:
            if c.flagged:
                report["flagged"].append({"library": name, **c.to_dict()})
            elif c.improved:
                report["improved"].append({"library": name, **c.to_dict()})
    report["skipped"] = list({item["file"]: item for item in skipped}.values())  # once per file
    return report


def _spread(point: dict[str, Any]) -> list[float] | None:
    """The interquartile range asv stored for a point (``q_25``, ``q_75``), if any."""
    stats = point.get("stats") or {}
    if "q_25" in stats and "q_75" in stats:
        return [stats["q_25"], stats["q_75"]]
    return None


def magnitude(change: dict[str, Any]) -> float:
    """How large a step is, whichever its direction: 1.5x slower and 1.5x faster are equal."""
    ratio = change["ratio"]
    return max(ratio, 1 / ratio) if ratio > 0 else float("inf")


def findings(report: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The "what changed" summary: per library, its significant release steps in both
    directions, largest first (the report's ``flagged`` and ``improved`` rows, no others)."""
    by_library: dict[str, list[dict[str, Any]]] = {}
    for change in (*report["flagged"], *report["improved"]):
        by_library.setdefault(change["library"], []).append(change)
    return {
        library: sorted(rows, key=lambda c: (-magnitude(c), c["benchmark"], c["params"], c["axes"]))
        for library, rows in by_library.items()
    }
