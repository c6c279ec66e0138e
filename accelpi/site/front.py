"""The front page (which backend is fastest, what each is, which machines, which releases
changed) and the inventory page: data arranged into sections, drawn by the page template."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import registry
from ..errors import InvalidArgument
from ..libraries import by_distribution, canonical
from ..ranking import cells
from ..reports.builds import build_summary
from ..reports.inventory import shown_distributions, version_and_build
from ..reports.machines import machines
from ..reports.report import findings
from ..reports.verdicts import magnitude
from ..store import COMMIT_RESULTS, asvcompat
from ..store.files import write_atomically
from . import charts
from .library import LIBRARY_HEADERS
from .pages import (
    BUILD_HEADERS,
    build_cells,
    code,
    link,
    marked,
    page,
    section,
    slug,
)
from .radar import HEADERS, LATEST, radar_rows
from .sitemap import SiteData, file_of
from .steps import STEP_HEADERS, step_rows

__all__ = ["asv_graph", "front_page", "inventory_page"]

#: The figures of a ranking row after the rate, in the order of the table's columns.
FIGURES = ("spread", "vs_python", "vs_numpy", "first_call", "sigma")

#: Release steps the front page lists (the largest); the "what changed" page has them all.
FRONT_STEPS = 5


def asv_graph(bench: str, machine: str, backend: str, n: int | None) -> str:
    """The address of asv's graph of one backend's throughput on one machine, selected in
    asv's page as its own links do (``#BENCHMARK?machine=M&p-backend='name'&p-n=N``)."""
    from urllib.parse import quote

    query = [("machine", machine), ("p-backend", repr(backend))]
    if bench == "Throughput" and n:
        query.append(("p-n", str(n)))
    text = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in query)
    return f"../index.html#throughput.{bench}.time_estimate?{text}"


