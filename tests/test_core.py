"""The public API: estimate(), backends(), errors and their messages."""

from __future__ import annotations

import dataclasses
import importlib
import math
import sys

import numpy as np
import pytest

import accelpi
from accelpi import AccelpiError, BackendUnavailable, InvalidArgument, registry, stats

from .helpers import require


def test_estimate_fields_are_consistent():
    est = accelpi.estimate(100_000, "numpy", seed=3)
    assert isinstance(est, accelpi.Estimate)
    assert est.n == 100_000 and est.backend == "numpy" and est.device == "cpu"
    assert est.threads == 1 and est.seed == 3
    assert est.value == 4 * est.hits / est.n
    assert est.stderr == pytest.approx(4 * math.sqrt(math.pi / 4 * (1 - math.pi / 4) / est.n))
    assert est.z == pytest.approx((est.value - math.pi) / est.stderr)
    with pytest.raises(dataclasses.FrozenInstanceError):
        est.value = 3.0  # type: ignore[misc]
    assert "π ≈" in str(est) and est.to_dict()["hits"] == est.hits


@pytest.mark.parametrize("n", [10**5, 1e5, np.int64(10**5), 100_000.0])
def test_whole_numbers_are_accepted(n):
    assert accelpi.estimate(n, "numpy").n == 100_000


@pytest.mark.parametrize(
    ("n", "why"),
    [
        (1.5, "not a whole number"),
        (0, "out of range"),
        (-1, "out of range"),
        ("abc", "not a number"),
        ("100", "not a number"),
        (True, "not a number"),
        (None, "not a number"),
        (2**62 + 1, "out of range"),
        (float("nan"), "not a whole number"),
        (float("inf"), "not a whole number"),
    ],
)
def test_bad_n_is_refused_with_a_clear_message(n, why):
    with pytest.raises(InvalidArgument) as info:
        accelpi.estimate(n, "numpy")
    message = str(info.value)
    assert f"n={n!r}" in message and why in message and "positive whole number" in message


def test_unknown_backend_lists_known_names_and_suggests_the_closest():
    with pytest.raises(InvalidArgument) as info:
        accelpi.estimate(1000, "numba:fusd")
    message = str(info.value)
    assert "did you mean 'numba:fused'?" in message
    for name in registry.names():
        assert name in message


@pytest.mark.parametrize("backend", [None, 3, ""])
def test_backend_name_must_be_a_known_string(backend):
    with pytest.raises(InvalidArgument, match="not a known backend"):
        accelpi.estimate(1000, backend)


@pytest.mark.parametrize(
    ("threads", "why"),
    [
        (0, "out of range"),
        (-2, "out of range"),
        (1.5, "not an integer"),
        ("2", "not an integer"),
        (True, "not an integer"),
    ],
)
def test_bad_threads_are_refused(threads, why):
    with pytest.raises(InvalidArgument, match=why) as info:
        accelpi.estimate(1000, "numpy:threads", threads=threads)
    assert f"threads={threads!r}" in str(info.value)


def test_serial_backend_refuses_several_threads():
    with pytest.raises(InvalidArgument, match="single-threaded"):
        accelpi.estimate(1000, "numpy", threads=2)
    assert accelpi.estimate(1000, "numpy", threads=1).threads == 1


def test_numba_thread_limit_is_explained():
    require("numba:parallel")
    import numba

    too_many = numba.config.NUMBA_NUM_THREADS + 1
    with pytest.raises(InvalidArgument, match=f"accepted: 1 to {too_many - 1}"):
        accelpi.estimate(1000, "numba:parallel", threads=too_many)


@pytest.mark.parametrize("seed", [-1, 1.5, "x", True, 2**128])
def test_bad_seed_is_refused(seed):
    with pytest.raises(InvalidArgument, match="seed="):
        accelpi.estimate(1000, "numpy", seed=seed)


