"""GPU backends on a real GPU (``pytest -m gpu``); every test skips with the reason elsewhere."""

from __future__ import annotations

import numpy as np
import pytest

import accelpi
from accelpi import registry, stats

pytestmark = pytest.mark.gpu

GPU_CAPABLE = [n for n in registry.names() if "cuda" in registry.spec(n).devices]

#: Several 256 Mi-sample GPU chunks plus a short one.
GPU_N = 2**29 + 2**27 + 3


def require_cuda(name: str) -> None:
    info = registry.info(name)
    if "cuda" not in info.devices:
        pytest.skip(f"{name} has no CUDA device here: {info.reason or 'unavailable'}")


@pytest.mark.parametrize("name", GPU_CAPABLE)
def test_gpu_estimates_are_valid_and_stable(name):
    require_cuda(name)
    for seed in range(5):
        first = accelpi.estimate(GPU_N, name, seed=seed, device="cuda")
        assert first.device == "cuda" and abs(first.z) < 6, str(first)
        assert accelpi.estimate(GPU_N, name, seed=seed, device="cuda").hits == first.hits


@pytest.mark.parametrize("name", GPU_CAPABLE)
def test_gpu_z_scores_over_many_seeds_are_standard_normal(name):
    require_cuda(name)
    z = np.array([accelpi.estimate(2**24 + 1, name, seed=s, device="cuda").z for s in range(100)])
    assert stats.normality_pvalue(z) > 1e-4
    assert 0.4 < float(np.mean(z**2)) < 1.8
