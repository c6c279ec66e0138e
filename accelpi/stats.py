"""Statistics of the Monte Carlo estimate of π, and the derivation of random streams.

A sample is a point drawn uniformly in the unit square; it is a *hit* when it falls
inside the quarter disc of radius 1. With ``n`` samples the hit count is binomial
with ``p = π/4``, so ``4 * hits / n`` estimates π with standard error
``4 * sqrt(p (1 - p) / n)``.

Streams: every backend derives the random streams of its chunks (or threads) from the
user's seed here, never ad hoc, so that streams are independent and never overlap:

* :func:`chunk_seed_sequence` gives chunk ``i`` the ``i``-th child of
  ``SeedSequence(seed)`` (exactly what ``SeedSequence.spawn`` would hand out, without
  materialising all children), as NumPy's parallel random generation guide recommends.
* :func:`stream_key` gives a 64-bit key for counter-based generators; such a backend
  then uses *disjoint counters* (the global index of the sample), so no two samples of
  one estimate ever share a counter value.
* :func:`seed32_base` gives the first of ``k`` consecutive, hence distinct, 32-bit seeds
  for libraries that only accept 32-bit seeds (Numba's Mersenne Twister).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = [
    "P_HIT",
    "chunk_seed_sequence",
    "normality_pvalue",
    "relative_error_bound",
    "seed32_base",
    "standard_error",
    "stream_key",
    "z_score",
]

#: Probability that one uniform point of the unit square falls inside the quarter disc.
P_HIT = math.pi / 4


def standard_error(n: int) -> float:
    """Standard error of the estimate ``4 * hits / n``.

    Parameters
    ----------
    n : int
        Number of samples (points).

    Returns
    -------
    float
        ``4 * sqrt(p (1 - p) / n)`` with the exact ``p = π/4``. Using the true ``p``
        (rather than ``hits / n``) makes the z-score exactly standardised under the
        hypothesis that the generator is uniform, and is defined even for tiny ``n``.
    """
    return 4.0 * math.sqrt(P_HIT * (1.0 - P_HIT) / n)


def z_score(value: float, n: int) -> float:
    """Error of an estimate against ``math.pi``, in standard errors.

    For a correct backend it follows a standard normal distribution (binomial, for
    small ``n``) across independent seeds.
    """
    return (value - math.pi) / standard_error(n)


def relative_error_bound(n: int, sigmas: float = 6.0) -> float:
    """The talk's ``k``-sigma bound on the relative error ``|value - π| / π``.

    An estimate outside ``sigmas`` standard errors happens with probability about
    2e-9 for ``sigmas=6``: in practice, a broken generator or overlapping streams.
    """
    return sigmas * standard_error(n) / math.pi


def chunk_seed_sequence(seed: int, index: int) -> np.random.SeedSequence:
    """Seed sequence of chunk ``index`` for the user's ``seed``.

    Equal to ``np.random.SeedSequence(seed).spawn(index + 1)[index]``: independent,
    non-overlapping streams for any number of chunks, computed in O(1).
    """
    return np.random.SeedSequence(entropy=seed, spawn_key=(index,))


def stream_key(seed: int, stream: int = 0) -> int:
    """A 64-bit key for counter-based generators, derived from ``(seed, stream)``."""
    seq = np.random.SeedSequence(entropy=seed, spawn_key=(stream,), pool_size=4)
    return int(seq.generate_state(1, dtype=np.uint64)[0])


def seed32_base(seed: int) -> int:
    """A 32-bit base seed; chunk ``i`` uses ``(base + i) mod 2**32``.

    Consecutive seeds are distinct for up to ``2**32`` chunks, so no two chunks share a
    Mersenne Twister stream (its seeding routine decorrelates neighbouring seeds).
    """
    return int(np.random.SeedSequence(seed).generate_state(1, dtype=np.uint32)[0])


def normality_pvalue(z_scores: Sequence[float]) -> float:
    """Kolmogorov-Smirnov p-value of z-scores against the standard normal.

    Used by the tests to check, over many seeds, that a parallel backend's errors are
    distributed as they must be. Overlapping or correlated streams inflate the spread
    of the z-scores and give a tiny p-value. Requires SciPy (the ``test`` extra).
    """
    from scipy import stats as scipy_stats

    return float(scipy_stats.kstest(np.asarray(z_scores, dtype=float), "norm").pvalue)
