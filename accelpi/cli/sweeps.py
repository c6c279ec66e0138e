"""``accelpi sweep`` (and ``--replay``) and ``accelpi bisect``: measure library releases.

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
from ..releases.plan import ORDERS
from ..store import SWEEP_RESULTS
from .common import (
    EXIT_FLAGGED,
    EXIT_OK,
    add_command,
    bench_option,
    check_regexes,
    escape,
    factor_option,
    get_console,
    machine_name,
    machine_option,
    passes_options,
    positive,
    print_json,
    project_from,
    project_options,
    results_option,
    switches,
)


def cmd_sweep(args: argparse.Namespace) -> int:
    from ..releases.campaign import other_machines, run_campaign
    from ..releases.duration import expected
    from ..store.refusals import record_cannot_install

    if args.replay:
        return _replay(args)
    if not args.library:
        raise InvalidArgument(
            f"give a library to sweep ({', '.join(sweep_targets())}; with --project: any distribution "
            "its benchmarks depend on), or --replay RESULTS-FILE"
        )
    project = project_from(args)
    results = Path(args.results).resolve()
    machine = machine_name(args.machine)
    console = get_console(stderr=True)  # progress and notes; the report goes to stdout
    if args.confirm and not _releases_to_confirm(args, results, console):
        return EXIT_OK
    if project is not None:
        console.print(f"measuring {escape(project.describe())}", highlight=False)
        for note in project.notes():
            console.print(f"[yellow]note[/]: {escape(note)}", highlight=False)
    campaigns, skipped = _plan(args, project, results, machine)
    python = campaigns[0].plans[0].python
    said = get_console() if args.plan and not args.json else console  # a plan is the output: stdout
    for version, reason in skipped.items():
        said.print(
            f"[yellow]cannot install[/] {args.library} {version} for Python {python}: {escape(reason)}"
        )
    elsewhere = other_machines(results, machine, args.library)
    if elsewhere:
        said.print(
            f"note: the {args.library} campaigns in {escape(str(results))} were measured on "
            f"{escape(', '.join(elsewhere))}, not on {machine}: this host starts its own series, and no "
            "step is ever taken between two hosts",
            highlight=False,
        )
    costs = [expected(c, results) for c in campaigns]
    for number, (campaign, cost) in enumerate(zip(campaigns, costs, strict=True), 1):
        disk = cost["disk_bytes"]
        space = f", about {disk / 2**30:.1f} GiB per environment" if disk else ""
        said.print(
            f"campaign {number} of {len(campaigns)} on {machine}: {escape(campaign.describe())}: "
            f"about {cost['seconds'] / 60:.0f} min (costed from {cost['basis']}){space}",
            highlight=False,
        )
    if args.plan:
        if args.json:
            print_json(_plan_json(machine, campaigns, costs, skipped, project))
        return EXIT_OK
    record_cannot_install(
        campaigns[0].library, python, skipped, results, installable=campaigns[0].plans[0].versions
    )
    reports = [
        run_campaign(
            campaign,
            project or Path.cwd(),
            machine,
            results,
            quick=args.quick,
            delete_envs=args.delete_envs,
            progress=lambda line: console.print(line, markup=False, highlight=False),
        )
        for campaign in campaigns
    ]
    if args.json:
        print_json(reports)
    else:
        _print_campaigns(reports)
    return _campaigns_status(reports)


def _plan(
    args: argparse.Namespace, project: Any, results: Path, machine: str
) -> tuple[list[Any], dict[str, str]]:
    """The campaigns the command line asks for, with ``-b`` checked and set on each, and the
    releases that cannot install here."""
    from ..releases.campaign import history
    from ..releases.plan import plan_campaigns

    if args.bench:  # before the plan asks the package index anything
        from ..releases.project import Project

        check_regexes(args.bench, (project or Project.ours(Path.cwd())).benchmark_names())
    campaigns, skipped = plan_campaigns(
        args.library,
        args.versions,
        args.last,
        switches(args.switch, args.no_switches),
        tuple(args.pin or ()),
        passes=args.passes,
        order=args.order,
        window=args.window,
        known=[] if args.alone or args.confirm else history(results, machine, args.library),
        project=project,
        control=not args.no_control,
        extra_passes=args.extra_passes,
    )
    for campaign in campaigns if args.bench else []:
        for plan in campaign.plans:
            plan.bench = list(args.bench)
    return campaigns, skipped


def _releases_to_confirm(args: argparse.Namespace, results: Path, console: Any) -> list[str]:
    """``--confirm``: the releases of the library's provisional steps, put in ``args.versions``
    (none: said, nothing to measure)."""
    from ..reports.report import provisional_releases

    if args.versions or args.last:
        raise InvalidArgument("--confirm measures the releases of the provisional steps: give no releases")
    args.versions = provisional_releases(results, args.library, args.factor)
    if not args.versions:
        console.print(
            f"{escape(args.library)}: no provisional step in {escape(str(results))}: nothing to confirm"
        )
    else:
        console.print(
            f"confirming the provisional steps of {escape(args.library)}: {', '.join(args.versions)}"
        )
    return args.versions


def _plan_json(
    machine: str, campaigns: list[Any], costs: list[dict[str, Any]], skipped: dict[str, str], project: Any
) -> dict[str, Any]:
    """``sweep --plan --json``: each campaign's releases, environments, passes and cost."""
    return {
        "machine": machine,
        "campaigns": [
            {
                "releases": c.releases(),
                "builds": [p.library.name for p in c.plans],
                "added": c.added,
                "passes": c.passes,
                "extra_passes": c.extra_passes,
                "order": c.order,
                "window": c.window,
                "include": c.include(),
                "bench": c.bench(1),
                "project": project.record() if project else None,
                "estimated_seconds": cost["seconds"],
                "estimate_basis": cost["basis"],
                "disk_bytes_per_environment": cost["disk_bytes"],
            }
            for c, cost in zip(campaigns, costs, strict=True)
        ],
        "estimated_seconds": sum(cost["seconds"] for cost in costs),
        "cannot_install": skipped,
    }


