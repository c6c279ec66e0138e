"""How long a campaign will take here, and how much disk it needs: from the campaigns before it.

``accelpi sweep --plan`` and ``accelpi radar --plan`` say it before anything is measured.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..libraries import canonical
from ..store.campaigns import load_campaigns
from ..store.records import load_inventories
from .plan import CampaignPlan

__all__ = [
    "SWEEP_TO_CAMPAIGN",
    "bench_share",
    "building_seconds",
    "expected",
    "sweep_seconds_per_environment",
]


#: A campaign's seconds per environment and pass over a one-release sweep's seconds per
#: environment (one asv run of the whole suite, first calls and all, at asv's default repeats):
#: the median over the seven libraries measured both ways (campaigns on ``amd-epyc-2c-aa63a279``,
#: sweeps on ``cpu-epyc-2c``): torch 0.32-0.33, jax 0.34, mkl-random 0.42, mkl-umath 0.47, dask
#: 0.54, numpy 0.65, numba 0.67
#: (``python scripts/campaign_costs.py --before experiments/sweeps-before-campaigns``).
SWEEP_TO_CAMPAIGN = 0.47


def sweep_seconds_per_environment(inventories: list[dict[str, Any]]) -> dict[str, list[float]]:
    """``{library: [seconds, ...]}``: what each one-release sweep (before campaigns) took per
    environment, its time shared between the switch values it measured (one inventory each)."""
    sweeps: dict[tuple[str, str, str, float], int] = {}
    for record in inventories:
        if not record.get("campaign") and isinstance(record.get("sweep_seconds"), int | float):
            key = (
                canonical(str(record.get("swept") or "")),
                str(record.get("commit")),
                json.dumps(record.get("requested"), sort_keys=True),
                float(record["sweep_seconds"]),
            )
            sweeps[key] = sweeps.get(key, 0) + 1
    found: dict[str, list[float]] = {}
    for (library, _, _, seconds), count in sweeps.items():
        found.setdefault(library, []).append(seconds / count)
    return found


def expected(plan: CampaignPlan, results_dir: Path) -> dict[str, Any]:
    """What a campaign costs here: ``seconds`` (from earlier campaigns of the library that
    measured the same ``-b`` selection; else those that measured the whole suite: their seconds
    per environment and pass, their measuring scaled to ``-b``'s share when one is given and
    their building (:func:`building_seconds`) added whole; else from the
    library's older one-release sweeps, their seconds per environment times
    :data:`SWEEP_TO_CAMPAIGN`; else from any earlier campaign; else 3 minutes per environment
    and pass), ``basis`` (which of these) and ``disk_bytes`` per environment (``None``: never
    measured).

    The library's own older sweeps come before other libraries' campaigns: a TensorFlow
    environment costs two to three times a Numba one (eager mode, XLA's compiles), which no other
    library's campaign can tell."""
    builds = {canonical(p.library.name) for p in plan.plans}
    selected = list(dict.fromkeys(r for p in plan.plans for r in (p.bench or ())))
    inventories = load_inventories(results_dir) if results_dir.is_dir() else []
    # the campaigns that measured a part of the suite (-b), from their inventories
    benched = {
        str(r["campaign"]): list(r["bench"]) for r in inventories if r.get("campaign") and r.get("bench")
    }
    per_env_pass, same_bench, any_campaign, disks, building = [], [], [], [], []
    for record in load_campaigns(results_dir).values() if results_dir.is_dir() else []:
        if record.get("environments") and isinstance(record.get("seconds"), int | float):
            cost = record["seconds"] / (len(record["environments"]) * max(1, record.get("passes") or 1))
            part = benched.get(record["id"])
            if canonical(str(record.get("library") or "")) in builds:
                if selected and part == selected:
                    same_bench.append(cost)
                elif part is None:
                    per_env_pass.append(cost)
                    build = building_seconds(record)
                    building.append((build, cost - build / max(1, record.get("passes") or 1)))
            if part is None:
                any_campaign.append(cost)
    for record in inventories:
        if canonical(str(record.get("swept") or "")) in builds and isinstance(
            record.get("disk_bytes"), int | float
        ):
            disks.append(float(record["disk_bytes"]))
    old = sweep_seconds_per_environment(inventories)
    swept = [seconds * SWEEP_TO_CAMPAIGN for build in builds for seconds in old.get(build, [])]
    bases = [
        ("campaigns of this library with the same -b", same_bench),
        ("campaigns of this library", per_env_pass),
        ("this library's one-release sweeps", swept),
        ("other libraries' campaigns", any_campaign),
        ("no measurement (3 minutes per environment and pass)", [180.0]),
    ]
    basis, seen = next((name, found) for name, found in bases if found)
    per = sum(seen) / len(seen)
    share = bench_share(selected, results_dir, builds, set(benched)) if selected and not same_bench else None
    if building and seen is per_env_pass:
        # building an environment costs the same whatever -b selects and however many passes
        # follow: only measuring is scaled, by the passes and by -b's share
        build = sum(b for b, _ in building) / len(building)
        per = build / max(1, plan.passes) + sum(m for _, m in building) / len(building) * (
            1.0 if share is None else share
        )
        basis += f", {build / 60:.1f} min building each environment"
    elif share is not None:
        per *= share
    if share is not None:
        basis += f", scaled to -b's {share:.0%} of the benchmarks' time there"
    elif selected and not same_bench:
        basis += "; -b's share unknown (no earlier results of this library here): the whole suite's cost"
    environments = len(plan.include())
    return {
        "seconds": per * environments * plan.passes,
        "per_environment_and_pass": per,
        "basis": basis,
        "disk_bytes": (sum(disks) / len(disks)) if disks else None,
    }


def building_seconds(record: dict[str, Any]) -> float:
    """What building one environment took in a campaign, from its pass log: the first pass
    builds every environment and measures, the later ones only measure, so the first pass's
    excess over their median, shared between the environments (0 without a pass log)."""
    log = [p for p in record.get("pass_log") or [] if isinstance(p.get("seconds"), int | float)]
    planned = max(1, record.get("passes") or 1)
    first = [p["seconds"] for p in log if p.get("pass") == 1]
    later = sorted(p["seconds"] for p in log if isinstance(p.get("pass"), int) and 1 < p["pass"] <= planned)
    environments = len(record.get("environments") or [])
    if not first or not later or not environments:
        return 0.0
    return max(0.0, first[0] - later[len(later) // 2]) / environments


def bench_share(
    expressions: list[str], results_dir: Path, builds: set[str], parts: set[str] = frozenset()
) -> float | None:
    """The share of the time the earlier campaigns of ``builds`` spent in the benchmarks that
    ``-b expressions`` select, matched as asv matches them (a plain benchmark's name; for a
    parameterised one, only the name with each combination of its parameters, a combination
    taking its part of the benchmark's time); ``None`` when no campaign of these libraries left
    results with durations here. Campaigns in ``parts`` (ids of those that measured a part of
    the suite themselves) are left out. asv's duration of a benchmark holds its processes'
    start and set-up; building the environments is not in it (:func:`expected` adds it apart,
    from :func:`building_seconds`)."""
    import itertools
    import re

    from ..store.asvcompat import load_result

    patterns = [re.compile(text) for text in expressions]
    total = chosen = 0.0
    for record in load_campaigns(results_dir).values() if results_dir.is_dir() else []:
        if canonical(str(record.get("library") or "")) not in builds or record["id"] in parts:
            continue
        for path in sorted(Path(record["folder"]).glob("*.json")):
            if path.name in ("machine.json", "benchmarks.json"):
                continue
            try:
                result = load_result(path)
            except Exception:  # an unreadable file costs nothing here; the reports name it
                continue
            for key in result.get_all_result_keys():
                seconds = result.duration.get(key)
                if not isinstance(seconds, int | float) or seconds <= 0:
                    continue
                total += seconds
                params = result.get_result_params(key) or []
                names = [f"{key}({', '.join(c)})" for c in itertools.product(*params)] if params else [key]
                chosen += seconds * sum(any(p.search(n) for p in patterns) for n in names) / len(names)
    return chosen / total if total else None
