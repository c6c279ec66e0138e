"""Whether two measurements differ: one door, :func:`compare`, for every verdict.

Release steps, builds and switches, bisection, the pull-request gate, the site and the
replication report all ask :func:`compare` and read its :class:`Comparison` (as pyperf's
``CompareResult``): the ratio, its interval, the outcome, the test in words, and how many
processes and samples each side had. Nothing decides a verdict by reading its wording.

The test is at the level of the **process**. A campaign's samples come from a few benchmark
processes (one per pass); samples inside one process share its memory layout, JIT and thread
placement, so treating 40 samples of 4 processes as 40 independent draws (asv's
Mann-Whitney U) is too sure of itself wherever the variance sits between processes
(docs/benchmarking.md measures how much). Where each sample's process is known
(:mod:`accelpi.store.processes`), each process is summarised by the median of its samples
and the ratio's interval comes from Welch's t on the logarithms of those medians, one value
per process: an interval at the level where the variance is (Kalibera & Jones 2013), exact
for normal per-process logarithms and honest with four processes a side, where a bootstrap
over four processes has 35 distinct resamples and understates the spread. The interval is
centred on the ratio of the two values (asv's medians, the figures every table shows), with the
half-width Welch's t gives.

Outcomes, for a ratio ``after / before`` and a ``factor`` f:

``slower``
    the interval lies above 1 and the ratio is beyond f (for memory: larger);
``faster``
    the interval lies below 1 and the ratio is below 1/f (for memory: smaller);
``same``
    the whole interval lies inside [1/f, f]: any change is smaller than the factor;
``undecided``
    none of these: the data cannot tell a change beyond the factor from none (more
    processes would);
``untested``
    no test can run: one sample or one process a side, or a value with no ratio.

Where processes are not known (results recorded before campaigns kept them, and not
inferable), asv's own test decides on the pooled samples, as before, and the test's words
say so; the interval is then computed as if every sample were independent.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import asdict, dataclass
from typing import Any

from ..errors import InvalidArgument
from ..store import asvcompat, processes

__all__ = [
    "CONFIDENCE",
    "OUTCOMES",
    "UNSTEADY",
    "Comparison",
    "check_factor",
    "compare",
    "decidable",
    "lower_is_better",
    "magnitude",
    "magnitude_of",
    "spread",
    "unsteady",
    "word",
]

#: The confidence of every interval (two-sided). Chosen from the campaigns' variance
#: components and the A/A campaigns (docs/benchmarking.md, "The test at the level of the
#: process"): at 0.99 no A/A pair of the committed campaigns is decided slower or faster.
CONFIDENCE = 0.99

#: Every outcome :func:`compare` gives, in the order tables list them.
OUTCOMES = ("slower", "faster", "same", "undecided", "untested")


def check_factor(factor: float) -> None:
    """A factor is a finite number of at least 1 (``nan`` compares false with everything: it
    would hide every change)."""
    if not isinstance(factor, int | float) or not math.isfinite(factor) or not factor >= 1:
        raise InvalidArgument(f"factor={factor!r}: must be a finite number >= 1 (1.1 means 10 % slower)")


def lower_is_better(name: str) -> bool:
    """Whether a benchmark's value is a time or a memory size (tracks have no direction)."""
    leaf = name.rsplit(".", 1)[-1]
    return leaf.startswith(("time_", "timeraw_", "peakmem_", "mem_"))


@dataclass(frozen=True)
class Comparison:
    """Two measurements of one benchmark compared: ``after`` over ``before``.

    ``ratio`` is the ratio of the two values (asv's medians); ``low`` and ``high`` bound it
    at ``confidence`` (``None``: no interval, see ``outcome``); ``test`` says in words which
    test gave them, over how many processes and samples.
    """

    ratio: float
    low: float | None
    high: float | None
    outcome: str
    test: str
    processes: tuple[int, int]  # per side (0: not known)
    samples: tuple[int, int]
    confidence: float
    why: str = ""  # what kept it from a decision (``undecided``, ``untested``)
    unit: str = ""  # what the test treated as one draw: "process", "sample" (pooled), "statistics"

    @property
    def significant(self) -> bool:
        """A change beyond the factor, in either direction, that the test confirms."""
        return self.outcome in ("slower", "faster")

    @property
    def tested(self) -> bool:
        return self.outcome != "untested"

    @property
    def by_process(self) -> bool:
        """Whether the test treated the process as the unit."""
        return self.unit == "process"

    def interval(self) -> str:
        """``[0.93, 1.21]``, or ``""`` without one."""
        if self.low is None or self.high is None:
            return ""
        return f"[{self.low:.3g}, {self.high:.3g}]"

    def to_dict(self) -> dict[str, Any]:
        found = asdict(self)
        found["processes"] = list(self.processes)
        found["samples"] = list(self.samples)
        return found


