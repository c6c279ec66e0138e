"""``accelpi backends``, ``accelpi run`` and ``accelpi info``: the estimator and this machine."""

from __future__ import annotations

import argparse
import time
from typing import Any

from .. import __version__
from ..core import backends, estimate
from ..environment import environment
from ..registry import tuned_backends
from .common import (
    EXIT_OK,
    add_command,
    escape,
    estimate_options,
    get_console,
    parse_count,
    positive,
    print_json,
    print_notes,
    rate,
)

#: The hand-tuned kernels (``numba:fused``, ``cupy:fused``), marked in every table.
TUNED = tuned_backends()


def cmd_backends(args: argparse.Namespace) -> int:
    infos = backends(probe=args.probe)
    if args.json:
        print_json([i.to_dict() for i in infos])
        return EXIT_OK
    from rich import box
    from rich.table import Table

    console = get_console()
    table = Table(title="accelpi backends", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    columns = ["backend", "kind", "available", "version", "devices", "threads"]
    columns += ["what it is", "streams"] if args.wide else []
    for column in columns:
        table.add_column(column, no_wrap=column not in ("streams", "what it is"))
    notes: list[str] = []
    for i in infos:
        available = "[green]yes[/]" if i.available else "[red]no[/]"
        if i.reason:  # one note per reason: the backends of one library share theirs
            reason = i.reason.replace(f"backend {i.name!r} ", "")
            if reason not in notes:
                notes.append(reason)
            available += f" [{notes.index(reason) + 1}]"
        kind = "tuned" if i.name in TUNED else ""
        cells = [
            escape(i.name),
            kind,
            available,
            escape(i.version or "-"),
            ", ".join(i.devices) or "-",
            i.threads,
        ]
        table.add_row(*cells, *([escape(i.summary), escape(i.streams)] if args.wide else []))
    console.print(table)
    print_notes(console, notes)
    console.print(
        f"tuned: hand-tuned kernels ({', '.join(TUNED)}), this workload's ceiling, not the "
        "library's typical code; the others are written as a user would. What each is: --wide.",
        markup=False,
        highlight=False,
    )
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    given = {
        "chunks": args.chunks,
        "kernel": args.kernel,
        "scheduler": args.scheduler,
        "connect_timeout": args.connect_timeout,
    }
    options = {key: value for key, value in given.items() if value is not None}
    start = time.perf_counter()
    est = estimate(args.n, args.backend, seed=args.seed, threads=args.threads, device=args.device, **options)
    seconds = time.perf_counter() - start
    if args.json:
        print_json({**est.to_dict(), "seconds": seconds, "samples_per_second": est.n / seconds})
        return EXIT_OK
    out = get_console()
    out.print(str(est), markup=False, soft_wrap=True)  # "[numba:fused on cpu...]" is text, not markup
    out.print(f"time {seconds:.3f} s, {rate(est.n, seconds)} (first call in this process: compile included)")
    return EXIT_OK


def cmd_info(args: argparse.Namespace) -> int:
    env = environment()
    if args.json:
        print_json(env)
        return EXIT_OK
    console = get_console()
    for line in info_lines(env, console.width):
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    return EXIT_OK


def info_lines(env: dict[str, Any], width: int = 80) -> list[str]:
    """``accelpi info`` as a short report for people (``--json`` keeps everything)."""
    import textwrap

    def item(key: str, value: Any, indent: str = "  ") -> list[str]:
        if isinstance(value, list):
            value = ", ".join(map(str, value)) or "-"
        elif isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items()) or "-"
        return textwrap.wrap(
            f"{key}: {value}", width=width, initial_indent=indent, subsequent_indent=indent + "    "
        ) or [f"{indent}{key}:"]

    python, cpu = env["python"], env["cpu"]
    lines = [f"accelpi {__version__}"]
    lines += item(
        "python",
        f"{python['version']} ({python['implementation']}, GIL {'on' if python['gil_enabled'] else 'off'})",
    )
    lines += item("platform", env["platform"])
    lines += item("cpu", f"{cpu['model']}, {cpu['usable_cores']} of {cpu['cores']} cores usable")
    lines += item("cpu flags", cpu["flags"])
    lines += item("speed variables", env["variables"] or "none set")
    lines.append("libraries:")
    for name, entry in env["libraries"].items():
        lines.append(f"  {name} {entry['version']} ({entry['distribution']})")
        facts = entry.get("facts")
        if isinstance(facts, str):
            lines += item("facts", facts, "    ")
            continue
        for key, value in (facts or {}).items():
            if key == "simd" and isinstance(value, list):
                value = f"{len(value)} features (accelpi info --json lists them)"
            elif key == "threadpools" and isinstance(value, list):
                value = "; ".join(
                    f"{p.get('internal_api')} {p.get('version')} {p.get('num_threads')} thread(s)"
                    for p in value
                )
            elif key == "build" and isinstance(value, dict):
                value = ", ".join(
                    f"{k}={v}" for k, v in value.items() if k in ("cpu_compiler", "is_cuda_build")
                )
            lines += item(key, value, "    ")
    return lines


def setup_arguments(sub: Any) -> None:
    p = add_command(
        sub, "backends", cmd_backends, "list every backend: available or not, why, version, devices"
    )
    p.add_argument("--probe", action="store_true", help="also run a tiny estimate (catches compile failures)")
    p.add_argument("--wide", action="store_true", help="also show each backend's reproducibility promise")

    p = add_command(sub, "run", cmd_run, "run one estimate and print it with its error and speed")
    p.add_argument("-b", "--backend", default="numpy", help="backend name (see 'accelpi backends')")
    p.add_argument("-n", type=parse_count, default=10**7, help="samples, e.g. 1e8 (default 1e7)")
    estimate_options(p)
    dask_options = p.add_argument_group("Dask backends")
    dask_options.add_argument("--chunks", type=int, help="number of tasks (default: one per 4 Mi samples)")
    dask_options.add_argument("--kernel", help="task kernel: numpy (default) or numba:fused")
    dask_options.add_argument(
        "--scheduler",
        help="dask:distributed: a scheduler address, e.g. tcp://127.0.0.1:8786 "
        "(default: $ACCELPI_DASK_SCHEDULER, else a local cluster)",
    )
    dask_options.add_argument(
        "--connect-timeout", type=positive(float), help="seconds to reach the scheduler"
    )

    add_command(
        sub, "info", cmd_info, "the machine, installed library versions, and the settings that change speed"
    )
