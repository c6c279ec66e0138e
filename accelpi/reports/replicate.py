"""The 2018 talk, re-measured: each of its claims beside what the committed results say today.

Every figure is recomputed from the result files (the newest default-environment run of each
machine in ``results/``, and the sweeps in ``sweeps/``), never typed by hand; each verdict
comes with the rule that decided it. ``accelpi replicate`` prints it, ``make publish`` puts
it on the site and in ``docs/replication.md``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import InvalidArgument
from ..libraries import multi_build
from ..store import COMMIT_RESULTS, SWEEP_RESULTS, asvcompat
from ..store.files import read_text
from . import DEFAULT_FACTOR
from .summary import GPU_N, LARGE, SMALL, run_summary

__all__ = ["replication_report"]

TALK_CORES = 8  # the talk's machine

#: TensorFlow's reference build (tensorflow-cpu), whose sweeps give the graph/eager history.
TF_REFERENCE = multi_build()["tensorflow"][0]


def _cores(results: Path, machine: str) -> int:
    try:
        return int(asvcompat.machine_info(results / machine).get("num_cpu") or 1)
    except (TypeError, ValueError):
        return 1


def _newest(results: Path, machine: str) -> tuple[Any, dict[str, Any]] | None:
    found = asvcompat.newest_result(results, ("throughput.Throughput.time_estimate",), machine)
    return (found[1], asvcompat.benchmarks(results)) if found else None


def _gpu(root: Path) -> tuple[str, dict[str, float], float | None] | None:
    """Rates on the first GPU machine's newest run (``GpuThroughput``) with numba-cuda, and
    numba-cuda's cold first call from a GPU check (``experiments/gpu/*/compare*.json``): the check of
    that run's commit (the file name ends with its short hash) when there is one, else the
    last file in name order that measured it."""
    for machine in asvcompat.machine_folders(root / COMMIT_RESULTS):
        try:
            summary = run_summary(root / COMMIT_RESULTS, machine=machine)
        except InvalidArgument:
            continue
        rates = {r["backend"]: r["samples_per_second"] for r in summary["rows"]}
        if summary["device"] == "cuda" and rates.get("numba-cuda"):
            firsts = {}
            for path in sorted((root / "experiments" / "gpu").glob("*/compare*.json")):
                for row in json.loads(read_text(path))["rows"]:
                    if row["backend"] == "numba-cuda" and row.get("first_call_s"):
                        firsts[path.stem.rsplit("-", 1)[-1]] = row["first_call_s"]
            own = [short for short in firsts if summary["commit"].startswith(short)]
            return machine, rates, firsts.get(own[-1] if own else next(reversed(firsts), None))
    return None


def _value(result: Any, benchmarks: dict[str, Any], key: str, *params: str) -> float | None:
    point = asvcompat.points(result, benchmarks, key).get(tuple(params))
    return point["value"] if point else None


def _q(name: str) -> str:
    return f"'{name}'"


def _today(result: Any, benchmarks: dict[str, Any], cores: int) -> dict[str, Any]:
    """The figures one machine's newest run gives for the claims."""
    tp = "throughput.Throughput.time_estimate"

    def rate(backend: str, n: int = LARGE) -> float | None:
        seconds = _value(result, benchmarks, tp, _q(backend), str(n))
        return n / seconds if seconds else None

    def scaling(backend: str) -> float | None:
        one = _value(result, benchmarks, "scaling.ThreadScaling.time_estimate", _q(backend), "1")
        top = max((t for t in (1, 2, 4, 8) if t <= cores), default=1)
        most = _value(result, benchmarks, "scaling.ThreadScaling.time_estimate", _q(backend), str(top))
        return (one / most) / top if one and most and top > 1 else None

    def overhead(method: str) -> float | None:
        t1 = _value(result, benchmarks, "overhead.LaunchOverhead.time_launch", _q(method), "1")
        t1000 = _value(result, benchmarks, "overhead.LaunchOverhead.time_launch", _q(method), "1000")
        return t1000 - t1 if t1 is not None and t1000 is not None else None

    python = rate("python", SMALL)
    worst = [
        v
        for v in asvcompat.points(
            result, benchmarks, "accuracy.Accuracy.track_worst_error_in_sigmas"
        ).values()
        if v["value"] is not None
    ]
    race = _value(result, benchmarks, "threads.Race.track_lost_update_fraction")
    return {
        "cores": cores,
        "commit": result.commit_hash,
        "rates": {b: rate(b) for b in ("numba", "numba:parallel", "numpy", "torch", "tensorflow:eager",
                                       "tensorflow:graph", "tensorflow:xla", "jax", "dask:delayed")},
        "python": python,
        "nogil_efficiency": scaling("numba:nogil-threads"),
        "overhead": {m: overhead(m) for m in ("threadpool", "dask:delayed", "dask:distributed")},
        "worst_sigma": max((v["value"] for v in worst), default=None),
        "race": race,
    }  # fmt: skip


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def _fmt(x: float | None, spec: str = "{:.2f}x") -> str:
    return "not measured" if x is None else spec.format(x)


