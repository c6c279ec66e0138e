"""Cross-version comparison: benchmark values grouped by a library's release, read with asv's modules.

asv compares commits within one environment only. :func:`compare_versions` reads the
result files of every environment (``asv.results``), finds the release of the library
each one actually had installed (the sweep's ``.versions`` inventory, else the version
asv was asked for), and for every benchmark and parameter combination lines up the
values release by release. Consecutive releases are compared with asv's own test, the
one ``asv continuous`` uses (a ratio beyond ``factor`` that is also statistically
significant on the recorded samples); a slowdown that passes it is flagged.

Environments that differ in something else than the release (another distribution of
the library, an ``env_nobuild`` switch such as ``TF_ENABLE_ONEDNN_OPTS``) are separate
series, so a switch is never mistaken for a release.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InvalidArgument
from ..libraries import canonical, multi_build, sweep_targets
from . import asvcompat
from .inventory import INVENTORY_SUFFIX, installed_versions

__all__ = [
    "BUILD_FAMILIES",
    "BuildDifference",
    "Change",
    "Series",
    "compare_builds",
    "compare_versions",
    "format_value",
]


@dataclass
class Series:
    """One benchmark (with parameters) in one kind of environment, across releases."""

    machine: str
    benchmark: str
    params: str  # parameter values as asv writes them: "'numba', 65536"
    axes: str  # what else distinguishes these environments (distribution, switches)
    unit: str
    points: dict[str, dict[str, Any]] = field(default_factory=dict)  # version -> value, samples, stats...
    distribution: str = ""  # the distribution that provided the library (tensorflow-cpu...)
    switches: str = ""  # env_nobuild switches, "TF_ENABLE_ONEDNN_OPTS=1"

    @property
    def label(self) -> str:
        """``benchmark(params)`` as ``asv run -b`` matches it."""
        return f"{self.benchmark}({self.params})" if self.params else self.benchmark


@dataclass
class Change:
    """The step between two consecutive releases in a series."""

    machine: str
    benchmark: str
    params: str
    axes: str
    before: str
    after: str
    value_before: float
    value_after: float
    ratio: float
    significant: bool
    flagged: bool
    unit: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class BuildDifference:
    """One release of a library as two builds: another build against the reference build."""

    machine: str
    benchmark: str
    params: str
    switches: str
    release: str
    reference: str  # the reference build's distribution (tensorflow-cpu)
    build: str  # the other build's distribution (intel-tensorflow)
    value_reference: float
    value_build: float
    ratio: float  # build / reference: below 1 is faster for times and memory
    significant: bool
    unit: str
    lower_is_better: bool  # a time or a memory size (tracks such as accuracy have no direction)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


#: Libraries published as several builds (distributions) of one release; the first is the
#: reference build the others are compared with (from the library table).
BUILD_FAMILIES: dict[str, tuple[str, ...]] = multi_build()


def _library_dists(name: str) -> tuple[str, ...]:
    if name in sweep_targets():
        return (name,)
    if name in BUILD_FAMILIES:  # every build of the library
        return BUILD_FAMILIES[name]
    return (name,)


def format_value(value: float, unit: str) -> str:
    """A benchmark value for people: ``1.53 s``, ``866 µs``, ``651 MiB``, ``0.781``."""
    if unit == "seconds":
        for scale, suffix in ((1, "s"), (1e-3, "ms"), (1e-6, "µs")):
            if value >= scale:
                return f"{value / scale:.3g} {suffix}"
        return f"{value * 1e9:.3g} ns"
    if unit == "bytes":
        return f"{value / 2**20:,.0f} MiB"
    return f"{value:.3g}"


def _inventory(result_path: Path) -> dict[str, Any] | None:
    path = result_path.with_suffix(INVENTORY_SUFFIX)
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _lower_is_better(name: str) -> bool:
    leaf = name.rsplit(".", 1)[-1]
    return leaf.startswith(("time_", "timeraw_", "peakmem_", "mem_"))


def collect(results_dir: str | Path, library: str) -> list[Series]:
    """Every series of the library's results under ``results_dir`` (one per benchmark and axes)."""
    from packaging.version import InvalidVersion, Version

    results_dir = Path(results_dir)
    benchmarks_file = results_dir / "benchmarks.json"
    if not benchmarks_file.exists():
        raise InvalidArgument(f"no asv results in {results_dir} (benchmarks.json is missing)")
    benchmarks = asvcompat.benchmarks(results_dir)
    dists = _library_dists(library)
    series: dict[tuple[str, ...], Series] = {}
    latest: dict[tuple[str, ...], int] = {}
    for path, result, machine_name in asvcompat.iter_results(results_dir):
        dist = next((d for d in dists if d in result.params), None)
        if dist is None:
            continue
        inventory = _inventory(path)
        swept = (inventory or {}).get("swept")
        if swept is not None and canonical(swept) not in {canonical(d) for d in dists}:
            continue  # another library's sweep: its pins of this library are only its needs
        if swept is None and not result.params[dist]:
            continue  # not a sweep of this library (the default environment's "latest")
        version = installed_versions(inventory).get(canonical(dist)) or result.params[dist]
        if not version:
            continue  # "latest" without an inventory: the release is unknown
        try:
            Version(version)
        except InvalidVersion:
            continue
        switches = ", ".join(f"{k}={v}" for k, v in sorted(result.env_vars.items()))
        axes = dist + (f" [{switches}]" if switches else "")
        machine = machine_name
        for key in result.get_all_result_keys():
            if key not in benchmarks:
                continue
            info = benchmarks[key]
            values = result.get_result_value(key, info["params"])
            samples = result.get_result_samples(key, info["params"])
            stats = result.get_result_stats(key, info["params"])
            combos = list(_combinations(info["params"]))
            for i, combo in enumerate(combos):
                if (
                    i >= len(values)
                    or values[i] is None
                    or (isinstance(values[i], float) and math.isnan(values[i]))
                ):
                    continue
                label = ", ".join(combo)  # asv's own spelling: benchmark('numba', 65536)
                ident = (machine, key, label, axes)
                s = series.setdefault(
                    ident,
                    Series(
                        machine, key, label, axes, info.get("unit", ""), distribution=dist, switches=switches
                    ),
                )
                stamp = (ident, version)
                if latest.get(stamp, -1) > (result.date or 0):
                    continue  # keep the newest commit's value for a release
                latest[stamp] = result.date or 0
                s.points[version] = {
                    "value": values[i],
                    "samples": samples[i],
                    "stats": stats[i],
                    "commit": result.commit_hash,
                    "env": result.env_name,
                }
    return list(series.values())


