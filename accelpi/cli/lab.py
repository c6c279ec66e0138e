"""``accelpi compare``, ``accelpi threads`` and ``accelpi overhead``: the lab's commands."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from .. import registry
from ..core import check_device_name, check_n
from ..errors import BackendUnavailable, InvalidArgument
from ..lab import threads as threadlab
from ..lab.overhead import launch_overhead
from ..lab.timing import REFERENCES, measure, with_speedups
from ..machine import cpu_count
from ..ranking import cells as figures
from ..ranking import ranked
from .common import (
    EXIT_FLAGGED,
    EXIT_OK,
    EXIT_UNAVAILABLE,
    add_command,
    backends_option,
    escape,
    estimate_options,
    get_console,
    parse_count,
    positive,
    print_json,
    print_notes,
)


def cmd_compare(args: argparse.Namespace) -> int:
    n = check_n(args.n)
    device = check_device_name(args.device)
    infos = {i.name: i for i in registry.backends()}
    if args.backends:
        for name in args.backends:
            registry.spec(name)  # unknown names fail before any timing
        chosen = list(dict.fromkeys(args.backends))
    else:
        chosen = [
            name for name, i in infos.items() if i.available and (device is None or device in i.devices)
        ]
        if device is not None and not chosen:
            reasons = "; ".join(
                f"{name}: {i.reason}" for name, i in infos.items() if device in registry.spec(name).devices
            )
            raise BackendUnavailable(f"no backend can run on {device} here ({reasons})")
    # The references run on their own default device (the CPU) whatever --device says.
    order = [(r, None) for r in REFERENCES if r not in chosen and infos[r].available]
    order += [(name, device) for name in chosen]
    rows: list[dict[str, Any]] = []
    from rich.progress import Progress

    with Progress(console=get_console(stderr=True), transient=True, disable=args.json) as progress:
        task = progress.add_task("measuring", total=len(order))
        for name, on in order:
            progress.update(task, description=f"measuring {name}")
            options = dict(budget=args.budget, repeat=args.repeat, seed=args.seed, threads=args.threads)
            rows.append(measure(name, n, device=on, **options))
            progress.advance(task)
    with_speedups(rows, chosen)
    limit = hand_written_limit(rows, n) if args.limit else None
    if args.json:
        print_json({"n": n, "rows": rows, **({"limit": limit} if limit else {})})
    else:
        print_compare(rows, wide=args.wide)
        if limit:
            print_limit(limit)
    named_unavailable = [r for r in rows if not r["available"] and r["backend"] in (args.backends or [])]
    return EXIT_UNAVAILABLE if named_unavailable else EXIT_OK


def hand_written_limit(rows: list[dict[str, Any]], n: int) -> dict[str, Any] | None:
    """numba:fused on one thread against the C anchor (:func:`accelpi.lab.anchor.ratio_to_limit`),
    when numba:fused was measured on the CPU; ``reason`` instead where the C cannot be built."""
    from ..lab import anchor

    if not any(r["backend"] == "numba:fused" and r["available"] and r["device"] == "cpu" for r in rows):
        return None
    try:
        return anchor.ratio_to_limit(max(8, min(n, 1 << 26)) // 8 * 8)
    except BackendUnavailable as exc:
        return {"reason": str(exc)}


def print_limit(limit: dict[str, Any]) -> None:
    """One line under the table: numba:fused as a multiple of this CPU's hand-written limit."""
    if "reason" in limit:
        text = f"numba:fused against the hand-written C limit: not measured ({limit['reason']})"
    else:
        best = limit["best"]
        text = (
            f"numba:fused on one thread: {limit['ratio']:.2f}x this CPU's hand-written limit\n"
            f"(pi_simd.c's {best} version: {limit['samples_per_second'][best] / 1e6:,.0f} Msamples/s)"
        )
    get_console().print(text, markup=False, soft_wrap=False)