def test_seed_none_draws_entropy_and_records_it():
    first = accelpi.estimate(10_000, "numpy", seed=None)
    again = accelpi.estimate(10_000, "numpy", seed=first.seed)
    assert again.hits == first.hits
    assert accelpi.estimate(10_000, "numpy", seed=None).seed != first.seed


@pytest.mark.parametrize("device", ["tpu", "", 0, "CUDA:0"])
def test_unknown_device_names_are_refused(device):
    with pytest.raises(InvalidArgument, match="accepted: 'cpu', 'cuda'"):
        accelpi.estimate(1000, "numpy", device=device)


@pytest.mark.parametrize("device", ["cuda", "gpu", "GPU"])
def test_device_a_backend_does_not_have(device):
    with pytest.raises(BackendUnavailable, match="its devices: cpu"):
        accelpi.estimate(1000, "numpy", device=device)


def test_error_hierarchy():
    assert issubclass(InvalidArgument, ValueError)
    assert issubclass(InvalidArgument, AccelpiError)
    assert issubclass(BackendUnavailable, AccelpiError)


def test_backends_lists_every_registered_name():
    infos = accelpi.backends()
    assert [i.name for i in infos] == registry.names()
    core = {
        "python",
        "numpy",
        "numpy:threads",
        "numba",
        "numba:parallel",
        "numba:nogil-threads",
        "numba:fused",
    }
    assert core <= set(registry.names())
    for i in infos:
        assert isinstance(i.available, bool)
        assert i.available or i.reason, f"{i.name} is unavailable without a reason"
        assert set(i.devices) <= set(i.all_devices)
        assert set(i.to_dict()) >= {"name", "available", "reason", "version", "devices"}


def test_listing_survives_a_backend_whose_import_raises(monkeypatch):
    real_import = importlib.import_module

    def broken(name, *args):
        if name == "accelpi.backends.numba_":
            raise RuntimeError("simulated broken install")
        return real_import(name, *args)

    monkeypatch.setattr(importlib, "import_module", broken)
    infos = {i.name: i for i in accelpi.backends()}
    assert not infos["numba:fused"].available
    assert "RuntimeError: simulated broken install" in infos["numba:fused"].reason
    assert infos["numpy"].available
    with pytest.raises(BackendUnavailable, match="simulated broken install"):
        accelpi.estimate(1000, "numba:fused")


def test_missing_library_names_the_extra_that_installs_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "numba", None)  # makes `import numba` fail
    info = registry.info("numba")
    assert not info.available
    assert "needs numba, which is not installed" in info.reason
    assert "pip install 'accelpi[numba]'" in info.reason


def test_failure_at_first_use_marks_the_backend_unavailable(monkeypatch):
    from accelpi.backends import numpy_ as numpy_backend

    def explode(job):
        raise AttributeError("module 'numpy' has no attribute 'row_stack'")

    monkeypatch.setattr(numpy_backend, "count", explode)
    with pytest.raises(BackendUnavailable, match="row_stack"):
        accelpi.estimate(1000, "numpy")
    info = registry.info("numpy")
    assert not info.available and "row_stack" in info.reason
    with pytest.raises(BackendUnavailable, match="failed at first use"):
        accelpi.estimate(1000, "numpy")


def test_probe_runs_every_available_backend():
    for info in accelpi.backends(probe=True):
        plain = registry.info(info.name)
        assert info.available == plain.available, info.reason


def test_stats_helpers():
    assert stats.standard_error(100) == pytest.approx(4 * math.sqrt(stats.P_HIT * (1 - stats.P_HIT) / 100))
    assert stats.z_score(math.pi, 10) == 0
    assert stats.relative_error_bound(10**6) == pytest.approx(6 * stats.standard_error(10**6) / math.pi)
    children = np.random.SeedSequence(7).spawn(5)
    for i, child in enumerate(children):
        assert (stats.chunk_seed_sequence(7, i).generate_state(4) == child.generate_state(4)).all()
    assert stats.stream_key(1) != stats.stream_key(2)
    assert 0 <= stats.seed32_base(5) < 2**32
