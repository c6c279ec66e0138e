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
from .common import (
    EXIT_FLAGGED,
    EXIT_INCONCLUSIVE,
    EXIT_OK,
    add_command,
    factor,
    machine_name,
    machine_option,
)


def cmd_gate(args: argparse.Namespace) -> int:
    from ..store import git

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
    report = _report(root, machine, base, head, args.factor, bench)
    if report is None:  # no results to read: asv's own status stands
        return done.returncode
    summary_file = args.summary or os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:  # the reviewer's table: the outcome first, then every row and its noise
        from ..reports.gate import markdown

        with open(summary_file, "a", encoding="utf-8") as out:
            out.write(markdown(report, done.returncode))
    if args.record:
        _record(report, done.returncode, seconds, Path(args.record))
    from ..reports.gate import outcome

    said = outcome({**report, "exit_code": done.returncode})
    print(f"gate: {said}", file=sys.stderr)
    return {"failed": 2, "slower": EXIT_FLAGGED, "inconclusive": EXIT_INCONCLUSIVE}.get(said, EXIT_OK)


def _report(
    root: Path, machine: str, base: str, head: str, factor: float, bench: Any
) -> dict[str, Any] | None:
    from ..reports.gate import gate_report
    from ..store import asvcompat

    conf = asvcompat.load_json(root / "asv.conf.json", js_comments=True)
    try:
        return gate_report(root / conf.get("results_dir", "results"), machine, base, head, factor, bench)
    except AccelpiError as exc:
        print(f"gate: no summary: {exc}", file=sys.stderr)
        return None


def _record(report: dict[str, Any], exit_code: int, seconds: float, folder: Path) -> None:
    from ..reports.gate import record_run

    try:
        path = record_run(report, exit_code, seconds, folder)
    except OSError as exc:
        print(f"gate: run not recorded in {folder}: {exc.strerror or exc}", file=sys.stderr)
    else:
        print(f"gate: run recorded in {path} (accelpi site --gate {folder})", file=sys.stderr)


def setup_arguments(sub: Any) -> None:
    p = add_command(
        sub,
        "gate",
        cmd_gate,
        "the pull-request gate: asv continuous of two commits on the gate's benchmarks "
        "(exit 1: a benchmark got slower, 2: one failed, 5: inconclusive, a change of the factor "
        "could pass unseen on this runner)",
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
        help="append a Markdown summary (the outcome, every gate benchmark with its interval and noise) "
        "to this file, a pull-request comment's body; "
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
