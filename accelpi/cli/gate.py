"""``accelpi gate``: the pull-request gate, ``asv continuous`` of two commits (:mod:`accelpi.gate`)."""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from ..gate import GATE, GATE_FACTOR, command
from .common import add_command, factor, machine_name, machine_option


def cmd_gate(args: argparse.Namespace) -> int:
    extra = ["--machine", machine_name(args.machine), *args.asv_args]
    began = time.perf_counter()
    bench = None if args.full else list(GATE)
    done = subprocess.run(command(args.base, args.head, args.factor, bench, extra), cwd=Path.cwd())
    print(
        f"gate: asv continuous exited {done.returncode} after {time.perf_counter() - began:.0f} s",
        file=sys.stderr,
    )
    return done.returncode


def setup_arguments(sub: Any) -> None:
    p = add_command(
        sub,
        "gate",
        cmd_gate,
        "the pull-request gate: asv continuous of two commits on the gate's benchmarks "
        "(exit 1: a benchmark got slower, 2: one failed)",
    )
    p.add_argument("base", help="the commit compared against (main, origin/main)")
    p.add_argument("head", help="the commit under test (HEAD)")
    p.add_argument("--full", action="store_true", help="the whole suite, not the gate's subset")
    p.add_argument(
        "--factor", type=factor, default=GATE_FACTOR, help=f"asv continuous --factor (default {GATE_FACTOR})"
    )
    machine_option(p)
    p.add_argument("asv_args", nargs="*", metavar="-- ASV-OPTION", help="more options for asv continuous")
