"""``gate.html``: the pull-request gate's recorded runs, newest first.

Each run is one ``accelpi gate BASE HEAD --record DIR`` (the pull-request workflow uploads it;
the publishing workflow gathers the recent ones): the pull request it ran for, its outcome
(failed, slower, inconclusive or passed), and every gate benchmark base against head with its
interval and noise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..reports.gate import verdict
from ..reports.versions import format_value
from ..store.files import write_atomically
from .pages import code, link, marked, page, section

__all__ = ["RUNS_SHOWN", "gate_page"]

#: Runs drawn in full (benchmark by benchmark); the table above lists them all.
RUNS_SHOWN = 10

RUN_HEADERS = [
    "ended",
    "for",
    "head",
    "base",
    "machine",
    "factor",
    "verdict",
    "faster",
    "runner's noise",
    "took",
]
ROW_HEADERS = ["benchmark", "base", "head", "ratio", "interval", "verdict", "noise", "test"]


def _noise(run: dict[str, Any]) -> Any:
    noisy = run.get("noisiest")
    if not noisy or noisy.get("noise") is None:
        return "-"
    text = f"{noisy['noise']:.1%}"
    # half the factor's margin or more: a flag may be noise, a slowdown near the factor may pass
    return marked(text + " (noisy)", "bad") if noisy["noise"] >= (run["factor"] - 1) / 2 else text


def _verdict(run: dict[str, Any]) -> Any:
    said = verdict(run)
    return said if said == "nothing slower" else marked(said, "bad")


def _origin(run: dict[str, Any]) -> Any:
    """The pull request and workflow run a gate ran for (links), or where it ran by hand."""
    if run.get("pull_request_url"):
        return link(f"#{run['pull_request']}", run["pull_request_url"])
    if run.get("run_url"):
        return link("workflow run", run["run_url"])
    return "by hand"


def _run_row(run: dict[str, Any]) -> list[Any]:
    return [
        str(run["recorded"]).replace("T", " ").removesuffix("Z") + " UTC",
        _origin(run),
        code(run["head"][:8]),
        code(run["base"][:8]),
        str(run.get("machine") or "?"),
        f"{run['factor']}x",
        _verdict(run),
        str(sum(r["verdict"] == "faster" for r in run["rows"])),
        _noise(run),
        f"{run['seconds'] / 60:.1f} min",
    ]


def _benchmark_rows(run: dict[str, Any]) -> list[list[Any]]:
    order = sorted(
        run["rows"], key=lambda r: (r["verdict"] != "slower", r["verdict"] != "faster", -(r["ratio"] or 0))
    )
    return [
        [
            code(r["benchmark"]),
            format_value(r["base"], r["unit"]),
            format_value(r["head"], r["unit"]),
            f"{r['ratio']:.2f}x" if r["ratio"] is not None else "-",
            f"{r['low']:.2f}-{r['high']:.2f}x" if r.get("low") and r.get("high") else "-",
            marked(r["verdict"], "bad" if r["verdict"] == "slower" else "good")
            if r["verdict"]
            else {"same": "no change", "undecided": marked("undecided", "bad")}.get(
                r.get("outcome", ""), "-"
            ),
            f"{r['noise']:.1%}" if r.get("noise") is not None else "-",
            r["test"],
        ]
        for r in order
    ]


def gate_page(runs: list[dict[str, Any]], out: Path) -> str:
    """Write ``gate.html`` from recorded gate runs (newest first); returns its name."""
    intro = (
        "The pull-request gate runs asv continuous on a few benchmarks (the NumPy and Numba paths, "
        "torch, JAX, numba:fused's thread scaling), several processes per commit, rounds "
        "alternating between the two commits, and fails when one got slower by more than its "
        "factor, its interval beyond the factor. A run is inconclusive when a benchmark's interval "
        "spans the factor: on that runner a change of the factor could pass unseen, so it is not "
        "called passed. Each benchmark's noise is the spread of its samples; a run's \"runner's "
        "noise\" the largest, marked noisy when it reaches half the factor's margin."
    )
    body = [
        section(
            None,
            intro,
            headers=RUN_HEADERS,
            rows=[_run_row(run) for run in runs],
            empty=(
                "No gate run recorded yet: accelpi gate BASE HEAD --record gate, "
                "then accelpi site --gate gate."
            ),
        )
    ]
    for run in runs[:RUNS_SHOWN]:
        heading = f"{run['head'][:8]} against {run['base'][:8]} ({str(run['recorded'])[:10]})"
        body.append(section(heading, headers=ROW_HEADERS, rows=_benchmark_rows(run)))
    write_atomically(out / "gate.html", page("The pull-request gate's runs", body))
    return "gate.html"