def _tf_by_release(sweeps: Path) -> tuple[list[str], dict[str, float]]:
    """graph/eager speed ratio (2**25 samples, oneDNN on) per swept tensorflow-cpu release, and
    the machines it was measured on.

    Each ratio divides two values of one experiment (eager and graph measured together, in one
    campaign); a release measured in several campaigns (the overlapping windows of TensorFlow's
    history) takes its ratio from the one that ended last.
    """
    from ..store.series import collect

    if not (sweeps / "benchmarks.json").exists():
        return [], {}
    experiments: dict[tuple[str, str], dict[str, Any]] = {}
    for s in collect(sweeps, TF_REFERENCE):
        if (
            s.benchmark == "throughput.Throughput.time_estimate"
            and s.env_vars.get("TF_ENABLE_ONEDNN_OPTS") == "1"
        ):
            experiments.setdefault((s.machine, s.experiment), {})[s.params] = s
    newest: dict[str, tuple[str, float, str]] = {}  # release -> (when its experiment ended, ratio, machine)
    for (machine, _), series in experiments.items():
        eager, graph = series.get(f"'tensorflow:eager', {LARGE}"), series.get(f"'tensorflow:graph', {LARGE}")
        if not eager or not graph:
            continue
        ended = str(eager.context.get("ended") or "")
        for v in set(eager.points) & set(graph.points):
            if graph.points[v]["value"] and (v not in newest or ended >= newest[v][0]):
                newest[v] = (ended, eager.points[v]["value"] / graph.points[v]["value"], machine)
    from packaging.version import Version

    machines = sorted({machine for _, _, machine in newest.values()})
    return machines, {v: newest[v][1] for v in sorted(newest, key=Version)}


def _mkl(sweeps: Path) -> tuple[list[str], list[float], list[str]]:
    """Intel's builds of TensorFlow against tensorflow-cpu, as the Intel-builds page gives them
    (:func:`~accelpi.reports.builds.build_summary`: the time ratio Intel / stock at the largest
    size, the geometric mean over the TensorFlow backends): one figure per build, release and
    switch, the ratios in the configuration a user gets (oneDNN on), and the machines."""
    from ..libraries import switch_label
    from .builds import build_differences, build_summary

    if not (sweeps / "benchmarks.json").exists():
        return [], [], []
    found = build_differences(sweeps, "tensorflow")
    summary = build_summary(
        {"builds": {"tensorflow": [d.to_dict() for d in found]}, "factor": DEFAULT_FACTOR}
    )
    rows = [f"{r['build']} {r['release']} [{switch_label(r['shared'])}] {r['ratio']:.2f}x" for r in summary]
    return rows, [r["ratio"] for r in summary if r["default"]], sorted({d.machine for d in found})


def _cost(seconds: float | None) -> str:
    """A difference of two times: under 10 ms (either sign) is within the noise of two
    measurements, said so with the figure, not printed as a negative cost."""
    if seconds is None:
        return "not measured"
    return (
        f"{seconds:+.3f} s" if seconds >= 0.01 else f"under 0.01 s (measured {seconds:+.3f} s: within noise)"
    )


