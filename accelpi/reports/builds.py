"""Twins: one release measured in two environments that differ in one thing only.

Two builds of one release (``intel-tensorflow`` against ``tensorflow-cpu``), or one build
with two values of a variable (``TF_ENABLE_ONEDNN_OPTS=0`` against ``1``; a variable
nothing reads, for an A/A test). Each pair is compared by
:func:`accelpi.reports.verdicts.compare`, as release steps are in :mod:`accelpi.reports.versions`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..errors import InvalidArgument
from ..store.series import BUILD_FAMILIES, Series, collect
from . import DEFAULT_FACTOR
from .verdicts import check_factor, compare, lower_is_better

__all__ = [
    "Difference",
    "build_differences",
    "build_summary",
    "builds_answer",
    "switch_differences",
    "twin_differences",
    "variants",
]


@dataclass
class Difference:
    """One release measured in two environments that differ in one thing only: two builds
    (``intel-tensorflow`` against ``tensorflow-cpu``), or two values of a variable
    (``TF_ENABLE_ONEDNN_OPTS=0`` against ``=1``; a no-op variable for an A/A test)."""

    machine: str
    benchmark: str
    params: str
    shared: str  # what both sides share besides the release (switches, or the build)
    release: str
    reference: str  # the reference side: a build's distribution, or NAME=VALUE
    other: str  # the side compared with it
    value_reference: float
    value_other: float
    ratio: float  # other / reference: below 1 is faster for times and memory
    significant: bool
    unit: str
    lower_is_better: bool  # a time or a memory size (tracks such as accuracy have no direction)
    samples: int = 0  # the fewer samples of the two sides
    commit_reference: str = ""  # the accelpi commits each side was measured at
    commit_other: str = ""
    campaign: str = ""  # the campaign both sides were measured in (never two)
    outcome: str = ""  # verdicts.compare's: slower, faster, same, undecided, untested
    low: float | None = None  # the ratio's interval
    high: float | None = None
    test: str = ""  # the test, in words
    processes: int = 0  # the fewer processes of the two sides (0: not known)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _pairs(
    series: list[Series],
    side: Callable[[Series], str],
    shared: Callable[[Series], str],
    reference: str,
    factor: float,
) -> list[Difference]:
    """Series grouped by what they share (``shared``), one ``side`` against the
    ``reference`` side, release for release (exactly the same release on both sides)."""
    from packaging.version import Version

    groups: dict[tuple[str, ...], dict[str, Series]] = {}
    for s in series:  # both sides measured together, in one campaign, or not compared at all
        groups.setdefault((s.machine, s.benchmark, s.params, shared(s), s.experiment), {})[side(s)] = s
    differences = []
    for (machine, benchmark, params, common, _), sides in sorted(groups.items()):
        if reference not in sides:
            continue
        ref = sides[reference]
        for other, s in sorted(sides.items()):
            if other == reference:
                continue
            for release in sorted(set(ref.points) & set(s.points), key=Version):
                a, b = ref.points[release], s.points[release]
                verdict = compare(a, b, factor, lower_is_better(benchmark))
                differences.append(
                    Difference(
                        machine,
                        benchmark,
                        params,
                        common,
                        release,
                        reference,
                        other,
                        a["value"],
                        b["value"],
                        verdict.ratio,
                        verdict.significant,
                        ref.unit,
                        lower_is_better(benchmark),
                        min(verdict.samples),
                        a.get("commit", ""),
                        b.get("commit", ""),
                        ref.campaign,
                        verdict.outcome,
                        verdict.low,
                        verdict.high,
                        verdict.test,
                        min(verdict.processes),
                    )
                )
    return differences


def build_differences(
    results_dir: str | Path,
    family: str,
    factor: float = DEFAULT_FACTOR,
    skipped: list[dict[str, str]] | None = None,
) -> list[Difference]:
    """The same release of a library as its reference build and as each other build.

    Parameters
    ----------
    results_dir : path
        An asv results directory of sweeps (``sweeps/``).
    family : str
        A key of :data:`BUILD_FAMILIES` (``tensorflow``): the builds compared are its
        distributions, the first one being the reference (``tensorflow-cpu``).
    factor : float
        A difference is significant when the ratio is beyond this factor and asv's
        significance test agrees.

    Returns
    -------
    list of Difference
        One per benchmark, parameters, switches and release present in both builds
        (exactly the same release: 2.14.0 is not compared with 2.14.1); ``shared`` holds
        the switches.
    """
    if family not in BUILD_FAMILIES:
        raise InvalidArgument(f"family={family!r}: accepted: {', '.join(BUILD_FAMILIES)}")
    check_factor(factor)
    reference = BUILD_FAMILIES[family][0]
    series = collect(results_dir, family, skipped)
    return _pairs(series, lambda s: s.distribution, lambda s: s.switches, reference, factor)


def switch_differences(
    results_dir: str | Path,
    library: str,
    variable: str,
    factor: float = DEFAULT_FACTOR,
    skipped: list[dict[str, str]] | None = None,
) -> list[Difference]:
    """The same release with two values of an environment variable, release for release.

    For ``TF_ENABLE_ONEDNN_OPTS`` this is oneDNN off against on; for a variable nothing
    reads (a sweep with ``--switch ACCELPI_AA=a,b``) it is an A/A test: every significant
    row is a false alarm. The reference side is the variable's first value in sort order.
    """
    check_factor(factor)
    series = [s for s in collect(results_dir, library, skipped) if variable in s.env_vars]
    values = sorted({s.env_vars[variable] for s in series})
    if len(values) < 2:
        found = ", ".join(values) or "none"
        raise InvalidArgument(
            f"{variable} takes fewer than two values in the {library} results (found: {found}); "
            f"sweep with --switch {variable}=V1,V2"
        )

    def others(s: Series) -> str:
        rest = ", ".join(f"{k}={v}" for k, v in sorted(s.env_vars.items()) if k != variable)
        return s.distribution + (f" [{rest}]" if rest else "")

    def side(s: Series) -> str:
        return f"{variable}={s.env_vars[variable]}"

    return _pairs(series, side, others, f"{variable}={values[0]}", factor)


def variants(target: str) -> dict[str, str]:
    """``{variant: stock twin}`` of the backends a sweep of ``target`` measures side by side
    (``mkl-umath``: ``numpy:mkl-umath`` against ``numpy``)."""
    from .. import registry
    from ..libraries import sweep_targets

    lib = sweep_targets().get(target)
    if lib is None:
        return {}
    return {
        spec.name: spec.twin
        for spec in map(registry.spec, registry.names())
        if spec.library == lib.name and spec.twin
    }


def twin_differences(
    results_dir: str | Path,
    target: str,
    factor: float = DEFAULT_FACTOR,
    skipped: list[dict[str, str]] | None = None,
) -> list[Difference]:
    """Each release of ``target`` (``mkl-umath``) as a build's code path against its stock
    twin, measured in one environment (``numpy:mkl-umath`` against ``numpy``).

    ``params`` holds the parameters besides the backend, ``reference`` and ``other`` name
    the two backends, ``shared`` the environment's build and switches.
    """
    from dataclasses import replace

    check_factor(factor)
    pairs = variants(target)
    if not pairs:
        return []
    wanted = set(pairs) | set(pairs.values())
    series = []
    for s in collect(results_dir, target, skipped):
        backend, _, rest = s.params.partition(", ")
        name = backend.strip("'\"")
        if name in wanted:
            series.append((name, replace(s, params=rest)))
    names = {id(s): name for name, s in series}
    differences = []
    for variant, twin in pairs.items():
        chosen = [s for name, s in series if name in (variant, twin)]
        differences += _pairs(chosen, lambda s: names[id(s)], lambda s: s.axes, twin, factor)
    return differences


def _largest_n(params: str) -> int:
    last = params.rsplit(",", 1)[-1].strip()
    return int(last) if last.isdigit() else -1


def build_summary(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Per library, build, release and switches: the Intel / stock ratio of the Throughput
    benchmark at its largest size (geometric mean over backends) and how many backends
    were significantly faster or slower, from a release report's ``builds`` (``{library:
    [BuildDifference.to_dict(), ...]}``) and ``factor``; ``default``: the configuration a user
    gets without a switch (oneDNN on). The replication report's claim on Intel's TensorFlow and
    the Intel-builds page both read it: one figure, at one size."""
    import math

    from ..libraries import switch_label

    groups: dict[tuple[str, str, str, str, str], list[dict[str, Any]]] = {}
    for family, rows in report["builds"].items():
        chosen = [d for d in rows if d["benchmark"].endswith("Throughput.time_estimate") and d["ratio"] > 0]
        largest = max((_largest_n(d["params"]) for d in chosen), default=-1)
        for d in chosen:
            if _largest_n(d["params"]) == largest:
                groups.setdefault((family, d["other"], d["reference"], d["release"], d["shared"]), []).append(
                    d
                )
    factor = report["factor"]
    summary = []
    for (family, other, reference, release, shared), rows in groups.items():
        summary.append(
            {
                "library": family,
                "build": other,
                "reference": reference,
                "release": release,
                "shared": shared,
                "ratio": math.exp(sum(math.log(d["ratio"]) for d in rows) / len(rows)),
                "backends": len(rows),
                "faster": sum(d["significant"] and d["ratio"] < 1 / factor for d in rows),
                "slower": sum(d["significant"] and d["ratio"] > factor for d in rows),
                "campaign": "; ".join(dict.fromkeys(d.get("campaign") or "measured apart" for d in rows)),
                "default": "=" not in shared or "(the default)" in switch_label(shared),
            }
        )
    from packaging.version import Version

    return sorted(
        summary,
        key=lambda r: (r["library"], not r["default"], r["build"], Version(r["release"]), r["shared"]),
    )


def builds_answer(summary: list[dict[str, Any]], band: float = 1.05) -> list[str]:
    """The Intel-builds page's first line, per library: does an Intel build make this workload
    faster, in the configuration a user gets without a switch (oneDNN on for TensorFlow)?
    ``Yes`` when every such row's ratio is below ``1 / band``, ``No`` when every one is within
    ``band`` of 1 (or slower), else ``It depends``; with the range of ratios and the builds."""
    found: dict[str, list[dict[str, Any]]] = {}
    for r in summary:
        if r["default"]:
            found.setdefault(r["library"], []).append(r)
    said = []
    for library, rows in found.items():
        ratios = sorted(r["ratio"] for r in rows)
        word = "Yes" if ratios[-1] < 1 / band else "No" if ratios[0] >= 1 / band else "It depends"
        low, high = f"{ratios[0]:.2f}x", f"{ratios[-1]:.2f}x"
        span = low if low == high else f"{low} to {high}"
        builds = ", ".join(dict.fromkeys(r["build"] for r in rows))
        said.append(
            f"{library}: {word}: {builds} took {span} the stock build's time (below 1: faster) over "
            f"{len(rows)} release(s) as installed by default (within ±{(band - 1) * 100:.0f} % counts as no)"
        )
    return said