def _ranking(root: Path, figures: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Which backend is fastest here: each machine's newest run, ranked (``accelpi summary``);
    a dot chart per machine is added to ``figures``."""
    from ..reports.summary import limit_sentence, run_summary, where

    results = root / COMMIT_RESULTS
    sections = []
    for machine in asvcompat.machine_folders(results):
        try:
            summary = run_summary(results, machine=machine)
        except InvalidArgument:
            continue
        bench = "GpuThroughput" if summary["device"] == "cuda" else "Throughput"
        rows = []
        for r in summary["rows"]:
            shown = cells(r)
            rate = [marked(shown["rate"], "rate"), "" if r["n"] == summary["n"] else "*"]
            rows.append(
                [link(r["backend"], asv_graph(bench, machine, r["backend"], r["n"])), rate]
                + [shown[k] for k in FIGURES]
            )
        if figures is not None:
            figures.append(
                {
                    "id": f"ranking-chart-{len(figures)}",
                    "spec": charts.ranking_spec(machine, summary["rows"], where(summary)),
                    "caption": f"Samples per second on {machine}: one colour per backend, as on every chart; "
                    "whiskers: the spread of asv's samples; hover a dot for its values",
                    "description": f"Which backend is fastest on {machine}",
                }
            )
        heading = f"Which backend is fastest on {machine}"
        commit = summary["commit"][:8]
        if summary["device"] == "cuda":  # GpuThroughput only: no Python, NumPy, first-call or accuracy runs
            sections.append(
                section(
                    heading,
                    f"Commit {commit}, samples per second at {where(summary)} and the spread of asv's "
                    "samples. First calls, and the GPU tests that check accuracy, are in docs/gpu.md.",
                    headers=["backend", "Msamples/s", "spread"],
                    rows=[row[:3] for row in rows],
                    id=f"ranking-{slug(machine)}",
                )
            )
            continue
        sections.append(
            section(
                heading,
                f"Commit {commit}, samples per second at {where(summary)} (* plain Python at 2**16), the "
                "spread of asv's samples, the speed-up against plain Python and NumPy, the cold first call "
                "(import and compile) and the worst error of five seeds."
                + (f" {limit_sentence(summary['limit'])}." if summary.get("limit") else ""),
                headers=["backend", "Msamples/s", "spread", "vs python", "vs numpy", "first call", "worst"],
                rows=rows,
                id=f"ranking-{slug(machine)}",
            )
        )
    return sections


def _glossary() -> dict[str, Any]:
    """What each backend is, from the registry: natural code or a hand-tuned kernel."""
    rows = [
        [
            spec.name,
            spec.library,
            spec.summary,
            "hand-tuned: this workload's ceiling" if spec.tuned else "as a user writes it",
        ]
        for spec in map(registry.spec, registry.names())
    ]
    return section(
        "What the backends are",
        "A backend is one way to run the workload. Most are written as a user of the library would "
        "write them; the hand-tuned kernels show how fast the workload can be, not how fast the library "
        "usually is (numba:fused's speed-up is not Numba's).",
        headers=["backend", "library", "what it is", "kind"],
        rows=rows,
    )


def inventory_page(records: list[dict[str, Any]], problems: list[dict[str, Any]], out: Path) -> None:
    """``inventory.html``: what each environment installed, and the pins that did not hold."""
    problem_rows = [
        [
            p["kind"],
            p["machine"],
            p["environment"],
            p["package"],
            f"{p.get('requested', p.get('before'))} → {p.get('installed', p.get('after'))}",
        ]
        for p in problems
    ]
    body = [
        section(
            None,
            [
                "What pip really installed in every asv environment that produced results (the version, and "
                "the platform or build tag of the wheel it came from; ",
                code("accelpi inventory --json"),
                " has each wheel's file name and sha256).",
            ],
        ),
        section(
            "Pins that did not hold, and drift",
            headers=["kind", "machine", "environment", "package", "change"],
            rows=problem_rows,
        ),
        *(
            _inventory_sections(records)
            or [section("Installed versions", empty="No inventory recorded yet.")]
        ),
    ]
    write_atomically(out / "inventory.html", page("What each environment installed", body))


def _inventory_sections(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One section per swept library: its environments in machine, campaign and release order,
    the library's release first, then only the distributions that differ between them."""
    from packaging.version import InvalidVersion, Version

    def release(r: dict[str, Any], dist: str) -> Any:
        try:
            return Version(r["installed"].get(dist) or "0")
        except InvalidVersion:
            return Version("0")

    shown = shown_distributions(records)
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        groups.setdefault(str(r.get("swept") or ""), []).append(r)
    sections = []
    for swept, found in sorted(groups.items()):
        dist = canonical(swept)
        found.sort(
            key=lambda r: (
                r["machine"],
                str(r.get("campaign") or ""),
                release(r, dist),
                sorted(r["env_vars"].items()),
            )
        )
        varying = [d for d in shown if d != dist and len({version_and_build(r, d) for r in found}) > 1]
        sections.append(
            section(
                f"{swept} releases" if swept else "The default environment (accelpi's commits)",
                "Only the distributions that differ between these environments are shown; the others "
                "were the same in every one of them.",
                headers=["machine", "campaign", *([swept] if swept else []), "switches", *varying],
                rows=[
                    [
                        r["machine"],
                        str(r.get("campaign") or (r.get("commit") or "")[:8]),
                        *([version_and_build(r, dist)] if swept else []),
                        ", ".join(f"{k}={v}" for k, v in sorted(r["env_vars"].items())) or "-",
                        *[version_and_build(r, d) for d in varying],
                    ]
                    for r in found
                ],
            )
        )
    return sections


def _default_pins(root: Path) -> list[list[str]]:
    """The default asv environment's pins (asv.conf.json) with the library table's reason."""
    requested = asvcompat.load_json(root / "asv.conf.json", js_comments=True)["matrix"]["req"]
    rows = []
    for name, version in requested.items():
        lib = by_distribution(name)
        if version:
            rows.append([name, (lib.pin if lib and lib.pin else version)])
    return rows


def _findings_sections(data: SiteData) -> list[dict[str, Any]]:
    """The front page's lower half: the largest steps, the builds, the default pins, the
    inventory's state, each linked to its page."""
    root, report, records, problems = data.root, data.report, data.records, data.problems
    factor = report["factor"]
    largest = sorted((c for rows in findings(report).values() for c in rows), key=lambda c: -magnitude(c))
    status = (
        marked(f"{len(problems)} pin(s) that did not hold or drifted", "bad")
        if problems
        else "every pin held, no drift"
    )
    return [
        section(
            f"The largest release steps (factor {factor}, significant)",
            [
                f"The {min(len(largest), FRONT_STEPS)} largest of {len(largest)}, either direction; "
                "every one, per library: ",
                link("what changed, release by release", file_of("changes")),
                ". The 2018 talk's claims, re-measured: ",
                link("what still holds", file_of("replication")),
                ".",
            ],
            headers=["direction", "library", *STEP_HEADERS],
            rows=[[c["direction"], *step_rows([c], library=True)[0]] for c in largest[:FRONT_STEPS]],
        ),
        section(
            "One release, two builds",
            [
                "Intel builds against stock builds, release by release: ",
                link("what an Intel build buys you", file_of("builds")),
                " (ratio Intel / stock of 2**25 samples, geometric mean over the backends; oneDNN on, the "
                "default, first).",
            ],
            headers=BUILD_HEADERS,
            rows=[build_cells(r) for r in build_summary(report)],
            empty="No release measured as two builds yet.",
        ),
        section(
            "The default environment",
            "asv's pages measure accelpi's commits in one environment holding every CPU library at its "
            "latest release, except these pins:",
            headers=["distribution", "pinned to, and why"],
            rows=_default_pins(root),
        ),
        section(
            None,
            [
                f"Installed versions: {len(records)} environment(s) recorded, ",
                status,
                " (",
                link("what each environment installed", file_of("inventory")),
                ").",
            ],
        ),
    ]


def front_page(data: SiteData, out: Path) -> None:
    """``index.html``: the answer first (the ranking per machine), then what the backends are,
    the machines, the libraries' releases, the latest releases (``radar``: the radar's entries,
    newest first), the largest steps, the builds, the default pins; linked to the other pages."""
    root, report, radar = data.root, data.report, data.radar
    figures: list[dict[str, Any]] = []
    hosts = [
        [m["machine"], m["cpu"], m["cores"], m["memory"], m["history"], m["release_campaigns"]]
        for m in machines(root)
    ]
    body = [
        *_ranking(root, figures),
        _glossary(),
        section(
            "The machines",
            "Every result names the host it was measured on: asv's machine, named after the host's "
            "fingerprint (CPU model and flags, cores, memory, kernel). Results of two machines are never "
            "compared.",
            headers=["machine", "CPU", "cores", "memory", "commit history", "release campaigns"],
            rows=hosts,
        ),
        section(
            "Library releases",
            [
                "asv plots benchmarks against accelpi's commits; these pages plot them against the releases "
                "of the libraries accelpi accelerates with (campaigns of ",
                code("accelpi sweep"),
                ").",
            ],
            headers=LIBRARY_HEADERS,
            rows=data.libraries,
            empty="No campaign results yet.",
        ),
        section(
            "Latest releases",
            [
                "New releases the radar found on the package index, each measured against the release before "
                "it: ",
                link("the release radar", file_of("radar")),
                " (and its feed, ",
                link("radar.xml", "radar.xml"),
                ").",
            ],
            headers=HEADERS,
            rows=radar_rows(list(radar)[:LATEST], set(report["libraries"])),
            empty="No new release found yet.",
        ),
        *_findings_sections(data),
    ]
    front = page(
        "accelpi: which accelerator is fastest here, and did a release change it?",
        body,
        figures,
        charts_heading=None,
        charts_first=True,
    )
    write_atomically(out / "index.html", front)
