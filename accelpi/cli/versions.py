"""``accelpi versions``: a library's benchmarks release by release, or one release's twins.

Reads the sweeps with :func:`accelpi.reports.report.release_report`, the same report the
site draws, so the command line and the site never disagree.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..errors import InvalidArgument
from ..libraries import multi_build, sweep_targets
from ..store import SWEEP_RESULTS
from .common import (
    EXIT_FLAGGED,
    EXIT_OK,
    add_command,
    escape,
    factor_option,
    get_console,
    print_json,
    project_from,
    project_options,
    results_option,
    warn_skipped,
)


def cmd_versions(args: argparse.Namespace) -> int:
    from ..reports.report import release_report

    if args.between:
        return _versions_between(args)
    project = project_from(args)
    report = release_report(args.results, args.library, args.factor, project.repo if project else None)
    warn_skipped(report["skipped"])
    if args.json:
        print_json(report)
    else:
        print_verdict(report, args.factor)
        if args.all:
            print_versions(report["libraries"], args.factor, args.wide)
            print_differences(report["builds"], args.factor, "one release, two builds", args.wide)
        elif report["libraries"] or report["builds"]:
            get_console().print("Every value, release by release: --all (--wide: tables); JSON: --json")
    if not report["libraries"] and not report["builds"]:
        wanted = args.library or (
            f"any library under {project.name}'s suite" if project else ", ".join(sweep_targets())
        )
        print(f"accelpi: no results of {wanted} over two or more releases in {args.results}", file=sys.stderr)
    for row in report.get("not_compared", []):
        print(
            f"accelpi: {row['library']} {row['release']} (campaign {row['campaign']}): every benchmark "
            f"failed, not compared: {row['why']}",
            file=sys.stderr,
        )
    counted = [c for c in report["flagged"] if args.provisional or c.get("confirmation") == "confirmed"]
    return EXIT_FLAGGED if counted or report.get("not_compared") else EXIT_OK


def _versions_between(args: argparse.Namespace) -> int:
    from ..reports.builds import switch_differences

    if not args.library:
        raise InvalidArgument("--between needs --library (the library whose sweep crossed the variable)")
    skipped: list[dict[str, str]] = []
    rows = [
        d.to_dict()
        for d in switch_differences(args.results, args.library, args.between, args.factor, skipped)
    ]
    warn_skipped(skipped)
    significant = [d for d in rows if d["significant"]]
    if args.json:
        print_json(
            {"factor": args.factor, "variable": args.between, "rows": rows, "significant": significant}
        )
    else:
        print_differences(
            {args.library: rows}, args.factor, f"one release, {args.between} compared", args.wide
        )
        get_console().print(
            f"{len(significant)} of {len(rows)} rows differ by more than {args.factor}x, the verdict's "
            "test agreeing"
        )
    return EXIT_OK


def _say(console: Any, text: str, indent: int = 0) -> None:
    """One entry of the verdict, wrapped to the terminal with a hanging indent (a continued
    line starts four spaces further in than the entry, never at the margin)."""
    import textwrap

    width = max(40, console.width)
    lines = textwrap.wrap(text, width, initial_indent=" " * indent, subsequent_indent=" " * (indent + 4))
    console.print("\n".join(lines), markup=False, highlight=False, soft_wrap=True)


def _print_releases(
    console: Any, library: str, slower: list[dict[str, Any]], faster: list[dict[str, Any]]
) -> None:
    """Each release step that moved, newest first, in one line; then what to do about a slower
    one (pin, bisect, report upstream)."""
    from ..reports.versions import release_lines, release_sentence, what_to_do

    for line in release_lines(slower, faster):
        _say(console, release_sentence(line), 2)
    advice = what_to_do(library, slower)
    if advice:
        _say(console, f"what to do: {advice}", 2)


def _status(c: dict[str, Any]) -> str:
    """``confirmed by numba-2026...``, ``provisional: one campaign``, ``disputed: ...``."""
    others = [f"{o['campaign']} {o['ratio']:.2f}x {o['outcome']}" for o in c.get("elsewhere") or []]
    if c.get("confirmation") == "confirmed":
        return "confirmed by " + ", ".join(o for o in others if c["outcome"] in o)
    if c.get("confirmation") == "disputed":
        return "disputed: " + "; ".join(others)
    return "provisional: " + ("no other campaign measured it" if not others else "; ".join(others))


def print_verdict(report: dict[str, Any], factor: float) -> None:
    """The answer first: per library, how many release steps got slower or faster by more
    than ``factor`` with the verdict's test agreeing (:func:`accelpi.reports.verdicts.compare`),
    how many of them a second campaign confirmed, in how many campaigns; then the steps by
    release step and campaign, newest first (a line each sums up), each benchmark on a line of
    its own with its interval and its confirmation (the test in words: ``--json``)."""
    from ..reports.verdicts import unsteady

    console = get_console()
    for library, data in report["libraries"].items():
        slower = [c for c in report["flagged"] if c["library"] == library]
        faster = [c for c in report["improved"] if c["library"] == library]
        campaigns = data.get("campaigns") or []
        releases = sorted({v for s in data["series"] for v in s["values"]}, key=_version)
        disputed = [c for c in report.get("disputed", []) if c["library"] == library]
        references = sum(bool(c.get("reference")) for c in (*slower, *faster))
        confirmed = sum(c.get("confirmation") == "confirmed" for c in (*slower, *faster))
        _say(
            console,
            f"{library}: {len(slower)} release step(s) slower by more than {factor}x with the "
            f"verdict's test agreeing, {len(faster)} faster ({confirmed} of them confirmed by a second "
            f"campaign, the rest provisional; {len(disputed)} disputed); {len(releases)} release(s) in "
            f"{len(campaigns)} campaign(s), steps taken inside each only"
            + (
                f"; {references} of them in a reference the library does not run (a baseline, a stock "
                "twin, the thread pool): how far the benchmark moves without the library's doing"
                if references
                else ""
            ),
        )
        _print_releases(console, library, slower, faster)
        for c in campaigns:
            if unsteady(c):
                _say(
                    console,
                    f"note: the host's own speed moved by up to {c['host_largest_change']:.2f}x during "
                    f"campaign {c['campaign']} (calibration): its steps near the factor may be partly "
                    "the host's",
                    2,
                )
        _print_steps(console, [("SLOWER", c) for c in slower] + [("faster", c) for c in faster], disputed)
    for family, rows in report["builds"].items():
        better = sum(d["significant"] and d["lower_is_better"] and d["ratio"] < 1 for d in rows)
        worse = sum(d["significant"] and d["lower_is_better"] and d["ratio"] > 1 for d in rows)
        console.print(
            f"{family}, one release as two builds: {len(rows)} row(s), {better} faster and {worse} "
            f"slower than the stock build by more than {factor}x (the verdict's test agreeing)",
            markup=False,
            highlight=False,
        )


def _print_steps(
    console: Any, decided: list[tuple[str, dict[str, Any]]], disputed: list[dict[str, Any]]
) -> None:
    """The decided steps grouped by release step and campaign, newest release first: a line
    that sums each group up, then one line per benchmark under it."""
    from ..reports.verdicts import magnitude_of
    from ..reports.versions import format_value

    groups: dict[tuple[str, str, str], list[tuple[str, dict[str, Any]]]] = {}
    for word, c in [*decided, *(("DISPUTED", c) for c in disputed)]:
        groups.setdefault((c["before"], c["after"], c.get("campaign") or "-"), []).append((word, c))
    order = sorted(groups, key=lambda k: (_version(k[1]), _version(k[0]), k[2]), reverse=True)
    for before, after, campaign in order:
        rows = sorted(groups[(before, after, campaign)], key=lambda wc: -magnitude_of(wc[1]["ratio"]))
        counts = {w: sum(word == w for word, _ in rows) for w in ("SLOWER", "faster", "DISPUTED")}
        ratios = sorted(c["ratio"] for _, c in rows)
        confirmed = sum(c.get("confirmation") == "confirmed" for _, c in rows)
        _say(
            console,
            f"{before} to {after}, campaign {campaign}: {counts['SLOWER']} slower, {counts['faster']} "
            f"faster, {counts['DISPUTED']} disputed ({ratios[0]:.2f}x to {ratios[-1]:.2f}x; {confirmed} "
            "confirmed)",
            2,
        )
        for word, c in rows:
            interval = f" [{c['low']:.2f}, {c['high']:.2f}]" if c.get("low") and c.get("high") else ""
            _say(
                console,
                f"{word} {c['benchmark'].split('.', 1)[-1]}({c['params']}) {c['axes']}: "
                f"{format_value(c['value_before'], c['unit'])} -> "
                f"{format_value(c['value_after'], c['unit'])} ({c['ratio']:.2f}x{interval}; {_status(c)})"
                + (" [reference: not the library's code]" if c.get("reference") else "")
                + (f"; also {c['also']}" if c.get("also") else ""),
                4,
            )


def _version(text: str) -> Any:
    from packaging.version import Version

    return Version(text)


def print_versions(report: dict[str, Any], factor: float, wide: bool = False) -> None:
    """Per library, each series release by release with the ratio to the previous release
    (red: flagged slower, green: significantly faster). At 80 columns one paragraph per
    series; ``wide``: a table with one column per release."""
    from packaging.version import Version
    from rich.table import Table

    from ..reports.verdicts import lower_is_better
    from ..reports.versions import format_value

    console = get_console()
    for library, data in report.items():
        versions = sorted({v for s in data["series"] for v in s["values"]}, key=Version)
        changes = {
            (c["benchmark"], c["params"], c["axes"], c.get("campaign"), c["after"]): c
            for c in data["changes"]
        }
        title = (
            f"{library}: value per release, each campaign apart (ratio to the previous release of "
            f"the campaign; SLOWER/faster: beyond {factor}x, the verdict's test agreeing)"
        )

        def cell(s: dict[str, Any], v: str, changes: dict = changes) -> str:
            text = format_value(s["values"][v], s["unit"])
            c = changes.get((s["benchmark"], s["params"], s["axes"], s.get("campaign"), v))
            if c is not None and lower_is_better(s["benchmark"]):  # a signed track has no ratio
                marker = " SLOWER" if c["flagged"] else " faster" if c["improved"] else ""
                text += f" ({c['ratio']:.2f}x{marker})"
                color = "red" if c["flagged"] else "green" if c["improved"] else ""
                text = f"[{color}]{text}[/]" if color else text
            return text

        series = sorted(
            data["series"], key=lambda s: (s["benchmark"], s["params"], s["axes"], s.get("campaign") or "")
        )
        if wide:  # as wide as the table takes, whatever the terminal: for a wide window, or a file
            wide_console = get_console(width=70 + 22 * len(versions))
            table = Table(title=title, title_justify="left")
            for column in ("benchmark", "params", "environment", *versions):
                table.add_column(
                    column, justify="right" if column in versions else "left", no_wrap=column in versions
                )
            for s in series:
                cells = [cell(s, v) if v in s["values"] else "" for v in versions]
                table.add_row(
                    s["benchmark"].split(".", 1)[-1], escape(s["params"]), escape(s["axes"]), *cells
                )
            wide_console.print(table)
            continue
        console.print(title)
        for s in series:
            name = escape(s["benchmark"].split(".", 1)[-1])
            where = f" campaign {s['campaign']}" if s.get("campaign") else " (measured alone)"
            console.print(f"[bold]{name}({escape(s['params'])})[/] {escape(s['axes'])}{escape(where)}")
            steps = [f"{v} {cell(s, v)}" for v in versions if v in s["values"]]
            console.print("    " + " → ".join(steps))


def print_differences(
    groups: dict[str, list[dict[str, Any]]], factor: float, what: str, wide: bool = False
) -> None:
    """:class:`~accelpi.reports.builds.Difference` rows, one line each at 80 columns
    (``wide``: a table per group). Green/red: faster/slower beyond the factor, significant."""
    from rich.table import Table

    from ..reports.versions import format_value

    console = get_console()
    for group, rows in groups.items():
        reference = rows[0]["reference"]
        title = (
            f"{group}: {what} (ratio to {reference}; "
            f"[green]green[/]/[red]red[/]: faster/slower by more than {factor}x and significant)"
        )

        def ratio_of(d: dict[str, Any]) -> str:
            ratio = f"{d['ratio']:.2f}x"
            if d["significant"] and d["lower_is_better"]:
                return f"[green]{ratio}[/]" if d["ratio"] < 1 else f"[red]{ratio}[/]"
            return ratio

        if not wide:
            console.print(title)
            for d in rows:
                name = f"{escape(d['benchmark'].split('.', 1)[-1])}({escape(d['params'])})"
                ref = f"{escape(d['reference'])} {format_value(d['value_reference'], d['unit'])}"
                other = f"{escape(d['other'])} {format_value(d['value_other'], d['unit'])}"
                console.print(f"{name} {escape(d['shared'])} {d['release']}: {ref}, {other}: {ratio_of(d)}")
            continue
        table = Table(title=title, title_justify="left")
        for column in ("benchmark", "params", "shared", "release", reference, "other", "value", "ratio"):
            table.add_column(column, justify="right" if column in (reference, "value", "ratio") else "left")
        for d in rows:
            table.add_row(
                d["benchmark"].split(".", 1)[-1],
                escape(d["params"]),
                escape(d["shared"]),
                d["release"],
                format_value(d["value_reference"], d["unit"]),
                escape(d["other"]),
                format_value(d["value_other"], d["unit"]),
                ratio_of(d),
            )
        console.print(table)


def setup_arguments(sub: Any) -> None:
    p = add_command(sub, "versions", cmd_versions, "compare benchmark results across a library's releases")
    results_option(p, SWEEP_RESULTS)
    p.add_argument(
        "--library",
        help=f"a sweepable library ({', '.join(sweep_targets())}), or all builds of one "
        f"({', '.join(multi_build())}), or one measured with --project; default: every one",
    )
    project_options(p, measuring=False)
    factor_option(p, "flag releases slower than the previous one")
    p.add_argument("--all", action="store_true", help="after the verdict, every value release by release")
    p.add_argument(
        "--provisional",
        action="store_true",
        help="exit 1 on any step decided slower, not only on those a second campaign confirmed",
    )
    p.add_argument("--wide", action="store_true", help="with --all: tables with one column per release")
    p.add_argument(
        "--between",
        metavar="NAME",
        help="instead, compare each release's environments that differ only in the variable NAME "
        "(TF_ENABLE_ONEDNN_OPTS: oneDNN off against on; a variable nothing reads: an A/A test)",
    )
