"""What the pull-request gate found, for a reviewer: every gate benchmark base against head,
the verdict (:func:`accelpi.reports.verdicts.compare`), and whether this runner could see a
change of the factor at all.

``accelpi gate`` runs ``asv continuous`` (whose results stay in the results folder) and then
:func:`gate_report` reads both commits' results back: per benchmark the two values, the ratio
and its interval, the outcome at the gate's factor and the test that decided, and its own
noise (the spread of its samples). :func:`outcome` decides the run: ``failed``, ``slower``,
``inconclusive`` (a row whose interval spans the factor: on this runner a change of the factor
could pass unseen, so the gate does not say "passed") or ``passed``.

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
from .verdicts import compare, lower_is_better, spread
from .versions import DECIDED, format_value

__all__ = ["RUN_OUTCOMES", "gate_report", "load_runs", "markdown", "outcome", "record_run", "verdict"]


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
    failed = sorted(
        label.split(".", 1)[-1] for label, found in sides.items() if base in found and head not in found
    )
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
                "noise": max((s for s in (spread(a), spread(b)) if s is not None), default=None),
            }
        )
    noisy = max((r for r in rows if r["noise"] is not None), key=lambda r: r["noise"], default=None)
    return {
        "base": base,
        "head": head,
        "factor": factor,
        "machine": machine,
        "rows": rows,
        "noisiest": noisy,
        "failed": failed,
        **_github(),
    }


#: The gate's outcomes, worst first (``accelpi gate`` ends with an exit status for each).
RUN_OUTCOMES = ("failed", "slower", "inconclusive", "passed")


def outcome(run: dict[str, Any]) -> str:
    """A gate run's outcome: ``failed`` (asv exited 2, or a benchmark of base has no value on
    head), ``slower`` (a row slower, its interval beyond the factor), ``inconclusive`` (a row
    whose interval could not rule a change of the factor in or out: this runner was too noisy
    for it), else ``passed``. Runs recorded before rows had outcomes are read as decided."""
    if run.get("exit_code") == 2 or run.get("failed"):
        return "failed"
    if any(r["verdict"] == "slower" for r in run["rows"]):
        return "slower"
    if any(r.get("outcome", "same") not in DECIDED for r in run["rows"]):
        return "inconclusive"
    return "passed"


def _github() -> dict[str, Any]:
    """The pull request and the workflow run a gate ran for, from GitHub Actions' variables
    (nothing outside a workflow)."""
    import os

    found: dict[str, Any] = {}
    server, repository, run_id = (
        os.environ.get(k, "") for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")
    )
    if server.startswith("https://") and re.fullmatch(r"[\w.-]+/[\w.-]+", repository) and run_id.isdigit():
        found["run_url"] = f"{server}/{repository}/actions/runs/{run_id}"
        number = re.fullmatch(r"refs/pull/(\d+)/merge", os.environ.get("GITHUB_REF", ""))
        if number:
            found["pull_request"] = int(number.group(1))
            found["pull_request_url"] = f"{server}/{repository}/pull/{number.group(1)}"
    return found


def markdown(report: dict[str, Any], exit_code: int) -> str:
    """The gate's job summary (and pull-request comment): the outcome in one line, naming the
    benchmarks it rests on, then every benchmark, flagged first, with its own noise."""
    rows = report["rows"]
    said = outcome({**report, "exit_code": exit_code})
    lines = [
        f"## accelpi gate: {report['head'][:8]} against {report['base'][:8]} on {report['machine']}",
        "",
        _headline(report, said, exit_code),
    ]
    if report.get("run_url"):
        pr = f"pull request #{report['pull_request']}, " if report.get("pull_request") else ""
        lines += ["", f"{pr}[workflow run]({report['run_url']})"]
    lines += [
        "",
        "| benchmark | base | head | ratio | interval | verdict | noise | test |",
        "|---|---:|---:|---:|---|---|---:|---|",
    ]
    order = sorted(rows, key=lambda r: (r["verdict"] != "slower", r.get("outcome") in DECIDED, -r["ratio"]))
    for r in order:
        interval = f"{r['low']:.2f}-{r['high']:.2f}x" if r.get("low") and r.get("high") else "-"
        noise = f"{r['noise']:.1%}" if r.get("noise") is not None else "-"
        lines.append(
            f"| `{r['benchmark']}` | {format_value(r['base'], r['unit'])} | "
            f"{format_value(r['head'], r['unit'])} | {r['ratio']:.2f}x | {interval} | "
            f"{_row_verdict(r)} | {noise} | {r['test']} |"
        )
    return "\n".join(lines) + "\n"


def _row_verdict(row: dict[str, Any]) -> str:
    word = {"same": "no change", "undecided": "**undecided**"}.get(
        row.get("outcome", ""), row.get("outcome", "")
    )
    return row["verdict"] or word or "-"


def _named(found: list[str]) -> str:
    return ", ".join(f"`{name}`" for name in found[:6]) + (
        f", and {len(found) - 6} more" if len(found) > 6 else ""
    )


def _headline(report: dict[str, Any], said: str, exit_code: int) -> str:
    """The summary's first line: what the gate decided, and on which benchmarks."""
    factor, rows = report["factor"], report["rows"]
    if said == "failed":
        missing = report.get("failed") or []
        which = f": {_named(missing)} measured on base, not on head" if missing else ""
        return f"**A benchmark failed** (asv continuous exited {exit_code}){which}; see the log."
    if said == "slower":
        slower = [r["benchmark"] for r in rows if r["verdict"] == "slower"]
        return f"**{len(slower)} benchmark(s) slower** by more than {factor}x: {_named(slower)}."
    if said == "inconclusive":
        unsure = [r["benchmark"] for r in rows if r.get("outcome", "same") not in DECIDED]
        return (
            f"**Inconclusive**: nothing was found slower, but on {len(unsure)} of {len(rows)} benchmark(s) "
            f"this runner's noise could hide a {factor}x change ({_named(unsure)}: their interval spans "
            "the factor). Confirm on a quiet machine (`make continuous`)."
        )
    return f"Passed: every benchmark's interval rules out a slowdown of {factor}x or more."


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
    """A run's outcome in words, as the job summary's first line says it."""
    said = outcome(run)
    if said == "failed":
        return "a benchmark failed"
    if said == "slower":
        return f"{sum(r['verdict'] == 'slower' for r in run['rows'])} slower"
    if said == "inconclusive":
        return f"inconclusive ({sum(r.get('outcome', 'same') not in DECIDED for r in run['rows'])} undecided)"
    return "nothing slower"
