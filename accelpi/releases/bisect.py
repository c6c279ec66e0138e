"""Bisection across a library's releases: which release made a benchmark slower?

``asv find`` bisects the project's commits; :func:`bisect_releases` bisects the *library's*
releases instead. Between a good and a bad release it probes the middle release, keeps the
half that still holds the change, and names the first release slower than the good one by
more than ``factor`` with asv's significance test.

Every verdict compares two releases measured in one campaign (:mod:`.campaign`): a probe is
a campaign of the good release and the probed one, unless the results folder already holds
a campaign with both (a sweep's), which is then reused rather than measured again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InvalidArgument, shown
from ..reports import DEFAULT_FACTOR
from ..reports.verdicts import compare
from ..store import SWEEP_RESULTS
from ..store.series import collect
from .campaign import run_campaign
from .plan import available_releases, library, plan_campaigns
from .project import Project

__all__ = ["axes_label", "bisect_releases", "release_on_index"]

Points = dict[str, dict[str, Any]]  # benchmark label -> point


def axes_label(name: str, switches: dict[str, str], project: Project | None = None) -> str:
    """How :mod:`accelpi.store.series` names the environments of ``name`` with these switches."""
    text = ", ".join(f"{k}={v}" for k, v in sorted(switches.items()))
    return library(name, project).distributions[0] + (f" [{text}]" if text else "")


def release_on_index(option: str, text: str, releases: list[str], name: str) -> str:
    """The release of ``releases`` that ``text`` names, as the index spells it: PEP 440
    equality, so ``0.60`` and ``0.60.0`` are one release and ``v0.60.0`` is ``0.60.0``."""
    from packaging.version import InvalidVersion, Version

    try:
        wanted = Version(text)
    except InvalidVersion:
        raise InvalidArgument(f"{option} {shown(text)} is not a release number (such as 0.68.1)") from None
    found = [r for r in releases if Version(r) == wanted]
    if not found:
        near = ", ".join(releases[-8:]) or "none"
        raise InvalidArgument(
            f"{option} {text}: not a release of {name} on the package index (its last: {near})"
        )
    return found[0]


def _together(
    results: Path, name: str, bench: str, axes: str, a: str, b: str
) -> tuple[Points, Points] | None:
    """The points of ``a`` and ``b`` from one campaign holding both (the newest), if any."""
    pattern = re.compile(bench)
    campaigns: dict[str, dict[str, Points]] = {}
    started: dict[str, str] = {}
    if not (results / "benchmarks.json").exists():
        return None
    for s in collect(results, name):
        if not s.campaign or s.axes != axes or not pattern.search(s.label):
            continue
        started[s.campaign] = str(s.context.get("started") or "")
        for version, point in s.points.items():
            campaigns.setdefault(s.campaign, {}).setdefault(version, {})[s.label] = point
    both = [c for c, found in campaigns.items() if a in found and b in found]
    if not both:
        return None
    chosen = max(both, key=lambda c: started[c])
    return campaigns[chosen][a], campaigns[chosen][b]


def _releases_between(name: str, lib: Any, good: str, bad: str, bench: str) -> tuple[str, str, list[str]]:
    """``good`` and ``bad`` as the index spells them, and every release between them (both
    included), once the expression and the two releases are checked (before measuring)."""
    from packaging.version import InvalidVersion, Version

    try:
        re.compile(bench)
    except re.error as exc:
        raise InvalidArgument(f"-b {bench!r} is not a regular expression: {exc}") from None
    for option, text in (("--good", good), ("--bad", bad)):  # before asking the index anything
        try:
            Version(text)
        except InvalidVersion:
            raise InvalidArgument(
                f"{option} {shown(text)} is not a release number (such as 0.68.1)"
            ) from None
    if not Version(good) < Version(bad):
        raise InvalidArgument(f"--good {shown(good)} must be an earlier release than --bad {shown(bad)}")
    on_index = sorted(available_releases(lib.distributions[0]), key=Version)
    good = release_on_index("--good", good, on_index, name)
    bad = release_on_index("--bad", bad, on_index, name)
    if not Version(good) < Version(bad):
        raise InvalidArgument(f"--good {good} must be an earlier release than --bad {bad}")
    releases = [v for v in on_index if Version(good) <= Version(v) <= Version(bad)]
    return good, bad, releases


def _slower(reference: Points, probe: Points, factor: float) -> bool:
    """Whether any row of ``probe`` is decided slower than the same row of ``reference``."""
    return any(compare(reference[k], probe[k], factor).outcome == "slower" for k in reference if k in probe)


@dataclass
class _Probes:
    """One probe of a bisection: ``good`` and a release measured together (in one campaign,
    unless the results already hold such a pair), read back as points of ``bench``."""

    name: str
    bench: str
    axes: str
    good: str
    results: Path
    switches: dict[str, str]
    project: Project | None
    root: Path
    machine: str
    log: Callable[[str], None]

    def __call__(self, probe: str) -> tuple[Points, Points]:
        found = _together(self.results, self.name, self.bench, self.axes, self.good, probe)
        if found is None:
            self.log(f"measuring {self.name} {self.good} and {probe} in one campaign ...")
            plans, _ = plan_campaigns(
                self.name,
                [self.good, probe],
                switches={k: (v,) for k, v in self.switches.items()},
                project=self.project,
                control=False,  # each probe is one pair: its verdict alone decides the step
            )
            for plan in plans:
                for one in plan.plans:
                    one.bench = [self.bench]  # the same expression selects the benchmark for asv
                run_campaign(plan, self.project or self.root, self.machine, self.results)
            found = _together(self.results, self.name, self.bench, self.axes, self.good, probe)
        if found is None:
            where = "the suite" if self.project else "the library's backends"
            raise InvalidArgument(
                f"no result of {self.bench!r} for {self.name} {self.good} and {probe}: does the expression "
                f"match a benchmark of {where}?"
            )
        return found


def bisect_releases(
    name: str,
    good: str,
    bad: str,
    bench: str,
    machine: str,
    root: Path,
    factor: float = DEFAULT_FACTOR,
    log: Callable[[str], None] = print,
    switches: dict[str, str] | None = None,
    project: Project | None = None,
    results: Path | None = None,
) -> dict[str, Any]:
    """Find the first release between ``good`` and ``bad`` where ``bench`` got slower.

    Parameters
    ----------
    name : str
        A sweepable library (``numba``...).
    good, bad : str
        Releases known to be fast and slow (``0.60`` and ``0.60.0`` are one release).
    bench : str
        A regular expression over ``benchmark(params)`` labels, as ``asv -b`` takes
        them, e.g. ``ThreadScaling.time_estimate\\('numba:parallel', 2``.
    switches : dict, optional
        Environment variables the environments run with (``TF_ENABLE_ONEDNN_OPTS=1``).
    project, results : optional
        Another project's suite (:class:`~accelpi.releases.project.Project`) instead of
        accelpi's in ``root``, and the results folder read and written (default: the
        checkout's ``sweeps/``; required with ``project``).

    Returns
    -------
    dict
        ``first_bad``, ``last_good``, ``steps`` (each probe, its verdict and its campaign),
        ``releases``.
    """
    if project is not None and results is None:
        raise InvalidArgument("--project needs --results: the folder of that project's campaign results")
    good, bad, releases = _releases_between(name, library(name, project), good, bad, bench)
    results = Path(results) if results is not None else root / SWEEP_RESULTS
    axes = axes_label(name, switches or {}, project)
    steps: list[dict[str, Any]] = []
    probe_of = _Probes(name, bench, axes, good, results, switches or {}, project, root, machine, log)

    reference, worst = probe_of(bad)
    if not _slower(reference, worst, factor):
        raise InvalidArgument(
            f"{bench!r} is not slower by more than {factor}x in {name} {bad} than in {good}: "
            "nothing to bisect"
        )
    lo, hi = 0, len(releases) - 1  # releases[lo] is good, releases[hi] is bad
    while hi - lo > 1:
        mid = (lo + hi) // 2
        reference, probe = probe_of(releases[mid])
        verdict = _slower(reference, probe, factor)
        ratios = {k: probe[k]["value"] / reference[k]["value"] for k in reference if k in probe}
        campaign = next(iter(probe.values()))["campaign"] if probe else ""
        steps.append({"release": releases[mid], "slower": verdict, "ratios": ratios, "campaign": campaign})
        log(
            f"{name} {releases[mid]}: {'slower' if verdict else 'as fast'} "
            f"({', '.join(f'{r:.2f}x' for r in ratios.values())} vs {good}, campaign {campaign})"
        )
        if verdict:
            hi = mid
        else:
            lo = mid
    return {
        "library": name,
        "benchmark": bench,
        "factor": factor,
        "last_good": releases[lo],
        "first_bad": releases[hi],
        "steps": steps,
        "releases": releases,
    }