def _compute_claims(row: Callable[..., None], machine: str, m: dict[str, Any], gpu: Any) -> None:
    """Claims 1 to 3 on one machine: Numba's prange, nogil threads, the CUDA kernel."""
    cores, r = m["cores"], m["rates"]
    vs_python = _ratio(r["numba:parallel"], m["python"])
    vs_numba = _ratio(r["numba:parallel"], r["numba"])
    per_core = (vs_numba / cores if vs_numba else None, vs_python / cores if vs_python else None)
    row(
        "1. Numba parallel=True + prange vs plain Python and single-core Numba",
        "~90x Python, ~4.4x Numba on 8 cores: per core 11x Python, 0.55x Numba",
        {machine: f"{_fmt(vs_python)} Python, {_fmt(vs_numba)} Numba on {cores} core(s): per core "
                  f"{_fmt(per_core[1])} Python, {_fmt(per_core[0])} Numba"},
        "not measured" if None in per_core else (
            "holds" if 0.275 <= per_core[0] <= 1.1 and 5.6 <= per_core[1] <= 22.5 else "changed"),
        "compared per core, the talk's machine having 8 cores: holds when both speed-ups per core are "
        "within 2x of the talk's (0.275x to 1.1x Numba, 5.6x to 22.5x Python), else changed",
        ["throughput.Throughput.time_estimate"],
    )  # fmt: skip
    eff = m["nogil_efficiency"]
    row(
        "2. Numba nogil driven by a thread pool scales linearly",
        "linear in threads",
        {machine: f"efficiency {_fmt(eff, '{:.0%}')} on {min(cores, 8)} thread(s)"},
        "not measured" if eff is None else ("holds" if eff >= 0.8 else "changed"),
        "holds when speed-up / threads is at least 80 % at the most threads measured",
        ["scaling.ThreadScaling.time_estimate"],
    )
    if gpu is None:
        today, verdict = "not measured: no GPU machine's results are committed", "not measured"
    else:
        kernel = gpu[1]["numba-cuda"]
        vs_py, vs_np = _ratio(kernel, m["python"]), _ratio(kernel, r["numpy"])
        first = gpu[2]
        today = (
            f"numba-cuda on {gpu[0]} ({kernel / 1e6:,.0f} Msamples/s at 2**{GPU_N.bit_length() - 1}): "
            f"{_fmt(vs_py, '{:,.0f}x')} Python, {_fmt(vs_np, '{:,.0f}x')} NumPy, both as measured on "
            f"{machine} ({cores} cores; not the GPU machine's own CPU, whose Python and NumPy were not "
            f"measured: not like with like); first call {_fmt(first, '{:.1f} s')}"
        )
        fast = vs_py is not None and vs_np is not None and vs_py >= 1000 and vs_np >= 150
        verdict = "holds" if fast and (first is None or first <= 3.6) else "changed"
    row(
        "3. Numba CUDA kernel vs Python and NumPy; first call compiles",
        "~1000x Python, ~150x NumPy, 1.8 s first call",
        {machine: today},
        verdict,
        "holds when the GPU kernel is at least 1000x Python and 150x NumPy (both measured on this CPU "
        "machine) and its cold first call is within 2x of 1.8 s; the GPU is today's, not 2018's",
        ["throughput.GpuThroughput.time_estimate"],
    )


