"""Whether two measurements differ: a ratio beyond a factor, and asv's significance test.

One place for the verdict every report gives (release steps, builds, switches, bisection),
as pyperformance keeps its in ``compare.py``; the test itself is asv's
(:func:`accelpi.store.asvcompat.is_result_better`).
"""

from __future__ import annotations

import math
from typing import Any

from ..errors import InvalidArgument
from ..store import asvcompat

__all__ = [
    "UNSTEADY",
    "check_factor",
    "is_slower",
    "lower_is_better",
    "magnitude",
    "significant",
    "test_used",
    "unsteady",
]


def check_factor(factor: float) -> None:
    """A factor is a finite number of at least 1 (``nan`` compares false with everything: it
    would hide every change)."""
    if not isinstance(factor, int | float) or not math.isfinite(factor) or not factor >= 1:
        raise InvalidArgument(f"factor={factor!r}: must be a finite number >= 1 (1.1 means 10 % slower)")


def lower_is_better(name: str) -> bool:
    """Whether a benchmark's value is a time or a memory size (tracks have no direction)."""
    leaf = name.rsplit(".", 1)[-1]
    return leaf.startswith(("time_", "timeraw_", "peakmem_", "mem_"))


def test_used(a: dict[str, Any], b: dict[str, Any]) -> str:
    """Which of asv's tests decides whether two points differ, in words."""
    stats = [p.get("stats") or {} for p in (a, b)]
    if not all(stats) or any(s.get("repeat", 0) == 1 for s in stats):
        return "ratio only (one sample: no test)"
    if a.get("samples") is not None and b.get("samples") is not None:
        return f"Mann-Whitney U, {len(a['samples'])} + {len(b['samples'])} samples"
    return "99% confidence intervals (no samples recorded)"


def is_slower(before: dict[str, Any], after: dict[str, Any], factor: float) -> bool:
    """asv's own test, the one ``asv continuous`` uses: ``after`` is larger than ``before``
    by more than ``factor`` and the recorded samples say the difference is significant.

    ``before`` and ``after`` are points: ``value``, ``stats`` and ``samples`` as
    :mod:`asv.results` reads them. A ratio means something for positive values only: a
    signed value (an error in σ) or a zero is never "slower" (asv's test would call -0.5
    against -0.5 a change, since -0.5 < -0.5 / 1.1).
    """
    if not (before["value"] > 0 and after["value"] > 0):
        return False
    return asvcompat.is_result_better(before, after, factor)


def significant(a: dict[str, Any], b: dict[str, Any], factor: float) -> bool:
    """asv's test, both ways: the two points differ by more than ``factor``, significantly."""
    return is_slower(a, b, factor) or is_slower(b, a, factor)


#: A campaign during which the host's own speed (its calibration) moved by more than this
#: between any two readings says so: half of the default factor.
UNSTEADY = 1.05


def unsteady(context: dict[str, Any]) -> bool:
    """Whether the host changed speed during a campaign by more than :data:`UNSTEADY`."""
    largest = context.get("host_largest_change")
    return isinstance(largest, int | float) and largest > UNSTEADY


def magnitude(change: dict[str, Any]) -> float:
    """How large a step is, whichever its direction: 1.5x slower and 1.5x faster are equal."""
    ratio = change["ratio"]
    return max(ratio, 1 / ratio) if ratio > 0 else float("inf")
