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
from ..libraries import multi_build, sweep_targets
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
)


def cmd_sweep(args: argparse.Namespace) -> int:
    from ..releases.sweep import plan_sweep, run_sweep

    plan = plan_sweep(
        args.library,
        args.versions,
        args.last,
        switches(args.switch, args.no_switches),
        tuple(args.pin or ()),
    )
    console = get_console(stderr=args.json)
    for version, reason in plan.skipped.items():
        console.print(
            f"[yellow]skipped[/] {args.library} {version}: cannot install for Python {plan.python}: "
            f"{escape(reason)}"
        )
    console.print(
        f"sweeping {args.library} {', '.join(plan.versions)}"
        + (f" x {', '.join(f'{k}={v}' for k, v in plan.switches.items())}" if plan.switches else "")
        + f": {len(plan.include())} environment(s)"
    )
    if args.plan:
        if args.json:
            print_json(
                {
                    "versions": plan.versions,
                    "skipped": plan.skipped,
                    "include": plan.include(),
                    "bench": plan.bench_regexes(),
                }
            )
        return EXIT_OK
    report = run_sweep(plan, Path.cwd(), machine_name(args.machine), quick=args.quick)
    if args.json:
        print_json(report)
    else:
        from rich.table import Table

        table = Table(title=f"sweep of {args.library}: {report['seconds']:.0f} s", title_justify="left")
        for column in ("environment", args.library, "numpy", "disk", "unavailable"):
            table.add_column(column)
        for env in report["environments"]:
            installed = env.get("installed", {})
            lib_version = installed.get(plan.library.distributions[0], "-")
            disk = f"{env['disk_bytes'] / 2**20:,.0f} MiB" if "disk_bytes" in env else ""
            problems = env.get("error") or "; ".join(
                f"{k}: {v}" for k, v in env.get("unavailable", {}).items()
            )
            table.add_row(env["name"], lib_version, installed.get("numpy", "-"), disk, escape(problems))
        console.print(table)
    if report["asv_exit"] != 0:
        print(f"accelpi: asv run exited {report['asv_exit']}:\n{report['asv_output_tail']}", file=sys.stderr)
        return EXIT_FLAGGED
    return EXIT_OK


# -- accelpi versions ---------------------------------------------------------------


def cmd_versions(args: argparse.Namespace) -> int:
    from ..releases.versions import BUILD_FAMILIES, compare_builds, compare_versions

    libraries = [args.library] if args.library else list(sweep_targets())
    families = [
        family
        for family, dists in BUILD_FAMILIES.items()
        if args.library is None or args.library == family or args.library in dists
    ]
    builds = {}
    for family in families:
        rows = [d.to_dict() for d in compare_builds(args.results, family, args.factor)]
        if rows:
            builds[family] = rows
    report: dict[str, Any] = {}
    flagged = []
    for library in libraries:
        series, changes = compare_versions(args.results, library, args.factor)
        series = [s for s in series if len(s.points) > 1]
        if not series:
            continue
        report[library] = {
            "series": [
                {
                    "machine": s.machine,
                    "benchmark": s.benchmark,
                    "params": s.params,
                    "axes": s.axes,
                    "unit": s.unit,
                    "values": {v: p["value"] for v, p in s.points.items()},
                }
                for s in series
            ],
            "changes": [c.to_dict() for c in changes],
        }
        flagged += [c for c in changes if c.flagged]
    if args.json:
        print_json(
            {
                "factor": args.factor,
                "libraries": report,
                "builds": builds,
                "flagged": [c.to_dict() for c in flagged],
            }
        )
    else:
        print_versions(report, args.factor)
        print_builds(builds, args.factor)
    if not report and not builds:
        print(
            f"accelpi: no results of {', '.join(libraries)} over two or more releases in {args.results}",
            file=sys.stderr,
        )
    return EXIT_FLAGGED if flagged else EXIT_OK


