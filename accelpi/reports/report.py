"""The release report: one builder for what ``accelpi versions`` prints and the site shows.

:func:`release_report` is ``accelpi versions --json``; the text tables, the release pages
and the generated "what changed" summary are all drawn from it, so the command line and
the site can never disagree (a test compares them).
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from .. import registry
from ..errors import InvalidArgument, did_you_mean
from ..libraries import sweep_targets
from ..store import git
from ..store.series import BUILD_FAMILIES
from . import DEFAULT_FACTOR
from .builds import build_differences, twin_differences
from .verdicts import magnitude
from .versions import release_steps

__all__ = [
    "CodeHistory",
    "code_paths",
    "findings",
    "magnitude",
    "provisional_releases",
    "release_report",
    "swept_libraries",
]


def swept_libraries(results_dir: str | Path) -> list[str]:
    """The libraries a results folder holds campaigns of: accelpi's sweep targets first (all
    of them, measured or not), then those measured with another project's suite."""
    from ..libraries import canonical
    from ..store.campaigns import load_campaigns

    known = list(sweep_targets())
    seen = {canonical(k) for k in known}
    folder = Path(results_dir)
    for record in load_campaigns(folder).values() if folder.is_dir() else []:
        name = str(record.get("library") or "")
        if name and canonical(name) not in seen:
            known.append(name)
            seen.add(canonical(name))
    return known


def _refuse_library(library: str, accepted: list[str]) -> None:
    hint, listed = did_you_mean(library, accepted), ", ".join(accepted)
    raise InvalidArgument(f"library={library!r} is not a swept library{hint}; accepted: {listed}")


def _series_row(s: Any) -> dict[str, Any]:
    """One series of the report: what it measured, where, and its value and quartiles per release."""
    return {
        "machine": s.machine,
        "benchmark": s.benchmark,
        "params": s.params,
        "param_names": list(s.param_names),
        "axes": s.axes,
        "unit": s.unit,
        "campaign": s.campaign,
        "context": s.context,
        "values": {v: p["value"] for v, p in s.points.items()},
        "quartiles": {v: _quartiles(p) for v, p in s.points.items()},
    }


def _builds(
    results_dir: str | Path, families: list[str], libraries: list[str], factor: float, skipped: list[Any]
) -> dict[str, list[dict[str, Any]]]:
    """Per library with several builds, each build against the reference; per library with an
    Intel code path, that path against its stock twin in one environment."""
    builds = {}
    for family in families:
        rows = [d.to_dict() for d in build_differences(results_dir, family, factor, skipped)]
        if rows:
            builds[family] = rows
    for name in libraries:
        rows = [d.to_dict() for d in twin_differences(results_dir, name, factor, skipped)]
        if rows:
            builds[name] = rows
    return builds


def _code_since(report: dict[str, Any], results_dir: Path, code_root: Path | None) -> None:
    """Each campaign after the first of a library gets ``code_since_previous``: whether the
    benchmarks' code changed since the campaign before it (why a line breaks between two)."""
    history = CodeHistory(results_dir) if code_root is None else CodeHistory(code_root, scope=())
    for data in report["libraries"].values():
        paths = (
            sorted({p for s in data["series"] for p in code_paths(s["benchmark"], s["params"])})
            if code_root is None
            else [""]  # another project's suite: any file of its repository
        )
        for before, after in itertools.pairwise(data["campaigns"]):
            after["code_since_previous"] = history.between(before["commit"], after["commit"], paths)


def release_report(
    results_dir: str | Path,
    library: str | None = None,
    factor: float = DEFAULT_FACTOR,
    code_root: Path | None = None,
) -> dict[str, Any]:
    """Every swept library's series and release steps, the build comparisons, and the
    steps that changed significantly in either direction.

    Parameters
    ----------
    results_dir : path
        An asv results folder of sweeps (``sweeps/``).
    library : str, optional
        One sweepable library (``numba``), or a library with several builds
        (``tensorflow``); default: every one.
    factor : float
        A step counts when its ratio passes this factor and asv's test agrees.
    code_root : path, optional
        The repository of another project whose suite measured the results: the code
        changed between two of its campaigns is read there (default: accelpi's own).

    Returns
    -------
    dict
        ``factor``; ``libraries``: per library its ``series`` (values per release) and
        ``changes`` (every step between consecutive releases); ``builds``: per library
        with several builds, one release as each build against the reference build;
        ``flagged`` (steps slower by the verdict's test) and ``improved`` (faster), each
        step once, from its newest campaign, with its ``confirmation`` (provisional or
        confirmed) and the other campaigns that measured it (``elsewhere``); ``disputed``:
        steps two campaigns decided differently, once each, never as findings;
        ``untested``: steps beyond the factor on the ratio alone (one sample: no test);
        ``skipped``: files that could not be read (``file``, ``why``), left out.
    """
    swept = swept_libraries(results_dir)
    if library is not None and library not in swept and library not in BUILD_FAMILIES:
        _refuse_library(library, [*swept, *BUILD_FAMILIES])
    libraries = [library] if library else swept
    families = [f for f, dists in BUILD_FAMILIES.items() if library is None or library in (f, *dists)]
    skipped: list[dict[str, str]] = []
    builds = _builds(results_dir, families, libraries, factor, skipped)
    report: dict[str, Any] = {
        "factor": factor,
        "libraries": {},
        "builds": builds,
        "flagged": [],
        "improved": [],
        "untested": [],
        "disputed": [],
        "not_compared": [],
    }
    for name in libraries:
        if name in BUILD_FAMILIES and name not in sweep_targets():
            continue  # a family's releases are reported build by build
        series, changes = release_steps(results_dir, name, factor, skipped)
        report["not_compared"] += every_benchmark_failed(results_dir, name, series)
        series = [s for s in series if len(s.points) > 1 or s.campaign]
        if not series:
            continue
        report["libraries"][name] = {
            "series": [_series_row(s) for s in series],
            "changes": [c.to_dict() for c in changes],
            "campaigns": campaigns_of(series),
        }
        for c in _once(changes):
            entry = {"library": name, **c.to_dict()}
            if c.confirmation == "disputed":
                report["disputed"].append(entry)
            elif c.flagged:
                report["flagged"].append(entry)
            elif c.improved:
                report["improved"].append(entry)
            elif c.untested:
                report["untested"].append(entry)
    _code_since(report, Path(results_dir), code_root)
    report["skipped"] = list({item["file"]: item for item in skipped}.values())  # once per file
    return report