def _campaigns_status(reports: list[dict[str, Any]]) -> int:
    """The exit status of measured campaigns, with the line that says why it is not 0."""
    unheld = [e for r in reports for e in r["environments"] if e.get("pins_not_held")]
    if unheld:
        print(
            f"accelpi: in {len(unheld)} environment(s) a pinned release was replaced after it was "
            f"installed (first: {unheld[0]['name']}: {unheld[0]['pins_not_held']}); their results are "
            "not those releases'",
            file=sys.stderr,
        )
        return EXIT_FLAGGED
    failed = [r for r in reports if r["asv_exit"] != 0]
    if failed:
        what = "a build or a benchmark" if any(r.get("not_built") for r in failed) else "a benchmark"
        print(
            f"accelpi: {what} failed in {len(failed)} campaign(s) (asv exited "
            f"{failed[0]['asv_exit']}); the others' results are kept",
            file=sys.stderr,
        )
        return EXIT_FLAGGED
    return EXIT_OK


def _print_campaigns(reports: list[dict[str, Any]]) -> None:
    from rich.table import Table

    for report in reports:
        change = report["calibration"]["change"]
        table = Table(
            title=f"campaign {report['campaign']}: {report['seconds'] / 60:.0f} min; host speed "
            f"{change:.2f}x from start to end (calibration)",
            title_justify="left",
        )
        # the switches tell a release's environments apart; the names are in --json
        for column in ("release", "switches", "numpy", "disk", "time", "unavailable"):
            table.add_column(column, overflow="fold")
        for env in report["environments"]:
            installed = env.get("installed", {})
            release = (
                " ".join(
                    f"{build} {installed[build]}"
                    for build in report.get("builds", [report["library"]])
                    if build in installed
                )
                # nothing could report what is installed (the build died on import): what was asked
                or " ".join(
                    f"{build} {env['requested'][build]} (asked)"
                    for build in report.get("builds", [report["library"]])
                    if env.get("requested", {}).get(build)
                )
                or "-"
            )
            disk = f"{env['disk_bytes'] / 2**20:,.0f} MiB" if "disk_bytes" in env else ""
            failing = report.get("failed", {}).get(env["name"], [])
            why = report.get("why_failed", {})
            problems = (
                env.get("error")
                or (f"the project did not build: {env['not_built']}" if env.get("not_built") else "")
                or "; ".join(f"pin did not hold: {k} {v}" for k, v in env.get("pins_not_held", {}).items())
                or "; ".join(
                    [
                        *(f"{k}: {v}" for k, v in env.get("unavailable", {}).items()),
                        *([f"failed: {', '.join(failing)}"] if failing else []),
                        *(f"{k}: {v}" for k, v in why.get(env["name"], {}).items()),
                    ]
                )
            )
            axes = " ".join(f"{k}={v}" for k, v in sorted(env.get("switches", {}).items()))
            seconds = env.get("seconds")
            table.add_row(
                escape(release),
                escape(axes or "-"),
                installed.get("numpy", "-"),
                disk,
                f"{seconds:.0f} s" if seconds else "",
                escape(problems),
            )
        get_console().print(table)


