"""``accelpi sweep``, ``versions``, ``bisect``, ``inventory`` and ``site``: library releases.

These commands need asv and packaging (``pip install 'accelpi[bench]'``); they import the
:mod:`accelpi.releases` family only when run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..errors import InvalidArgument
from ..libraries import sweep_targets
from ..releases import COMMIT_RESULTS, SWEEP_RESULTS
from .common import (
    EXIT_FLAGGED,
    EXIT_OK,
    add_command,
    escape,
    factor_option,
    get_console,
    machine_name,
    machine_option,
    positive,
    print_json,
    results_option,
    switches,
    warn_skipped,
)


def cmd_sweep(args: argparse.Namespace) -> int:
    from ..releases.plan import plan_sweep
    from ..releases.sweep import estimate_seconds, measured, record_cannot_install, run_sweep

    plan = plan_sweep(
        args.library,
        args.versions,
        args.last,
        switches(args.switch, args.no_switches),
        tuple(args.pin or ()),
    )
    results = Path(args.results).resolve()
    console = get_console(stderr=True)  # progress and notes; the report goes to stdout
    for version, reason in plan.skipped.items():
        console.print(
            f"[yellow]cannot install[/] {args.library} {version} for Python {plan.python}: {escape(reason)}"
        )
    done = {} if args.rerun else measured(plan, results)
    todo = [v for v in plan.versions if v not in done]
    per_release = estimate_seconds(plan, results)
    axes = f" x {', '.join(f'{k}={v}' for k, v in plan.switches.items())}" if plan.switches else ""
    console.print(
        f"{args.library}{axes}: {len(plan.versions)} release(s), {len(done)} already measured in "
        f"{args.results}, {len(todo)} to run ({', '.join(todo) or 'none'}): about "
        f"{per_release * len(todo) / 60:.0f} min at {per_release / 60:.1f} min per release"
    )
    if args.plan:
        if args.json:
            print_json(
                {
                    "versions": plan.versions,
                    "already_measured": sorted(done),
                    "to_run": todo,
                    "estimated_seconds": per_release * len(todo),
                    "cannot_install": plan.skipped,
                    "include": plan.include(),
                    "bench": plan.bench_regexes(),
                }
            )
        return EXIT_OK
    record_cannot_install(plan, results)
    report = run_sweep(
        plan,
        Path.cwd(),
        machine_name(args.machine),
        quick=args.quick,
        results_dir=results,
        rerun=args.rerun,
        delete_envs=args.delete_envs,
        progress=lambda line: console.print(line, markup=False, highlight=False),
    )
    if args.json:
        print_json(report)
    else:
        from rich.table import Table

        table = Table(title=f"sweep of {args.library}: {report['seconds']:.0f} s", title_justify="left")
        for column in ("environment", args.library, "numpy", "disk", "time", "unavailable"):
            table.add_column(column)
        for env in report["environments"]:
            installed = env.get("installed", {})
            lib_version = installed.get(plan.library.distributions[0], "-")
            disk = f"{env['disk_bytes'] / 2**20:,.0f} MiB" if "disk_bytes" in env else ""
            problems = env.get("error") or "; ".join(
                f"{k}: {v}" for k, v in env.get("unavailable", {}).items()
            )
            table.add_row(
                env["name"],
                lib_version,
                installed.get("numpy", "-"),
                disk,
                f"{env.get('seconds', 0):.0f} s",
                escape(problems),
            )
        get_console().print(table)
    if report["asv_exit"] != 0:
        print(f"accelpi: asv run exited {report['asv_exit']}:\n{report['asv_output_tail']}", file=sys.stderr)
        return EXIT_FLAGGED
    return EXIT_OK


# -- accelpi bisect -----------------------------------------------------------------


def cmd_bisect(args: argparse.Namespace) -> int:
    from ..releases.bisect import bisect_releases

    console = get_console(stderr=True)
    chosen = {}
    for name, values in (switches(args.switch) or {}).items():
        if len(values) != 1:  # a bisection follows one series: one value per variable
            raise InvalidArgument(f"--switch {name}={','.join(values)}: bisect takes one value, NAME=VALUE")
        chosen[name] = values[0]
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


# -- accelpi inventory --------------------------------------------------------------


def cmd_inventory(args: argparse.Namespace) -> int:
    from ..releases.inventory import KEY_DISTRIBUTIONS, drift, load_inventories, record_default_environments

    fresh = (
        record_default_environments(Path.cwd(), machine_name(args.machine), args.commit)
        if args.record
        else []
    )
    folders = args.results or [COMMIT_RESULTS, SWEEP_RESULTS]
    missing = [folder for folder in folders if not Path(folder).is_dir()]
    if args.results and missing:
        raise InvalidArgument(f"--results {missing[0]}: no such folder")
    skipped: list[dict[str, str]] = []
    records = [r for folder in folders if Path(folder).is_dir() for r in load_inventories(folder, skipped)]
    warn_skipped(skipped)
    problems = drift(records)
    if args.brief:
        envs = {r["env_name"] for r in fresh} if args.record else {r["env_name"] for r in records}
        mine = [p for p in problems if p["environment"] in envs]
        what = f"{len(fresh)} environment(s) recorded" if args.record else f"{len(records)} record(s)"
        if mine:
            p = mine[0]
            change = f"{p.get('requested', p.get('before'))} -> {p.get('installed', p.get('after'))}"
            print(f"inventory: {what}; {len(mine)} problem(s), first: {p['kind']}: {p['package']} {change}")
        else:
            print(f"inventory: {what}; every pin held, no drift (accelpi inventory shows the table)")
        return EXIT_FLAGGED if mine else EXIT_OK
    if args.json:
        print_json({"records": records, "problems": problems, "skipped": skipped})
    else:
        console = get_console()
        shown = [d for d in KEY_DISTRIBUTIONS if any(d in r["installed"] for r in records)]
        if args.wide:
            from rich.table import Table

            table = Table(
                title=f"installed versions per asv environment ({', '.join(folders)})", title_justify="left"
            )
            for column in ("machine", "environment", "switches", "commit", *shown):
                table.add_column(column, overflow="fold")
            for r in records:
                switches = ", ".join(f"{k}={v}" for k, v in sorted((r.get("env_vars") or {}).items()))
                table.add_row(
                    r["machine"],
                    escape(r["env_name"]),
                    escape(switches),
                    (r.get("commit") or "")[:8],
                    *[r["installed"].get(d, "") for d in shown],
                )
        else:  # one paragraph per environment: readable at 80 columns (--wide: a table)
            import textwrap

            console.print(f"installed versions per asv environment ({', '.join(folders)}):", markup=False)
            for r in records:
                switches = " ".join(f"{k}={v}" for k, v in sorted((r.get("env_vars") or {}).items()))
                versions = ", ".join(f"{d} {r['installed'][d]}" for d in shown if d in r["installed"])
                head = f"{r['machine']} {(r.get('commit') or '')[:8]} {switches}".strip()
                text = f"{head}: {versions or 'none of the key distributions'}"
                for line in textwrap.wrap(text, width=max(40, console.width), subsequent_indent="    "):
                    console.print(line, markup=False, highlight=False, soft_wrap=True)
            table = None
        if table is not None:
            console.print(table)
        for p in problems:
            detail = (
                f"requested {p['requested']}, installed {p['installed']}"
                if p["kind"] != "drift"
                else f"{p['before']} -> {p['after']}"
            )
            console.print(
                f"[red]{p['kind']}[/]: {p['machine']} {escape(p['environment'])}: {p['package']} {detail}"
            )
    return EXIT_FLAGGED if problems else EXIT_OK


# -- accelpi summary ----------------------------------------------------------------


def cmd_summary(args: argparse.Namespace) -> int:
    from ..releases.summary import expected_seconds, format_summary, run_summary

    if args.estimate:  # before a run: how long the last one took
        seconds = expected_seconds(args.results, args.machine)
        if args.json:
            print_json({"expected_seconds": seconds})
        elif seconds is None:
            print("accelpi: no earlier run recorded here: the first full run takes about 15 min on 2 cores")
        else:
            print(f"accelpi: the last full run took {seconds / 60:.0f} min; expect about as long")
        return EXIT_OK
    summary = run_summary(args.results, args.commit, args.machine)
    if args.json:
        print_json(summary)
        return EXIT_OK
    for line in format_summary(summary):
        print(line)
    print()
    print("Next: make publish, then make preview (the site: every commit, every release)")
    print("      make continuous (this commit against main, asv continuous)")
    return EXIT_OK


# -- accelpi replicate --------------------------------------------------------------


def cmd_replicate(args: argparse.Namespace) -> int:
    import textwrap

    from ..releases.replicate import replication_report

    report = replication_report(Path.cwd())
    if args.json:
        print_json(report)
        return EXIT_OK
    width = max(40, get_console().width)
    machines = ", ".join(
        f"{k} ({v['cores']} cores, commit {v['commit'][:8]})" for k, v in report["machines"].items()
    )
    print(f"The 2018 talk, re-measured on {machines or 'no machine'}:")
    for r in report["rows"]:
        print()
        for line in textwrap.wrap(r["claim"], width=width):
            print(line)
        blocks = [
            ("2018", r["figure_2018"]),
            *r["today"].items(),
            ("verdict", r["verdict"]),
            ("rule", r["rule"]),
        ]
        for key, value in blocks:
            print(
                textwrap.fill(f"{key}: {value}", width=width, initial_indent="  ", subsequent_indent="      ")
            )
    return EXIT_OK


# -- accelpi site -------------------------------------------------------------------


def cmd_site(args: argparse.Namespace) -> int:
    from ..releases.site import build_site

    skipped: list[dict[str, str]] = []
    site = build_site(
        Path.cwd(),
        sweeps=args.results,
        html_dir=args.html,
        publish=not args.no_publish,
        factor=args.factor,
        findings_md=args.findings,
        replication_md=args.replication,
        skipped=skipped,
    )
    warn_skipped(skipped)
    if args.json:
        print_json({"site": str(site)})
    else:
        get_console().print(
            f"site written to {site}/ (asv pages, and ours in {site}/accelpi/); serve it with: asv preview"
        )
    return EXIT_OK


def setup_arguments(sub: Any) -> None:
    p = add_command(
        sub, "sweep", cmd_sweep, "run the benchmarks of one library's backends across its releases"
    )
    p.add_argument("library", help=f"a sweepable library: {', '.join(sweep_targets())}")
    p.add_argument("versions", nargs="*", help="releases to sweep, e.g. 0.60.0 0.64.0 0.68.1")
    p.add_argument("--last", type=positive(int), help="the last N releases that install for this Python")
    p.add_argument(
        "--switch",
        action="append",
        metavar="NAME=V1,V2",
        help="an environment variable axis that needs no reinstall (repeatable; "
        "tensorflow sweeps default to TF_ENABLE_ONEDNN_OPTS=0,1)",
    )
    p.add_argument("--no-switches", action="store_true", help="no environment variable axis at all")
    p.add_argument(
        "--pin",
        action="append",
        metavar="REQ",
        help="also require this (e.g. numpy==1.26.4 for a release built against NumPy 1)",
    )
    p.add_argument("--quick", action="store_true", help="asv --quick: one sample per benchmark")
    machine_option(p)
    p.add_argument(
        "--plan", action="store_true", help="only say what is measured already, what would run, and how long"
    )
    p.add_argument("--rerun", action="store_true", help="measure releases again that are measured already")
    p.add_argument(
        "--delete-envs",
        action="store_true",
        help="delete each release's environments once measured (results and inventories stay)",
    )
    results_option(p, SWEEP_RESULTS, "asv results folder of the sweeps")

    p = add_command(
        sub, "bisect", cmd_bisect, "find the first release of a library where a benchmark got slower"
    )
    p.add_argument("library", help=f"a sweepable library: {', '.join(sweep_targets())}")
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

    p = add_command(
        sub, "inventory", cmd_inventory, "what each asv environment really had installed, and drift"
    )
    p.add_argument(
        "--results",
        action="append",
        default=None,
        help=f"an asv results folder (repeatable; default: {COMMIT_RESULTS} and {SWEEP_RESULTS})",
    )
    p.add_argument("--record", action="store_true", help="first record the default environments' inventory")
    machine_option(p, "asv machine name, with --record")
    p.add_argument("--commit", default="HEAD", help="with --record: the commit whose results these are")
    p.add_argument(
        "--brief", action="store_true", help="one line: whether the pins of the recorded environments held"
    )
    p.add_argument("--wide", action="store_true", help="a table, one column per distribution")

    p = add_command(sub, "summary", cmd_summary, "this run's backends ranked by speed, from its asv result")
    results_option(p, COMMIT_RESULTS)
    p.add_argument("--commit", help="the commit (or a prefix of it) to summarise (default: the newest run)")
    machine_option(p, "asv machine name (default: any)")
    p.add_argument("--estimate", action="store_true", help="only say how long the last full run took")

    add_command(sub, "replicate", cmd_replicate, "the 2018 talk's claims beside what the results say today")

    p = add_command(sub, "site", cmd_site, "publish the website: asv's pages plus the library-release pages")
    results_option(p, SWEEP_RESULTS, "asv results folder of the sweeps (asv's pages: asv.conf.json's)")
    p.add_argument("--html", default="html", help="output directory (default: html)")
    p.add_argument("--no-publish", action="store_true", help="only (re)write our pages, not asv's")
    p.add_argument(
        "--replication", metavar="MD", help="also write the 2018 talk's claims, re-measured, as Markdown here"
    )
    p.add_argument(
        "--findings",
        metavar="MD",
        help="also write the 'what changed' summary as Markdown here (make publish: docs/)",
    )
    factor_option(p, "list releases slower than the previous one")
