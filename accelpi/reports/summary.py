"""The answer at the end of ``make bench``: this run's backends ranked, read from its result file.

A GPU machine's run of ``GpuThroughput`` alone (``scripts/gpu_device.sh``) is ranked the
same way, by samples per second at ``GPU_N`` samples on the GPU.

:func:`run_summary` reads the asv result of one commit in the default environment (the
newest one, or the commit asked for) and ranks the backends by samples per second at the
large size, with the spread asv recorded, the speed-up against plain Python and NumPy,
the cold first call and the worst accuracy over five seeds. :func:`expected_seconds`
says how long the last full run took, so that ``make bench`` can say it before starting.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import InvalidArgument
from ..ranking import add_speedups, cells, ranked
from ..store import asvcompat
from .verdicts import spread

__all__ = [
    "GPU_N",
    "LARGE",
    "SMALL",
    "expected_seconds",
    "format_summary",
    "hand_written_limit",
    "limit_sentence",
    "run_summary",
    "where",
]

#: The sizes of ``Throughput.time_estimate``: throughput, and per-call overhead.
LARGE, SMALL = 2**25, 2**16

THROUGHPUT = "throughput.Throughput.time_estimate"
#: The GPU benchmark and its size: what a GPU machine's ranking reads.
GPU_THROUGHPUT, GPU_N = "throughput.GpuThroughput.time_estimate", 2**31
FIRST_CALL = "first_call.FirstCall.timeraw_first_call"
ACCURACY = "accuracy.Accuracy.track_worst_error_in_sigmas"
#: numba:fused on one thread over this CPU's hand-written C, and that C's Gsamples/s.
LIMIT_RATIO, LIMIT = "limit.HandWrittenLimit.track_ratio", "limit.HandWrittenLimit.track_limit"


def _newest(results_dir: Path, commit: str | None, machine: str | None) -> tuple[Path, Any, str]:
    """The newest result with CPU throughput; else (a GPU machine's run) with GPU throughput."""
    chosen = asvcompat.newest_result(results_dir, (THROUGHPUT, GPU_THROUGHPUT), machine, commit)
    if chosen is None:
        what = f"commit {commit}" if commit else "any commit"
        raise InvalidArgument(f"no Throughput result of {what} in {results_dir}: run 'make bench' first")
    return chosen


def _rate(point: dict[str, Any] | None, n: int) -> tuple[float, float | None] | None:
    """Samples per second and the point's spread (:func:`~accelpi.reports.verdicts.spread`)."""
    if not point or not point["value"]:
        return None
    return n / point["value"], spread(point)


def run_summary(
    results_dir: str | Path, commit: str | None = None, machine: str | None = None
) -> dict[str, Any]:
    """This run's backends ranked by samples/s at ``LARGE`` samples.

    Returns
    -------
    dict
        ``file``, ``commit``, ``machine``, ``env``, ``n`` and ``rows``: per backend
        ``samples_per_second`` and its ``spread`` (relative, from asv's quartiles; None if
        not recorded), ``speedup_vs_python`` (Python's rate is measured at ``SMALL``, the
        plain loop being too slow at ``LARGE``), ``speedup_vs_numpy``, ``first_call_s``
        and ``worst_sigma``. Ranked fastest first; backends without a ``LARGE`` result
        (plain Python) come last with the rate measured at ``SMALL`` (``n`` says which).
    """
    results_dir = Path(results_dir)
    benchmarks = asvcompat.benchmarks(results_dir)
    path, result, machine_name = _newest(results_dir, commit, machine)
    if THROUGHPUT not in result.get_all_result_keys():
        return _gpu_summary(path, result, machine_name, benchmarks)
    throughput = asvcompat.points(result, benchmarks, THROUGHPUT)
    first_call = asvcompat.points(result, benchmarks, FIRST_CALL)
    accuracy = asvcompat.points(result, benchmarks, ACCURACY)
    backends = [label[0] for label in throughput if len(label) == 2]
    rows = []
    for backend in dict.fromkeys(backends):
        large = _rate(throughput.get((backend, str(LARGE))), LARGE)
        small = _rate(throughput.get((backend, str(SMALL))), SMALL)
        measured = large or small
        if measured is None:
            continue  # skipped here (no GPU, library missing)
        worst = accuracy.get((backend,))
        first = first_call.get((backend,))
        rows.append(
            {
                "backend": backend.strip("'"),
                "n": LARGE if large else SMALL,
                "samples_per_second": measured[0],
                "spread": measured[1],
                "first_call_s": first["value"] if first else None,
                "worst_sigma": worst["value"] if worst else None,
            }
        )
    rows = ranked(add_speedups(rows), LARGE)
    return {
        "file": path.name,
        "commit": result.commit_hash,
        "machine": machine_name,
        "env": result.env_name,
        "n": LARGE,
        "device": "cpu",
        "rows": rows,
        "limit": hand_written_limit(result, benchmarks),
    }


def hand_written_limit(result: Any, benchmarks: dict[str, Any]) -> dict[str, float] | None:
    """``HandWrittenLimit`` in a result: numba:fused's ``ratio`` to this CPU's hand-written C
    and that C's ``gsamples_per_second`` on one thread; ``None`` where it was not measured
    (no C compiler, or a commit before the benchmark)."""
    ratio = asvcompat.points(result, benchmarks, LIMIT_RATIO).get(())
    limit = asvcompat.points(result, benchmarks, LIMIT).get(())
    if not ratio or not limit:
        return None
    return {"ratio": float(ratio["value"]), "gsamples_per_second": float(limit["value"])}


def limit_sentence(limit: dict[str, float]) -> str:
    """The limit in words, as ``accelpi summary`` and the front page say it."""
    return (
        f"numba:fused on one thread runs {limit['ratio']:.2f}x this CPU's hand-written limit "
        f"(pi_simd.c built here: {limit['gsamples_per_second'] * 1e3:,.0f} Msamples/s on one thread, "
        "in the ranking's unit)"
    )


def _gpu_summary(path: Path, result: Any, machine_name: str, benchmarks: dict) -> dict[str, Any]:
    """A GPU machine's run: ``GpuThroughput`` ranked (no first-call or accuracy benchmarks
    run there: the GPU tests check accuracy)."""
    rows = []
    for (backend, *_), point in asvcompat.points(result, benchmarks, GPU_THROUGHPUT).items():
        measured = _rate(point, GPU_N)
        if measured is not None:
            rows.append(
                {
                    "backend": backend.strip("'"),
                    "n": GPU_N,
                    "samples_per_second": measured[0],
                    "spread": measured[1],
                    "first_call_s": None,
                    "worst_sigma": None,
                }
            )
    rows.sort(key=lambda r: -r["samples_per_second"])
    return {
        "file": path.name,
        "commit": result.commit_hash,
        "machine": machine_name,
        "env": result.env_name,
        "n": GPU_N,
        "device": "cuda",
        "rows": rows,
    }


def expected_seconds(results_dir: str | Path, machine: str | None = None) -> float | None:
    """How long the newest full run of the suite took (asv's recorded durations), if any."""
    try:
        _, result, _ = _newest(Path(results_dir), None, machine)
    except InvalidArgument:
        return None
    total = sum(v for v in (result.duration or {}).values() if isinstance(v, int | float))
    return total or None


def where(summary: dict[str, Any]) -> str:
    """What the summary's rates were measured at: "2**25 samples" or "2**31 samples on the GPU"."""
    on_gpu = " on the GPU" if summary.get("device") == "cuda" else ""
    return f"2**{summary['n'].bit_length() - 1} samples{on_gpu}"


def format_summary(summary: dict[str, Any]) -> list[str]:
    """The summary as lines of at most 80 characters (plain text: it reads the same piped)."""
    lines = [
        f"accelpi on {summary['machine']}, commit {summary['commit'][:8]}: backends ranked by speed",
        f"(samples/s at {where(summary)}; spread: asv's interquartile range"
        + ("; python at 2**16)" if summary.get("device", "cpu") == "cpu" else ")"),
        "",
        f"{'backend':<20}{'Msamples/s':>11}{'spread':>8}{'vs python':>10}{'vs numpy':>9}"
        f"{'1st call':>10}{'worst σ':>9}",
    ]
    for r in summary["rows"]:
        shown = cells(r)
        rate = shown["rate"] + ("*" if r["n"] != summary["n"] else "")
        sigma = shown["sigma"].removesuffix(" σ")
        lines.append(
            f"{r['backend']:<20}{rate:>11}{shown['spread']:>8}{shown['vs_python']:>10}"
            f"{shown['vs_numpy']:>9}{shown['first_call']:>10}{sigma:>9}"
        )
    lines.append("1st call: a fresh interpreter's import and compile, caches empty; worst σ: the")
    lines.append("largest error of 5 seeds in standard errors (above 6 means a broken generator)")
    if any(r["n"] != summary["n"] for r in summary["rows"]):
        lines.append("* measured at 2**16 samples (per-call overhead included)")
    if summary.get("limit"):
        import textwrap

        lines += textwrap.wrap(limit_sentence(summary["limit"]), 80)
    return lines
