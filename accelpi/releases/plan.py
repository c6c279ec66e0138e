"""What a sweep will run: the releases of a library that install here, each resolved with its needs.

asv installs each requirement with its own ``pip install``, so a sweep pins every need of a
release to the version one joint resolution picks (``pip install --dry-run --report``); a
release that cannot install for this Python is reported and left out. The plan lists one
asv ``include`` entry per release and combination of switches (asv ``env_nobuild``).
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from typing import Any

from .. import registry
from ..errors import InvalidArgument
from ..libraries import Library, canonical, sweep_target
from . import pip

__all__ = ["SweepPlan", "Target", "available_releases", "library", "plan_sweep", "resolve"]


def library(name: str) -> Target:
    """The sweep target ``name`` (a build such as ``numba`` or ``tensorflow-cpu``)."""
    return Target(name, sweep_target(name))


@dataclass(frozen=True)
class Target:
    """A build to sweep and its library's row of the table.

    ``distributions`` are pinned together to the swept release (``dask`` and
    ``distributed``); ``backends`` are the registry's backends of the library, plus the
    library's baselines (``python`` with NumPy).
    """

    name: str
    lib: Library

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
        own = [s.name for s in map(registry.spec, registry.names()) if s.library == self.lib.name]
        return (*self.lib.baselines, *own)


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
    releases = []
    for text in match.group(1).split(","):
        try:
            version = Version(text.strip())
        except InvalidVersion:
            continue
        if not version.is_prerelease and not version.is_devrelease:
            releases.append(str(version))
    return sorted(set(releases), key=Version, reverse=True)


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
    # `constraints` (``numpy==1.26.4``) replace the needs they name: for a release whose
    # metadata does not cap a dependency it was built against (intel-tensorflow 2.14, NumPy 1).
    release = version.split(".")
    lockstep = (f"{dist}=={'.'.join(release[:2])}.*" for dist in lib.lib.lockstep)
    constraints = (*lib.lib.constraints, *constraints, *lockstep)
    pinned = {canonical(re.split(r"[=<>!~]", c, maxsplit=1)[0]) for c in constraints}
    specs = [f"{dist}=={version}" for dist in lib.distributions]
    specs += [need for need in lib.needs if canonical(need) not in pinned] + list(constraints)
    done = pip.dry_run(specs)
    if done.returncode != 0:
        return pip.reason(done)
    chosen = {}
    for item in json.loads(done.stdout)["install"]:
        chosen[canonical(item["metadata"]["name"])] = item["metadata"]["version"]
    return {dist: chosen[dist] for dist in (*lib.distributions, *lib.needs) if dist in chosen}


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

    def include(self) -> list[dict[str, Any]]:
        """asv ``include`` entries: one per release and combination of switches."""
        entries = []
        for version in self.versions:
            req: dict[str, str] = {dist: version for dist in self.library.distributions}
            resolved = self.pins.get(version, {})
            req.update({need: resolved.get(need, "") for need in self.library.needs if need not in req})
            combos: list[dict[str, str]] = [{}]
            for name, values in self.switches.items():
                combos = [{**combo, name: value} for combo in combos for value in values]
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
        names = "|".join(re.escape(b) for b in self.library.backends)
        extra = "|threadpool" if "LaunchOverhead" in self.library.benchmarks else ""
        return [rf"\.{cls}\.\w+\('({names}{extra})'" for cls in self.library.benchmarks]


def plan_sweep(
    name: str,
    versions: list[str] | None = None,
    last: int | None = None,
    switches: dict[str, tuple[str, ...]] | None = None,
    constraints: tuple[str, ...] = (),
) -> SweepPlan:
    """Choose the releases (given, or the ``last`` N installable ones) and check them."""
    from packaging.version import InvalidVersion, Version

    lib = library(name)
    if not versions and not last:
        raise InvalidArgument("give the releases to sweep, or --last N")
    for version in versions or ():
        try:
            Version(version)
        except InvalidVersion:
            raise InvalidArgument(f"{version!r} is not a release number (such as 0.68.1)") from None
    skipped: dict[str, str] = {}
    pins: dict[str, dict[str, str]] = {}
    chosen: list[str] = []
    candidates = list(versions) if versions else available_releases(lib.distributions[0])
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
        raise InvalidArgument(f"no release of {name} can be installed here: {skipped}")
    chosen.sort(key=Version)
    return SweepPlan(lib, chosen, dict(lib.switches if switches is None else switches), skipped, pins)