def print_versions(report: dict[str, Any], factor: float) -> None:
    from packaging.version import Version
    from rich.table import Table

    from ..releases.versions import format_value

    console = get_console()
    for library, data in report.items():
        versions = sorted({v for s in data["series"] for v in s["values"]}, key=Version)
        changes = {(c["benchmark"], c["params"], c["axes"], c["after"]): c for c in data["changes"]}
        table = Table(
            title=f"{library}: value per release (ratio to the previous one; "
            f"[red]red[/]: slower by more than {factor}x and significant)",
            title_justify="left",
        )
        for column in ("benchmark", "params", "environment", *versions):
            table.add_column(column, justify="right" if column in versions else "left")
        for s in sorted(data["series"], key=lambda s: (s["benchmark"], s["params"], s["axes"])):
            cells = []
            for v in versions:
                if v not in s["values"]:
                    cells.append("")
                    continue
                text = format_value(s["values"][v], s["unit"])
                c = changes.get((s["benchmark"], s["params"], s["axes"], v))
                if c is not None:
                    text += f" ({c['ratio']:.2f}x)"
                    text = (
                        f"[red]{text}[/]"
                        if c["flagged"]
                        else (f"[green]{text}[/]" if c["significant"] else text)
                    )
                cells.append(text)
            table.add_row(s["benchmark"].split(".", 1)[-1], escape(s["params"]), escape(s["axes"]), *cells)
        console.print(table)


def print_builds(builds: dict[str, list[dict[str, Any]]], factor: float) -> None:
    from rich.table import Table

    from ..releases.versions import format_value

    console = get_console()
    for family, rows in builds.items():
        reference = rows[0]["reference"]
        table = Table(
            title=f"{family}: one release, two builds (ratio to {reference}; "
            f"[green]green[/]/[red]red[/]: faster/slower by more than {factor}x and significant)",
            title_justify="left",
        )
        for column in ("benchmark", "params", "switches", "release", reference, "build", "value", "ratio"):
            table.add_column(column, justify="right" if column in (reference, "value", "ratio") else "left")
        for d in rows:
            ratio = f"{d['ratio']:.2f}x"
            if d["significant"] and d["lower_is_better"]:
                ratio = f"[green]{ratio}[/]" if d["ratio"] < 1 else f"[red]{ratio}[/]"
            table.add_row(
                d["benchmark"].split(".", 1)[-1],
                escape(d["params"]),
                escape(d["switches"]),
                d["release"],
                format_value(d["value_reference"], d["unit"]),
                d["build"],
                format_value(d["value_build"], d["unit"]),
                ratio,
            )
        console.print(table)


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

    if args.record:
        record_default_environments(Path.cwd(), machine_name(args.machine), args.commit)
    records = load_inventories(args.results)
    problems = drift(records)
    if args.json:
        print_json({"records": records, "problems": problems})
    else:
        from rich.table import Table

        shown = [d for d in KEY_DISTRIBUTIONS if any(d in r["installed"] for r in records)]
        table = Table(title=f"installed versions per asv environment ({args.results})", title_justify="left")
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
        console = get_console()
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


# -- accelpi site -------------------------------------------------------------------


def cmd_site(args: argparse.Namespace) -> int:
    from ..releases.site import build_site

    site = build_site(
        Path.cwd(), results=args.results, html_dir=args.html, publish=not args.no_publish, factor=args.factor
    )
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
    p.add_argument("--plan", action="store_true", help="only print the environments the sweep would run")

    p = add_command(sub, "versions", cmd_versions, "compare benchmark results across a library's releases")
    results_option(p)
    p.add_argument(
        "--library",
        help=f"a sweepable library ({', '.join(sweep_targets())}), or all builds of one "
        f"({', '.join(multi_build())}); default: every one",
    )
    factor_option(p, "flag releases slower than the previous one")

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
    results_option(p)
    p.add_argument("--record", action="store_true", help="first record the default environments' inventory")
    machine_option(p, "asv machine name, with --record")
    p.add_argument("--commit", default="HEAD", help="with --record: the commit whose results these are")

    p = add_command(sub, "site", cmd_site, "publish the website: asv's pages plus the library-release pages")
    results_option(p)
    p.add_argument("--html", default="html", help="output directory (default: html)")
    p.add_argument("--no-publish", action="store_true", help="only (re)write our pages, not asv's")
    factor_option(p, "list releases slower than the previous one")