def word(outcome: str, unit: str) -> str:
    """An outcome as people read it for a benchmark's unit: memory is larger or smaller."""
    if unit == "bytes":
        return {"slower": "larger", "faster": "smaller"}.get(outcome, outcome)
    return outcome


def _t_quantile(p: float, df: float) -> float:
    from scipy.special import stdtrit

    return float(stdtrit(df, p))


def _welch(x: list[float], y: list[float], confidence: float, more: int = 0) -> float:
    """Half the width of the interval of ``mean(y) - mean(x)`` by Welch's t (unequal
    variances); with ``more``, as it would be with that many more values a side, spread alike."""
    vx = statistics.variance(x) / (len(x) + more)
    vy = statistics.variance(y) / (len(y) + more)
    se = math.sqrt(vx + vy)
    if se == 0:
        return 0.0
    df = (vx + vy) ** 2 / (vx**2 / (len(x) + more - 1) + vy**2 / (len(y) + more - 1))
    return _t_quantile(1 - (1 - confidence) / 2, df) * se


def _logs(values: list[float]) -> list[float] | None:
    return [math.log(v) for v in values] if values and all(v > 0 for v in values) else None


def compare(
    before: dict[str, Any],
    after: dict[str, Any],
    factor: float,
    directed: bool = True,
    confidence: float = CONFIDENCE,
    pooled: bool = False,
) -> Comparison:
    """The verdict on ``after`` against ``before``.

    Parameters
    ----------
    before, after : dict
        Points as :mod:`accelpi.store` reads them: ``value``, ``stats`` and ``samples`` (asv's),
        and ``processes`` (samples per process, in order; ``None`` where not known) with
        ``processes_known`` (how that is known, or why not).
    factor : float
        The smallest change that counts (1.1: 10 %).
    directed : bool
        Whether lower is better (times, memory). A track (accuracy) is never slower or faster:
        its changes beyond the factor are ``undecided``.
    confidence : float
        Of the interval, two-sided.
    pooled : bool
        Ignore the processes: asv's test on the pooled samples, as before processes were
        kept (to compare the two tests on the same data; never a report's default).
    """
    check_factor(factor)
    a, b = before, after
    samples = (len(a.get("samples") or ()), len(b.get("samples") or ()))
    if not (a["value"] > 0 and b["value"] > 0):
        ratio = math.inf if not a["value"] else b["value"] / a["value"]
        return _untested(ratio, "no ratio (a value at or below zero)", (0, 0), samples, confidence,
                         "a value at or below zero has no ratio")  # fmt: skip
    ratio = b["value"] / a["value"]
    medians, counts = _per_process(a, b)
    if medians and not pooled:
        half = _welch(medians[0], medians[1], confidence)
        test = (
            f"Welch's t over processes, {counts[0]} + {counts[1]} processes "
            f"({samples[0]} + {samples[1]} samples)"
        )
        low, high = _around(ratio, half)
        return _decide(ratio, low, high, None, factor, directed, test, counts, samples, confidence, "process")
    if min(samples) >= 2 and all(p.get("stats") for p in (a, b)):
        logs = [_logs(list(p["samples"])) for p in (a, b)]
        low, high = _around(ratio, _welch(logs[0], logs[1], confidence) if logs[0] and logs[1] else None)
        known = "ignored" if pooled else "one process" if min(counts) == 1 else "unknown"
        test = f"Mann-Whitney U on pooled samples, {samples[0]} + {samples[1]} (processes {known})"
        asv = _asv(a, b, factor)
        return _decide(ratio, low, high, asv, factor, directed, test, counts, samples, confidence, "sample")
    stats = [p.get("stats") or {} for p in (a, b)]
    if all(stats) and all(s.get("repeat", 0) > 1 for s in stats) and all("ci_99_a" in s for s in stats):
        low = stats[1]["ci_99_a"] / stats[0]["ci_99_b"] if stats[0]["ci_99_b"] > 0 else None
        high = stats[1]["ci_99_b"] / stats[0]["ci_99_a"] if stats[0]["ci_99_a"] > 0 else None
        test = "99% confidence intervals (no samples recorded)"
        return _decide(
            ratio, low, high, _asv(a, b, factor), factor, directed, test, counts, samples, 0.99, "statistics"
        )
    return _untested(ratio, "ratio only (one sample: no test)", counts, samples, confidence,
                     "one sample a side: no test can tell a change from noise")  # fmt: skip


def _untested(
    ratio: float, test: str, counts: tuple[int, int], samples: tuple[int, int], confidence: float, why: str
) -> Comparison:
    """A comparison no test can decide: the ratio alone, and why."""
    return Comparison(ratio, None, None, "untested", test, counts, samples, confidence, why)


