"""What the pull-request gate found, for a reviewer: every gate benchmark base against head,
the verdict of asv's test, and how much this runner's own noise leaves of the factor.

``accelpi gate`` runs ``asv continuous`` (whose results stay in the results folder) and then
:func:`gate_report` reads both commits' results back: per benchmark the two values, the ratio,
the verdict at the gate's factor and the test that decided, and the runner's noise, the
largest spread between the processes of one commit. The gate's factor was measured on the
project's own 2-core machines; a runner whose noise comes near it says so at the top of the
summary (a flag there may be noise, and a 10 % slowdown may pass unseen).

:func:`record_run` keeps a run's report as a small JSON file (``accelpi gate --record DIR``:
the pull-request workflow uploads it), and :func:`load_runs` reads such files back for the
site's gate page.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ..store import asvcompat
from ..store.files import json_text, read_text, write_atomically
from ..store.schemas import check
from ..timestamps import utc
from .verdicts import compare, lower_is_better
from .versions import format_value

__all__ = ["gate_report", "load_runs", "markdown", "record_run", "verdict"]


def _spread(point: dict[str, Any]) -> float | None:
    """The relative interquartile range of a point's samples (its processes and repeats)."""
    stats = point.get("stats") or {}
    if point.get("value") and stats.get("q_25") is not None and stats.get("q_75") is not None:
        return (stats["q_75"] - stats["q_25"]) / point["value"]
    return None


def gate_report(
    results_dir: Path, machine: str, base: str, head: str, factor: float, bench: list[str] | None
) -> dict[str, Any]:
    """Both commits' gate benchmarks from the results asv continuous left, compared.

    ``base`` and ``head`` are full commit hashes; ``bench``: the gate's ``-b`` expressions
    (``None``: every benchmark).
    """
    patterns = [re.compile(b) for b in bench or []]
    listing = asvcompat.benchmarks(results_dir)
    sides: dict[str, dict[str, dict[str, Any]]] = {}
    for _, result, name in asvcompat.iter_results(results_dir):
        if name != machine or result.commit_hash not in (base, head):
            continue
        for key in result.get_all_result_keys():
            for combo, point in asvcompat.points(result, listing, key).items():
                label = f"{key}({', '.join(combo)})" if combo else key
                if patterns and not any(p.search(label) for p in patterns):
                    continue
                sides.setdefault(label, {})[result.commit_hash] = {
                    **point,
                    "unit": listing[key].get("unit", ""),
                }
    rows = []
    for label, found in sorted(sides.items()):
        if base not in found or head not in found:
            continue
        a, b = found[base], found[head]
        compared = compare(a, b, factor, lower_is_better(label.split("(", 1)[0]))
        rows.append(
            {
                "benchmark": label.split(".", 1)[-1],
                "base": a["value"],
                "head": b["value"],
                "unit": a["unit"],
                "ratio": compared.ratio,
                "verdict": compared.outcome if compared.significant else "",
                "outcome": compared.outcome,
                "low": compared.low,
                "high": compared.high,
                "test": compared.test,
                "noise": max((s for s in (_spread(a), _spread(b)) if s is not None), default=None),
            }
        )
    noisy = max((r for r in rows if r["noise"] is not None), key=lambda r: r["noise"], default=None)
    return {"base": base, "head": head, "factor": factor, "machine": machine, "rows": rows, "noisiest": noisy}


def markdown(report: dict[str, Any], exit_code: int) -> str:
    """The gate's job summary: the verdict, how sure, then every benchmark, flagged first."""
    factor, rows = report["factor"], report["rows"]
    slower = [r for r in rows if r["verdict"] == "slower"]
    lines = [
        f"## accelpi gate: {report['head'][:8]} against {report['base'][:8]} on {report['machine']}",
        "",
    ]
    if exit_code == 2:
        lines.append("**A benchmark failed** (asv continuous exited 2): see the log.")
    elif slower:
        lines.append(f"**{len(slower)} benchmark(s) slower** by more than {factor}x, asv's test agreeing.")
    else:
        lines.append(f"Nothing slower by more than {factor}x with asv's test agreeing.")
    noisy = report["noisiest"]
    if noisy is not None:
        margin = factor - 1 - noisy["noise"]
        how = (
            f"this runner's largest spread between processes was {noisy['noise']:.1%} "
            f"({noisy['benchmark']}), {'within' if margin > 0 else 'beyond'} the factor's {factor - 1:.0%}"
        )
        if noisy["noise"] >= (factor - 1) / 2:
            how += (
                ": **this runner is noisy for this factor**; a flag may be noise, and a slowdown near "
                "the factor may pass unseen. Confirm on a quiet machine (`make continuous`)."
            )
        lines += ["", f"How sure: {how}."]
    lines += [
        "",
        "| benchmark | base | head | ratio | verdict | test |",
        "|---|---:|---:|---:|---|---|",
    ]
    order = sorted(rows, key=lambda r: (r["verdict"] != "slower", r["verdict"] != "faster", -r["ratio"]))
    for r in order:
        lines.append(
            f"| `{r['benchmark']}` | {format_value(r['base'], r['unit'])} | "
            f"{format_value(r['head'], r['unit'])} | {r['ratio']:.2f}x | {r['verdict'] or '-'} "
            f"| {r['test']} |"
        )
    return "\n".join(lines) + "\n"


def record_run(report: dict[str, Any], exit_code: int, seconds: float, folder: Path) -> Path:
    """Keep one gate run in ``folder`` as ``gate-DATE-HEAD-BASE.json``: the report, asv's exit
    status, how long it took and when it ended (UTC). Returns the file written."""
    recorded = utc()
    run = {**report, "recorded": recorded, "exit_code": int(exit_code), "seconds": round(float(seconds), 1)}
    path = Path(folder) / f"gate-{recorded.replace(':', '')}-{report['head'][:8]}-{report['base'][:8]}.json"
    write_atomically(path, json_text(run, indent=1, sort_keys=True) + "\n")
    return path


def load_runs(folder: Path, skipped: list[dict[str, str]] | None = None) -> list[dict[str, Any]]:
    """Every gate run recorded under ``folder`` (searched recursively: the workflow's
    artifacts come one folder per run), newest first. A file that is not a gate run is left
    out and named in ``skipped`` (``file``, ``why``)."""
    runs = []
    for path in sorted(Path(folder).rglob("gate-*.json")) if Path(folder).is_dir() else []:
        try:
            data = json.loads(read_text(path, limit=2**20))
            check(data, "gate run")
        except (OSError, RecursionError) as exc:
            why = f"unreadable: {type(exc).__name__}"
        except ValueError as exc:  # not JSON, or not a gate run's shape: which field, said
            why = str(exc) if str(exc).startswith("not a gate run") else f"unreadable: {type(exc).__name__}"
        else:
            runs.append(data)
            continue
        if skipped is not None:
            skipped.append({"file": str(path), "why": why})
    return sorted(runs, key=lambda r: str(r["recorded"]), reverse=True)


def verdict(run: dict[str, Any]) -> str:
    """A run's verdict in words, as the job summary's first line says it."""
    if run["exit_code"] == 2:
        return "a benchmark failed"
    slower = sum(r["verdict"] == "slower" for r in run["rows"])
    if slower:
        return f"{slower} slower"
    return "nothing slower"
