"""Release steps: each release of a library against the one before it, with asv's test.

asv compares commits within one environment only. :func:`release_steps` takes the
series of :func:`accelpi.store.series.collect` (a benchmark's values release by release)
and compares consecutive releases with asv's own test, the one ``asv continuous`` uses (a
ratio beyond ``factor`` that is also statistically significant on the recorded samples);
a slowdown that passes it is flagged, a speed-up that passes it is an improvement.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from ..store.series import BUILD_FAMILIES, Series, collect
from . import DEFAULT_FACTOR
from .environments import also_differs, environments
from .verdicts import Comparison, check_factor, compare, lower_is_better, magnitude_of

__all__ = [
    "BUILD_FAMILIES",
    "Change",
    "Series",
    "check_factor",
    "collect",
    "format_value",
    "lower_is_better",
    "release_steps",
    "step",
]


@dataclass
class Change:
    """The step between two consecutive releases in a series: both measured in one campaign
    (a series never spans two), so the step is the releases' doing, not the host's.

    The verdict is :func:`accelpi.reports.verdicts.compare`'s: ``outcome`` (slower, faster,
    same, undecided, untested), the ratio's interval ``low``-``high`` and the test in words.
    ``flagged``: the outcome is slower (for memory: larger); ``improved``: faster (smaller).
    Both only for times and memory (``lower_is_better``); a tracked value such as accuracy has
    no direction. Where one side has a single sample (peak memory: asv measures it once), no
    test can decide: such a step beyond the factor is ``untested``, never flagged or improved.
    """

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
    improved: bool = False
    samples_before: int = 0  # samples recorded on each side (0: statistics only)
    samples_after: int = 0
    test: str = ""  # which test decided, in words (verdicts.compare)
    commit_before: str = ""  # the accelpi commit each release was measured at
    commit_after: str = ""
    campaign: str = ""  # the campaign both releases were measured in (steps never cross one)
    measured: str = ""  # when that campaign ended (UTC)
    untested: bool = False  # beyond the factor on the ratio alone: one sample, no test
    reference: bool = False  # a backend the library does not run (a baseline, a stock twin)
    outcome: str = ""  # slower, faster, same, undecided or untested (verdicts.OUTCOMES)
    low: float | None = None  # the ratio's interval at `confidence`
    high: float | None = None
    confidence: float = 0.0
    processes_before: int = 0  # benchmark processes on each side (0: not known)
    processes_after: int = 0
    why: str = ""  # what kept the step from a decision
    floor: float | None = None  # how far the campaign's controls moved this row (a magnitude)
    floor_why: str = ""  # which control moved that far
    confirmation: str = ""  # for a decided step: provisional, confirmed or disputed (confirm)
    also: str = ""  # what else differs between the two environments ("numpy 2.2.6 → 2.3.5"; inventories)
    elsewhere: list[dict[str, Any]] = field(default_factory=list)  # the same step, other campaigns

    @property
    def row(self) -> tuple[str, ...]:
        """What makes two campaigns' steps one step: benchmark, parameters, axes, releases."""
        return (self.benchmark, self.params, self.axes, self.before, self.after)

    @property
    def direction(self) -> str:
        """``"slower"``/``"faster"`` (a time), ``"larger"``/``"smaller"`` (memory), or ``""``
        (no change beyond the factor that a test confirms, or no direction)."""
        worse, better = ("larger", "smaller") if self.unit == "bytes" else ("slower", "faster")
        return worse if self.flagged else better if self.improved else ""

    def interval_text(self) -> str:
        """The ratio's interval as people read it (``[1.02, 1.31]``), or ``""``."""
        if self.low is None or self.high is None:
            return ""
        return f"[{self.low:.3g}, {self.high:.3g}]"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "direction": self.direction}


#: Methods of the launch-overhead benchmark that are no registry backend: the standard
#: library's thread pool, beside Dask's schedulers.
REFERENCE_METHODS = ("threadpool",)


def reference_backends(library: str) -> set[str]:
    """Backends whose rows a release step of ``library`` measures without running the library:
    the registry's backends of other libraries (a baseline such as ``python`` beside NumPy, the
    stock twin ``numpy`` beside mkl-umath) and the thread pool beside Dask. Their steps are how
    far a benchmark moves between the campaign's environments without the library's doing.
    Empty for a library accelpi does not know (another project's suite)."""
    from .. import registry
    from ..libraries import by_distribution

    lib = by_distribution(library)
    if lib is None:
        return set()
    return (set(registry.names()) | set(REFERENCE_METHODS)) - set(registry.library_backends(lib.name))


def backend_of(params: str) -> str:
    """The first parameter of a benchmark as asv writes it (``'numba:fused', 65536``), unquoted."""
    return params.split(",", 1)[0].strip().strip("'\"")


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