def _per_process(a: dict[str, Any], b: dict[str, Any]) -> tuple[list[list[float]] | None, tuple[int, int]]:
    """The logarithms of each process's median, per side (``None`` unless both sides have at
    least two processes known), and the processes per side."""
    groups = [processes.split(p.get("samples"), p.get("processes")) for p in (a, b)]
    counts = (len(groups[0] or ()), len(groups[1] or ()))
    medians = [_logs([statistics.median(s) for s in g]) if g else None for g in groups]
    known = medians[0] is not None and medians[1] is not None and min(counts) >= 2
    return ([medians[0], medians[1]] if known else None), counts


def decidable(before: dict[str, Any], after: dict[str, Any], factor: float, more: int) -> bool:
    """Whether ``more`` processes a side could decide a comparison the test over processes leaves
    ``undecided``, were the ratio and each side's spread between processes to stay as measured.

    The campaign's extra passes measure only the rows for which this holds: a row whose
    interval would still hold both no change and a change beyond ``factor``, or would still
    reach past it, after every pass left (a ratio at the factor itself, a spread too wide) is
    not measured again for nothing. A projection, not a promise: the next processes may spread
    more or less."""
    if not (before["value"] > 0 and after["value"] > 0) or more < 1:
        return False
    medians, counts = _per_process(before, after)
    if not medians:
        return False
    ratio = after["value"] / before["value"]
    low, high = _around(ratio, _welch(medians[0], medians[1], CONFIDENCE, more))
    projected = _decide(ratio, low, high, None, factor, True, "", counts, (0, 0), CONFIDENCE, "process")
    return projected.outcome != "undecided"


def _around(ratio: float, half: float | None) -> tuple[float | None, float | None]:
    """The interval of half-width ``half`` (on the logarithm) around ``ratio``; none without one."""
    return (None, None) if half is None else (ratio / math.exp(half), ratio * math.exp(half))


def _asv(a: dict[str, Any], b: dict[str, Any], factor: float) -> tuple[bool, bool]:
    """asv's own test both ways: (``b`` slower beyond ``factor``, ``b`` faster beyond it)."""
    return asvcompat.is_result_better(a, b, factor), asvcompat.is_result_better(b, a, factor)


def _decide(
    ratio: float,
    low: float | None,
    high: float | None,
    asv: tuple[bool, bool] | None,
    factor: float,
    directed: bool,
    test: str,
    counts: tuple[int, ...],
    samples: tuple[int, int],
    confidence: float,
    unit: str,
) -> Comparison:
    """The outcome from the interval (or, where processes are not known, asv's test)."""
    if asv is not None:
        slower, faster = asv
    else:
        slower = low is not None and low > 1 and ratio > factor
        faster = high is not None and high < 1 and ratio < 1 / factor
    inside = low is not None and high is not None and low >= 1 / factor and high <= factor
    why = ""
    if directed and slower:
        outcome = "slower"
    elif directed and faster:
        outcome = "faster"
    elif inside:
        outcome = "same"
    else:
        outcome = "undecided"
        if not directed:
            why = "a track has no direction"
        elif low is None or high is None:
            why = "no interval"
        elif low <= 1 <= high:
            why = f"the interval [{low:.3g}, {high:.3g}] holds both no change and a change beyond {factor}x"
        else:
            why = f"a change, but the interval [{low:.3g}, {high:.3g}] reaches past {factor}x and within it"
    return Comparison(ratio, low, high, outcome, test, (counts[0], counts[1]), samples, confidence, why, unit)


#: A campaign during which the host's own speed (its calibration) moved by more than this
#: between any two readings says so: half of the default factor.
UNSTEADY = 1.05


def unsteady(context: dict[str, Any]) -> bool:
    """Whether the host changed speed during a campaign by more than :data:`UNSTEADY`."""
    largest = context.get("host_largest_change")
    return isinstance(largest, int | float) and largest > UNSTEADY


def spread(point: dict[str, Any]) -> float | None:
    """A point's **spread**: the interquartile range of asv's samples (its processes and repeats)
    over the value, ``0.04`` for 4 %; ``None`` where asv stored no quartiles. One meaning
    everywhere (docs/glossary.md): the ranking shows it as ``±`` half of it, the gate as each
    row's noise."""
    stats = point.get("stats") or {}
    if point.get("value") and stats.get("q_25") is not None and stats.get("q_75") is not None:
        return (stats["q_75"] - stats["q_25"]) / point["value"]
    return None


def magnitude(change: dict[str, Any]) -> float:
    """How large a step is, whichever its direction: 1.5x slower and 1.5x faster are equal."""
    return magnitude_of(change["ratio"])


def magnitude_of(ratio: float) -> float:
    """A ratio's size whichever its direction (1.5 for 1.5x and for 0.667x; inf for none)."""
    return max(ratio, 1 / ratio) if ratio > 0 else float("inf")