def _imports(path: Path, root: Path) -> set[Path]:
    """Files of this repository ``path`` imports (anywhere in it, functions included):
    ``accelpi.x.y`` and, inside ``benchmarks/``, its relative imports."""
    import ast

    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return set()
    package = path.parent.relative_to(root).parts
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = list(package[: len(package) - node.level + 1]) if node.level else []
            parts = [*base, *(node.module.split(".") if node.module else [])]
            candidates = [parts, *([*parts, alias.name] for alias in node.names)]
        elif isinstance(node, ast.Import):
            candidates = [alias.name.split(".") for alias in node.names]
        else:
            continue
        for parts in candidates:
            if not parts or parts[0] not in ("accelpi", "benchmarks"):
                continue
            for candidate in (root.joinpath(*parts).with_suffix(".py"), root.joinpath(*parts, "__init__.py")):
                if candidate.is_file():
                    found.add(candidate)
    return found


def code_paths(benchmark: str, params: str, root: Path | None = None) -> list[str]:
    """The files of this repository a benchmark's value for these parameters depends on:
    its benchmark file and the backend's module (the registry loads backends by name, so no
    import names them), and every file of the package or the suite these import, at any
    depth. A benchmark that is not one backend's depends on every backend."""
    root = root or Path(__file__).resolve().parents[2]
    name = params.split(",")[0].strip().strip("'\"")
    start = [root / "benchmarks" / f"{benchmark.split('.')[0]}.py"]
    if name in registry.names():
        start.append(root / "accelpi" / "backends" / f"{registry.spec(name).module}.py")
    else:
        start += sorted((root / "accelpi" / "backends").glob("*.py"))
    seen: set[Path] = set()
    todo = [p for p in start if p.is_file()]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        todo += sorted(_imports(path, root) - seen)
    return sorted(str(p.relative_to(root)) for p in seen)


class CodeHistory:
    """Whether accelpi's own code changed between the commits of two campaigns.

    A step is only ever taken inside one campaign (one commit); where a benchmark's releases
    come from two campaigns, the line breaks, and the report says why: other dates, maybe
    another host, and the code that benchmark runs, changed or not (``git diff``).
    """

    def __init__(self, folder: Path, scope: tuple[str, ...] = ("accelpi", "benchmarks")) -> None:
        self.root = git.toplevel(folder) if scope else Path(folder)
        self.scope = scope
        self._diffs: dict[tuple[str, str], list[str] | None] = {}

    def changed(self, before: str, after: str, paths: list[str]) -> list[str] | None:
        """Files among ``paths`` that differ between the two commits; ``None`` if unknown."""
        if before == after and before:
            return []
        if self.root is None or not before or not after:
            return None
        if (before, after) not in self._diffs:
            self._diffs[(before, after)] = git.changed_files(self.root, before, after, *self.scope)
        files = self._diffs[(before, after)]
        if files is None:
            return None
        return [f for f in files if any(not p or f == p or f.startswith(p + "/") for p in paths)]

    def between(self, before: str, after: str, paths: list[str]) -> dict[str, Any]:
        """``{"commits": [before, after], "changed": files or None, "text": ...}``: whether
        the code of ``paths`` differs between two commits, in words."""
        files = self.changed(before, after, paths)
        if before == after:
            text = "the same commit"
        elif files is None:
            text = f"{before[:8]} → {after[:8]}, not in this repository"
        elif files:
            shown = ", ".join(Path(f).name for f in files[:6]) + (" ..." if len(files) > 6 else "")
            text = f"{before[:8]} → {after[:8]}: changed {shown}"
        else:
            text = f"{before[:8]} → {after[:8]}, code unchanged"
        return {"commits": [before, after], "changed": files, "text": text}