def release_steps(
    results_dir: str | Path,
    library: str,
    factor: float = DEFAULT_FACTOR,
    skipped: list[dict[str, str]] | None = None,
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
        and the verdict's test (:func:`~accelpi.reports.verdicts.compare`) agrees.

    A step no larger than what the campaign's controls moved is no finding (:func:`floors`):
    its outcome is ``undecided`` and ``why`` says which control moved as far.
    """
    check_factor(factor)
    from packaging.version import Version

    all_series = collect(results_dir, library, skipped)
    references = reference_backends(library)
    installed = environments(results_dir)
    changes = [
        replace(step(s, before, after, factor, references), also=also_differs(installed, s, before, after))
        for s in all_series
        for before, after in itertools.pairwise(sorted(s.points, key=Version))
    ]
    return all_series, confirm(floors(all_series, changes, factor))


def _size(params: str) -> str:
    """A row's parameters but its backend: what a reference row shares with it."""
    return params.split(",", 1)[1].strip() if "," in params else ""


def floors(series: list[Series], changes: list[Change], factor: float) -> list[Change]:
    """``changes`` with each step's floor: how far the campaign's controls moved the same
    benchmark without the library's doing, and the steps no larger than that demoted.

    Two controls, both inside the step's own campaign: the control copy (the campaign's newest
    release measured twice, :data:`~accelpi.store.series.CONTROL`, in one combination of its
    switches): how far two environments of one release differ in this benchmark and parameters;
    and the reference rows (backends the library does not run,
    :func:`reference_backends`) of the same benchmark and parameters between the same two
    releases: how far the environment alone moved a benchmark."""
    control: dict[tuple[str, ...], tuple[float, str]] = {}
    for s in series:
        for release in sorted(set(s.controls) & set(s.points)):
            moved = compare(s.points[release], s.controls[release], factor, lower_is_better(s.benchmark))
            key = (s.campaign, s.benchmark, s.params)  # whichever switches have the copy
            if moved.ratio > 0 and magnitude_of(moved.ratio) > control.get(key, (1.0, ""))[0]:
                control[key] = (
                    magnitude_of(moved.ratio),
                    f"the control copy of {release} moved {moved.ratio:.2f}x",
                )
    reference: dict[tuple[str, ...], tuple[float, str]] = {}
    for c in changes:
        if c.reference and c.ratio > 0:
            key = (c.campaign, c.benchmark, _size(c.params), c.axes, c.before, c.after)
            if magnitude_of(c.ratio) > reference.get(key, (1.0, ""))[0]:
                reference[key] = (
                    magnitude_of(c.ratio),
                    f"the reference row {backend_of(c.params)} moved {c.ratio:.2f}x",
                )
    found = []
    for c in changes:
        moved = [control.get((c.campaign, c.benchmark, c.params))]
        if not c.reference:
            moved.append(reference.get((c.campaign, c.benchmark, _size(c.params), c.axes, c.before, c.after)))
        moved = [m for m in moved if m is not None]
        if not moved or not c.campaign:
            found.append(c)
            continue
        height, what = max(moved)
        c = replace(c, floor=height, floor_why=what)
        if (c.flagged or c.improved) and magnitude_of(c.ratio) <= height:
            c = replace(
                c,
                flagged=False,
                improved=False,
                significant=False,
                outcome="undecided",
                why=f"no larger than what the campaign's controls moved ({what})",
            )
        found.append(c)
    return found


def step(
    s: Series,
    before: str,
    after: str,
    factor: float,
    references: frozenset[str] | set[str] = frozenset(),
    pooled: bool = False,
) -> Change:
    """The change from release ``before`` to ``after`` of one series (both among its points),
    by :func:`~accelpi.reports.verdicts.compare` at ``factor`` (``pooled``: asv's test on the
    pooled samples instead, for comparing the two tests); ``references`` names the backends
    that make a reference row."""
    a, b = s.points[before], s.points[after]
    directed = lower_is_better(s.benchmark)
    verdict = compare(a, b, factor, directed, pooled=pooled)
    return Change(
        s.machine,
        s.benchmark,
        s.params,
        s.axes,
        before,
        after,
        a["value"],
        b["value"],
        verdict.ratio,
        verdict.significant,
        directed and verdict.outcome == "slower",
        s.unit,
        improved=directed and verdict.outcome == "faster",
        samples_before=verdict.samples[0],
        samples_after=verdict.samples[1],
        test=verdict.test,
        commit_before=str(a.get("commit") or ""),
        commit_after=str(b.get("commit") or ""),
        campaign=s.campaign,
        measured=str(s.context.get("ended") or ""),
        reference=backend_of(s.params) in references,
        untested=directed and not verdict.tested and _beyond(verdict, factor),
        **_interval(verdict),
    )


def _beyond(verdict: Comparison, factor: float) -> bool:
    return verdict.ratio > factor or verdict.ratio < 1 / factor


def _interval(verdict: Comparison) -> dict[str, Any]:
    """The fields every report row takes from a verdict besides the ratio."""
    return {
        "outcome": verdict.outcome,
        "low": verdict.low,
        "high": verdict.high,
        "confidence": verdict.confidence,
        "processes_before": verdict.processes[0],
        "processes_after": verdict.processes[1],
        "why": verdict.why,
    }


#: Outcomes that decide a step; ``same`` contradicts a direction, ``undecided`` nothing.
DECIDED = ("slower", "faster", "same")


def confirm(changes: list[Change]) -> list[Change]:
    """Each step with what other campaigns measured of the same step (``elsewhere``) and, for
    a decided step, its ``confirmation``: ``confirmed`` when another, independent campaign
    (another day, another host) gave the same outcome; ``disputed`` when one gave another
    decided outcome (slower against faster or same); else ``provisional``. An undecided
    campaign neither confirms nor disputes."""
    rows: dict[tuple[str, ...], list[Change]] = {}
    for c in changes:
        if c.campaign:
            rows.setdefault(c.row, []).append(c)
    found = []
    for c in changes:
        others = [o for o in rows.get(c.row, []) if o.campaign != c.campaign]
        elsewhere = [
            {"campaign": o.campaign, "machine": o.machine, "outcome": o.outcome, "ratio": o.ratio}
            for o in others
        ]
        status = ""
        decided = {o.outcome for o in others if o.outcome in DECIDED}
        if c.outcome in ("slower", "faster") or (c.outcome == "same" and decided - {"same"}):
            status = (
                "disputed"
                if decided - {c.outcome}
                else "confirmed"
                if c.outcome in decided
                else "provisional"
            )
        found.append(replace(c, confirmation=status, elsewhere=elsewhere))
    return found


def release_lines(slower: list[dict[str, Any]], faster: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each release step that moved, newest first, summed up for one line (``accelpi versions``,
    a library's page): ``before``, ``after``, and per direction (``slower``, ``faster``) how many
    benchmark rows, their smallest and largest ratio and how many a second campaign confirmed.
    References (rows the library does not run) are left out: they are no step of its own."""
    from packaging.version import Version

    steps: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for c in (*slower, *faster):
        if not c.get("reference"):
            steps.setdefault((c["before"], c["after"]), []).append(c)
    lines = []
    for before, after in sorted(steps, key=lambda k: (Version(k[1]), Version(k[0])), reverse=True):
        line: dict[str, Any] = {"before": before, "after": after}
        for word, kept in (
            ("slower", [c for c in steps[(before, after)] if c["ratio"] > 1]),
            ("faster", [c for c in steps[(before, after)] if c["ratio"] < 1]),
        ):
            if kept:
                line[word] = {
                    "rows": len(kept),
                    "low": min(c["ratio"] for c in kept),
                    "high": max(c["ratio"] for c in kept),
                    "confirmed": sum(c.get("confirmation") == "confirmed" for c in kept),
                }
        lines.append(line)
    return lines


def release_sentence(line: dict[str, Any]) -> str:
    """A :func:`release_lines` entry in words: ``0.68.0 (after 0.67.0): 10 slower (1.13x to
    1.15x; 2 confirmed); the rest unchanged or undecided``."""
    parts = []
    for word in ("slower", "faster"):
        if word in line:
            d = line[word]
            span = f"{d['low']:.2f}x" if d["low"] == d["high"] else f"{d['low']:.2f}x to {d['high']:.2f}x"
            parts.append(f"{d['rows']} {word} ({span}; {d['confirmed']} confirmed)")
    return f"{line['after']} (after {line['before']}): {', '.join(parts)}; the rest unchanged or undecided"


def what_to_do(library: str, slower: list[dict[str, Any]]) -> str | None:
    """What a user does about the newest confirmed slower step of ``library`` (pin, bisect,
    report upstream), in words; ``None`` when no slower step is confirmed."""
    worst = next((c for c in slower if c.get("confirmation") == "confirmed" and not c.get("reference")), None)
    if worst is None:
        return None
    return (
        f"pin {library}<{worst['after']} for now; find the first slower release with accelpi bisect "
        f"{library} --good {worst['before']} --bad {worst['after']} -b REGEX; report it upstream with the "
        "campaign's inventories, which accelpi sweep --replay RESULT installs again (docs/benchmarking.md)"
    )
