"""Which rows a campaign's extra passes measure: those whose verdict is still undecided.

After its planned passes a campaign compares, inside its staged results, every pair of
consecutive releases (same build, same switches) and its control copy with its release, row by
row, with the verdict of :func:`accelpi.reports.verdicts.compare`. The rows still
``undecided``, and that the passes left could decide were their spread to stay as measured, get
one more pass of only their benchmarks, up to the plan's bound: a process more a side where one
can help, cheaper per verdict than a pass of everything.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from ..store import asvcompat, processes
from ..store.series import CONTROL
from .plan import CampaignPlan, _version
from .project import Project

__all__ = ["undecided_rows"]


def undecided_rows(
    plan: CampaignPlan,
    project: Project,
    include: list[dict[str, Any]],
    staged: Path,
    machine: str,
    commit: str,
    counted: list[dict[str, dict[str, list[int]]]],
    passes_left: int,
) -> list[str]:
    """The rows (``benchmark(params)``, as ``asv run -b`` matches them) whose verdict is still
    ``undecided`` at the default factor between two consecutive releases of the campaign (same
    build, same switches) or between its control copy and its release: those an extra pass
    measures once more. Rows no test can decide however many passes (one sample a side,
    tracks), and rows that ``passes_left`` more processes a side would leave undecided at the spread
    measured (:func:`~accelpi.reports.verdicts.decidable`), are never among them."""
    from ..reports import DEFAULT_FACTOR
    from ..reports.verdicts import compare, decidable, lower_is_better

    names = {project.environment_name(entry, staged): entry for entry in include}
    lines: dict[tuple[str, ...], list[tuple[Any, str]]] = {}
    for name, entry in names.items():
        build = next(iter(entry["req"]))
        release = entry["req"][build]
        switches = tuple(sorted((entry.get("env_nobuild") or {}).items()))
        lines.setdefault((build, *(f"{k}={v}" for k, v in switches if k != CONTROL)), []).append(
            ((_version(release), CONTROL in dict(switches)), name)
        )
    pairs = []
    for found in lines.values():
        found.sort()
        pairs += [(a, b) for (_, a), (_, b) in itertools.pairwise(found)]
    results = {
        result.env_name: result
        for _, result, name in asvcompat.iter_results(staged)
        if name == machine and result.commit_hash == commit
    }
    listing = asvcompat.benchmarks(staged) if (staged / "benchmarks.json").exists() else {}
    rows: list[str] = []
    for a, b in pairs:
        if a not in results or b not in results:
            continue
        sizes = {env: processes.processes_per_pass([c.get(env, {}) for c in counted]) for env in (a, b)}
        for key in sorted(set(results[a].get_all_result_keys()) & set(results[b].get_all_result_keys())):
            if not lower_is_better(key):
                continue
            left, right = (
                asvcompat.points(results[a], listing, key),
                asvcompat.points(results[b], listing, key),
            )
            combos = list(itertools.product(*listing[key]["params"])) if listing[key]["params"] else [()]
            for combo in sorted(set(left) & set(right)):
                index = combos.index(combo)
                points = []
                for env, point in ((a, left[combo]), (b, right[combo])):
                    per = sizes[env].get(key) or []
                    points.append({**point, "processes": per[index] if index < len(per) else None})
                verdict = compare(points[0], points[1], DEFAULT_FACTOR)
                label = f"{key}({', '.join(combo)})" if combo else key
                if (
                    verdict.outcome == "undecided"
                    and verdict.by_process
                    and label not in rows
                    and decidable(points[0], points[1], DEFAULT_FACTOR, passes_left)
                ):
                    rows.append(label)
    return rows
