"""``accelpi radar``: new releases of the tracked libraries, measured against their predecessors.

Every part is the sweep's (:mod:`accelpi.releases.radar` plans, campaigns measure, the
verdict's door decides, :mod:`accelpi.reports.radar` reads the entries); this command joins
them, for a scheduled job: it deletes the environments it made, prints what it did, and exits 1
only on an alarm (a confirmed slower step of a new release).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..errors import AccelpiError, InvalidArgument
from ..libraries import sweep_targets
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
    print_json,
    project_from,
    project_options,
    results_option,
)


def _libraries(args: argparse.Namespace, project: Any) -> list[str]:
    if project is not None:
        if not args.library:
            raise InvalidArgument("--project needs --library NAME: the dependency whose releases to watch")
        return list(args.library)
    targets = sweep_targets()
    for name in args.library or ():
        if name not in targets:
            from ..libraries import sweep_target

            sweep_target(name)  # its error names the accepted ones, with a did-you-mean
    return list(args.library or targets)


def _campaigns(args, project, library: str, releases: list[str]) -> tuple[list[Any], dict[str, str]]:
    """The focused campaign(s) of ``releases`` (none of the history beside them), and the
    releases pip refuses here (with why)."""
    from ..releases.plan import plan_campaigns

    campaigns, skipped = plan_campaigns(
        library, releases, passes=args.passes, known=[], project=project, extra_passes=args.extra_passes
    )
    for campaign in campaigns if args.bench else ():
        for plan in campaign.plans:
            plan.bench = list(args.bench)
    return campaigns, skipped


def _measure(args, project, results: Path, machine: str, library: str, releases: list[str], say) -> dict:
    """Measure ``releases`` in one focused campaign; returns pip's refusals."""
    from ..releases.campaign import run_campaign
    from ..store.refusals import record_cannot_install

    campaigns, skipped = _campaigns(args, project, library, releases)
    first = campaigns[0].plans[0]
    record_cannot_install(campaigns[0].library, first.python, skipped, results, installable=first.versions)
    if len(campaigns[0].releases()) < 2:
        say(f"{library}: fewer than two of {', '.join(releases)} install here: nothing to compare")
        return skipped
    for campaign in campaigns:
        run_campaign(
            campaign,
            project or Path.cwd(),
            machine,
            results,
            delete_envs=not args.keep_envs,
            progress=lambda line: say(line),
        )
    return skipped


def _cost(args, project, results: Path, library: str, releases: list[str]) -> tuple[float, str]:
    """What measuring ``releases`` would cost here, in seconds, and from what."""
    from ..releases.duration import expected

    campaigns, _ = _campaigns(args, project, library, releases)
    costs = [expected(c, results) for c in campaigns]
    return sum(c["seconds"] for c in costs), costs[0]["basis"]


def cmd_radar(args: argparse.Namespace) -> int:
    from ..releases import radar
    from ..reports.radar import entries, issue_text, latency_text, verdict_words

    project = project_from(args)
    results = Path(args.results).resolve()
    machine = machine_name(args.machine)
    console = get_console(stderr=not args.plan or args.json)  # a plan is the output: stdout

    def say(text: str) -> None:
        console.print(text, markup=False, highlight=False)

    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    libraries = _libraries(args, project)
    if args.bench:
        check_regexes(args.bench)
    plans = []
    if not args.report:
        for library in libraries:
            plan = radar.plan_radar(library, results, machine, pre=args.pre, retry=args.retry, python=python)
            plans.append(plan)
            have = (
                f"newest measured here {plan.newest_measured}"
                if plan.newest_measured
                else "nothing measured here"
            )
            news = ", ".join(
                f"{v} (uploaded {plan.uploaded.get(v) or 'when: not told by the index'})" for v in plan.new
            )
            say(f"{library}: {have}; new: {news or 'none'}")
            for release, why in plan.refused.items():
                say(f"{library} {release}: cannot install here (recorded; --retry tries again): {why}")
            for releases in ([plan.releases()] if plan.releases() else []) + [list(p) for p in plan.confirm]:
                cost = ""
                if args.plan:
                    seconds, basis = _cost(args, project, results, library, releases)
                    plan.cost[" ".join(releases)] = seconds
                    cost = f": about {seconds / 60:.0f} min (costed from {basis})"
                say(f"{library}: campaign of {', '.join(releases)}{cost}")
    if args.plan:
        if args.json:
            print_json({"machine": machine, "plans": [p.to_dict() for p in plans]})
        return EXIT_OK
    failed: list[str] = []
    for plan in plans:
        if plan.new:
            radar.record_found(results, plan)
        try:
            _run(args, project, results, machine, plan, say)
        except AccelpiError as exc:  # the others are still measured; the sighting stays "new"
            failed.append(f"{plan.library}: {exc}")
            say(f"{plan.library}: not measured: {exc}")
    found = [
        e for e in entries(results, radar.load_sightings(results), args.factor) if e["library"] in libraries
    ]
    alarms = [e for e in found if e.get("alarm")]
    if args.issues:
        print_json([{**issue_text(e), "library": e["library"], "release": e["release"]} for e in alarms])
    elif args.json:
        print_json({"machine": machine, "entries": found, "alarms": len(alarms), "failed": failed})
    else:
        _table(found, latency_text, verdict_words)
    if failed:
        raise AccelpiError(
            f"{len(failed)} library(ies) not measured (the next run tries again): {'; '.join(failed)}"
        )
    return EXIT_FLAGGED if alarms else EXIT_OK


