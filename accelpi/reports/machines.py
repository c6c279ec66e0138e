"""Which hosts the results come from: each machine's CPU, cores, memory, and when it measured.

A machine is asv's name for a host, derived from its fingerprint (:mod:`accelpi.machine`):
results of two CPUs are never one series. The front page lists them, so that a reader knows
what a figure was measured on, and when.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from ..store import COMMIT_RESULTS, SWEEP_RESULTS, asvcompat
from ..store.campaigns import load_campaigns
from ..timestamps import parse_utc

__all__ = ["machines"]


def _day(seconds: float) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(seconds))


def _span(first: float, last: float) -> str:
    a, b = _day(first), _day(last)
    return a if a == b else f"{a} to {b}"


def machines(root: Path) -> list[dict[str, Any]]:
    """One entry per machine of the commit history and the campaigns: ``machine``, ``cpu``,
    ``cores``, ``memory``, ``history`` (runs and their dates) and ``campaigns`` (count and
    dates), in name order."""
    found: dict[str, dict[str, Any]] = {}

    def entry(name: str, folder: Path) -> dict[str, Any]:
        if name not in found:
            candidates = (folder / name, *(p.parent for p in folder.glob(f"{name}/*/machine.json")))
            info = next((i for i in map(asvcompat.machine_info, candidates) if i), {})
            found[name] = {
                "machine": name,
                "cpu": str(info.get("cpu") or "not recorded"),
                "cores": str(info.get("num_cpu") or "?"),
                "memory": str(info.get("ram") or "?"),
                "runs": [],
                "campaigns": [],
            }
        return found[name]

    history = root / COMMIT_RESULTS
    if history.is_dir():
        for _, result, name in asvcompat.iter_results(history):
            span = asvcompat.measured_at(result)
            if span:
                entry(name, history)["runs"].append(span)
    sweeps = root / SWEEP_RESULTS
    if sweeps.is_dir():
        for record in load_campaigns(sweeps).values():
            started = parse_utc(record["started"])
            entry(record["machine"], sweeps)["campaigns"].append(started)
    rows = []
    for name in sorted(found):
        e = found[name]
        runs, campaigns = e.pop("runs"), e.pop("campaigns")
        e["history"] = (
            f"{len(runs)} run(s), {_span(min(r[0] for r in runs), max(r[1] for r in runs))}" if runs else "-"
        )
        e["release_campaigns"] = (
            f"{len(campaigns)}, {_span(min(campaigns), max(campaigns))}" if campaigns else "-"
        )
        rows.append(e)
    return rows