def _library_claims(
    row: Callable[..., None], machine: str, m: dict[str, Any], gpu: Any, sweeps: Path
) -> None:
    """Claims 4 to 7 on one machine: the ML frameworks, TensorFlow's graph and Intel build, Dask's
    overhead, thread safety."""
    r = m["rates"]
    cupy = (
        "not measured"
        if not gpu
        else (f"on {gpu[0]} {_fmt(_ratio(gpu[1].get('cupy'), r['numpy']), '{:,.0f}x')} NumPy of {machine}")
    )
    frameworks = ", ".join(
        f"{b} {_fmt(_ratio(r[b], r['numpy']))}" for b in ("torch", "tensorflow:eager", "jax")
    )
    row(
        "4. ML frameworks as NumPy accelerators (CPU here)",
        "no figure: they run NumPy-like code; CuPy is NumPy-compatible",
        {
            machine: f"vs NumPy on CPU: {frameworks}; CuPy: GPU only, "
            + cupy
            + (f" (NumPy measured on {machine}, not on the GPU machine: not like with like)" if gpu else "")
        },
        "shown",
        "a claim without a figure: shown, not judged",
        ["throughput.Throughput.time_estimate"],
    )
    graph_eager = _ratio(r["tensorflow:graph"], r["tensorflow:eager"])
    swept_on, by_release = _tf_by_release(sweeps)
    row(
        "5a. TensorFlow graph (tf.function) vs eager on CPU",
        "graph ~2.4x eager",
        {machine: f"graph {_fmt(graph_eager)} eager; per {TF_REFERENCE} release (oneDNN on"
                  + (f", on {', '.join(swept_on)}" if swept_on and swept_on != [machine] else "") + "): "
                  + (", ".join(f"{v} {x:.2f}x" for v, x in by_release.items()) or "no sweep")},
        "not measured" if graph_eager is None else ("holds" if 1.2 <= graph_eager <= 4.8 else "changed"),
        "holds when graph is faster than eager by 1.2x to 4.8x (within 2x of 2.4x)",
        ["throughput.Throughput.time_estimate", f"{TF_REFERENCE}.html"],
        {"TensorFlow graph / eager speed, 2**25 samples, oneDNN on": {"graph/eager": by_release}}
        if by_release else None,
    )  # fmt: skip
    mkl, default, mkl_on = _mkl(sweeps)
    row(
        "5b. An MKL (Intel) build of TensorFlow is faster",
        "~+20 % faster: about 0.83x the stock build's time",
        {machine: (f"on {', '.join(mkl_on)}, " if mkl_on and mkl_on != [machine] else "")
                  + "Intel / stock time: " + ("; ".join(mkl) or "not measured: no Intel build swept")},
        "not measured" if not default else (
            "holds" if all(0.71 <= x <= 0.91 for x in default) else "changed"),
        "holds when Intel's build takes 0.71x to 0.91x the stock build's time (+10 % to +40 % faster, "
        "within 2x of +20 %) with oneDNN on, the stock build's default; the ratio of builds.html",
        ["builds.html"],
    )  # fmt: skip
    over = m["overhead"]
    grows = over["dask:delayed"] is not None and over["threadpool"] is not None
    row(
        "6. Dask delayed's launch overhead grows with the task count; a thread pool stays flat",
        "grows for Dask, flat for ThreadPoolExecutor",
        {machine: f"1000 tasks cost {', '.join(f'{k} {_cost(v)}' for k, v in over.items())} over 1 task"},
        "not measured" if not grows else (
            "holds" if over["dask:delayed"] > 5 * max(over["threadpool"], 0.01) else "changed"),
        "holds when dask:delayed's cost of 1000 tasks over 1 is more than 5x the thread pool's "
        "(at least 10 ms)",
        ["overhead.LaunchOverhead.time_launch"],
    )  # fmt: skip
    safe = m["worst_sigma"] is not None and m["worst_sigma"] <= 6
    row(
        "7. Thread safety: a shared counter loses updates by timing; safe kernels never do",
        "wrong counts sometimes; atomic counting never; errors inside 6 σ",
        {machine: f"the unsafe count lost {_fmt(m['race'], '{:.2%}')} of its updates; worst error over "
                  f"every backend {_fmt(m['worst_sigma'], '{:.1f} σ')}"},
        "not measured" if m["race"] is None else ("holds" if safe and m["race"] > 0 else "changed"),
        "holds when the unsafe kernel loses updates and every backend stays within 6 σ over five seeds",
        ["threads.Race.track_lost_update_fraction", "accuracy.Accuracy.track_worst_error_in_sigmas"],
    )  # fmt: skip


def replication_report(root: str | Path) -> dict[str, Any]:
    """One row per claim: the 2018 figure, today's per machine, a verdict and its rule."""
    root = Path(root)
    results, sweeps = root / COMMIT_RESULTS, root / SWEEP_RESULTS
    machines = {}
    for machine in asvcompat.machine_folders(results):
        found = _newest(results, machine)
        if found:
            machines[machine] = _today(*found, _cores(results, machine))
    rows: list[dict[str, Any]] = []

    def row(claim, figure, today, verdict, rule, links, series=None):
        rows.append({"claim": claim, "figure_2018": figure, "today": today, "verdict": verdict, "rule": rule,
                     "links": links, "series": series or {}})  # fmt: skip

    gpu = _gpu(root)  # one GPU machine's figures serve every CPU machine's claims
    for machine, m in machines.items():
        _compute_claims(row, machine, m, gpu)
        _library_claims(row, machine, m, gpu, sweeps)
    row(
        "8. Why the GIL exists (a shared heap; nogil code must not touch Python objects)",
        "an explanation",
        {},
        "not a measurement",
        "an explanation, not a measurement: nothing to re-measure",
        [],
    )
    machines_seen = {k: {"cores": v["cores"], "commit": v["commit"]} for k, v in machines.items()}
    return {"machines": machines_seen, "rows": _merged(rows)}


def _merged(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per claim, today's figure and verdict per machine (one verdict when they agree)."""
    merged: dict[str, dict[str, Any]] = {}
    for r in rows:
        first = merged.setdefault(r["claim"], {**r, "today": {}, "verdicts": {}})
        first["today"].update(r["today"])
        first["verdicts"].update({machine: r["verdict"] for machine in r["today"]})
    for r in merged.values():
        verdicts = set(r["verdicts"].values())
        r["verdict"] = (
            verdicts.pop()
            if len(verdicts) == 1
            else "; ".join(f"{k}: {v}" for k, v in r["verdicts"].items()) or r["verdict"]
        )
    return list(merged.values())