def print_compare(rows: list[dict[str, Any]], wide: bool = False) -> None:
    """The comparison, fastest first, in 80 columns (``wide``: with n and threads);
    reasons of unavailable backends as numbered notes under the table."""
    from rich import box
    from rich.table import Table

    console = get_console()
    if wide:  # as wide as it takes (for a wide terminal, or a file)
        console = get_console(width=160)
    console.print(
        "samples/s: the best of the timed calls; each backend's n is capped so that\n"
        "one call takes about --budget seconds (--wide shows n). 1st call: import\n"
        "excluded, compile included, in a fresh process. error: distance from π in\n"
        "standard errors.",
        markup=False,
        soft_wrap=True,
    )
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    columns = ["backend", "Msamples/s", "vs python", "vs numpy", "1st call", "error"]
    columns += ["n", "threads"] if wide else []
    for column in columns:
        table.add_column(column, justify="left" if column == "backend" else "right", no_wrap=True)
    notes: list[str] = []
    for r in ranked(rows):
        label = escape(r["backend"]) + (" [dim](ref)[/]" if r["reference_only"] else "")
        if not r["available"]:
            notes.append(r["reason"])
            table.add_row(label, f"[red]unavailable [{len(notes)}][/]", *[""] * (len(columns) - 2))
            continue
        shown = figures(r)
        sigma = shown["sigma"]
        cells = [
            label,
            shown["rate"],
            shown["vs_python"],
            shown["vs_numpy"],
            shown["first_call"],
            sigma if abs(r["z"]) <= 6 else f"[red]{sigma}[/]",
        ]
        if wide:
            cells += [f"{r['n']:,}", str(r["threads"])]
        table.add_row(*cells)
    console.print(table)
    print_notes(console, notes)


def cmd_overhead(args: argparse.Namespace) -> int:

    rows = launch_overhead(tasks=args.tasks, n=args.n, repeat=args.repeat, kernel=args.kernel)
    if args.json:
        print_json(rows)
        return EXIT_OK
    from rich import box
    from rich.table import Table

    methods = list(dict.fromkeys(r["method"] for r in rows))
    table = Table(
        title=f"launch overhead: {check_n(args.n):,} samples split into tasks (seconds, best of "
        f"{args.repeat}; in brackets: more than with 1 task)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
    )
    table.add_column("tasks", justify="right")
    for method in methods:
        table.add_column(method, justify="right")
    for tasks in sorted(set(args.tasks)):
        cells = [f"{r['seconds']:.4f} ({r['overhead_s']:+.4f})" for r in rows if r["tasks"] == tasks]
        table.add_row(str(tasks), *cells)
    get_console().print(table)
    return EXIT_OK


# -- accelpi threads ----------------------------------------------------------------


def cmd_threads(args: argparse.Namespace) -> int:
    from rich.progress import Progress

    if args.plot:  # check where the plot goes before minutes of measuring, not after
        folder = Path(args.plot).resolve().parent
        if not folder.is_dir() or not os.access(folder, os.W_OK):
            raise InvalidArgument(
                f"--plot {args.plot}: cannot write there ({folder} is not a writable folder)"
            )
    counts = list(range(1, args.max_threads + 1))
    with Progress(console=get_console(stderr=True), transient=True, disable=args.json) as progress:
        task = progress.add_task("scaling", total=3)
        scaling = threadlab.scaling(args.backends, counts, n=args.n, repeat=args.repeat)
        progress.update(task, advance=1, description="determinism under concurrency")
        concurrency = threadlab.concurrency(threads=args.concurrent, rounds=args.rounds)
        progress.update(task, advance=1, description="the race")
        race = threadlab.race(threads=args.concurrent, runs=args.runs)
        progress.advance(task)
    report = {
        "interpreter": threadlab.gil_status(),
        "scaling": scaling,
        "concurrency": concurrency,
        "race": race,
    }
    if args.json:
        print_json(report)
    else:
        _print_threads(report, len(counts), args.concurrent)
    if args.plot:  # after the report is out: a failed plot never loses the measurements
        try:
            threadlab.plot_scaling(scaling, args.plot)
        except (OSError, ValueError) as exc:
            raise InvalidArgument(f"--plot {args.plot}: {exc} (the results above are complete)") from None
        if not args.json:
            get_console().print(f"speedup plot written to {args.plot}", markup=False)
    broken = [r["backend"] for r in concurrency if r["mismatches"]]
    broken += [r["kernel"] for r in race if r["safe"] and r["wrong_runs"]]
    if broken:
        print(f"accelpi: wrong results under concurrency: {', '.join(broken)}", file=sys.stderr)
        return EXIT_FLAGGED
    return EXIT_OK