def campaigns_of(series: list[Any]) -> list[dict[str, Any]]:
    """The campaigns a library's series come from, oldest first: each one's id, commit,
    start and end, host, and the releases it measured. Two campaigns are never compared:
    where a benchmark's releases come from several, its chart breaks between them."""
    found: dict[str, dict[str, Any]] = {}
    for s in series:
        if not s.campaign:
            continue
        entry = found.setdefault(s.campaign, {**s.context, "releases": set()})
        entry["releases"] |= set(s.points)
    from packaging.version import Version

    return [
        {**entry, "releases": sorted(entry["releases"], key=Version)}
        for entry in sorted(found.values(), key=lambda e: (e["started"], e["campaign"]))
    ]


def every_benchmark_failed(results_dir: str | Path, library: str, series: list[Any]) -> list[dict[str, str]]:
    """The releases a campaign of ``library`` installed but measured nothing of (every
    benchmark failed: a project built against NumPy 1 run with NumPy 2, a build killed by
    SIGILL), with why; without this they vanished from every table. One row per release and
    campaign."""
    from ..libraries import canonical
    from ..store.campaigns import load_campaigns
    from ..store.records import load_inventories
    from ..store.refusals import cannot_run

    folder = Path(results_dir)
    if not folder.is_dir():
        return []
    measured = {(p["campaign"], p["env"]) for s in series for p in (*s.points.values(), *s.controls.values())}
    campaigns, broken = load_campaigns(folder), cannot_run(folder)
    found: dict[tuple[str, str], dict[str, str]] = {}
    for record in load_inventories(folder):
        campaign = campaigns.get(str(record.get("campaign") or ""))
        if campaign is None or canonical(str(record.get("swept") or "")) != canonical(library):
            continue
        if (campaign["id"], record["env_name"]) in measured:
            continue
        asked = (record.get("requested") or {}).get(record["swept"])
        release = str((record.get("installed") or {}).get(canonical(library)) or asked or "?")
        failed = (campaign.get("failed") or {}).get(record["env_name"]) or []
        why = (
            (campaign.get("not_built") or {}).get(record["env_name"])
            or "; ".join(f"{b}: {w}" for b, w in sorted(broken.get((record["swept"], release), {}).items()))
            or (f"{len(failed)} benchmark(s) failed: {', '.join(failed[:3])}" if failed else "no result")
        )
        found[(release, campaign["id"])] = {
            "library": library,
            "release": release,
            "campaign": campaign["id"],
            "why": str(why)[:300],
        }
    return list(found.values())


def _once(changes: list[Any]) -> list[Any]:
    """Each step once: a step several campaigns measured is shown from the newest campaign
    that decided a direction (else the newest), the others in its ``elsewhere``, so that a
    confirmed or disputed step is never two findings."""
    chosen: dict[tuple[str, ...], Any] = {}
    for c in changes:
        key = c.row if c.campaign else (*c.row, c.measured)
        rank = (c.outcome in ("slower", "faster"), c.measured)
        if key not in chosen or rank > (chosen[key].outcome in ("slower", "faster"), chosen[key].measured):
            chosen[key] = c
    return list(chosen.values())


def _quartiles(point: dict[str, Any]) -> list[float] | None:
    """The interquartile range asv stored for a point (``q_25``, ``q_75``), if any."""
    stats = point.get("stats") or {}
    if "q_25" in stats and "q_75" in stats:
        return [stats["q_25"], stats["q_75"]]
    return None


def findings(report: dict[str, Any], confirmation: tuple[str, ...] = ()) -> dict[str, list[dict[str, Any]]]:
    """The "what changed" summary: per library, its release steps decided slower or faster,
    largest first (the report's ``flagged`` and ``improved`` rows, no others); only those whose
    ``confirmation`` is one of ``confirmation`` when given (``("confirmed",)``: findings)."""
    by_library: dict[str, list[dict[str, Any]]] = {}
    for change in (*report["flagged"], *report["improved"]):
        if confirmation and change.get("confirmation") not in confirmation:
            continue
        by_library.setdefault(change["library"], []).append(change)
    return {
        library: sorted(rows, key=lambda c: (-magnitude(c), c["benchmark"], c["params"], c["axes"]))
        for library, rows in by_library.items()
    }


def provisional_releases(results: Path, library: str, factor: float = DEFAULT_FACTOR) -> list[str]:
    """The releases of ``library``'s provisional steps in ``results`` (decided slower or faster
    in one campaign, not yet measured in another), oldest first."""
    from packaging.version import Version

    if not (results / "benchmarks.json").exists():
        return []
    report = release_report(results, library, factor)
    steps = [c for c in (*report["flagged"], *report["improved"]) if c.get("confirmation") == "provisional"]
    return sorted({v for c in steps for v in (c["before"], c["after"])}, key=Version)
