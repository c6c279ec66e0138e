"""``accelpi gate``: the pull-request gate, ``asv continuous`` of two commits (:mod:`accelpi.gate`)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from ..errors import AccelpiError, InvalidArgument, shown
from ..gate import GATE, GATE_FACTOR, command
from .common import add_command, factor, machine_name, machine_option


def cmd_gate(args: argparse.Namespace) -> int:
    from ..store import asvcompat, git

    root = Path.cwd()
    base, head = git.resolve(root, args.base), git.resolve(root, args.head)
    for option, given, found in (("base", args.base, base), ("head", args.head, head)):
        if found is None:
            raise InvalidArgument(f"{option} {shown(given)} is not a commit of the repository in {root}")
    if args.record and Path(args.record).exists() and not Path(args.record).is_dir():
        raise InvalidArgument(
            f"--record {shown(args.record)} is a file; it takes a folder for the gate's runs"
        )
    machine = machine_name(args.machine)
    extra = ["--machine", machine, *args.asv_args]
    began = time.perf_counter()
    bench = None if args.full else list(GATE)
    done = subprocess.run(command(args.base, args.head, args.factor, bench, extra), cwd=root)
    print(
        f"gate: asv continuous exited {done.returncode} after {time.perf_counter() - began:.0f} s",
        file=sys.stderr,
    )
    seconds = time.perf_counter() - began
    summary_file = args.summary or os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file or args.record:  # the reviewer's table: flagged rows first, and how sure
        from ..reports.gate import gate_report, markdown, record_run

        conf = asvcompat.load_json(root / "asv.conf.json", js_comments=True)
        results = root / conf.get("results_dir", "results")
        try:
            report = gate_report(results, machine, base, head, args.factor, bench)
        except AccelpiError as exc:
            print(f"gate: no summary: {exc}", file=sys.stderr)
        else:
            if summary_file:
                with open(summary_file, "a", encoding="utf-8") as out:
                    out.write(markdown(report, done.returncode))
            if args.record:
                try:
                    path = record_run(report, done.returncode, seconds, Path(args.record))
                except OSError as exc:
                    print(f"gate: run not recorded in {args.record}: {exc.strerror or exc}", file=sys.stderr)
                else:
                    print(
                        f"gate: run recorded in {path} (accelpi site --gate {args.record})", file=sys.stderr
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
    p.add_argument(
        "--summary",
        metavar="MD",
        help="append a Markdown summary (every gate benchmark, the verdict, how sure) to this file; "
        "default: $GITHUB_STEP_SUMMARY when set (a GitHub job summary)",
    )
    p.add_argument(
        "--record",
        metavar="DIR",
        help="also keep this run's report as a JSON file in DIR, for the site's gate page "
        "(accelpi site --gate DIR)",
    )
    p.add_argument(
        "asv_args", nargs="*", default=[], metavar="-- ASV-OPTION", help="more options for asv continuous"
    )
