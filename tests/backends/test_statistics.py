"""Every backend's estimate is statistically valid, reproducible, and thread-count independent.

No timing here: speed is the benchmarks' business.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import accelpi
from accelpi import registry, stats

from ..helpers import chunk_of, cpu_backends, require, threaded_backends

#: Samples per estimate in the many-seed tests: at least two and a half chunks of every
#: chunked backend, so that streams of different chunks meet, and a short last chunk.
MANY_SEEDS_N = 3_300_001
SEEDS = range(120)
LARGE_CHUNK_SEEDS = range(40)  # fewer seeds where chunks are large (slow frameworks)


def _n_for(name: str) -> int:
    if name == "python":
        return 20_001
    return max(MANY_SEEDS_N, int(2.5 * (chunk_of(name) or 0)) + 1)


def _seeds_for(name: str) -> range:
    return SEEDS if _n_for(name) <= MANY_SEEDS_N else LARGE_CHUNK_SEEDS


@pytest.mark.parametrize("name", cpu_backends())
def test_within_six_sigma_for_several_seeds(name):
    require(name)
    n = 200_000 if name == "python" else 2_000_003
    for seed in (0, 1, 2, 12345, 2**100):
        est = accelpi.estimate(n, name, seed=seed)
        assert abs(est.z) < 6, f"{name} seed={seed}: {est}"
        assert abs(est.value - np.pi) / np.pi < stats.relative_error_bound(n)


def _z_scores(name: str, seeds=None, **kwargs) -> np.ndarray:
    seeds = _seeds_for(name) if seeds is None else seeds
    return np.array([accelpi.estimate(_n_for(name), name, seed=s, **kwargs).z for s in seeds])


def _assert_standard_normal(z: np.ndarray, name: str, level: float = 1e-5) -> None:
    # Strict levels: the seeds are fixed, so these checks are deterministic, not flaky.
    # KS tests the shape; sum(z**2) is chi-square with len(z) degrees of freedom and
    # guards the spread, which overlapping streams inflate by the overlap factor.
    from scipy.stats import chi2

    pvalue = stats.normality_pvalue(z)
    assert pvalue > 1e-4, f"{name}: z-scores not standard normal (KS p={pvalue:.2e})"
    low, high = chi2.ppf([level / 2, 1 - level / 2], len(z))
    assert low < float(np.sum(z**2)) < high, f"{name}: mean z^2 = {np.mean(z**2):.2f} over {len(z)} seeds"
    assert abs(float(np.mean(z))) < 4.5 / np.sqrt(len(z)), f"{name}: mean z = {np.mean(z):.2f}"


@pytest.mark.parametrize("name", cpu_backends())
def test_z_scores_over_many_seeds_are_standard_normal(name):
    require(name)
    _assert_standard_normal(_z_scores(name), name)


def test_the_many_seed_check_catches_overlapping_streams(monkeypatch):
    # Every chunk drawing the same stream is the bug the check exists for: it must fail.
    real = stats.chunk_seed_sequence
    monkeypatch.setattr(stats, "chunk_seed_sequence", lambda seed, index: real(seed, 0))
    with pytest.raises(AssertionError, match=r"not standard normal|mean z"):
        _assert_standard_normal(_z_scores("numpy", seeds=range(40)), "overlapping numpy")


@pytest.mark.parametrize("name", cpu_backends())
def test_same_seed_same_result_other_seed_other_result(name):
    require(name)
    n = 50_001 if name == "python" else 1_500_001
    first = accelpi.estimate(n, name, seed=42)
    assert accelpi.estimate(n, name, seed=42).hits == first.hits
    assert accelpi.estimate(n, name, seed=43).hits != first.hits


@pytest.mark.parametrize("name", threaded_backends())
def test_hits_do_not_depend_on_the_thread_count(name):
    require(name)
    limit = registry.load(name).max_threads() or 3
    counts = {
        t: accelpi.estimate(MANY_SEEDS_N, name, seed=9, threads=t).hits for t in range(1, min(3, limit) + 1)
    }
    assert len(set(counts.values())) == 1, counts


@pytest.mark.parametrize(
    ("threaded", "serial"),
    [
        ("numpy:threads", "numpy"),
        ("numba:parallel", "numba"),
        ("numba:nogil-threads", "numba"),
        ("numpy:mkl-umath", "numpy"),
    ],
)
def test_variants_sharing_streams_agree_exactly(threaded, serial):
    require(threaded)
    for seed in (0, 5):
        assert (
            accelpi.estimate(MANY_SEEDS_N, threaded, seed=seed).hits
            == accelpi.estimate(MANY_SEEDS_N, serial, seed=seed).hits
        )


@pytest.mark.parametrize(("name", "threads"), [("numpy", 1), ("numpy:threads", 2)])
def test_numpy_memory_is_bounded_by_chunking(name, threads):
    from accelpi.backends import numpy_ as numpy_backend

    n = 48 * numpy_backend.CHUNK  # unchunked, this would be 768 MiB of float64
    chunk_bytes = 2 * numpy_backend.CHUNK * 8
    tracemalloc.start()
    try:
        accelpi.estimate(n, name, threads=threads)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < threads * chunk_bytes * 1.25, f"peak {peak / 2**20:.1f} MiB"