def _run(args, project, results: Path, machine: str, plan: Any, say) -> None:
    """The radar's campaigns of one library: the new releases, then the pairs to confirm."""
    from ..releases import radar
    from ..reports.radar import entries

    if plan.releases():
        skipped = _measure(args, project, results, machine, plan.library, plan.releases(), say)
        radar.record_outcome(results, plan, skipped)
    confirm = list(plan.confirm)
    if args.confirm and plan.releases():  # at once: the new pairs found slower just now
        found = entries(results, [s for s in radar.load_sightings(results) if s["library"] == plan.library])
        confirm += [
            (e["predecessor"], e["release"])
            for e in found
            if e["release"] in plan.new and e["verdict"] == "slower" and e["confirmation"] == "provisional"
        ]
    for before, after in dict.fromkeys(confirm):
        _measure(args, project, results, machine, plan.library, [before, after], say)


def _table(found: list[dict[str, Any]], latency_text: Any, verdict_words: Any) -> None:
    from rich.table import Table

    machines = sorted({e.get("machine") or "?" for e in found})
    table = Table(
        title=f"release radar on {', '.join(machines) or 'no machine yet'}: newest upload first",
        title_justify="left",
    )
    for column in ("library", "release", "against", "uploaded (UTC)"):
        table.add_column(column, no_wrap=True)
    table.add_column("verdict")  # wrapped between words, never inside one
    table.add_column("upload to verdict")
    for e in found:
        table.add_row(
            escape(e["library"]),
            escape(e["release"]),
            escape(e.get("predecessor") or "-"),
            escape((e.get("uploaded") or "not told")[:16].replace("T", " ")),
            escape(verdict_words(e)),
            latency_text(e),
        )
    get_console().print(table)


def setup_arguments(sub: Any) -> None:
    p = add_command(
        sub,
        "radar",
        cmd_radar,
        "find new releases of the tracked libraries on the package index and measure each against its "
        "predecessor (a focused campaign); exit 1 on a confirmed slower step",
    )
    p.add_argument(
        "--library",
        action="append",
        help=f"a sweepable library (repeatable; default: every one: {', '.join(sweep_targets())}); "
        "with --project: the dependency to watch",
    )
    p.add_argument("--plan", action="store_true", help="only say what is new and what would be measured")
    bench_option(p)
    p.add_argument(
        "--report",
        action="store_true",
        help="measure nothing and ask no index: the entries measured so far",
    )
    p.add_argument(
        "--confirm",
        action="store_true",
        help="measure a new release found slower again at once (default: at the next run)",
    )
    p.add_argument("--retry", action="store_true", help="try again releases recorded as not installable")
    p.add_argument("--pre", action="store_true", help="pre-releases too (PEP 440)")
    p.add_argument(
        "--issues",
        action="store_true",
        help="print, as JSON, the title and body of a GitHub issue for each alarm (what the workflow opens)",
    )
    p.add_argument(
        "--keep-envs",
        action="store_true",
        help="keep the environments a campaign made (default: delete them; a radar runs unattended)",
    )
    passes_options(p)
    factor_option(p, "a step counts when it changed")
    machine_option(p)
    results_option(p, SWEEP_RESULTS, "asv results folder of the campaigns (and the radar's radar.sightings)")
    project_options(p)