def _print_threads(report: dict[str, Any], counts: int, concurrent: int) -> None:
    """The threading lab's three tables: scaling, determinism under concurrency, the race."""
    from rich import box
    from rich.table import Table

    console = get_console()
    console.print(f"Python {sys.version.split()[0]}, {report['interpreter']}, {counts} thread counts")
    table = Table(
        title="1. scaling: the same work on more threads", title_justify="left", box=box.SIMPLE_HEAD
    )
    for column in ("backend", "threads", "seconds", "speedup", "efficiency"):
        table.add_column(column, justify="left" if column == "backend" else "right")
    for r in report["scaling"]:
        if "skipped" in r:
            table.add_row(r["backend"], str(r["threads"]), f"[dim]{escape(r['skipped'])}[/]", "", "")
        else:
            table.add_row(
                r["backend"],
                str(r["threads"]),
                f"{r['seconds']:.4f}",
                f"{r['speedup']:.2f}x",
                f"{r['efficiency']:.0%}",
            )
    console.print(table)
    table = Table(
        title=f"2. determinism: {concurrent} concurrent calls per round vs serial calls",
        title_justify="left",
        box=box.SIMPLE_HEAD,
    )
    for column in ("backend", "calls", "mismatches", "first mismatch"):
        table.add_column(column, justify="left" if column in ("backend", "first mismatch") else "right")
    for r in report["concurrency"]:
        bad = "[red]" if r["mismatches"] else ""
        table.add_row(r["backend"], str(r["calls"]), f"{bad}{r['mismatches']}", escape(r["example"] or ""))
    console.print(table)
    table = Table(
        title=f"3. the race: {concurrent} threads count into shared counters",
        title_justify="left",
        box=box.SIMPLE_HEAD,
    )
    for column in ("kernel", "safe", "runs", "wrong", "lost", "worst"):
        table.add_column(column, justify="left" if column == "kernel" else "right")
    for r in report["race"]:
        table.add_row(
            r["kernel"],
            "yes" if r["safe"] else "[red]no[/]",
            str(r["runs"]),
            str(r["wrong_runs"]),
            f"{r['lost_updates']:,}",
            f"{r['worst_loss']:.2%}",
        )
    console.print(table)


def setup_arguments(sub: Any) -> None:
    p = add_command(sub, "compare", cmd_compare, "time every available backend (or those named) side by side")
    backends_option(p, "a backend to compare (repeat the option; default: every available one)")
    p.add_argument(
        "-n",
        type=parse_count,
        default=2**30,
        help="most samples per timed call (default 2**30); slow backends get fewer, see --budget",
    )
    p.add_argument(
        "--budget",
        type=positive(float),
        default=1.0,
        help="seconds one timed call may take; n is capped to fit (default 1)",
    )
    p.add_argument(
        "--repeat", type=positive(int), default=3, help="timed calls per backend, best kept (default 3)"
    )
    p.add_argument("--wide", action="store_true", help="also show each backend's n and threads")
    p.add_argument(
        "--no-limit",
        dest="limit",
        action="store_false",
        help="leave out numba:fused's ratio to this CPU's hand-written C limit (timed when "
        "numba:fused is compared: about a second, a C compiler needed)",
    )
    estimate_options(p)

    p = add_command(
        sub,
        "overhead",
        cmd_overhead,
        "Dask's launch overhead against the task count, vs a ThreadPoolExecutor",
    )
    p.add_argument("--tasks", type=positive(int), nargs="+", default=[1, 10, 100, 1000], help="task counts")
    p.add_argument(
        "-n", type=parse_count, default=2**24, help="total samples, split into the tasks (default 2**24)"
    )
    p.add_argument("--repeat", type=positive(int), default=3, help="runs per point, best kept (default 3)")
    p.add_argument("--kernel", default="numpy", help="task kernel: numpy (default) or numba:fused")

    p = add_command(
        sub, "threads", cmd_threads, "the threading lab: scaling, determinism under concurrency, the race"
    )
    backends_option(p, "a backend for the scaling table (repeat; default: every threaded backend available)")
    p.add_argument(
        "--max-threads", type=positive(int), default=cpu_count(), help="scale from 1 to this many threads"
    )
    p.add_argument("-n", type=parse_count, default=2**25, help="samples per scaling call (default 2**25)")
    p.add_argument("--repeat", type=positive(int), default=3, help="scaling calls per point, best kept")
    p.add_argument("--concurrent", type=positive(int), default=4, help="threads calling at once (default 4)")
    p.add_argument("--rounds", type=positive(int), default=5, help="rounds of concurrent calls per backend")
    p.add_argument("--runs", type=positive(int), default=20, help="runs of each race kernel")
    p.add_argument("--plot", metavar="PNG", help="also draw speedup against threads (needs matplotlib)")
