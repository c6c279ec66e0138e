"""Release steps: each release of a library against the one before it, with asv's test.

asv compares commits within one environment only. :func:`release_steps` takes the
series of :func:`accelpi.store.series.collect` (a benchmark's values release by release)
and compares consecutive releases with asv's own test, the one ``asv continuous`` uses (a
ratio beyond ``factor`` that is also statistically significant on the recorded samples);
a slowdown that passes it is flagged, a speed-up that passes it is an improvement.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..store.series import BUILD_FAMILIES, Series, collect
from . import DEFAULT_FACTOR
from .verdicts import check_factor, is_slower, lower_is_better, significant, test_used

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

    ``flagged``: slower (for memory: larger) by more than the factor, and significant by
    asv's test (the test ``asv continuous`` uses); ``improved``: the same, faster (smaller).
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
    test: str = ""  # which of asv's tests decided, in words (see verdicts.test_used)
    commit_before: str = ""  # the accelpi commit each release was measured at
    commit_after: str = ""
    campaign: str = ""  # the campaign both releases were measured in (steps never cross one)
    measured: str = ""  # when that campaign ended (UTC)
    untested: bool = False  # beyond the factor on the ratio alone: one sample, no test
    reference: bool = False  # a backend the library does not run (a baseline, a stock twin)

    @property
    def direction(self) -> str:
        """``"slower"``/``"faster"`` (a time), ``"larger"``/``"smaller"`` (memory), or ``""``
        (no change beyond the factor that a test confirms, or no direction)."""
        worse, better = ("larger", "smaller") if self.unit == "bytes" else ("slower", "faster")
        return worse if self.flagged else better if self.improved else ""

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
        and asv's significance test agrees.
    """
    check_factor(factor)
    from packaging.version import Version

    all_series = collect(results_dir, library, skipped)
    references = reference_backends(library)
    changes = [
        step(s, before, after, factor, references)
        for s in all_series
        for before, after in itertools.pairwise(sorted(s.points, key=Version))
    ]
    return all_series, changes


def step(
    s: Series, before: str, after: str, factor: float, references: frozenset[str] | set[str] = frozenset()
) -> Change:
    """The change from release ``before`` to ``after`` of one series (both among its points),
    with asv's test at ``factor``; ``references`` names the backends that make a reference row."""
    a, b = s.points[before], s.points[after]
    ratio = b["value"] / a["value"] if a["value"] else math.inf
    directed = lower_is_better(s.benchmark)
    test = test_used(a, b)
    tested = not test.startswith("ratio only")
    beyond = directed and (is_slower(a, b, factor) or is_slower(b, a, factor))
    return Change(
        s.machine,
        s.benchmark,
        s.params,
        s.axes,
        before,
        after,
        a["value"],
        b["value"],
        ratio,
        tested and significant(a, b, factor),
        tested and directed and is_slower(a, b, factor),
        s.unit,
        improved=tested and directed and is_slower(b, a, factor),
        samples_before=len(a["samples"] or ()),
        samples_after=len(b["samples"] or ()),
        test=test,
        commit_before=str(a.get("commit") or ""),
        commit_after=str(b.get("commit") or ""),
        campaign=s.campaign,
        measured=str(s.context.get("ended") or ""),
        reference=backend_of(s.params) in references,
        untested=beyond and not tested,
    )
