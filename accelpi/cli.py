"""The ``accelpi`` command line (also ``python -m accelpi``).

Exit status: 0 success, 2 bad usage or bad input (one line on stderr, no traceback),
3 backend unavailable; ``accelpi threads`` exits 1 when one of our backends or a safe
kernel gave a wrong result under concurrency; ``accelpi versions`` exits 1 when a
release is flagged as slower. Every command takes ``--json`` for machines.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from . import __version__, registry
from .core import check_device_name, check_n, cpu_count, estimate
from .environment import environment
from .errors import AccelpiError, BackendUnavailable, InvalidArgument

EXIT_OK, EXIT_USAGE, EXIT_UNAVAILABLE = 0, 2, 3

#: Samples of the first call that ``compare`` times (import excluded, compile included).
FIRST_CALL_N = 10_000


def parse_count(text: str) -> int | float:
    """Read a sample count such as ``100000000``, ``1e8``, ``10_000_000`` or ``2**30``."""
    cleaned = text.strip().replace("_", "")
    try:
        if "**" in cleaned:
            base, _, power = cleaned.partition("**")
            return int(base) ** int(power)
        return int(cleaned)
    except ValueError:
        pass
    try:
        return float(cleaned)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of samples (accepted: 100000000, 1e8, 10_000_000, 2**30)"
        ) from None


def _positive(kind: type) -> Callable[[str], Any]:
    def convert(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or not value > 0:
            raise argparse.ArgumentTypeError(f"{text!r} is not a positive {kind.__name__}")
        return value

    return convert


def _console(stderr: bool = False) -> Any:
    try:
        from rich.console import Console
    except ImportError:
        raise BackendUnavailable(
            "accelpi's tables need rich, which is not installed; install it with: "
            "pip install 'accelpi[cli]' (or use --json)"
        ) from None
    console = Console(stderr=stderr, highlight=False)
    if not console.is_terminal:  # piped or captured: do not fold tables at 80 columns
        console = Console(stderr=stderr, highlight=False, width=200)
    return console


def _print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, default=str)
    sys.stdout.write("\n")


def _rate(n: int, seconds: float) -> str:
    rate = n / seconds if seconds > 0 else math.inf
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if rate >= scale:
            return f"{rate / scale:,.1f} {unit}samples/s"
    return f"{rate:,.1f} samples/s"


# -- accelpi backends ---------------------------------------------------------------


def escape(text: str) -> str:
    """Protect text from rich's markup (install hints such as ``accelpi[gpu]``)."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def cmd_backends(args: argparse.Namespace) -> int:
    infos = registry.backends(probe=args.probe)
    if args.json:
        _print_json([i.to_dict() for i in infos])
        return EXIT_OK
    from rich.table import Table

    table = Table(title="accelpi backends", title_justify="left")
    columns = ["backend", "available", "version", "devices", "threads", "streams"]
    if any(i.reason for i in infos):
        columns.append("reason")
    for column in columns:
        table.add_column(column, overflow="fold", no_wrap=column == "backend")
    for i in infos:
        cells = [
            escape(i.name),
            "[green]yes[/]" if i.available else "[red]no[/]",
            escape(i.version or "-"),
            ", ".join(i.devices) or "-",
            i.threads,
            escape(i.streams),
            escape(i.reason),
        ]
        table.add_row(*cells[: len(columns)])
    _console().print(table)
    return EXIT_OK


# -- accelpi run --------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    given = {
        "chunks": args.chunks,
        "kernel": args.kernel,
        "scheduler": args.scheduler,
        "connect_timeout": args.connect_timeout,
    }
    options = {key: value for key, value in given.items() if value is not None}
    start = time.perf_counter()
    est = estimate(args.n, args.backend, seed=args.seed, threads=args.threads, device=args.device, **options)
    seconds = time.perf_counter() - start
    if args.json:
        _print_json({**est.to_dict(), "seconds": seconds, "samples_per_second": est.n / seconds})
        return EXIT_OK
    console = _console()
    console.print(str(est))
    console.print(
        f"time {seconds:.3f} s, {_rate(est.n, seconds)} (first call in this process: compile included)"
    )
    return EXIT_OK


# -- accelpi compare ----------------------------------------------------------------

REFERENCES = ("python", "numpy")


