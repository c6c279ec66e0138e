"""``accelpi bisect``: the first release of a library where a benchmark got slower."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..errors import InvalidArgument
from ..libraries import sweep_targets
from ..store import SWEEP_RESULTS
from .common import (
    EXIT_OK,
    add_command,
    escape,
    factor_option,
    get_console,
    machine_name,
    machine_option,
    print_json,
    project_from,
    project_options,
    results_option,
    switches,
)


def cmd_bisect(args: argparse.Namespace) -> int:
    from ..releases.bisect import bisect_releases

    console = get_console(stderr=True)
    chosen = {}
    for name, values in (switches(args.switch) or {}).items():
        if len(values) != 1:  # a bisection follows one series: one value per variable
            raise InvalidArgument(f"--switch {name}={','.join(values)}: bisect takes one value, NAME=VALUE")
        chosen[name] = values[0]
    project = project_from(args)
    result = bisect_releases(
        args.library,
        args.good,
        args.bad,
        args.bench,
        machine_name(args.machine),
        Path.cwd(),
        factor=args.factor,
        log=lambda text: console.print(escape(text)),
        switches=chosen,
        project=project,
        results=Path(args.results).resolve() if project is not None else None,
    )
    if args.json:
        print_json(result)
    else:
        get_console().print(
            f"{args.library}: first release where {args.bench!r} is slower than in {args.good} "
            f"by more than {args.factor}x: [bold]{result['first_bad']}[/] "
            f"(last good: {result['last_good']}; {len(result['steps'])} release(s) probed)"
        )
    return EXIT_OK


def setup_arguments(sub: Any) -> None:
    p = add_command(
        sub, "bisect", cmd_bisect, "find the first release of a library where a benchmark got slower"
    )
    p.add_argument(
        "library", help=f"a sweepable library: {', '.join(sweep_targets())}; with --project, any distribution"
    )
    p.add_argument("--good", required=True, help="a release where the benchmark is fast")
    p.add_argument("--bad", required=True, help="a later release where it is slow")
    p.add_argument(
        "-b",
        "--bench",
        required=True,
        help="regex over benchmark(params), as asv -b takes it, e.g. \"Throughput.time_estimate\\('numba'\"",
    )
    factor_option(p, "the first release slower than --good")
    p.add_argument(
        "--switch",
        action="append",
        metavar="NAME=VALUE",
        help="run (and read) the environments with this variable, e.g. TF_ENABLE_ONEDNN_OPTS=1",
    )
    machine_option(p)
    results_option(p, SWEEP_RESULTS, "asv results folder of the sweeps (read, and written by the probes)")
    project_options(p)