def _combinations(params: list[list[str]]) -> Iterable[tuple[str, ...]]:
    if not params:
        return [()]
    return itertools.product(*params)


def compare_versions(
    results_dir: str | Path, library: str, factor: float = 1.1
) -> tuple[list[Series], list[Change]]:
    """Series of the library's releases and the changes between consecutive releases.

    Parameters
    ----------
    results_dir : path
        An asv results directory (``results/``).
    library : str
        A sweepable library (``numba``, ``numpy``, ``tensorflow-cpu``...), or
        ``tensorflow`` for every TensorFlow build.
    factor : float
        A change is flagged when the later release is slower by more than this factor
        and asv's significance test agrees.
    """
    if not factor >= 1:
        raise InvalidArgument(f"factor={factor!r}: must be a number >= 1 (1.1 means 10 % slower)")
    from packaging.version import Version

    all_series = collect(results_dir, library)
    changes = []
    for s in all_series:
        releases = sorted(s.points, key=Version)
        for before, after in itertools.pairwise(releases):
            a, b = s.points[before], s.points[after]
            ratio = b["value"] / a["value"] if a["value"] else math.inf
            significant = asvcompat.significant(a, b, factor)
            slower = asvcompat.is_slower(a, b, factor)
            flagged = _lower_is_better(s.benchmark) and slower
            changes.append(
                Change(
                    s.machine,
                    s.benchmark,
                    s.params,
                    s.axes,
                    before,
                    after,
                    a["value"],
                    b["value"],
                    ratio,
                    significant,
                    flagged,
                    s.unit,
                )
            )
    return all_series, changes


def compare_builds(results_dir: str | Path, family: str, factor: float = 1.1) -> list[BuildDifference]:
    """The same release of a library as its reference build and as each other build.

    Parameters
    ----------
    results_dir : path
        An asv results directory (``results/``).
    family : str
        A key of :data:`BUILD_FAMILIES` (``tensorflow``): the builds compared are its
        distributions, the first one being the reference (``tensorflow-cpu``).
    factor : float
        A difference is significant when the ratio is beyond this factor and asv's
        significance test agrees.

    Returns
    -------
    list of BuildDifference
        One per benchmark, parameters, switches and release present in both builds
        (exactly the same release: 2.14.0 is not compared with 2.14.1).
    """
    if family not in BUILD_FAMILIES:
        raise InvalidArgument(f"family={family!r}: accepted: {', '.join(BUILD_FAMILIES)}")
    if not factor >= 1:
        raise InvalidArgument(f"factor={factor!r}: must be a number >= 1 (1.1 means 10 % slower)")
    from packaging.version import Version

    reference, *others = BUILD_FAMILIES[family]
    by_key: dict[tuple[str, ...], dict[str, Series]] = {}
    for s in collect(results_dir, family):
        by_key.setdefault((s.machine, s.benchmark, s.params, s.switches), {})[s.distribution] = s
    differences = []
    for (machine, benchmark, params, switches), builds in sorted(by_key.items()):
        if reference not in builds:
            continue
        ref = builds[reference]
        for other in others:
            if other not in builds:
                continue
            for release in sorted(set(ref.points) & set(builds[other].points), key=Version):
                a, b = ref.points[release], builds[other].points[release]
                differences.append(
                    BuildDifference(
                        machine,
                        benchmark,
                        params,
                        switches,
                        release,
                        reference,
                        other,
                        a["value"],
                        b["value"],
                        b["value"] / a["value"] if a["value"] else math.inf,
                        asvcompat.significant(a, b, factor),
                        ref.unit,
                        _lower_is_better(benchmark),
                    )
                )
    return differences
