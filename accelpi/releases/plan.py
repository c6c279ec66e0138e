"""What a sweep will run: the releases that install here, each resolved with its needs, and
the campaigns that measure them together.

asv installs each requirement with its own ``pip install``, so a sweep pins every need of a
release to the version one joint resolution picks (``pip install --dry-run --report``); a
release that cannot install for this Python is reported and left out. A :class:`SweepPlan`
lists one asv ``include`` entry per release of one build and combination of switches (asv
``env_nobuild``); a :class:`CampaignPlan` puts the plans measured together in one campaign
(:mod:`accelpi.releases.campaign`): the asked releases, their neighbours already in the
history, an Intel build's stock twin, cut into overlapping windows where they do not fit on
disk at once; :func:`estimate` says what it costs.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from .. import registry
from ..errors import InvalidArgument, shown
from ..libraries import Library, canonical, multi_build, sweep_target
from ..store.series import CONTROL
from . import pip

if TYPE_CHECKING:
    from .project import Project

__all__ = [
    "DEFAULT_PASSES",
    "ORDERS",
    "REPEATED",
    "TWICE",
    "CampaignPlan",
    "SweepPlan",
    "Target",
    "available_releases",
    "library",
    "plan_campaigns",
    "plan_sweep",
    "resolve",
    "windows",
]


def library(name: str, project: Project | None = None) -> Target:
    """The sweep target ``name``: a build of accelpi's table (``numba``, ``tensorflow-cpu``),
    or, for another project's suite, any distribution on the package index, with what that
    project requires (:meth:`accelpi.releases.project.Project.library`): one code path."""
    if project is None or project.own:
        return Target(name, sweep_target(name))
    return Target(name, project.library(name), own=False)


@dataclass(frozen=True)
class Target:
    """A build to sweep and its library's row of the table.

    ``distributions`` are pinned together to the swept release (``dask`` and
    ``distributed``); ``backends`` are the registry's backends of the library, plus the
    library's baselines (``python`` with NumPy); ``own`` is false for a library swept
    under another project's suite (no accelpi backend to run: its benchmarks are its own).
    """

    name: str
    lib: Library
    own: bool = True

    @property
    def distributions(self) -> tuple[str, ...]:
        return (self.name, *self.lib.companions)

    @property
    def needs(self) -> tuple[str, ...]:
        return self.lib.needs

    @property
    def benchmarks(self) -> tuple[str, ...]:
        return self.lib.benchmarks

    @property
    def switches(self) -> dict[str, tuple[str, ...]]:
        return self.lib.switches

    @property
    def backends(self) -> tuple[str, ...]:
        if not self.own:
            return ()
        return (*self.lib.baselines, *registry.library_backends(self.lib.name))


# -- releases -----------------------------------------------------------------------


def available_releases(distribution: str) -> list[str]:
    """Final releases of ``distribution`` on the package index for this Python, newest first."""
    from packaging.version import InvalidVersion, Version

    done = pip.index_versions(distribution)
    match = re.search(r"Available versions:\s*(.+)", done.stdout)
    if done.returncode != 0 or not match:
        raise InvalidArgument(
            f"pip finds no releases of {distribution}: {(done.stderr or done.stdout).strip()[-300:]}"
        )
    releases = set()
    for text in match.group(1).split(","):
        with contextlib.suppress(InvalidVersion):
            version = Version(text.strip())
            releases |= {str(version)} if not (version.is_prerelease or version.is_devrelease) else set()
    return sorted(releases, key=Version, reverse=True)


def resolve(lib: Target, version: str, constraints: tuple[str, ...] = ()) -> dict[str, str] | str:
    """Resolve ``lib`` at ``version`` together with what it needs, as pip would for this Python.

    asv installs each requirement with its own ``pip install``, so an unpinned NumPy
    installed after ``numba==0.60.0`` would upgrade NumPy past what that release supports.
    The sweep therefore pins every need to the version this joint resolution picks (the
    sweep's own pins: old releases get the older NumPy they need).

    Returns
    -------
    dict or str
        ``{distribution: version}`` of the release and its needs, or pip's reason why the
        release cannot be installed here.
    """
    # `constraints` (``numpy==1.26.4``) replace the needs they name (a release whose metadata does not
    # cap what it was built against: intel-tensorflow 2.14, NumPy 1); each is installed as pinned (mkl too)
    constraints = tuple(pip.requirement(c) for c in constraints)
    named = [canonical(re.split(r"[\[=<>!~ ;]", c, maxsplit=1)[0]) for c in constraints]
    release = version.split(".")
    lockstep = (f"{dist}=={'.'.join(release[:2])}.*" for dist in lib.lib.lockstep)
    constraints = (*lib.lib.constraints, *constraints, *lockstep)
    pinned = {canonical(re.split(r"[\[=<>!~]", c, maxsplit=1)[0]) for c in constraints}
    specs = [f"{dist}=={version}" for dist in lib.distributions]
    specs += [need for need in lib.needs if canonical(need) not in pinned] + list(constraints)
    done = pip.dry_run(specs)
    if done.returncode != 0:
        return pip.reason(done)
    installs = json.loads(done.stdout)["install"]
    chosen = {canonical(item["metadata"]["name"]): item["metadata"]["version"] for item in installs}
    return {dist: chosen[dist] for dist in (*lib.distributions, *lib.needs, *named) if dist in chosen}


# -- the plan -----------------------------------------------------------------------


@dataclass
class SweepPlan:
    """What a sweep will run: the environments, the releases left out and why."""

    library: Target
    versions: list[str]
    switches: dict[str, tuple[str, ...]]
    skipped: dict[str, str]  # version -> why it cannot install here
    pins: dict[str, dict[str, str]] = field(default_factory=dict)  # version -> resolved requirements
    python: str = f"{sys.version_info.major}.{sys.version_info.minor}"
    bench: list[str] | None = None  # asv -b expressions instead of the library's benchmarks
    control: str | None = None  # the release measured twice, as the campaign's own A/A pair

    def include(self) -> list[dict[str, Any]]:
        """asv ``include`` entries: one per release and combination of switches, and a copy of
        the ``control`` release's first combination (:data:`CONTROL`, which nothing reads, set)."""
        entries = []
        for version in self.versions:
            req: dict[str, str] = {dist: version for dist in self.library.distributions}
            resolved = self.pins.get(version, {})
            req.update({d: resolved.get(d, "") for d in (*self.library.needs, *resolved) if d not in req})
            combos: list[dict[str, str]] = [{}]
            for name, values in self.switches.items():
                combos = [{**combo, name: value} for combo in combos for value in values]
            if version == self.control:  # one copy, of the first combination (not one per combination)
                combos = [combos[0], {**combos[0], CONTROL: "copy"}, *combos[1:]]
            for combo in combos:
                entry: dict[str, Any] = {"python": self.python, "req": req}
                if combo:
                    entry["env_nobuild"] = combo
                entries.append(entry)
        return entries

    def bench_regexes(self) -> list[str]:
        """``asv run -b`` expressions: the swept backends' combinations of the chosen benchmarks."""
        if self.bench:
            return list(self.bench)
        if not self.library.own:
            return []  # another project's suite: every benchmark, unless -b says
        names = "|".join(re.escape(b) for b in self.library.backends)
        extra = "|threadpool" if "LaunchOverhead" in self.library.benchmarks else ""
        return [rf"\.{cls}\.\w+\('({names}{extra})'" for cls in self.library.benchmarks]


def plan_sweep(
    name: str,
    versions: list[str] | None = None,
    last: int | None = None,
    switches: dict[str, tuple[str, ...]] | None = None,
    constraints: tuple[str, ...] = (),
    project: Project | None = None,
) -> SweepPlan:
    """Choose the releases (given, or the ``last`` N installable ones) and check them.

    A given release is spelled as the package index spells it (PEP 440: ``2.0.02``, ``2.0``
    and ``2.0.0`` are one release, measured once); one the index does not have is left out
    with the reason, as one that cannot install.
    """
    from packaging.version import InvalidVersion, Version

    lib = library(name, project)
    if not versions and not last:
        raise InvalidArgument("give the releases to sweep, or --last N")
    for version in versions or ():
        try:
            Version(version)
        except InvalidVersion:
            raise InvalidArgument(f"{shown(version)} is not a release number (such as 0.68.1)") from None
    skipped: dict[str, str] = {}
    pins: dict[str, dict[str, str]] = {}
    chosen: list[str] = []
    on_index = available_releases(lib.distributions[0])
    if versions:
        candidates = []
        for version in versions:
            spelled = next((r for r in on_index if Version(r) == Version(version)), None)
            if spelled is None:
                skipped[version] = f"{name} {version} is not a release on the package index"
            elif spelled not in candidates:
                candidates.append(spelled)
    else:
        candidates = on_index
    for version in candidates:
        if last and len(chosen) >= last:
            break
        resolved = resolve(lib, version, constraints)
        if isinstance(resolved, dict):
            chosen.append(version)
            pins[version] = resolved
        else:
            skipped[version] = resolved
    if not chosen:
        why = "; ".join(f"{version}: {reason}" for version, reason in skipped.items())
        raise InvalidArgument(f"no release of {name} can be installed here ({why})")
    chosen.sort(key=Version)
    return SweepPlan(lib, chosen, dict(lib.switches if switches is None else switches), skipped, pins)


# -- campaigns ----------------------------------------------------------------------

#: Passes of a campaign: one benchmark process per pass, the unit of the verdict's test. Six:
#: by the variance components of the committed campaigns (docs/benchmarking.md) four processes
#: a side bound a ratio within about +-15 % at 2**25 samples, six within +-10 %.
DEFAULT_PASSES = 6

DEFAULT_EXTRA_PASSES = 2  #: then passes of only the rows still undecided, at most this many

#: How the environments are ordered from pass to pass (see the module's text).
ORDERS = ("serpentine", "asv")

#: Benchmark classes measured in every pass; the others once, in the first (accuracy and peak
#: memory: one value per environment), except :data:`TWICE`.
REPEATED = ("Throughput", "ThreadScaling", "LaunchOverhead")

#: Measured in the first two passes, once in each direction of the environments' order (in
#: one pass, an A/A campaign's copies of a release were 1.13x apart).
TWICE = ("FirstCall",)


@dataclass
class CampaignPlan:
    """What one campaign measures: one plan per build (the asked one, and its stock twin),
    how many passes, in which order, and, when a sweep is cut in windows, which one."""

    library: str
    plans: list[SweepPlan]
    passes: int = DEFAULT_PASSES
    order: str = "serpentine"
    window: tuple[int, int] | None = None  # (number, of) when the sweep is cut in windows
    added: dict[str, str] = field(default_factory=dict)  # release -> why the campaign has it
    extra_passes: int = 0  # at most this many more passes of the rows still undecided

    def include(self) -> list[dict[str, Any]]:
        """asv ``include`` entries, release by release, each release's builds side by side."""
        from packaging.version import Version

        keyed = []
        for rank, plan in enumerate(self.plans):
            for entry in plan.include():
                release = entry["req"][plan.library.name]
                switches = sorted((entry.get("env_nobuild") or {}).items())
                keyed.append(((Version(release), rank, switches), entry))
        return [entry for _, entry in sorted(keyed, key=lambda item: item[0])]

    def releases(self) -> list[str]:
        from packaging.version import Version

        return sorted({v for plan in self.plans for v in plan.versions}, key=Version)

    def bench(self, number: int) -> list[str]:
        """asv ``-b`` expressions of pass ``number``: every benchmark in the first, the timed
        ones (:data:`REPEATED`) in the others, and :data:`TWICE` in the second too."""
        regexes = list(dict.fromkeys(r for plan in self.plans for r in plan.bench_regexes()))
        if number == 1 or any(plan.bench or not plan.library.own for plan in self.plans):
            return regexes
        kept = REPEATED + (TWICE if number == 2 else ())
        return [r for r in regexes if any(f".{cls}." in r or f"\\.{cls}\\." in r for cls in kept)]

    def describe(self) -> str:
        builds = " and ".join(plan.library.name for plan in self.plans)
        where = f" (window {self.window[0]} of {self.window[1]})" if self.window else ""
        added = "".join(f"; {v}: {why}" for v, why in sorted(self.added.items()))
        return (
            f"{builds} {', '.join(self.releases())}{where}: {len(self.include())} environment(s), "
            f"{self.passes} pass(es), order {self.order}{added}"
        )


def _subset(plan: SweepPlan, versions: list[str]) -> SweepPlan:
    chosen = [v for v in plan.versions if v in versions]
    return replace(plan, versions=chosen, pins={v: plan.pins[v] for v in chosen if v in plan.pins})


def windows(releases: list[str], size: int | None) -> list[list[str]]:
    """Consecutive releases cut into overlapping windows of at most ``size``: each window
    shares its first release with the one before, so every consecutive pair of releases
    lies inside one window (``size`` None or large enough: one window)."""
    if not size or len(releases) <= size:
        return [list(releases)]
    if size < 2:
        raise InvalidArgument(f"--window {size}: a window holds at least 2 releases (a pair to compare)")
    cut, start = [], 0
    while start < len(releases) - 1:
        cut.append(releases[start : start + size])
        start += size - 1
    return cut


def _version(text: str) -> Any:
    from packaging.version import Version

    return Version(text)


def _neighbours(asked: list[str], known: list[str]) -> dict[str, str]:
    """The releases of the history a new release will be compared with: for each asked
    release, the nearest measured one below and above it that is not asked itself."""
    added: dict[str, str] = {}
    others = [v for v in known if v not in asked]
    for version in asked:
        below = [v for v in others if _version(v) < _version(version)]
        above = [v for v in others if _version(v) > _version(version)]
        for chosen in (below[-1:] + above[:1]) if (below or above) else []:
            added.setdefault(chosen, f"the measured release next to {version}, measured again beside it")
    return added


def plan_campaigns(
    name: str,
    versions: list[str] | None = None,
    last: int | None = None,
    switches: dict[str, tuple[str, ...]] | None = None,
    constraints: tuple[str, ...] = (),
    passes: int = DEFAULT_PASSES,
    order: str = "serpentine",
    window: int | None = None,
    known: list[str] | None = None,
    project: Project | None = None,
    control: bool = True,
    extra_passes: int = DEFAULT_EXTRA_PASSES,
) -> tuple[list[CampaignPlan], dict[str, str]]:
    """The campaigns of a sweep, and the releases that cannot install here (with why).

    ``known``: releases of ``name`` already in this machine's history; each asked release
    brings its nearest neighbours among them into its campaign. An Intel build's releases bring
    the stock build of the same release (``intel-tensorflow`` 2.14.0: ``tensorflow-cpu`` 2.14.0).

    ``extra_passes``: then at most this many passes of the rows still undecided
    (:mod:`accelpi.releases.undecided`). ``control``: each campaign measures its newest release
    twice (:data:`~accelpi.store.series.CONTROL`), its own A/A pair (the verdict's floor).
    """
    if project is not None and not project.own:
        name = canonical(name)  # as pip and asv's result files spell it
    for option, value, low, high in (("--passes", passes, 1, 100), ("--extra-passes", extra_passes, 0, 20)):
        if not low <= value <= high:
            raise InvalidArgument(f"{option} {value}: from {low} to {high}")
    if order not in ORDERS:
        raise InvalidArgument(f"--order {order!r}: accepted: {', '.join(ORDERS)}")
    main = plan_sweep(name, versions, last, switches, constraints, project)
    added = _neighbours(main.versions, known or [])
    if added:
        more = plan_sweep(name, sorted(added, key=_version), None, switches, constraints, project)
        main = replace(
            main,
            versions=sorted({*main.versions, *more.versions}, key=_version),
            pins={**main.pins, **more.pins},
            skipped={**main.skipped, **more.skipped},
        )
        added = {v: why for v, why in added.items() if v in more.versions}
    plans = [main]
    family = multi_build().get(sweep_target(name).name, ()) if main.library.own else ()
    reference = family[0] if family else name
    if reference != name:  # an Intel build: its stock twin, release for release
        twin = plan_sweep(reference, main.versions, None, switches, constraints)
        plans.append(twin)
        for version in twin.versions:
            added.setdefault(f"{reference} {version}", "the stock build of the same release, beside it")
    campaigns, cut = [], windows(main.versions, window)
    for number, chosen in enumerate(cut, 1):
        subsets = [_subset(plan, chosen) for plan in plans]
        why = {v: w for v, w in added.items() if v.rsplit(" ", 1)[-1] in chosen}
        if control and len(chosen) > 1:
            subsets[0].control = chosen[-1]
            why[f"control {chosen[-1]}"] = f"measured twice ({CONTROL}=copy): the campaign's own A/A pair"
        campaigns.append(
            CampaignPlan(
                name, subsets, passes, order, (number, len(cut)) if len(cut) > 1 else None, why, extra_passes
            )
        )
    return campaigns, main.skipped