def _replay(args: argparse.Namespace) -> int:
    from ..releases.replay import REPLAY_RESULTS, replay

    if args.library or args.versions or args.last:
        raise InvalidArgument("--replay takes no library or releases: the result file names them")
    console = get_console(stderr=True)
    project = project_from(args, needs_results=False)
    if project is not None:
        where = Path(args.results).resolve() if args.results_given else None
    else:
        where = Path(args.results if args.results_given else REPLAY_RESULTS).resolve()
    report = replay(
        args.replay,
        project or Path.cwd(),
        machine_name(args.machine),
        results_dir=where,
        quick=args.quick,
        progress=lambda line: console.print(line, markup=False, highlight=False),
    )
    if args.json:
        print_json(report)
    elif report["differences"]:
        print(f"replay of {report['environment']}: {len(report['differences'])} difference(s):")
        for row in report["differences"]:
            what = f"{row['distribution']} {row['field']}"
            print(f"  {what}: recorded {row['recorded']}, replayed {row['replayed']}")
    else:
        print(
            f"replay of {report['environment']}: identical: {report['distributions']} distributions, "
            f"every wheel, sha256 and installed file as recorded; results in {report['results']}"
        )
    if report["asv_exit"] != 0:
        print(f"accelpi: asv run exited {report['asv_exit']} (a benchmark failed)", file=sys.stderr)
    return EXIT_FLAGGED if report["differences"] or report["asv_exit"] != 0 else EXIT_OK


def _campaign_options(p: argparse.ArgumentParser) -> None:
    """How a campaign is shaped: its control, confirmation, order, windows, neighbours, disk."""
    p.add_argument(
        "--no-control",
        action="store_true",
        help="do not measure the newest release twice (the campaign's own A/A pair)",
    )
    p.add_argument(
        "--confirm",
        action="store_true",
        help="measure again exactly the releases of the library's provisional steps (decided in one "
        "campaign only), so that each is confirmed or disputed",
    )
    factor_option(p, "with --confirm: the factor of the steps to confirm")
    p.add_argument(
        "--order",
        choices=ORDERS,
        default="serpentine",
        help="serpentine: the environments' order reversed from pass to pass (default); asv: one asv "
        "run with its own interleaved rounds, in a fixed order (for comparison)",
    )
    p.add_argument(
        "--window",
        type=positive(int),
        help="at most this many releases per campaign (overlapping windows, for releases that do not "
        "fit on disk at once)",
    )
    p.add_argument(
        "--alone",
        action="store_true",
        help="do not measure again the releases of the history next to the asked ones (their steps "
        "to the new releases are then not compared)",
    )
    p.add_argument(
        "--delete-envs",
        action="store_true",
        help="delete the environments once a campaign is measured (results and inventories stay)",
    )


def setup_arguments(sub: Any) -> None:
    p = add_command(
        sub,
        "sweep",
        cmd_sweep,
        "measure one library's releases together, in one campaign (one commit, one host, passes "
        "alternating over the releases' environments)",
    )
    p.add_argument(
        "library",
        nargs="?",
        help=f"a sweepable library: {', '.join(sweep_targets())}; with --project, any distribution "
        "on the package index",
    )
    p.add_argument("versions", nargs="*", help="releases to sweep, e.g. 0.60.0 0.64.0 0.68.1")
    bench_option(p)
    p.add_argument("--last", type=positive(int), help="the last N releases that install for this Python")
    p.add_argument(
        "--replay",
        metavar="RESULTS-FILE",
        help="install again exactly the wheels a swept result recorded (pip --require-hashes), "
        "measure on its commit and compare the files (results go to .asv/replay/results)",
    )
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
        "--plan",
        action="store_true",
        help="only say what would run, what cannot be installed and why, and about how long (on stdout)",
    )
    passes_options(p)
    _campaign_options(p)
    results_option(p, SWEEP_RESULTS, "asv results folder of the sweeps")
    project_options(p)