def measure(
    name: str, n: int, *, budget: float, repeat: int, seed: int, threads: int | None, device: str | None
) -> dict[str, Any]:
    """Time one backend the way ``accelpi compare`` reports it.

    The import is timed alone; the first call (compile included) runs ``FIRST_CALL_N``
    samples; then ``n`` is capped so that one call takes about ``budget`` seconds and the
    best of ``repeat`` calls gives the throughput. Unavailable backends give a row with
    the reason instead of raising.
    """
    row: dict[str, Any] = {"backend": name}
    spec = registry.spec(name)
    threads = threads if spec.threads != "serial" else None
    try:
        t0 = time.perf_counter()
        registry.load(name)
        row["import_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        estimate(FIRST_CALL_N, name, seed=seed, threads=threads, device=device)
        row["first_call_s"] = time.perf_counter() - t0
        probe_n = min(n, 1 << 20)
        t0 = time.perf_counter()
        estimate(probe_n, name, seed=seed, threads=threads, device=device)
        probe_rate = probe_n / max(time.perf_counter() - t0, 1e-9)
        size = int(min(n, max(probe_n, probe_rate * budget)))
        best, est = math.inf, None
        for _ in range(repeat):
            t0 = time.perf_counter()
            est = estimate(size, name, seed=seed, threads=threads, device=device)
            best = min(best, time.perf_counter() - t0)
    except BackendUnavailable as exc:
        return {**row, "available": False, "reason": str(exc)}
    assert est is not None
    return {
        **row,
        "available": True,
        "n": size,
        "best_s": best,
        "samples_per_second": size / best,
        "z": est.z,
        "value": est.value,
        "threads": est.threads,
        "device": est.device,
    }


def cmd_compare(args: argparse.Namespace) -> int:
    n = check_n(args.n)
    device = check_device_name(args.device)
    infos = {i.name: i for i in registry.backends()}
    if args.backends:
        for name in args.backends:
            registry.spec(name)  # unknown names fail before any timing
        chosen = list(dict.fromkeys(args.backends))
    else:
        chosen = [
            name for name, i in infos.items() if i.available and (device is None or device in i.devices)
        ]
    # The references run on their own default device (the CPU) whatever --device says.
    order = [(r, None) for r in REFERENCES if r not in chosen and infos[r].available]
    order += [(name, device) for name in chosen]
    rows: list[dict[str, Any]] = []
    from rich.progress import Progress

    with Progress(console=_console(stderr=True), transient=True, disable=args.json) as progress:
        task = progress.add_task("measuring", total=len(order))
        for name, on in order:
            progress.update(task, description=f"measuring {name}")
            options = dict(budget=args.budget, repeat=args.repeat, seed=args.seed, threads=args.threads)
            rows.append(measure(name, n, device=on, **options))
            progress.advance(task)
    rates = {r["backend"]: r.get("samples_per_second") for r in rows}
    for r in rows:
        r["reference_only"] = r["backend"] not in chosen
        for ref in REFERENCES:
            if r.get("samples_per_second") and rates.get(ref):
                r[f"speedup_vs_{ref}"] = r["samples_per_second"] / rates[ref]
    if args.json:
        _print_json({"n": n, "rows": rows})
    else:
        _print_compare(rows)
    named_unavailable = [r for r in rows if not r["available"] and r["backend"] in (args.backends or [])]
    return EXIT_UNAVAILABLE if named_unavailable else EXIT_OK


def _print_compare(rows: list[dict[str, Any]]) -> None:
    from rich.table import Table

    table = Table(
        title="accelpi compare (samples/s: best of repeats; first call: compile included)",
        title_justify="left",
    )
    for column in ("backend", "Msamples/s", "vs python", "vs numpy", "first call", "error", "n", "threads"):
        table.add_column(column, justify="left" if column == "backend" else "right")
    for r in rows:
        label = r["backend"] + (" (reference)" if r["reference_only"] else "")
        if not r["available"]:
            table.add_row(label, f"[red]unavailable[/]: {escape(r['reason'])}", *[""] * 6)
            continue
        sigma = f"{r['z']:+.2f} σ"
        table.add_row(
            label,
            f"{r['samples_per_second'] / 1e6:,.1f}",
            f"{r['speedup_vs_python']:,.1f}x" if "speedup_vs_python" in r else "-",
            f"{r['speedup_vs_numpy']:,.2f}x" if "speedup_vs_numpy" in r else "-",
            f"{r['first_call_s']:.3f} s",
            sigma if abs(r["z"]) <= 6 else f"[red]{sigma}[/]",
            f"{r['n']:,}",
            str(r["threads"]),
        )
    _console().print(table)


# -- accelpi overhead ---------------------------------------------------------------


def cmd_overhead(args: argparse.Namespace) -> int:
    from .overhead import launch_overhead

    rows = launch_overhead(tasks=args.tasks, n=args.n, repeat=args.repeat, kernel=args.kernel)
    if args.json:
        _print_json(rows)
        return EXIT_OK
    from rich.table import Table

    methods = list(dict.fromkeys(r["method"] for r in rows))
    table = Table(
        title=f"launch overhead: {check_n(args.n):,} samples split into tasks (seconds, best of "
        f"{args.repeat}; in brackets: more than with 1 task)",
        title_justify="left",
    )
    table.add_column("tasks", justify="right")
    for method in methods:
        table.add_column(method, justify="right")
    for tasks in sorted(set(args.tasks)):
        cells = [f"{r['seconds']:.4f} ({r['overhead_s']:+.4f})" for r in rows if r["tasks"] == tasks]
        table.add_row(str(tasks), *cells)
    _console().print(table)
    return EXIT_OK


# -- accelpi threads ----------------------------------------------------------------


def cmd_threads(args: argparse.Namespace) -> int:
    from rich.progress import Progress
    from rich.table import Table

    from . import threadlab

    counts = list(range(1, args.max_threads + 1))
    with Progress(console=_console(stderr=True), transient=True, disable=args.json) as progress:
        task = progress.add_task("scaling", total=3)
        scaling = threadlab.scaling(args.backends, counts, n=args.n, repeat=args.repeat)
        progress.update(task, advance=1, description="determinism under concurrency")
        concurrency = threadlab.concurrency(threads=args.concurrent, rounds=args.rounds)
        progress.update(task, advance=1, description="the race")
        race = threadlab.race(threads=args.concurrent, runs=args.runs)
        progress.advance(task)
    if args.plot:
        threadlab.plot_scaling(scaling, args.plot)
    report = {
        "interpreter": threadlab.gil_status(),
        "scaling": scaling,
        "concurrency": concurrency,
        "race": race,
    }
    if args.json:
        _print_json(report)
    else:
        console = _console()
        console.print(
            f"Python {sys.version.split()[0]}, {report['interpreter']}, {len(counts)} thread counts"
        )
        table = Table(title="1. scaling: the same work on more threads", title_justify="left")
        for column in ("backend", "threads", "seconds", "speedup", "efficiency"):
            table.add_column(column, justify="left" if column == "backend" else "right")
        for r in scaling:
            if "skipped" in r:
                table.add_row(r["backend"], str(r["threads"]), f"[dim]{escape(r['skipped'])}[/]", "", "")
            else:
                table.add_row(
                    r["backend"],
                    str(r["threads"]),
                    f"{r['seconds']:.4f}",
                    f"{r['speedup']:.2f}x",
                    f"{r['efficiency']:.0%}",
                )
        console.print(table)
        table = Table(
            title=f"2. determinism: {args.concurrent} concurrent calls per round vs serial calls",
            title_justify="left",
        )
        for column in ("backend", "calls", "mismatches", "first mismatch"):
            table.add_column(column, justify="left" if column in ("backend", "first mismatch") else "right")
        for r in concurrency:
            bad = "[red]" if r["mismatches"] else ""
            table.add_row(
                r["backend"], str(r["calls"]), f"{bad}{r['mismatches']}", escape(r["example"] or "")
            )
        console.print(table)
        table = Table(
            title=f"3. the race: {args.concurrent} threads count into shared counters", title_justify="left"
        )
        for column in ("kernel", "safe", "runs", "wrong runs", "lost updates", "worst loss"):
            table.add_column(column, justify="left" if column == "kernel" else "right")
        for r in race:
            table.add_row(
                r["kernel"],
                "yes" if r["safe"] else "[red]no[/]",
                str(r["runs"]),
                str(r["wrong_runs"]),
                f"{r['lost_updates']:,}",
                f"{r['worst_loss']:.2%}",
            )
        console.print(table)
        if args.plot:
            console.print(f"speedup plot written to {args.plot}")
    broken = [r["backend"] for r in concurrency if r["mismatches"]]
    broken += [r["kernel"] for r in race if r["safe"] and r["wrong_runs"]]
    if broken:
        print(f"accelpi: wrong results under concurrency: {', '.join(broken)}", file=sys.stderr)
        return 1
    return EXIT_OK


# -- accelpi sweep ------------------------------------------------------------------


def _switches(items: list[str] | None, none: bool) -> dict[str, tuple[str, ...]] | None:
    if none:
        return {}
    if not items:
        return None  # the library's defaults
    switches = {}
    for item in items:
        name, sep, values = item.partition("=")
        if not sep or not name or not values:
            raise InvalidArgument(
                f"--switch {item!r}: expected NAME=VALUE1,VALUE2 (e.g. TF_ENABLE_ONEDNN_OPTS=0,1)"
            )
        switches[name] = tuple(values.split(","))
    return switches


def _machine_name(given: str | None) -> str:
    if given:
        return given
    from pathlib import Path

    try:
        machines = json.loads((Path.home() / ".asv-machine.json").read_text())
        return next(name for name in machines if name != "version")
    except (OSError, ValueError, StopIteration):
        raise InvalidArgument(
            "no asv machine is recorded: run 'make machine' or pass --machine NAME"
        ) from None


def cmd_sweep(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .sweep import plan_sweep, run_sweep

    plan = plan_sweep(
        args.library,
        args.versions,
        args.last,
        _switches(args.switch, args.no_switches),
        tuple(args.pin or ()),
    )
    console = _console(stderr=args.json)
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
            _print_json(
                {
                    "versions": plan.versions,
                    "skipped": plan.skipped,
                    "include": plan.include(),
                    "bench": plan.bench_regexes(),
                }
            )
        return EXIT_OK
    report = run_sweep(plan, Path.cwd(), _machine_name(args.machine), quick=args.quick)
    if args.json:
        _print_json(report)
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
        return 1
    return EXIT_OK


# -- accelpi versions ---------------------------------------------------------------


def cmd_versions(args: argparse.Namespace) -> int:
    from .sweep import LIBRARIES
    from .versions import BUILD_FAMILIES, compare_builds, compare_versions

    libraries = [args.library] if args.library else list(LIBRARIES)
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
        _print_json(
            {
                "factor": args.factor,
                "libraries": report,
                "builds": builds,
                "flagged": [c.to_dict() for c in flagged],
            }
        )
    else:
        _print_versions(report, args.factor)
        _print_builds(builds, args.factor)
    if not report and not builds:
        print(
            f"accelpi: no results of {', '.join(libraries)} over two or more releases in {args.results}",
            file=sys.stderr,
        )
    return 1 if flagged else EXIT_OK


def _print_versions(report: dict[str, Any], factor: float) -> None:
    from packaging.version import Version
    from rich.table import Table

    from .versions import format_value

    console = _console()
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


def _print_builds(builds: dict[str, list[dict[str, Any]]], factor: float) -> None:
    from rich.table import Table

    from .versions import format_value

    console = _console()
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
    from pathlib import Path

    from .bisect import bisect_releases

    console = _console(stderr=True)
    switches = {name: values[0] for name, values in (_switches(args.switch, False) or {}).items()}
    result = bisect_releases(
        args.library,
        args.good,
        args.bad,
        args.bench,
        _machine_name(args.machine),
        Path.cwd(),
        factor=args.factor,
        log=lambda text: console.print(escape(text)),
        switches=switches,
    )
    if args.json:
        _print_json(result)
    else:
        _console().print(
            f"{args.library}: first release where {args.bench!r} is slower than in {args.good} "
            f"by more than {args.factor}x: [bold]{result['first_bad']}[/] "
            f"(last good: {result['last_good']}; {len(result['steps'])} release(s) probed)"
        )
    return EXIT_OK


# -- accelpi inventory --------------------------------------------------------------


def cmd_inventory(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .inventory import KEY_DISTRIBUTIONS, drift, load_inventories, record_default_environments

    if args.record:
        record_default_environments(Path.cwd(), _machine_name(args.machine), args.commit)
    records = load_inventories(args.results)
    problems = drift(records)
    if args.json:
        _print_json({"records": records, "problems": problems})
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
        console = _console()
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
    return 1 if problems else EXIT_OK


# -- accelpi site -------------------------------------------------------------------


def cmd_site(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .site import build_site

    site = build_site(
        Path.cwd(), results=args.results, html_dir=args.html, publish=not args.no_publish, factor=args.factor
    )
    if args.json:
        _print_json({"site": str(site)})
    else:
        _console().print(
            f"site written to {site}/ (asv pages, and ours in {site}/accelpi/); serve it with: asv preview"
        )
    return EXIT_OK


# -- accelpi info -------------------------------------------------------------------


def cmd_info(args: argparse.Namespace) -> int:
    env = environment()
    if args.json:
        _print_json(env)
        return EXIT_OK
    from rich.pretty import Pretty
    from rich.tree import Tree

    tree = Tree(f"accelpi {__version__}")
    for key, value in env.items():
        if key == "libraries":
            branch = tree.add("libraries")
            for lib, entry in value.items():
                leaf = branch.add(f"{lib} {entry['version']} [dim]({entry['distribution']})[/]")
                if "facts" in entry:
                    leaf.add(Pretty(entry["facts"]))
        else:
            tree.add(f"{key}: ").add(Pretty(value))
    _console().print(tree)
    return EXIT_OK


# -- the parser ---------------------------------------------------------------------

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def _add(
    sub: Any, name: str, func: Callable[[argparse.Namespace], int], help: str
) -> argparse.ArgumentParser:
    parser = sub.add_parser(name, help=help, description=help)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    COMMANDS[name] = func
    return parser


def _estimate_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=0, help="non-negative integer seed (default 0)")
    parser.add_argument(
        "--threads", type=int, default=None, help="threads for parallel backends (default: all cores)"
    )
    parser.add_argument("--device", default=None, help="cpu, cuda or gpu (default: the backend's default)")


def _backends_option(parser: argparse.ArgumentParser, help: str) -> None:
    parser.add_argument("-b", "--backend", dest="backends", action="append", metavar="NAME", help=help)


def _results_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--results", default="results", help="asv results directory (default: results)")


def _factor_option(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--factor", type=_positive(float), default=1.1, help=f"{what} by more than this factor (default 1.1)"
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``accelpi``."""
    parser = argparse.ArgumentParser(
        prog="accelpi",
        description="Monte Carlo π on every accelerator library: run, compare, and track releases.",
        epilog="Exit status: 0 ok, 2 bad usage or input, 3 backend unavailable.",
    )
    parser.add_argument("--version", action="version", version=f"accelpi {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = _add(sub, "backends", cmd_backends, "list every backend: available or not, why, version, devices")
    p.add_argument("--probe", action="store_true", help="also run a tiny estimate (catches compile failures)")

    p = _add(sub, "run", cmd_run, "run one estimate and print it with its error and speed")
    p.add_argument("-b", "--backend", default="numpy", help="backend name (see 'accelpi backends')")
    p.add_argument("-n", type=parse_count, default=10**7, help="samples, e.g. 1e8 (default 1e7)")
    _estimate_options(p)

    dask_options = p.add_argument_group("Dask backends")
    dask_options.add_argument("--chunks", type=int, help="number of tasks (default: one per 4 Mi samples)")
    dask_options.add_argument("--kernel", help="task kernel: numpy (default) or numba:fused")
    dask_options.add_argument(
        "--scheduler",
        help="dask:distributed: a scheduler address, e.g. tcp://127.0.0.1:8786 "
        "(default: $ACCELPI_DASK_SCHEDULER, else a local cluster)",
    )
    dask_options.add_argument(
        "--connect-timeout", type=_positive(float), help="seconds to reach the scheduler"
    )

    p = _add(sub, "compare", cmd_compare, "time every available backend (or those named) side by side")
    _backends_option(p, "a backend to compare (repeat the option; default: every available one)")
    p.add_argument(
        "-n",
        type=parse_count,
        default=2**30,
        help="most samples per timed call (default 2**30); slow backends get fewer, see --budget",
    )
    p.add_argument(
        "--budget",
        type=_positive(float),
        default=1.0,
        help="seconds one timed call may take; n is capped to fit (default 1)",
    )
    p.add_argument(
        "--repeat", type=_positive(int), default=3, help="timed calls per backend, best kept (default 3)"
    )
    _estimate_options(p)

    p = _add(
        sub,
        "overhead",
        cmd_overhead,
        "Dask's launch overhead against the task count, vs a ThreadPoolExecutor",
    )
    p.add_argument("--tasks", type=_positive(int), nargs="+", default=[1, 10, 100, 1000], help="task counts")
    p.add_argument(
        "-n", type=parse_count, default=2**24, help="total samples, split into the tasks (default 2**24)"
    )
    p.add_argument("--repeat", type=_positive(int), default=3, help="runs per point, best kept (default 3)")
    p.add_argument("--kernel", default="numpy", help="task kernel: numpy (default) or numba:fused")

    p = _add(
        sub, "threads", cmd_threads, "the threading lab: scaling, determinism under concurrency, the race"
    )
    _backends_option(p, "a backend for the scaling table (repeat; default: every threaded backend available)")
    p.add_argument(
        "--max-threads", type=_positive(int), default=cpu_count(), help="scale from 1 to this many threads"
    )
    p.add_argument("-n", type=parse_count, default=2**25, help="samples per scaling call (default 2**25)")
    p.add_argument("--repeat", type=_positive(int), default=3, help="scaling calls per point, best kept")
    p.add_argument("--concurrent", type=_positive(int), default=4, help="threads calling at once (default 4)")
    p.add_argument("--rounds", type=_positive(int), default=5, help="rounds of concurrent calls per backend")
    p.add_argument("--runs", type=_positive(int), default=20, help="runs of each race kernel")
    p.add_argument("--plot", metavar="PNG", help="also draw speedup against threads (needs matplotlib)")

    p = _add(sub, "sweep", cmd_sweep, "run the benchmarks of one library's backends across its releases")
    p.add_argument(
        "library", help="numba, numpy, tensorflow-cpu, intel-tensorflow, torch, jax, dask, mkl-random"
    )
    p.add_argument("versions", nargs="*", help="releases to sweep, e.g. 0.60.0 0.64.0 0.68.1")
    p.add_argument("--last", type=_positive(int), help="the last N releases that install for this Python")
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
    p.add_argument("--machine", help="asv machine name (default: the one recorded by 'make machine')")
    p.add_argument("--plan", action="store_true", help="only print the environments the sweep would run")

    p = _add(sub, "versions", cmd_versions, "compare benchmark results across a library's releases")
    _results_option(p)
    p.add_argument("--library", help="numba, numpy, tensorflow-cpu, ... or tensorflow (default: every one)")
    _factor_option(p, "flag releases slower than the previous one")

    p = _add(sub, "bisect", cmd_bisect, "find the first release of a library where a benchmark got slower")
    p.add_argument("library", help="a sweepable library: numba, numpy, tensorflow-cpu, dask, ...")
    p.add_argument("--good", required=True, help="a release where the benchmark is fast")
    p.add_argument("--bad", required=True, help="a later release where it is slow")
    p.add_argument(
        "-b",
        "--bench",
        required=True,
        help="regex over benchmark(params), as asv -b takes it, e.g. \"Throughput.time_estimate\\('numba'\"",
    )
    _factor_option(p, "the first release slower than --good")
    p.add_argument(
        "--switch",
        action="append",
        metavar="NAME=VALUE",
        help="run (and read) the environments with this variable, e.g. TF_ENABLE_ONEDNN_OPTS=1",
    )
    p.add_argument("--machine", help="asv machine name (default: the one recorded by 'make machine')")

    p = _add(sub, "inventory", cmd_inventory, "what each asv environment really had installed, and drift")
    _results_option(p)
    p.add_argument("--record", action="store_true", help="first record the default environments' inventory")
    p.add_argument("--machine", help="asv machine name, with --record")
    p.add_argument("--commit", default="HEAD", help="with --record: the commit whose results these are")

    p = _add(sub, "site", cmd_site, "publish the website: asv's pages plus the library-release pages")
    _results_option(p)
    p.add_argument("--html", default="html", help="output directory (default: html)")
    p.add_argument("--no-publish", action="store_true", help="only (re)write our pages, not asv's")
    _factor_option(p, "list releases slower than the previous one")

    _add(sub, "info", cmd_info, "the machine, installed library versions, and the settings that change speed")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``accelpi``; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except InvalidArgument as exc:
        print(f"accelpi: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BackendUnavailable as exc:
        print(f"accelpi: unavailable: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except AccelpiError as exc:
        print(f"accelpi: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("accelpi: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
