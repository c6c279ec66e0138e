"""``accelpi backends``, ``accelpi run`` and ``accelpi info``: the estimator and this machine."""

from __future__ import annotations

import argparse
import time
from typing import Any

from .. import __version__
from ..core import backends, estimate
from ..environment import environment
from .common import (
    EXIT_OK,
    add_command,
    escape,
    estimate_options,
    get_console,
    parse_count,
    positive,
    print_json,
    rate,
)


def cmd_backends(args: argparse.Namespace) -> int:
    infos = backends(probe=args.probe)
    if args.json:
        print_json([i.to_dict() for i in infos])
        return EXIT_OK
    from rich.table import Table

    table = Table(title="accelpi backends", title_justify="left")
    columns = ["backend", "available", "version", "devices", "threads", "streams"]
    if any(i.reason for i in infos):
        columns.append("reason")
    for column in columns:
        table.add_column(column, overflow="fold", no_wrap=column == "backend")
    for i in infos:
        cells = [
            escape(i.name),
            "[green]yes[/]" if i.available else "[red]no[/]",
            escape(i.version or "-"),
            ", ".join(i.devices) or "-",
            i.threads,
            escape(i.streams),
            escape(i.reason),
        ]
        table.add_row(*cells[: len(columns)])
    get_console().print(table)
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
    out.print(str(est), markup=False)  # "[numba:fused on cpu, ...]" is text, not markup
    out.print(f"time {seconds:.3f} s, {rate(est.n, seconds)} (first call in this process: compile included)")
    return EXIT_OK


def cmd_info(args: argparse.Namespace) -> int:
    env = environment()
    if args.json:
        print_json(env)
        return EXIT_OK
    from rich.pretty import Pretty
    from rich.tree import Tree

    tree = Tree(f"accelpi {__version__}")
    for key, value in env.items():
        if key == "libraries":
            branch = tree.add("libraries")
            for lib, entry in value.items():
                leaf = branch.add(f"{lib} {entry['version']} [dim]({entry['distribution']})[/]")
                if "facts" in entry:
                    leaf.add(Pretty(entry["facts"]))
        else:
            tree.add(f"{key}: ").add(Pretty(value))
    get_console().print(tree)
    return EXIT_OK


def setup_arguments(sub: Any) -> None:
    p = add_command(
        sub, "backends", cmd_backends, "list every backend: available or not, why, version, devices"
    )
    p.add_argument("--probe", action="store_true", help="also run a tiny estimate (catches compile failures)")

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
