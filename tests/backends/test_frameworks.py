"""Framework backends on the CPU: thread settings, devices, and their documented limits."""

from __future__ import annotations

import pytest

import accelpi
from accelpi import BackendUnavailable, InvalidArgument, registry

from ..helpers import require

GPU_ONLY = [n for n in registry.names() if registry.spec(n).devices == ("cuda",)]
CPU_AND_GPU = [n for n in registry.names() if registry.spec(n).devices == ("cpu", "cuda")]


def test_every_framework_backend_is_registered():
    expected = {
        "torch",
        "torch:compile",
        "tensorflow:eager",
        "tensorflow:graph",
        "tensorflow:xla",
        "jax",
        "cupy",
        "cupy:fused",
        "numba-cuda",
        "numpy:mkl",
    }
    assert expected <= set(registry.names())


def test_torch_restores_its_global_thread_count():
    require("torch")
    import torch

    before = torch.get_num_threads()
    est = accelpi.estimate(100_000, "torch", threads=1)
    assert est.threads == 1 and torch.get_num_threads() == before


@pytest.mark.parametrize("name", ["tensorflow:graph", "jax"])
def test_fixed_thread_pools_refuse_another_count(name):
    require(name)
    pool = accelpi.estimate(10_000, name).threads
    assert accelpi.estimate(10_000, name, threads=pool).threads == pool
    other = 1 if pool != 1 else 2
    with pytest.raises(InvalidArgument, match=r"once per process|at first use"):
        accelpi.estimate(10_000, name, threads=other)


def test_tensorflow_eager_and_graph_agree_exactly():
    require("tensorflow:graph")
    n = 5_000_001
    assert (
        accelpi.estimate(n, "tensorflow:eager", seed=3).hits
        == accelpi.estimate(n, "tensorflow:graph", seed=3).hits
    )


@pytest.mark.parametrize("name", CPU_AND_GPU)
def test_cuda_device_without_gpu_is_reported_with_the_reason(name):
    info = registry.info(name)
    if not info.available:
        pytest.skip(f"{name} unavailable: {info.reason}")
    if "cuda" in info.devices:
        pytest.skip("a GPU is present")
    assert "cuda:" in info.reason
    with pytest.raises(BackendUnavailable, match="device 'cuda' is not available here"):
        accelpi.estimate(1000, name, device="gpu")


@pytest.mark.parametrize("name", GPU_ONLY)
def test_gpu_only_backends_are_listed_with_a_reason(name):
    info = registry.info(name)
    assert info.all_devices == ("cuda",)
    if not info.available:
        assert info.reason
        with pytest.raises(BackendUnavailable):
            accelpi.estimate(1000, name)
    with pytest.raises(BackendUnavailable, match="its devices: cuda"):
        accelpi.estimate(1000, name, device="cpu")
