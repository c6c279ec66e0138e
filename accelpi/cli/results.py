"""``accelpi machine``, ``inventory``, ``summary``, ``replicate`` and ``site``: what the results
hold and where they come from.

These commands need asv and packaging (``pip install 'accelpi[bench]'``); they import the
:mod:`accelpi.releases` family only when run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..errors import InvalidArgument, printable, shown
from ..store import COMMIT_RESULTS, SWEEP_RESULTS
from .common import (
    EXIT_FLAGGED,
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
    warn_skipped,
)

# -- accelpi machine ----------------------------------------------------------------


def cmd_machine(args: argparse.Namespace) -> int:
    from .. import machine
    from ..store import asvcompat

    facts = machine.fingerprint()
    info = machine.asv_machine_info(facts)
    if args.record:
        path = asvcompat.save_machine(info)
        if not args.name and not args.json:
            print(f"recorded {info['machine']} in {path}", file=sys.stderr)
    if args.name:
        print(info["machine"])
    elif args.json:
        print_json({"machine": info["machine"], "fingerprint": facts, "asv": info})
    else:
        print(f"asv machine: {info['machine']}")
        for key in ("cpu", "num_cpu", "ram", "arch", "os"):
            print(f"  {key}: {info[key]}")
    return EXIT_OK


# -- accelpi inventory --------------------------------------------------------------


def cmd_inventory(args: argparse.Namespace) -> int:
    from ..releases.record import record_default_environments
    from ..reports.inventory import drift
    from ..store.records import file_records, load_inventories

    if args.project and not args.results:
        raise InvalidArgument("--project needs --results DIR: the folder of that project's campaign results")
    if args.project and args.record:
        raise InvalidArgument(
            "--record records accelpi's own environments; a project's are recorded by its sweeps"
        )
    project = project_from(args)
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
    older = sum(file_records(r) is None for r in records)
    lacking = (
        f"; {older} of {len(records)} record(s) predate wheel file names and hashes"
        " (drift there compares versions only)"
        if older
        else ""
    )
    if args.brief:
        return _inventory_brief(args, records, fresh, problems)
    if args.json:
        print_json({"records": records, "problems": problems, "skipped": skipped, "without_files": older})
    else:
        _print_inventory(records, problems, folders, project, args.wide, lacking)
    return EXIT_FLAGGED if problems else EXIT_OK


def _inventory_brief(
    args: argparse.Namespace,
    records: list[dict[str, Any]],
    fresh: list[dict[str, Any]],
    problems: list[dict[str, Any]],
) -> int:
    """``inventory --brief``: one line (the end of ``make bench``), the first problem if any."""
    from ..store.records import file_records

    envs = {r["env_name"] for r in fresh} if args.record else {r["env_name"] for r in records}
    mine = [p for p in problems if p["environment"] in envs]
    what = f"{len(fresh)} environment(s) recorded" if args.record else f"{len(records)} record(s)"
    if mine:
        p = mine[0]
        change = f"{p.get('requested', p.get('before'))} -> {p.get('installed', p.get('after'))}"
        print(f"inventory: {what}; {len(mine)} problem(s), first: {p['kind']}: {p['package']} {change}")
    else:
        print(f"inventory: {what}; every pin held, no drift (accelpi inventory shows the table)")
    if fresh and any(file_records(r) is None for r in fresh):
        print("inventory: the wheel file names and hashes could not be recorded (accelpi inventory --json)")
    return EXIT_FLAGGED if mine else EXIT_OK


def _print_inventory(
    records: list[dict[str, Any]],
    problems: list[dict[str, Any]],
    folders: list[str],
    project: Any,
    wide: bool,
    lacking: str,
) -> None:
    """The inventory in the terminal: a paragraph per environment (``wide``: a table), then
    every problem."""
    from ..reports.inventory import shown_distributions, version_and_build

    console = get_console()
    shown = shown_distributions(records)
    if project is not None:
        console.print(f"{escape(project.describe())}:", highlight=False)
    if wide:
        from rich.table import Table

        table = Table(
            title=f"installed versions per asv environment ({', '.join(folders)})", title_justify="left"
        )
        built = any(r.get("build_environment") for r in records)
        for column in (
            "machine",
            "environment",
            "switches",
            "commit",
            *shown,
            *(["built with"] if built else []),
        ):
            table.add_column(column, overflow="fold")
        for r in records:
            switches = ", ".join(f"{k}={v}" for k, v in sorted((r.get("env_vars") or {}).items()))
            table.add_row(
                r["machine"],
                escape(r["env_name"]),
                escape(switches),
                (r.get("commit") or "")[:8],
                *[version_and_build(r, d) for d in shown],
                *([escape(printable(_built_with(r)))] if built else []),
            )
    else:  # one paragraph per environment: readable at 80 columns (--wide: a table)
        import textwrap

        console.print(f"installed versions per asv environment ({', '.join(folders)}):", markup=False)
        for r in records:
            switches = " ".join(f"{k}={v}" for k, v in sorted((r.get("env_vars") or {}).items()))
            versions = ", ".join(f"{d} {r['installed'][d]}" for d in shown if d in r["installed"])
            head = printable(f"{r['machine']} {(r.get('commit') or '')[:8]} {switches}".strip())
            built = printable(_built_with(r, "; built in isolation with "))
            text = f"{head}: {versions or 'none of the key distributions'}{built}"
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
    if lacking:
        console.print(lacking.removeprefix("; ").capitalize() + ".", markup=False, highlight=False)


def _built_with(record: dict[str, Any], lead: str = "") -> str:
    """What the project's build installed into its isolated build environment (the last build
    command that installed anything: the one whose wheel asv installed), after ``lead``."""
    entries = record.get("build_environment") or []
    if not entries:
        return ""
    return lead + ", ".join(f"{name} {version}" for name, version in entries[-1]["installed"].items())


# -- accelpi summary ----------------------------------------------------------------


def cmd_summary(args: argparse.Namespace) -> int:
    from ..reports.summary import expected_seconds, format_summary, run_summary

    if args.duration:  # before a run: how long the last one on this machine took
        from .. import machine

        name = args.machine or machine.machine_name()  # another CPU's run says nothing of this one's
        seconds = expected_seconds(args.results, name)
        if args.json:
            print_json({"machine": name, "expected_seconds": seconds})
        elif seconds is None:
            print(
                f"accelpi: no earlier run on this machine ({name}): the first full run takes about "
                "15 min on 2 cores"
            )
        else:
            print(f"accelpi: the last full run on {name} took {seconds / 60:.0f} min; expect about as long")
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

    from ..reports.replicate import replication_report

    report = replication_report(Path.cwd())
    if args.json:
        print_json(report)
        return EXIT_OK
    width = max(40, get_console().width)
    machines = ", ".join(
        f"{k} ({v['cores']} cores, commit {v['commit'][:8]})" for k, v in report["machines"].items()
    )
    print(textwrap.fill(f"The 2018 talk, re-measured on {machines or 'no machine'}:", width=width))
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
    from ..site.build import build_site

    skipped: list[dict[str, str]] = []
    project = project_from(args)
    if project is not None:
        from ..site.project import build_project_site

        if args.replication or args.builds or args.no_publish:
            raise InvalidArgument(
                "--project writes release pages only: no --replication, --builds or --no-publish"
            )
        site = build_project_site(
            project,
            Path(args.results),
            Path(args.html),
            args.factor,
            findings_md=args.findings,
            skipped=skipped,
            site_url=args.site_url or "",
        )
        return _site_written(
            args, site, skipped, f"release pages of {escape(project.name)} written to {site}/"
        )
    gate = Path(args.gate)
    if (gate.exists() and not gate.is_dir()) or (args.gate != "gate" and not gate.exists()):
        raise InvalidArgument(
            f"--gate {shown(args.gate)} is not a folder; it takes the folder of the gate's recorded "
            "runs (accelpi gate --record DIR)"
        )
    site = build_site(
        Path.cwd(),
        gate=args.gate,
        sweeps=args.results,
        html_dir=args.html,
        publish=not args.no_publish,
        factor=args.factor,
        findings_md=args.findings,
        replication_md=args.replication,
        builds_md=args.builds,
        skipped=skipped,
        site_url=args.site_url,
    )
    where = (
        f"{site}/accelpi/ (ours only: asv's pages not published again)"
        if args.no_publish
        else f"{site}/ (asv's pages, and ours in {site}/accelpi/)"
    )
    return _site_written(
        args, site, skipped, f"site written to {where}; serve it with: make preview (loopback only)"
    )


def _site_written(args: argparse.Namespace, site: Path, skipped: list[dict[str, str]], message: str) -> int:
    """What ``accelpi site`` says when done: the files it left out, then where the site is."""
    warn_skipped(skipped)
    if args.json:
        print_json({"site": str(site)})
    else:
        get_console().print(message, highlight=False)
    return EXIT_OK


def setup_arguments(sub: Any) -> None:
    p = add_command(
        sub, "machine", cmd_machine, "this host's fingerprint and the asv machine name derived from it"
    )
    p.add_argument("--record", action="store_true", help="record it in asv's machine file (make machine)")
    p.add_argument("--name", action="store_true", help="print the machine name only")

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
    project_options(p, measuring=False)

    p = add_command(sub, "summary", cmd_summary, "this run's backends ranked by speed, from its asv result")
    results_option(p, COMMIT_RESULTS)
    p.add_argument("--commit", help="the commit (or a prefix of it) to summarise (default: the newest run)")
    machine_option(p, "asv machine name (default: any)")
    p.add_argument(
        "--duration",
        "--estimate",  # its name until 2026-12-06 ("estimate" means the estimate of pi only)
        dest="duration",
        action="store_true",
        help="only say how long the last full run on this machine (or --machine) took",
    )

    add_command(sub, "replicate", cmd_replicate, "the 2018 talk's claims beside what the results say today")

    p = add_command(sub, "site", cmd_site, "publish the website: asv's pages plus the library-release pages")
    results_option(p, SWEEP_RESULTS, "asv results folder of the sweeps (asv's pages: asv.conf.json's)")
    p.add_argument("--html", default="html", help="output directory (default: html)")
    p.add_argument("--no-publish", action="store_true", help="only (re)write our pages, not asv's")
    p.add_argument(
        "--replication", metavar="MD", help="also write the 2018 talk's claims, re-measured, as Markdown here"
    )
    p.add_argument(
        "--builds", metavar="MD", help="also write the Intel builds against the stock builds as Markdown here"
    )
    p.add_argument(
        "--findings",
        metavar="MD",
        help="also write the 'what changed' summary as Markdown here (make publish: docs/)",
    )
    p.add_argument(
        "--gate",
        metavar="DIR",
        default="gate",
        help="the pull-request gate's recorded runs (accelpi gate --record DIR), drawn on gate.html "
        "(default: gate)",
    )
    p.add_argument(
        "--site-url",
        default="",
        metavar="URL",
        help="where the site is published: the release radar's feed (radar.xml) links there "
        "(default: links relative to the feed)",
    )
    factor_option(p, "list releases slower than the previous one")
    project_options(p, measuring=False)
